/// Where transfers may dial: the rules of `TransferPolicy`, from the `outboundPolicy` section of
/// the configuration.
public struct OutboundPolicy: Sendable, Equatable {
    /// A number prefix ("+1900") and why it is on its list ("premium rate").
    public struct Prefix: Sendable, Equatable {
        /// '+' and 1 to 15 digits.
        public var prefix: String
        public var label: String
        public init(_ prefix: String, _ label: String) {
            self.prefix = prefix
            self.label = label
        }
    }

    /// E.164 prefixes ("+1", "+44") a transfer may reach. nil: only the organization number's own
    /// country (its country calling code as the one allowed prefix); an organization number with
    /// no country ("*") then allows nothing.
    public var allowedPrefixes: [String]?
    /// Prefixes never dialed, even inside the allowed ones. Configured, the list replaces the
    /// default rather than adding to it.
    public var blockedPrefixes: [Prefix]
    /// Numbers a transfer never reaches (alone, or after a country code): callers dial emergency
    /// services themselves, so the call carries their own line and location.
    public var emergencyNumbers: [String]
    /// Transfers in progress at once from calls to one organization number.
    public var maxConcurrentTransfersPerNumber: Int
    /// Transfers allowed in any hour from calls to one organization number: toll fraud is many
    /// calls fast, and this caps what one compromised bot or number can run up.
    public var maxTransfersPerHourPerNumber: Int

    public init(allowedPrefixes: [String]? = nil, blockedPrefixes: [Prefix] = OutboundPolicy.defaultBlockedPrefixes,
                emergencyNumbers: [String] = OutboundPolicy.defaultEmergencyNumbers,
                maxConcurrentTransfersPerNumber: Int = 2, maxTransfersPerHourPerNumber: Int = 20) {
        self.allowedPrefixes = allowedPrefixes
        self.blockedPrefixes = blockedPrefixes
        self.emergencyNumbers = emergencyNumbers
        self.maxConcurrentTransfersPerNumber = maxConcurrentTransfersPerNumber
        self.maxTransfersPerHourPerNumber = maxTransfersPerHourPerNumber
    }

    /// A starting point, not a complete list: the number ranges where toll fraud (international
    /// revenue share fraud, premium-rate pumping) most often ends, by national and ITU
    /// allocations and carriers' fraud reports. Operators should extend it from their carrier's
    /// list; allowing only the countries they serve (`allowedPrefixes`) does more.
    public static let defaultBlockedPrefixes: [Prefix] = [
        // Premium rate: the called party is paid per minute.
        Prefix("+1900", "premium rate"),            // NANP 900
        Prefix("+1976", "premium rate"),            // the old 976 premium exchanges; unassigned as an area code
        Prefix("+4490", "premium rate"),            // UK 090
        Prefix("+4491", "premium rate"),            // UK 091
        Prefix("+4498", "premium rate"),            // UK 098 (adult)
        Prefix("+44871", "premium rate"),           // UK 0871-0873: revenue sharing
        Prefix("+44872", "premium rate"),
        Prefix("+44873", "premium rate"),
        Prefix("+3389", "premium rate"),            // France 089x
        Prefix("+49900", "premium rate"),           // Germany 0900
        Prefix("+49137", "premium rate"),           // Germany 0137 televoting
        Prefix("+39899", "premium rate"),           // Italy 899
        Prefix("+34803", "premium rate"),           // Spain 803, 806, 807
        Prefix("+34806", "premium rate"),
        Prefix("+34807", "premium rate"),
        Prefix("+61190", "premium rate"),           // Australia 190x
        Prefix("+979", "premium rate"),             // International Premium Rate Service
        // Satellite: billed at satellite rates whatever the caller's plan.
        Prefix("+870", "satellite"),                // Inmarsat
        Prefix("+871", "satellite"),                // former Inmarsat ocean regions
        Prefix("+872", "satellite"),
        Prefix("+873", "satellite"),
        Prefix("+874", "satellite"),
        Prefix("+881", "satellite"),                // Global Mobile Satellite System (Iridium, Globalstar, Thuraya)
        // International networks: no country, numbers resold to anyone; a favourite of IRSF.
        Prefix("+882", "international network"),
        Prefix("+883", "international network"),
        Prefix("+888", "international network"),    // disaster relief (OCHA)
        // High-risk destinations: small networks with high termination rates, at the top of
        // fraud reports for years. The Caribbean ones are inside +1: dialed like domestic
        // numbers, billed as international (the "one ring" scams).
        Prefix("+1268", "high-risk destination"),   // Antigua and Barbuda
        Prefix("+1284", "high-risk destination"),   // British Virgin Islands
        Prefix("+1473", "high-risk destination"),   // Grenada
        Prefix("+1649", "high-risk destination"),   // Turks and Caicos
        Prefix("+1809", "high-risk destination"),   // Dominican Republic (809, 829, 849)
        Prefix("+1829", "high-risk destination"),
        Prefix("+1849", "high-risk destination"),
        Prefix("+1876", "high-risk destination"),   // Jamaica
        Prefix("+4470", "high-risk destination"),   // UK 070 personal numbers: look mobile, cost far more
        Prefix("+239", "high-risk destination"),    // São Tomé and Príncipe
        Prefix("+247", "high-risk destination"),    // Ascension
        Prefix("+252", "high-risk destination"),    // Somalia
        Prefix("+290", "high-risk destination"),    // Saint Helena, Tristan da Cunha
        Prefix("+675", "high-risk destination"),    // Papua New Guinea
        Prefix("+676", "high-risk destination"),    // Tonga
        Prefix("+677", "high-risk destination"),    // Solomon Islands
        Prefix("+678", "high-risk destination"),    // Vanuatu
        Prefix("+682", "high-risk destination"),    // Cook Islands
        Prefix("+683", "high-risk destination"),    // Niue
        Prefix("+690", "high-risk destination"),    // Tokelau
        Prefix("+692", "high-risk destination"),    // Marshall Islands
    ]

    /// Emergency and police/fire/ambulance numbers of the larger plans. Short numbers are
    /// refused as invalid anyway (fewer than `TransferTarget.minimumDigits`); naming them gives
    /// the bot the true reason, and catches them written after a country code (+1911, +44999).
    public static let defaultEmergencyNumbers: [String] = [
        "911", "112", "999", "000",                  // NANP, EU/GSM, UK, Australia
        "933",                                      // US 911 address test line
        "08", "15", "17", "18",                      // GSM legacy; France SAMU, police, fire
        "100", "101", "102", "108",                  // India, Greece, Israel, Belgium
        "110", "111", "113", "115", "118", "119",    // Germany/Japan/China, NZ, Italy, Japan/Korea
        "120", "122", "133", "144",                  // China, Austria, Switzerland
        "190", "192", "193",                         // Brazil
    ]

    /// The allowed prefixes for an organization number: the configured ones, or its own
    /// country's calling code; empty when neither exists (a "*" organization number).
    public func effectiveAllowedPrefixes(organizationNumber: String) -> [String] {
        if let allowedPrefixes { return allowedPrefixes }
        return CountryCallingCode.of(organizationNumber).map { ["+" + $0] } ?? []
    }

    /// The longest blocked prefix `e164` starts with: the most specific label.
    public func blockedPrefix(of e164: String) -> Prefix? {
        blockedPrefixes.filter { e164.hasPrefix($0.prefix) }.max { $0.prefix.count < $1.prefix.count }
    }
}

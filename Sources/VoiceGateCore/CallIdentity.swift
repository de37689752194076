/// One URI of a SIP request as pjsip parsed it: the Request-URI, To, From, or one entry of
/// P-Asserted-Identity or Remote-Party-ID.
public struct SIPIdentity: Sendable, Equatable {
    /// `sip`, `sips`, `tel`, or whatever else the request carried.
    public var scheme: String
    /// The user part of a sip:/sips: URI, the number of a tel: URI.
    public var user: String
    public var host: String
    /// Header parameters (Remote-Party-ID's `party`, `privacy`, `screen`), names lower-cased.
    public var parameters: [String: String]

    public init(scheme: String, user: String, host: String = "", parameters: [String: String] = [:]) {
        self.scheme = scheme.lowercased()
        self.user = user
        self.host = host
        self.parameters = parameters
    }

    /// An anonymous URI (RFC 3323 `sip:anonymous@anonymous.invalid`, and the words carriers use).
    public var isAnonymous: Bool {
        let words: Set<String> = ["anonymous", "restricted", "unavailable", "unknown", "private", "withheld"]
        return words.contains(user.lowercased()) || host.lowercased() == "anonymous.invalid"
    }

    var isPhoneScheme: Bool { ["sip", "sips", "tel"].contains(scheme) }
}

/// The parts of an INVITE that say who called and which number they dialed.
public struct InboundCallHeaders: Sendable, Equatable {
    public var requestURI: SIPIdentity?
    public var to: SIPIdentity?
    public var from: SIPIdentity?
    /// P-Asserted-Identity entries in order (RFC 3325 allows a sip: and a tel: one).
    public var assertedIdentities: [SIPIdentity]
    /// Remote-Party-ID entries in order (the pre-RFC 3325 form many SBCs still send).
    public var remotePartyIDs: [SIPIdentity]
    /// Privacy header values, lower-cased (`id`, `user`, `header`, `none`, ...).
    public var privacy: [String]

    public init(requestURI: SIPIdentity? = nil, to: SIPIdentity? = nil, from: SIPIdentity? = nil,
                assertedIdentities: [SIPIdentity] = [], remotePartyIDs: [SIPIdentity] = [], privacy: [String] = []) {
        self.requestURI = requestURI
        self.to = to
        self.from = from
        self.assertedIdentities = assertedIdentities
        self.remotePartyIDs = remotePartyIDs
        self.privacy = privacy
    }
}

/// Who called and what they dialed, as the bot sees it.
public struct CallIdentity: Sendable, Equatable {
    /// E.164, or local digits when the number could not be placed; "" when withheld or absent.
    public var customerNumber: String
    public var callerWithheld: Bool
    /// Where the caller ID came from: `pai`, `rpid`, `from`, or `none`.
    public var callerSource: String
    /// The dialed number, normalized; nil when neither the Request-URI nor To holds one.
    public var dialed: PhoneNumber.Normalized

    /// Caller ID in order P-Asserted-Identity, Remote-Party-ID (the calling party's), From;
    /// withheld on `Privacy: id` (or `user`/`header`), RPID `privacy=full|uri`, an anonymous URI,
    /// or no number in any of them. Dialed number: the Request-URI's user part, then To's.
    public static func resolve(_ headers: InboundCallHeaders, defaultCountryCode: String?) -> CallIdentity {
        let dialed = [headers.requestURI, headers.to].lazy.compactMap { $0 }
            .filter(\.isPhoneScheme)
            .map { PhoneNumber.normalize($0.user, defaultCountryCode: defaultCountryCode) }
            .first { $0 != .none } ?? .none

        let privacyAsked = headers.privacy.contains { ["id", "user", "header"].contains($0) }
        let callingRPIDs = headers.remotePartyIDs.filter { ($0.parameters["party"] ?? "calling").lowercased() == "calling" }
        let candidates: [(String, SIPIdentity)] = headers.assertedIdentities.map { ("pai", $0) }
            + callingRPIDs.map { ("rpid", $0) } + (headers.from.map { [("from", $0)] } ?? [])

        var withheld = privacyAsked
        var found: (String, PhoneNumber.Normalized)?
        for (source, identity) in candidates where identity.isPhoneScheme {
            if source == "rpid", let p = identity.parameters["privacy"]?.lowercased(), p == "full" || p == "uri" {
                withheld = true
            }
            if identity.isAnonymous {
                // The first identity header present decides: an anonymous PAI is the network
                // saying the caller withheld their number, whatever From says.
                if found == nil { withheld = true }
                break
            }
            let number = PhoneNumber.normalize(identity.user, defaultCountryCode: defaultCountryCode)
            if number != .none {
                found = (source, number)
                break
            }
        }
        guard let (source, number) = found, !withheld else {
            return CallIdentity(customerNumber: "", callerWithheld: true, callerSource: found?.0 ?? "none", dialed: dialed)
        }
        return CallIdentity(customerNumber: number.text, callerWithheld: false, callerSource: source, dialed: dialed)
    }
}

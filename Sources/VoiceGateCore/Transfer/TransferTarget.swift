/// The strict parser of transfer targets: untrusted text from a bot (and, behind it, from
/// callers) that becomes a number the gateway pays to dial.
///
/// Unlike `PhoneNumber.normalize`, which reads whatever trunks send and keeps what it cannot
/// place, this refuses everything it does not fully understand, with a detail that names the
/// problem. Anything that is not a plain number (a URI of another scheme, parameters, header or
/// query syntax, control characters, look-alike digits) is refused rather than cleaned up:
/// cleaning is how `+1415…\r\nVia:` or `sip:+1415…@evil.example.com` would reach the SIP stack.
public enum TransferTarget {
    /// The shortest international number in use, digits with the country code: Niue (+683) and
    /// Tokelau (+690) have 4-digit numbers. Anything shorter is a short code or a service number,
    /// which a transfer has no business reaching.
    public static let minimumDigits = 7
    /// E.164's maximum, country code included.
    public static let maximumDigits = 15

    /// Strict parse of an untrusted target into E.164, using `countryCode` (the trunk's, digits)
    /// for national numbers.
    ///
    /// Accepts "+14155550123", "+1 (415) 555-0123" (spaces, '-', '.', '(' and ')' as visual
    /// separators only), national forms through the country code ("4155550123" with "1", "020 7946
    /// 0000" with "44"), the international prefixes "00" (anywhere) and "011" (with country "1"
    /// only: in the UK 0114 is Sheffield), and a `tel:` URI whose number is global
    /// ("tel:+14155550123", no parameters).
    ///
    /// Refuses with `.invalidNumber`: empty or whitespace, another scheme or any URI syntax,
    /// letters, separators and injection characters, control characters, non-ASCII (fullwidth
    /// digits included: they would be read as digits by some and not others), more than 15 digits,
    /// fewer than `minimumDigits`, a national number that cannot be placed without guessing, and a
    /// +1 number that is not a NANP number. Emergency numbers ("911", and written with a country
    /// code, "+1911", which is no real number but some carriers would still route) are
    /// `.emergencyNumber`: the gateway never transfers to them, a caller must dial them.
    ///
    /// A `countryCode` that is not 1 to 3 digits (not starting with 0) counts as none.
    public static func normalize(_ raw: String, countryCode: String?, emergencyNumbers: [String]) -> Result<String, TransferRejection> {
        func invalid(_ detail: String) -> Result<String, TransferRejection> { .failure(TransferRejection(.invalidNumber, detail)) }
        func emergency(_ digits: String) -> Result<String, TransferRejection> {
            .failure(TransferRejection(.emergencyNumber, "emergency number \(digits)"))
        }

        if raw.isEmpty { return invalid("empty") }
        if raw.unicodeScalars.allSatisfy(\.properties.isWhitespace) { return invalid("only whitespace") }
        // Before anything else: these are never part of a number, and the rest of the parse may
        // then look at ASCII alone.
        for scalar in raw.unicodeScalars {
            if scalar.properties.generalCategory == .control { return invalid("control character \(controlName(scalar))") }
            if !scalar.isASCII { return invalid("non-ASCII character \(hex(scalar))") }
        }
        // Spaces at the ends only ("  911 "); tabs and line breaks were refused above.
        var body = Substring(raw)
        while body.first == " " { body.removeFirst() }
        while body.last == " " { body.removeLast() }

        var isTel = false
        if let scheme = scheme(of: body) {
            let name = scheme.count > 16 ? scheme.prefix(16).lowercased() + "…" : scheme.lowercased()
            guard name == "tel" else { return invalid("scheme '\(name):' not allowed") }
            isTel = true
            body = body.dropFirst(scheme.count + 1)
            if let problem = telProblem(body) { return invalid(problem) }
        }
        if let problem = characterProblem(body) { return invalid(problem) }

        let international = body.first == "+"
        if isTel && !international { return invalid("tel: URI with a local number: only global numbers (tel:+…)") }
        let digits = String(body.filter { $0.isASCII && $0.isNumber })
        if digits.isEmpty { return invalid(international ? "'+' and no digits" : "no digits") }

        let emergencyNumbers = Set(emergencyNumbers)
        if emergencyNumbers.contains(digits) { return emergency(digits) }
        let country = countryCode.flatMap { isCountryCode($0) ? $0 : nil }

        // The digits of the E.164 number, country code first.
        var number: String
        if international {
            number = digits
        } else if let prefix = ["00", "011"].first(where: { digits.hasPrefix($0) && ($0 == "00" || country == "1") }) {
            number = String(digits.dropFirst(prefix.count))
            if number.isEmpty { return invalid("international prefix \(prefix) with no number after it") }
            if emergencyNumbers.contains(number) { return emergency(number) }
        } else {
            if digits.count > maximumDigits { return invalid("\(digits.count) digits: longer than E.164's \(maximumDigits)") }
            // Behind the trunk prefix ("1 911" in the NANP) an emergency number is still one.
            if let country, digits.hasPrefix(country == "1" ? "1" : "0"), emergencyNumbers.contains(String(digits.dropFirst())) {
                return emergency(String(digits.dropFirst()))
            }
            switch national(digits, country: country) {
            case .success(let n): number = n
            case .failure(let rejection): return .failure(rejection)
            }
        }

        if number.count > maximumDigits { return invalid("\(number.count) digits: longer than E.164's \(maximumDigits)") }
        if number.hasPrefix("0") { return invalid("a country calling code cannot start with 0") }
        let callingCode = CountryCallingCode.of("+" + number)
        if let cc = callingCode, emergencyNumbers.contains(String(number.dropFirst(cc.count))) {
            return emergency(String(number.dropFirst(cc.count)))
        }
        if number.count < minimumDigits {
            return invalid("\(number.count) digits: shorter than \(minimumDigits), the shortest international number")
        }
        if callingCode == "1", let problem = nanpProblem(number.dropFirst()) { return invalid(problem) }
        return .success("+" + number)
    }

    /// A national number in `country`'s plan, as E.164 digits, the way `PhoneNumber.normalize`
    /// reads them, minus every guess: NANP numbers are 10 digits (or 11 after the trunk prefix 1);
    /// elsewhere a national number starts with the trunk prefix 0. Plans without a trunk prefix
    /// (Spain, Italy's fixed lines) must be written with + and the country code.
    private static func national(_ digits: String, country: String?) -> Result<String, TransferRejection> {
        guard let cc = country else {
            return .failure(TransferRejection(.invalidNumber, "a national number and no country code to place it: write it with + and the country code"))
        }
        if cc == "1" {
            if digits.count == 10 { return .success("1" + digits) }
            if digits.count == 11 && digits.hasPrefix("1") { return .success(digits) }
            return .failure(TransferRejection(.invalidNumber, "\(digits.count) digits: a national number in +1 has 10"))
        }
        guard digits.hasPrefix("0"), digits.count > 1 else {
            return .failure(TransferRejection(.invalidNumber, "a national number without the trunk prefix 0: it cannot be placed in +\(cc) without guessing"))
        }
        return .success(cc + digits.dropFirst())
    }

    /// NANP numbers (+1): 10 digits after the 1, area code and exchange starting 2-9, and no
    /// N11 service code (411, 911) as area code.
    private static func nanpProblem(_ national: Substring) -> String? {
        guard national.count == 10 else { return "+1 numbers have 10 digits after the 1, not \(national.count)" }
        let area = national.prefix(3), exchange = national.dropFirst(3).prefix(3)
        if area.first == "0" || area.first == "1" { return "area code \(area) cannot start with 0 or 1" }
        if area.hasSuffix("11") { return "\(area) is a service code, not an area code" }
        if exchange.first == "0" || exchange.first == "1" { return "exchange \(exchange) cannot start with 0 or 1" }
        return nil
    }

    /// The scheme of a URI (RFC 3986: a letter, then letters, digits, '+', '-', '.', then ':'), or nil.
    private static func scheme(of text: Substring) -> Substring? {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let name = text[..<colon]
        guard let first = name.first, first.isASCII, first.isLetter,
              name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }) else { return nil }
        return name
    }

    /// What a tel: URI may not have here: parameters (phone-context, ext, isub: each changes
    /// where the call goes), or anything making it another URI.
    private static func telProblem(_ number: Substring) -> String? {
        if number.isEmpty { return "tel: URI without a number" }
        if number.contains(";") { return "parameters in a tel: URI (';')" }
        if number.contains("@") { return "'@' after tel:" }
        if number.contains(":") { return "':' after tel:" }
        if number.contains(" ") { return "space in a tel: URI" }
        return nil
    }

    /// Visual separators: what people write inside numbers, and nothing else.
    private static let visualSeparators: Set<Character> = [" ", "-", ".", "(", ")"]

    /// The first character that makes `body` something other than a number written for reading;
    /// a separator or injection character is named before letters (it is the worse of the two).
    private static func characterProblem(_ body: Substring) -> String? {
        var letters = false
        for (offset, c) in body.enumerated() {
            if c.isNumber || visualSeparators.contains(c) { continue }
            if c == "+" {
                if offset == 0 { continue }
                return "'+' inside the number"
            }
            if c.isLetter { letters = true; continue }
            if c == "@" { return "'@': a URI's user@host, not a number" }
            return c == "'" ? "separator \"'\"" : "separator '\(c)'"
        }
        return letters ? "letters in the number" : nil
    }

    /// Whether `s` can be a country calling code: 1 to 3 ASCII digits, not starting with 0.
    public static func isCountryCode(_ s: String) -> Bool {
        (1...3).contains(s.utf8.count) && s.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) } && !s.hasPrefix("0")
    }

    private static func hex(_ scalar: Unicode.Scalar) -> String {
        let digits = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    private static func controlName(_ scalar: Unicode.Scalar) -> String {
        let names: [UInt32: String] = [0x00: "NUL", 0x09: "tab", 0x0A: "LF", 0x0D: "CR", 0x1B: "ESC", 0x7F: "DEL"]
        return names[scalar.value].map { "\(hex(scalar)) (\($0))" } ?? hex(scalar)
    }
}

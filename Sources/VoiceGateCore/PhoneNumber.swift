/// Turning the numbers trunks send into E.164 (`+` and up to 15 digits).
///
/// Trunks send numbers in every form: `+14155550123`, `0014155550123`, `01114155550123` (the
/// North American international prefix), national `4155550123` or `020 7946 0000`, with dashes,
/// dots, spaces and brackets. A form that cannot be placed without guessing (a short extension
/// like `1000`, a national number from a trunk with no default country) is kept as its digits,
/// never invented into a wrong E.164 number.
public enum PhoneNumber {
    public enum Normalized: Sendable, Equatable {
        /// A full international number: `+` then 2 to 15 digits, the first not 0.
        case e164(String)
        /// Digits that could not be placed in the international plan (an extension, a short code).
        case local(String)
        /// No number at all (`anonymous`, `alice`, empty).
        case none

        /// What the bot sees: the E.164 or local digits, or "" for none.
        public var text: String {
            switch self {
            case .e164(let s), .local(let s): return s
            case .none: return ""
            }
        }
    }

    /// Visual separators of RFC 3966 (and what people type): removed before reading digits.
    private static let separators: Set<Character> = ["-", ".", "(", ")", " "]

    /// - Parameters:
    ///   - raw: the user part of a sip: URI or the number of a tel: URI.
    ///   - defaultCountryCode: the trunk's country calling code (digits), for national numbers.
    public static func normalize(_ raw: String, defaultCountryCode: String?) -> Normalized {
        // sip: user parts may carry parameters of their own (`+1415...;npdi`), tel: numbers too.
        let core = raw.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        var text = String(core.filter { !separators.contains($0) })
        var international = false
        if text.hasPrefix("+") {
            international = true
            text.removeFirst()
        }
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return .none }
        let country = defaultCountryCode.flatMap { $0.isEmpty ? nil : $0 }

        if international { return e164(text) ?? .local("+" + text) }
        if text.hasPrefix("00") { return e164(String(text.dropFirst(2))) ?? .local(text) }
        // 011 is the international prefix of the North American plan only; in the UK, 0114 is
        // Sheffield. Without a country, a 011 number is most likely North American.
        if text.hasPrefix("011") && (country == nil || country == "1") {
            return e164(String(text.dropFirst(3))) ?? .local(text)
        }
        guard let cc = country else { return .local(text) }
        if cc == "1" {
            // NANP: 10 digits, area code starting 2-9; or the same after the trunk prefix 1.
            if text.count == 10, let first = text.first, first != "0", first != "1" { return e164("1" + text) ?? .local(text) }
            if text.count == 11, text.hasPrefix("1") { return e164(text) ?? .local(text) }
            return .local(text)
        }
        // Most other plans dial national numbers with the trunk prefix 0 (020 7946 0000).
        if text.hasPrefix("0"), text.count > 1 {
            let national = text.dropFirst()
            guard national.first != "0" else { return .local(text) }
            return e164(cc + national) ?? .local(text)
        }
        return .local(text)
    }

    /// `+digits` when the digits can be an E.164 number.
    private static func e164(_ digits: String) -> Normalized? {
        guard (2...15).contains(digits.count), let first = digits.first, first != "0" else { return nil }
        return .e164("+" + digits)
    }

    /// Whether `text` is written as E.164 (configuration files).
    public static func isE164(_ text: String) -> Bool {
        guard text.hasPrefix("+") else { return false }
        let digits = text.dropFirst()
        return (2...15).contains(digits.count) && digits.allSatisfy { $0.isASCII && $0.isNumber } && digits.first != "0"
    }
}

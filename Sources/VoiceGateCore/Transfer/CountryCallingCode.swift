/// The E.164 country calling code a number belongs to ("+18005550100" -> "1",
/// "+442079460000" -> "44", "+881631234567" -> "881").
///
/// Calling codes are a prefix code, so the ITU zone structure tells their length without a table
/// of every country: zones 1 (NANP) and 7 (Russia, Kazakhstan) are one digit; the assigned
/// two-digit codes are listed; everything else is three digits (spare codes included: they are
/// three digits when assigned).
public enum CountryCallingCode {
    /// The assigned two-digit codes (ITU-T E.164 list of assigned country codes).
    static let twoDigit: Set<String> = [
        "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46", "47", "48", "49",
        "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63", "64", "65", "66",
        "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98",
    ]

    /// The calling code's digits (no '+'), or nil when `e164` is not '+' and digits, the first not
    /// 0, long enough to hold its calling code.
    public static func of(_ e164: String) -> String? {
        guard e164.hasPrefix("+") else { return nil }
        let digits = e164.utf8.dropFirst()
        guard let first = digits.first, first != UInt8(ascii: "0"),
              digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
        let text = String(decoding: digits, as: UTF8.self)
        if first == UInt8(ascii: "1") || first == UInt8(ascii: "7") { return String(text.prefix(1)) }
        guard text.count >= 2 else { return nil }
        if twoDigit.contains(String(text.prefix(2))) { return String(text.prefix(2)) }
        guard text.count >= 3 else { return nil }
        return String(text.prefix(3))
    }
}

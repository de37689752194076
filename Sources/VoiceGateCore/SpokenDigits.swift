/// Numbers read digit by digit, as a person reads a phone number or a code aloud: a synthesizer
/// left alone says "415" as "four hundred fifteen". Groups (split by spaces, dashes, dots,
/// parentheses, slashes) are joined by commas, which synthesizers turn into short pauses.
enum SpokenDigits {
    static let names = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]

    /// "+1 (415) 555-0100 ext. 12" → "plus one, four one five, five five five, zero one zero zero,
    /// extension one two". `*` is "star", `#` is "pound".
    static func telephone(_ s: String) -> String { read(s, telephone: true) }

    /// "12 34" → "one two, three four".
    static func digits(_ s: String) -> String { read(s, telephone: false) }

    private static func read(_ s: String, telephone: Bool) -> String {
        var groups: [[String]] = []
        var group: [String] = []
        // A group closes at a separator only once it holds a digit, so "+ 1" and "ext. 12" stay
        // with the digits they introduce.
        var groupHasDigits = false
        func closeGroup() {
            if !group.isEmpty { groups.append(group) }
            group = []
            groupHasDigits = false
        }
        var chars = s[...]
        while let c = chars.first {
            if let digit = c.wholeNumberValue, c.isNumber, (0...9).contains(digit) {
                group.append(names[digit])
                groupHasDigits = true
                chars = chars.dropFirst()
            } else if c.isLetter {
                let word = chars.prefix(while: \.isLetter)
                chars = chars.dropFirst(word.count)
                if telephone, ["x", "ext", "extension"].contains(word.lowercased()) {
                    closeGroup()
                    group = ["extension"]
                } else {
                    group.append(String(word))
                    groupHasDigits = true
                }
            } else {
                chars = chars.dropFirst()
                switch c {
                case "+" where telephone: group.append("plus")
                case "*": group.append("star"); groupHasDigits = true
                case "#": group.append("pound"); groupHasDigits = true
                default: if groupHasDigits { closeGroup() }
                }
            }
        }
        closeGroup()
        return groups.map { $0.joined(separator: " ") }.joined(separator: ", ")
    }
}

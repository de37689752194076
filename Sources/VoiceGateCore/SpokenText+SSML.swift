import Foundation

extension SpokenText {
    /// A bot's `speak`: SSML, or plain text (text without tags reads as it is; a missing
    /// `<speak>` root is tolerated, as bots often send a bare `Hello<break time="1s"/>there`).
    ///
    /// The subset: `<break time="500ms"|"2s" strength="...">` becomes a pause (10 s at most; a
    /// strength alone: none 0, x-weak 250, weak 500, medium 750 (also a bare `<break/>`),
    /// strong 1000, x-strong 1250 ms); `<say-as interpret-as="telephone"|"digits">` is read digit
    /// by digit; `<sub alias="...">` says its alias. Any other element keeps its text and loses its
    /// tags; comments and processing instructions are dropped; XML entities are decoded.
    ///
    /// Malformed SSML (an unclosed or mismatched element, a tag that never ends) is read as its
    /// text without tags and without breaks. A `<` or `>` that starts no tag is dropped: a caller
    /// never hears "less than".
    public init(ssml source: String) {
        var scanner = SSMLScanner(source)
        scanner.run()
        if !scanner.malformed, let segments = SSMLReader.segments(scanner.tokens) {
            self.init(segments)
        } else {
            self.init(scanner.tokens.compactMap { if case .text(let t) = $0 { return .text(t) }; return nil })
        }
    }
}

enum SSMLToken: Equatable {
    case text(String)
    case open(name: String, attributes: [String: String], selfClosing: Bool)
    case close(name: String)
}

/// Splits SSML into text and tags, leniently: it never fails, it only notes that the document was
/// malformed so the reader can fall back to the text.
struct SSMLScanner {
    private let chars: [Character]
    private var i = 0
    private var text = ""
    private(set) var tokens: [SSMLToken] = []
    private(set) var malformed = false

    init(_ source: String) { chars = Array(source) }

    mutating func run() {
        while i < chars.count {
            switch chars[i] {
            case "<": flushText(); scanMarkup()
            case "&": text += scanEntity()
            case ">": text += " "; i += 1
            default: text.append(chars[i]); i += 1
            }
        }
        flushText()
    }

    private mutating func flushText() {
        if !text.isEmpty { tokens.append(.text(text)) }
        text = ""
    }

    private func hasPrefix(_ prefix: String, at index: Int) -> Bool {
        var j = index
        for c in prefix {
            guard j < chars.count, chars[j] == c else { return false }
            j += 1
        }
        return true
    }

    /// Moves past `terminator`; false (and at the end) when there is none.
    private mutating func skip(past terminator: String) -> Bool {
        while i < chars.count {
            if hasPrefix(terminator, at: i) { i += terminator.count; return true }
            i += 1
        }
        return false
    }

    private mutating func scanMarkup() {
        if hasPrefix("<!--", at: i) {
            if !skip(past: "-->") { malformed = true }
        } else if hasPrefix("<![CDATA[", at: i) {
            i += 9
            let start = i
            let closed = skip(past: "]]>")
            if !closed { malformed = true }
            let end = closed ? i - 3 : i
            if end > start { tokens.append(.text(String(chars[start..<end]))) }
        } else if hasPrefix("<?", at: i) || hasPrefix("<!", at: i) {
            if !skip(past: ">") { malformed = true }
        } else {
            scanTag()
        }
    }

    private static func isNameStart(_ c: Character) -> Bool { c.isLetter || c == "_" }
    private static func isNameChar(_ c: Character) -> Bool { c.isLetter || c.isNumber || "_:.-".contains(c) }

    private func readName(from start: Int) -> (String, Int) {
        var j = start
        while j < chars.count, SSMLScanner.isNameChar(chars[j]) { j += 1 }
        return (String(chars[start..<j]), j)
    }

    private func skipSpaces(from start: Int) -> Int {
        var j = start
        while j < chars.count, chars[j].isWhitespace { j += 1 }
        return j
    }

    private mutating func scanTag() {
        var j = i + 1
        let closing = j < chars.count && chars[j] == "/"
        if closing { j += 1 }
        guard j < chars.count, SSMLScanner.isNameStart(chars[j]) else {
            // "a < b": no tag, and the '<' is not read aloud.
            text += " "
            i += 1
            return
        }
        let (name, afterName) = readName(from: j)
        j = afterName
        var attributes: [String: String] = [:]
        while true {
            j = skipSpaces(from: j)
            guard j < chars.count else { break }
            if chars[j] == ">" {
                tokens.append(closing ? .close(name: name.lowercased())
                                      : .open(name: name.lowercased(), attributes: attributes, selfClosing: false))
                i = j + 1
                return
            }
            if chars[j] == "/", j + 1 < chars.count, chars[j + 1] == ">" {
                if !closing { tokens.append(.open(name: name.lowercased(), attributes: attributes, selfClosing: true)) }
                i = j + 2
                return
            }
            guard let (key, value, next) = attribute(at: j) else { break }
            attributes[key.lowercased()] = value
            j = next
        }
        // A tag that never ends: what parsed as its name and attributes is dropped, the words
        // after it are kept, and the document is read as plain text.
        malformed = true
        i = j
    }

    /// `name="value"` or `name='value'` at `start`, with the index after it.
    private func attribute(at start: Int) -> (String, String, Int)? {
        guard start < chars.count, SSMLScanner.isNameStart(chars[start]) else { return nil }
        let (key, afterKey) = readName(from: start)
        var j = skipSpaces(from: afterKey)
        guard j < chars.count, chars[j] == "=" else { return nil }
        j = skipSpaces(from: j + 1)
        guard j < chars.count, chars[j] == "\"" || chars[j] == "'" else { return nil }
        let quote = chars[j]
        let valueStart = j + 1
        j = valueStart
        while j < chars.count, chars[j] != quote { j += 1 }
        guard j < chars.count else { return nil }
        return (key, XMLEntities.decode(String(chars[valueStart..<j])), j + 1)
    }

    /// An entity at `i` decoded, or a plain '&' when it is none.
    private mutating func scanEntity() -> String {
        var j = i + 1
        while j < chars.count, j - i <= 10, chars[j] != ";", !chars[j].isWhitespace, chars[j] != "&" { j += 1 }
        if j < chars.count, chars[j] == ";", let decoded = XMLEntities.value(of: String(chars[(i + 1)..<j])) {
            i = j + 1
            return decoded
        }
        i += 1
        return "&"
    }
}

/// Reads well-formed SSML tokens into segments; nil when elements do not nest.
enum SSMLReader {
    static func segments(_ tokens: [SSMLToken]) -> [SpokenText.Segment]? {
        var open: [String] = []
        var out: [SpokenText.Segment] = []
        // Text inside <say-as> or <sub> is gathered until its element closes.
        var capture: (depth: Int, interpretAs: String?, text: String)?
        for token in tokens {
            switch token {
            case .text(let t):
                if capture != nil { capture!.text += t } else { out.append(.text(t)) }
            case .open(let name, let attributes, let selfClosing):
                if capture == nil {
                    switch name {
                    case "break": out.append(.pause(milliseconds: breakMilliseconds(attributes)))
                    case "say-as":
                        if !selfClosing { capture = (open.count, attributes["interpret-as"]?.lowercased(), "") }
                    case "sub":
                        if let alias = attributes["alias"] {
                            out.append(.text(alias))
                            if !selfClosing { capture = (open.count, "sub", "") }
                        }
                    default: break
                    }
                }
                if !selfClosing { open.append(name) }
            case .close(let name):
                guard open.last == name else { return nil }
                open.removeLast()
                if let c = capture, c.depth == open.count {
                    switch c.interpretAs {
                    case "sub": break   // the alias was said instead
                    case "telephone": out.append(.text(SpokenDigits.telephone(c.text)))
                    case "digits": out.append(.text(SpokenDigits.digits(c.text)))
                    default: out.append(.text(c.text))
                    }
                    capture = nil
                }
            }
        }
        return open.isEmpty ? out : nil
    }

    static let longestBreakMilliseconds = 10_000

    static func breakMilliseconds(_ attributes: [String: String]) -> Int {
        if let time = attributes["time"], let ms = milliseconds(time) { return min(ms, longestBreakMilliseconds) }
        switch attributes["strength"]?.lowercased() {
        case "none": return 0
        case "x-weak": return 250
        case "weak": return 500
        case "strong": return 1000
        case "x-strong": return 1250
        default: return 750
        }
    }

    /// "500ms", "2s", "1.5s"; nil for anything else.
    static func milliseconds(_ time: String) -> Int? {
        let t = time.trimmingCharacters(in: .whitespaces).lowercased()
        let (number, scale): (Substring, Double) = t.hasSuffix("ms") ? (t.dropLast(2), 1) : t.hasSuffix("s") ? (t.dropLast(), 1000) : ("", 0)
        guard let value = Double(number.trimmingCharacters(in: .whitespaces)), value.isFinite, value >= 0 else { return nil }
        return Int((value * scale).rounded())
    }
}

/// The entities of XML and the few of HTML that bots put in text.
enum XMLEntities {
    static func value(of name: String) -> String? {
        switch name {
        case "amp": return "&"
        case "lt": return "<"
        case "gt": return ">"
        case "quot": return "\""
        case "apos": return "'"
        case "nbsp": return " "
        default:
            guard name.hasPrefix("#") else { return nil }
            let digits = name.dropFirst()
            let code = digits.first == "x" || digits.first == "X" ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits)
            return code.flatMap(Unicode.Scalar.init).map { String(Character($0)) }
        }
    }

    static func decode(_ s: String) -> String {
        guard s.contains("&") else { return s }
        var scanner = SSMLScanner(s)
        scanner.run()
        return scanner.tokens.compactMap { if case .text(let t) = $0 { return t }; return nil }.joined()
    }
}

/// A token as VADER's Python code sees it: a sequence of Unicode code points.
///
/// Not a `String` on purpose: Swift compares strings by canonical equivalence and by grapheme
/// clusters, Python by code points. Holding scalars keeps lexicon look-ups, the negation test
/// ("n't" inside a word) and ALL-CAPS detection exactly as in the reference implementation, and
/// it keeps CRLF, combining marks and the like from changing what counts as one word.
struct SentimentWord: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    var scalars: [Unicode.Scalar]

    init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }
    init(_ string: some StringProtocol) { scalars = Array(string.unicodeScalars) }
    init(stringLiteral value: String) { self.init(value) }

    var description: String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }

    /// Words joined by one space, as VADER's "{0} {1}" n-grams.
    init(joining words: SentimentWord...) {
        var scalars: [Unicode.Scalar] = []
        for (n, word) in words.enumerated() {
            if n > 0 { scalars.append(" ") }
            scalars.append(contentsOf: word.scalars)
        }
        self.scalars = scalars
    }

    /// Python's `str.lower()`: each scalar's full lower-case mapping, and capital sigma as final
    /// sigma at the end of a word (CPython's `handle_capital_sigma`).
    func lowercased() -> SentimentWord {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(scalars.count)
        for (i, scalar) in scalars.enumerated() {
            if scalar.value == 0x3A3 {
                out.append(isFinalSigma(at: i) ? "\u{3C2}" : "\u{3C3}")
            } else if scalar.isASCII {
                out.append(scalar.properties.isUppercase ? Unicode.Scalar(scalar.value + 32)! : scalar)
            } else {
                out.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            }
        }
        return SentimentWord(out)
    }

    /// Python's `str.isupper()`: at least one cased scalar, and none lower or title case.
    var isUpper: Bool {
        var cased = false
        for scalar in scalars {
            let p = scalar.properties
            if p.isLowercase || p.generalCategory == .titlecaseLetter { return false }
            if p.isUppercase { cased = true }
        }
        return cased
    }

    /// Python's `needle in word`.
    func contains(_ needle: SentimentWord) -> Bool {
        let n = needle.scalars.count
        guard n > 0 else { return true }
        guard scalars.count >= n else { return false }
        for start in 0...(scalars.count - n) where scalars[start..<(start + n)].elementsEqual(needle.scalars) {
            return true
        }
        return false
    }

    /// Σ is final when a cased scalar precedes it and none follows it (case-ignorable scalars
    /// such as apostrophes skipped on both sides), as Unicode's Final_Sigma context says.
    private func isFinalSigma(at i: Int) -> Bool {
        guard let before = scalars[..<i].last(where: { !$0.properties.isCaseIgnorable }),
              before.properties.isCased else { return false }
        guard let after = scalars[(i + 1)...].first(where: { !$0.properties.isCaseIgnorable }) else { return true }
        return !after.properties.isCased
    }
}

extension SentimentWord {
    /// VADER's `SentiText` words: the text split at whitespace (Python's `str.split()`), then
    /// ASCII punctuation stripped from both ends of each token unless that leaves two scalars or
    /// fewer, which keeps emoticons such as ":)" and "<3" whole.
    static func words(of text: String) -> [SentimentWord] {
        var words: [SentimentWord] = []
        var token: [Unicode.Scalar] = []
        for scalar in text.unicodeScalars {
            if isPythonWhitespace(scalar) {
                if !token.isEmpty { words.append(strippingPunctuation(token)); token.removeAll(keepingCapacity: true) }
            } else {
                token.append(scalar)
            }
        }
        if !token.isEmpty { words.append(strippingPunctuation(token)) }
        return words
    }

    /// `token.strip(string.punctuation)`, kept only when more than two scalars remain.
    private static func strippingPunctuation(_ token: [Unicode.Scalar]) -> SentimentWord {
        guard let first = token.firstIndex(where: { !isASCIIPunctuation($0) }),
              let last = token.lastIndex(where: { !isASCIIPunctuation($0) }),
              last - first + 1 > 2 else { return SentimentWord(token) }
        return SentimentWord(Array(token[first...last]))
    }

    /// Python's `string.punctuation`: !"#$%&'()*+,-./:;<=>?@[\]^_`{|}~
    static func isASCIIPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E: return true
        default: return false
        }
    }

    /// Python's `str.isspace()`: Unicode's White_Space, plus the ASCII information separators
    /// U+001C...U+001F that Python also splits at.
    static func isPythonWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace || (0x1C...0x1F).contains(scalar.value)
    }
}

/// VADER's sentiment lexicon: about 7,500 English words, slang terms and emoticons, each with the
/// mean valence that ten human raters gave it, from −4 (extremely negative) to +4 (extremely
/// positive).
///
/// Made from the text of `vader_lexicon.txt` (vaderSentiment 3.3.2, MIT licence), which
/// deploy/setup.sh installs as `/usr/local/share/voicegate/sentiment/vader_lexicon.txt`; the
/// caller reads the file, so this type does no I/O. One entry per line:
///
///     token TAB mean TAB standard deviation TAB [the ten raters' scores]
///
/// Only the token and the mean are used. Lines end in LF or CRLF (the released file has CRLF);
/// blank lines are skipped. When a token appears twice the later line wins, as in VADER's
/// dictionary, so the 7,520 lines of the 3.3.2 file give 7,506 entries.
///
/// Look-ups lower-case the word and compare code points, as VADER does; entries spelled with
/// capitals (emoticons such as ":D") are kept but, as in VADER, no word ever matches them.
public struct SentimentLexicon: Sendable {
    /// Why a lexicon text was refused.
    public enum ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The line (counted from 1) is not `token TAB mean TAB std TAB ratings`.
        case malformedLine(number: Int, problem: String)
        /// No line holds an entry. Refused rather than giving a lexicon that scores every text
        /// 0: a truncated or empty file is a broken installation, not a neutral one.
        case noEntries

        /// "sentiment lexicon line 12: ...", for logs and start-up errors.
        public var description: String {
            switch self {
            case .malformedLine(let number, let problem): return "sentiment lexicon line \(number): \(problem)"
            case .noEntries: return "the sentiment lexicon has no entries"
            }
        }
    }

    /// Mean valence by token, tokens exactly as the file spells them.
    let valences: [SentimentWord: Double]

    /// Parses the text of a VADER lexicon file.
    /// - Throws: `ParseError` for the first malformed line, or when there is no entry at all.
    public init(text: String) throws {
        var valences: [SentimentWord: Double] = [:]
        var number = 0
        for rawLine in text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            // Python's line.strip(): drops the CR of CRLF and any other surrounding whitespace.
            guard let first = rawLine.firstIndex(where: { !SentimentWord.isPythonWhitespace($0) }),
                  let last = rawLine.lastIndex(where: { !SentimentWord.isPythonWhitespace($0) }) else { continue }
            let fields = rawLine[first...last].split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 4 else {
                throw ParseError.malformedLine(number: number, problem:
                    "expected 4 tab-separated fields (token, mean, standard deviation, ratings), found \(fields.count)")
            }
            guard !fields[0].isEmpty else { throw ParseError.malformedLine(number: number, problem: "empty token") }
            let token = SentimentWord(Array(fields[0]))
            guard let mean = Self.number(fields[1]) else {
                throw ParseError.malformedLine(number: number, problem: "mean '\(SentimentWord(Array(fields[1])))' of '\(token)' is not a number")
            }
            guard Self.number(fields[2]) != nil else {
                throw ParseError.malformedLine(number: number, problem: "standard deviation '\(SentimentWord(Array(fields[2])))' of '\(token)' is not a number")
            }
            valences[token] = mean
        }
        guard !valences.isEmpty else { throw ParseError.noEntries }
        self.valences = valences
    }

    /// The number of distinct tokens.
    public var count: Int { valences.count }

    /// The mean valence of `word` (−4...4), lower-cased first; nil when the lexicon lacks it.
    public func valence(of word: String) -> Double? {
        valences[SentimentWord(word).lowercased()]
    }

    /// The valence of an already lower-cased word.
    func valence(ofLowercased word: SentimentWord) -> Double? {
        valences[word]
    }

    private static func number(_ field: Substring.UnicodeScalarView) -> Double? {
        guard let value = Double(Substring(field)), value.isFinite else { return nil }
        return value
    }
}

import Foundation

/// A small trigram language model of a few phrases (a bot's `BotVocabulary`), as ARPA text: the
/// standard n-gram format PocketSphinx reads, and which the decoder interpolates with the general
/// model so that speech outside the phrases is still recognized.
///
/// Each phrase is a sentence (`<s> reset my password </s>`). Probabilities are counts with absolute
/// discounting (0.5 taken from every seen bigram and trigram) and backing off to the shorter
/// history with weights that make every distribution sum to one, so the model is a proper one
/// whichever words follow: a caller who says more than the phrase ("I need to reset my password
/// please") is scored by the backed-off parts and by the general model.
///
/// Words are what the pronunciation dictionary spells: lower case, apostrophes kept ("that's"),
/// other punctuation dropped, numerals read digit by digit. A word the dictionary lacks cannot be
/// recognized at all (there is no pronunciation to search for), so it is left out and its phrase
/// split there; `skippedWords` names them.
///
/// A value: any thread.
struct PhraseLanguageModel: Equatable {
    /// The phrases as dictionary words, each a sentence.
    let sentences: [[String]]
    /// Words of the phrases the dictionary does not have, each once, in order of appearance.
    let skippedWords: [String]

    /// How much of each seen bigram's and trigram's count goes to the unseen ones.
    static let discount = 0.5

    init(phrases: [String], isKnown: (String) -> Bool) {
        var sentences: [[String]] = []
        var skipped: [String] = []
        for phrase in phrases {
            var sentence: [String] = []
            for word in Self.words(phrase) {
                if isKnown(word) {
                    sentence.append(word)
                } else {
                    if !skipped.contains(word) { skipped.append(word) }
                    if !sentence.isEmpty { sentences.append(sentence) }
                    sentence = []
                }
            }
            if !sentence.isEmpty { sentences.append(sentence) }
        }
        self.sentences = sentences
        skippedWords = skipped
    }

    /// Dictionary spelling of a phrase's words: "That's all, thanks!" -> that's all thanks;
    /// "press 12" -> press one two.
    static func words(_ phrase: String) -> [String] {
        let names = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
        var out: [String] = []
        let tokens = phrase.lowercased().map { $0.isLetter || $0.isNumber || $0 == "'" ? $0 : " " }.split(separator: " ")
        for token in tokens {
            let word = String(token).trimmingCharacters(in: CharacterSet(charactersIn: "'"))
            guard !word.isEmpty else { continue }
            if word.allSatisfy({ $0.isASCII && $0.isNumber }) {
                out += word.compactMap { $0.wholeNumberValue }.map { names[$0] }
            } else {
                out.append(word)
            }
        }
        return out
    }

    var isEmpty: Bool { sentences.isEmpty }

    /// The model in ARPA format (log10 probabilities), entries sorted so the text depends only on
    /// the phrases.
    var arpa: String {
        var unigrams: [String: Double] = [:]
        var bigrams: [[String]: Double] = [:]
        var trigrams: [[String]: Double] = [:]
        for sentence in sentences {
            let tokens = ["<s>"] + sentence + ["</s>"]
            for i in tokens.indices {
                unigrams[tokens[i], default: 0] += 1
                if i >= 1 { bigrams[Array(tokens[i - 1...i]), default: 0] += 1 }
                if i >= 2 { trigrams[Array(tokens[i - 2...i]), default: 0] += 1 }
            }
        }
        // <s> is never predicted. </s> counts as if seen once: every phrase ends, so by its count
        // it would take a quarter of the mass, and the unigrams are what the model falls back to
        // after a word it does not know (the rest of a caller's sentence), where it would make
        // ending the utterance after any word of the general model far likelier than that model
        // says. Measured: "yes" heard as "then", ended there.
        unigrams["</s>"] = 1
        let total = unigrams.filter { $0.key != "<s>" }.values.reduce(0, +)
        var p1: [String: Double] = [:]
        for (word, count) in unigrams where word != "<s>" { p1[word] = count / total }

        let d = Self.discount
        var historyCounts: [[String]: Double] = [:]
        for (gram, count) in bigrams { historyCounts[[gram[0]], default: 0] += count }
        for (gram, count) in trigrams { historyCounts[Array(gram[0...1]), default: 0] += count }
        var p2: [[String]: Double] = [:]
        for (gram, count) in bigrams { p2[gram] = (count - d) / historyCounts[[gram[0]]]! }
        var p3: [[String]: Double] = [:]
        for (gram, count) in trigrams { p3[gram] = (count - d) / historyCounts[Array(gram[0...1])]! }

        // Backoff weight of a history: the mass its seen continuations left, over the mass the
        // shorter history gives to the continuations not seen here.
        var backoff: [[String]: Double] = [:]
        func setBackoff(_ history: [String], seen: [(Double, Double)]) {
            let left = 1 - seen.reduce(0) { $0 + $1.0 }
            let lower = 1 - seen.reduce(0) { $0 + $1.1 }
            backoff[history] = lower > 1e-9 ? max(left, 1e-9) / lower : 1
        }
        var continuations2: [String: [(Double, Double)]] = [:]
        for (gram, p) in p2 { continuations2[gram[0], default: []].append((p, p1[gram[1]]!)) }
        for (history, seen) in continuations2 { setBackoff([history], seen: seen) }
        var continuations3: [[String]: [(Double, Double)]] = [:]
        for (gram, p) in p3 { continuations3[Array(gram[0...1]), default: []].append((p, p2[Array(gram[1...2])]!)) }
        for (history, seen) in continuations3 { setBackoff(history, seen: seen) }

        func log10(_ x: Double) -> String { String(format: "%.6f", Foundation.log10(x)) }
        func line(_ probability: String, _ gram: [String], backoff weight: Double?) -> String {
            probability + "\t" + gram.joined(separator: " ") + (weight.map { "\t" + log10($0) } ?? "")
        }
        var text = "\\data\\\nngram 1=\(unigrams.count)\nngram 2=\(bigrams.count)\nngram 3=\(trigrams.count)\n\n\\1-grams:\n"
        for word in unigrams.keys.sorted() {
            let probability = word == "<s>" ? "-99.000000" : log10(p1[word]!)
            text += line(probability, [word], backoff: word == "</s>" ? nil : backoff[[word]] ?? 1) + "\n"
        }
        text += "\n\\2-grams:\n"
        for gram in bigrams.keys.sorted(by: Self.order) {
            text += line(log10(p2[gram]!), gram, backoff: gram[1] == "</s>" ? nil : backoff[gram] ?? 1) + "\n"
        }
        text += "\n\\3-grams:\n"
        for gram in trigrams.keys.sorted(by: Self.order) { text += line(log10(p3[gram]!), gram, backoff: nil) + "\n" }
        return text + "\n\\end\\\n"
    }

    private static func order(_ a: [String], _ b: [String]) -> Bool { a.lexicographicallyPrecedes(b) }
}

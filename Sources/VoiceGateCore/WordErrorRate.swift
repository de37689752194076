/// Word error rate of a recognizer's hypothesis against a reference transcript: the fewest word
/// substitutions, deletions and insertions that turn the reference into the hypothesis (word-level
/// Levenshtein), over the number of reference words.
///
/// Both texts are normalized first so that only words count: lower case, punctuation dropped
/// (an apostrophe inside a word stays: "that's" is one word, as in the recognizer's dictionary),
/// hyphens and other symbols split words. Results add up over a corpus with `+`. A value: any
/// thread.
public struct WordErrorRate: Sendable, Equatable {
    public var substitutions: Int
    public var deletions: Int
    public var insertions: Int
    /// Words in the reference.
    public var referenceWords: Int

    public init(substitutions: Int = 0, deletions: Int = 0, insertions: Int = 0, referenceWords: Int = 0) {
        self.substitutions = substitutions
        self.deletions = deletions
        self.insertions = insertions
        self.referenceWords = referenceWords
    }

    /// Aligns `hypothesis` to `reference`.
    public init(reference: String, hypothesis: String) {
        self.init(reference: Self.words(reference), hypothesis: Self.words(hypothesis))
    }

    /// Aligns already normalized word lists.
    public init(reference: [String], hypothesis: [String]) {
        let counts = Self.align(reference, hypothesis)
        self.init(substitutions: counts.s, deletions: counts.d, insertions: counts.i, referenceWords: reference.count)
    }

    public var errors: Int { substitutions + deletions + insertions }

    /// errors / reference words; above 1 when the hypothesis has many extra words. An empty
    /// reference gives 0 for an empty hypothesis and 1 otherwise (anything heard is wrong).
    public var rate: Double {
        if referenceWords == 0 { return errors == 0 ? 0 : 1 }
        return Double(errors) / Double(referenceWords)
    }

    public static func + (a: WordErrorRate, b: WordErrorRate) -> WordErrorRate {
        WordErrorRate(substitutions: a.substitutions + b.substitutions, deletions: a.deletions + b.deletions,
                      insertions: a.insertions + b.insertions, referenceWords: a.referenceWords + b.referenceWords)
    }

    public static func += (a: inout WordErrorRate, b: WordErrorRate) { a = a + b }

    /// The words of `text` as they are compared.
    public static func words(_ text: String) -> [String] {
        var words: [String] = []
        var word = ""
        func close() {
            // Quotes around a word are punctuation; only inner apostrophes belong to it.
            while word.hasSuffix("'") { word.removeLast() }
            if !word.isEmpty { words.append(word) }
            word = ""
        }
        for ch in text.lowercased() {
            if ch.isLetter || ch.isNumber {
                word.append(ch)
            } else if ch == "'" || ch == "\u{2019}" {
                if !word.isEmpty { word.append("'") }
            } else {
                close()
            }
        }
        close()
        return words
    }

    /// Levenshtein over words, then a walk back through the table to split the distance into its
    /// kinds. On ties the walk prefers a match or substitution, then a deletion: any minimal
    /// alignment gives the same total, and this one gives the usual split.
    private static func align(_ r: [String], _ h: [String]) -> (s: Int, d: Int, i: Int) {
        let width = h.count + 1
        var cost = [Int](repeating: 0, count: (r.count + 1) * width)
        for j in 0...h.count { cost[j] = j }
        if !r.isEmpty {
            for i in 1...r.count {
                cost[i * width] = i
                if h.isEmpty { continue }
                for j in 1...h.count {
                    let diagonal = cost[(i - 1) * width + j - 1] + (r[i - 1] == h[j - 1] ? 0 : 1)
                    cost[i * width + j] = min(diagonal, cost[(i - 1) * width + j] + 1, cost[i * width + j - 1] + 1)
                }
            }
        }
        var (i, j) = (r.count, h.count)
        var (s, d, ins) = (0, 0, 0)
        while i > 0 || j > 0 {
            let here = cost[i * width + j]
            if i > 0, j > 0, here == cost[(i - 1) * width + j - 1] + (r[i - 1] == h[j - 1] ? 0 : 1) {
                if r[i - 1] != h[j - 1] { s += 1 }
                i -= 1; j -= 1
            } else if i > 0, here == cost[(i - 1) * width + j] + 1 {
                d += 1; i -= 1
            } else {
                ins += 1; j -= 1
            }
        }
        return (s, d, ins)
    }
}

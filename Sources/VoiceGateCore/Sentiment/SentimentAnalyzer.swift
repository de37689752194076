/// Scores the sentiment of a text with VADER (Valence Aware Dictionary and sEntiment Reasoner,
/// Hutto & Gilbert, ICWSM 2014): a faithful port of vaderSentiment 3.3.2's
/// `SentimentIntensityAnalyzer.polarity_scores` (MIT licence, © 2016 C.J. Hutto; the notice is in
/// SentimentRules.swift). For the same text and lexicon it gives the same four numbers as the
/// Python reference, quirks included.
///
/// Each word found in the lexicon contributes its valence, adjusted by the words before it:
/// boosters and dampeners ("very", "barely", "kind of"), ALL CAPS when the text mixes case,
/// negations up to three words back ("not", "isn't", "never"; "never so", "without doubt" and
/// "at least" are not negations), "no" before a lexicon word, "least", and phrases such as "the
/// bomb" or "yeah right". Words after "but" weigh 1.5 times, words before it half. Exclamation
/// marks (up to 4) and two or more question marks strengthen the sum, which `normalize` maps
/// into −1 ... 1.
///
/// Made for customer turns of a phone call: recognized speech (lower case, no punctuation) scores
/// by the words alone, typed text also by its capitals and punctuation.
///
/// Differences from the reference, both deliberate:
/// - No emoji lexicon: speech has no emoji. VADER replaces each emoji (and ©, ®, ™, ‼) by its
///   English description before scoring; here they are ordinary characters.
/// - Sums add left to right, as CPython up to 3.11 does; 3.12's compensated `sum` can differ in
///   the last bit, far below the rounding.
///
/// What the numbers mean: see `SentimentScore` (compound −1 ... 1; ≥ 0.05 positive, ≤ −0.05
/// negative). A value: any thread.
public struct SentimentAnalyzer: Sendable {
    /// The rated words it scores with.
    public let lexicon: SentimentLexicon

    /// An analyzer over `lexicon`, normally the installed vader_lexicon.txt.
    public init(lexicon: SentimentLexicon) {
        self.lexicon = lexicon
    }

    /// The sentiment of `text`; all zeros for a text without words.
    public func score(_ text: String) -> SentimentScore {
        let words = SentimentWord.words(of: text)
        let lower = words.map { $0.lowercased() }
        let mixedCase = Self.mixesCase(words)
        var sentiments: [Double] = []
        sentiments.reserveCapacity(words.count)
        for i in words.indices {
            // Modifiers carry no sentiment of their own: they act on the words after them.
            if SentimentRules.boosters[lower[i]] != nil
                || (i < words.count - 1 && lower[i] == "kind" && lower[i + 1] == "of") {
                sentiments.append(0)
                continue
            }
            sentiments.append(valence(at: i, words: words, lower: lower, mixedCase: mixedCase))
        }
        Self.shiftAtBut(lower, &sentiments)
        return Self.summarize(sentiments, punctuation: Self.punctuationEmphasis(text))
    }

    /// VADER's `sentiment_valence`: the word's lexicon valence after the rules that look back
    /// (and, for "no" and phrases, forward).
    private func valence(at i: Int, words: [SentimentWord], lower: [SentimentWord], mixedCase: Bool) -> Double {
        guard let base = lexicon.valence(ofLowercased: lower[i]) else { return 0 }
        var valence = base
        // "no" before a lexicon word negates that word instead of counting itself.
        if lower[i] == "no", i != words.count - 1, lexicon.valence(ofLowercased: lower[i + 1]) != nil {
            valence = 0
        }
        if (i > 0 && lower[i - 1] == "no") || (i > 1 && lower[i - 2] == "no")
            || (i > 2 && lower[i - 3] == "no" && (lower[i - 1] == "or" || lower[i - 1] == "nor")) {
            valence = base * SentimentRules.negationScalar
        }
        if words[i].isUpper && mixedCase {
            valence += valence > 0 ? SentimentRules.capsIncrement : -SentimentRules.capsIncrement
        }
        // Up to three words back, skipping lexicon words (they count on their own): boosters
        // fade with distance, then negations and phrases apply.
        for distance in 0..<3 where i > distance {
            let j = i - (distance + 1)
            guard lexicon.valence(ofLowercased: lower[j]) == nil else { continue }
            var scalar = Self.boost(by: words[j], lowercased: lower[j], valence: valence, mixedCase: mixedCase)
            if distance == 1 && scalar != 0 { scalar *= 0.95 }
            if distance == 2 && scalar != 0 { scalar *= 0.9 }
            valence += scalar
            valence = Self.negate(valence, lower, distance: distance, i)
            if distance == 2 { valence = Self.specialCases(valence, lower, i) }
        }
        return leastCheck(valence, lower, i)
    }

    /// VADER's `scalar_inc_dec`: what a booster or dampener before a word adds, in the
    /// direction of the word's valence, more in ALL CAPS.
    private static func boost(by word: SentimentWord, lowercased: SentimentWord, valence: Double, mixedCase: Bool) -> Double {
        guard var scalar = SentimentRules.boosters[lowercased] else { return 0 }
        if valence < 0 { scalar *= -1 }
        if word.isUpper && mixedCase {
            scalar += valence > 0 ? SentimentRules.capsIncrement : -SentimentRules.capsIncrement
        }
        return scalar
    }

    /// VADER's `_negation_check` for the word `distance + 1` places before word `i`.
    private static func negate(_ valence: Double, _ lower: [SentimentWord], distance: Int, _ i: Int) -> Double {
        let n = SentimentRules.negationScalar
        switch distance {
        case 0:
            return SentimentRules.isNegation(lower[i - 1]) ? valence * n : valence
        case 1:
            if lower[i - 2] == "never" && (lower[i - 1] == "so" || lower[i - 1] == "this") { return valence * 1.25 }
            if lower[i - 2] == "without" && lower[i - 1] == "doubt" { return valence }
            return SentimentRules.isNegation(lower[i - 2]) ? valence * n : valence
        default:
            // VADER's condition reads `never and (so or this) or (so or this)`: Python's `and`
            // binds first, so "so" or "this" right before the word boosts it whatever came
            // three back. Kept as written; the scores depend on it.
            if (lower[i - 3] == "never" && (lower[i - 2] == "so" || lower[i - 2] == "this"))
                || (lower[i - 1] == "so" || lower[i - 1] == "this") { return valence * 1.25 }
            if lower[i - 3] == "without" && (lower[i - 2] == "doubt" || lower[i - 1] == "doubt") { return valence }
            return SentimentRules.isNegation(lower[i - 3]) ? valence * n : valence
        }
    }

    /// VADER's `_special_idioms_check` (word `i` with at least three words before it): a phrase
    /// around the word replaces its valence; "kind of", "sort of", "just enough" before it dampen.
    /// The same windows as VADER's, so, as there, "to die for" never matches: no window holds
    /// one word before the lexicon word and one after.
    private static func specialCases(_ valence: Double, _ lower: [SentimentWord], _ i: Int) -> Double {
        var valence = valence
        let oneZero = SentimentWord(joining: lower[i - 1], lower[i])
        let twoOneZero = SentimentWord(joining: lower[i - 2], lower[i - 1], lower[i])
        let twoOne = SentimentWord(joining: lower[i - 2], lower[i - 1])
        let threeTwoOne = SentimentWord(joining: lower[i - 3], lower[i - 2], lower[i - 1])
        let threeTwo = SentimentWord(joining: lower[i - 3], lower[i - 2])
        for phrase in [oneZero, twoOneZero, twoOne, threeTwoOne, threeTwo] {
            if let special = SentimentRules.specialCases[phrase] {
                valence = special
                break
            }
        }
        if lower.count - 1 > i, let special = SentimentRules.specialCases[SentimentWord(joining: lower[i], lower[i + 1])] {
            valence = special
        }
        if lower.count - 1 > i + 1,
           let special = SentimentRules.specialCases[SentimentWord(joining: lower[i], lower[i + 1], lower[i + 2])] {
            valence = special
        }
        for phrase in [threeTwoOne, threeTwo, twoOne] {
            if let scalar = SentimentRules.boosters[phrase] { valence += scalar }
        }
        return valence
    }

    /// VADER's `_least_check`: "least" before a word negates it, but not "at least" or "very least".
    private func leastCheck(_ valence: Double, _ lower: [SentimentWord], _ i: Int) -> Double {
        guard i > 0, lower[i - 1] == "least", lexicon.valence(ofLowercased: lower[i - 1]) == nil else { return valence }
        if i > 1 && (lower[i - 2] == "at" || lower[i - 2] == "very") { return valence }
        return valence * SentimentRules.negationScalar
    }

    /// VADER's `_but_check`: sentiment before the first "but" halves, after it grows by half.
    ///
    /// Ported with its quirk: Python finds each value's position with `list.index`, the first
    /// equal value, so when a value equals an earlier one (after that one was halved, say) the
    /// earlier one is changed again and the later one not at all.
    private static func shiftAtBut(_ lower: [SentimentWord], _ sentiments: inout [Double]) {
        guard let butIndex = lower.firstIndex(of: "but") else { return }
        for k in sentiments.indices {
            let sentiment = sentiments[k]
            let si = sentiments.firstIndex(of: sentiment)!
            if si < butIndex {
                sentiments[si] = sentiment * 0.5
            } else if si > butIndex {
                sentiments[si] = sentiment * 1.5
            }
        }
    }

    /// VADER's `allcap_differential`: some words, but not all, are in ALL CAPS.
    private static func mixesCase(_ words: [SentimentWord]) -> Bool {
        let caps = words.reduce(0) { $0 + ($1.isUpper ? 1 : 0) }
        return caps > 0 && caps < words.count
    }

    /// VADER's `_punctuation_emphasis`: 0.292 per "!" (at most 4), and 0.18 per "?" when there
    /// are two or three, 0.96 for more.
    private static func punctuationEmphasis(_ text: String) -> Double {
        var exclamations = 0, questions = 0
        for scalar in text.unicodeScalars {
            if scalar == "!" { exclamations += 1 } else if scalar == "?" { questions += 1 }
        }
        let exclamation = Double(min(exclamations, 4)) * 0.292
        let question = questions > 1 ? (questions <= 3 ? Double(questions) * 0.18 : 0.96) : 0
        return exclamation + question
    }

    /// VADER's `score_valence`: the compound score and the three shares, rounded.
    private static func summarize(_ sentiments: [Double], punctuation: Double) -> SentimentScore {
        guard !sentiments.isEmpty else { return SentimentScore(compound: 0, positive: 0, negative: 0, neutral: 0) }
        var sum = 0.0
        for s in sentiments { sum += s }
        if sum > 0 { sum += punctuation } else if sum < 0 { sum -= punctuation }
        let compound = normalize(sum)

        // Each sentiment-laden word counts 1 more than its valence, so that it weighs against
        // the neutral words, which count 1 each.
        var positive = 0.0, negative = 0.0, neutral = 0
        for s in sentiments {
            if s > 0 { positive += s + 1 }
            if s < 0 { negative += s - 1 }
            if s == 0 { neutral += 1 }
        }
        if positive > abs(negative) { positive += punctuation } else if positive < abs(negative) { negative -= punctuation }
        let total = positive + abs(negative) + Double(neutral)
        return SentimentScore(
            compound: SentimentScore.round(compound, digits: 4),
            positive: SentimentScore.round(abs(positive / total), digits: 3),
            negative: SentimentScore.round(abs(negative / total), digits: 3),
            neutral: SentimentScore.round(abs(Double(neutral) / total), digits: 3))
    }

    /// VADER's `normalize`: score / √(score² + α), α = 15, kept within −1 ... 1.
    static func normalize(_ score: Double) -> Double {
        let normalized = score / (score * score + SentimentRules.normalizationAlpha).squareRoot()
        return min(max(normalized, -1), 1)
    }
}

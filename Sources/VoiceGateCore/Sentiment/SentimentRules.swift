// The weights and word lists below are VADER's (vaderSentiment 3.3.2, vaderSentiment.py), and
// the scoring in SentimentAnalyzer.swift is a port of its code. Its licence asks for this notice:
//
// The MIT License (MIT)
//
// Copyright (c) 2016 C.J. Hutto
//
// Permission is hereby granted, free of charge, to any person obtaining a copy
// of this software and associated documentation files (the "Software"), to deal
// in the Software without restriction, including without limitation the rights
// to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
// copies of the Software, and to permit persons to whom the Software is
// furnished to do so, subject to the following conditions:
//
// The above copyright notice and this permission notice shall be included in all
// copies or substantial portions of the Software.
//
// THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
// IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
// FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
// AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
// LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
// OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
// SOFTWARE.

/// VADER 3.3.2's constants and word lists, copied as they are (licence above): the empirically
/// derived weights are what make the scores VADER's.
enum SentimentRules {
    /// How much a booster ("very") raises and a dampener ("barely") lowers the next words' intensity.
    static let boosterIncrement = 0.293
    static let boosterDecrement = -0.293
    /// What a word in ALL CAPS adds when the text mixes case.
    static let capsIncrement = 0.733
    /// A negated word keeps 74 % of its intensity, with the sign flipped.
    static let negationScalar = -0.74
    /// `normalize`'s alpha: roughly the largest sum a sentence reaches.
    static let normalizationAlpha = 15.0

    static let negations: Set<SentimentWord> = [
        "aint", "arent", "cannot", "cant", "couldnt", "darent", "didnt", "doesnt",
        "ain't", "aren't", "can't", "couldn't", "daren't", "didn't", "doesn't",
        "dont", "hadnt", "hasnt", "havent", "isnt", "mightnt", "mustnt", "neither",
        "don't", "hadn't", "hasn't", "haven't", "isn't", "mightn't", "mustn't",
        "neednt", "needn't", "never", "none", "nope", "nor", "not", "nothing", "nowhere",
        "oughtnt", "shant", "shouldnt", "uhuh", "wasnt", "werent",
        "oughtn't", "shan't", "shouldn't", "uh-uh", "wasn't", "weren't",
        "without", "wont", "wouldnt", "won't", "wouldn't", "rarely", "seldom", "despite",
    ]

    /// Degree adverbs: boosters and dampeners. The two-word ones ("kind of") only count through
    /// the n-gram check of `SentimentAnalyzer`, as in VADER.
    static let boosters: [SentimentWord: Double] = {
        let up = boosterIncrement, down = boosterDecrement
        return [
            "absolutely": up, "amazingly": up, "awfully": up,
            "completely": up, "considerable": up, "considerably": up,
            "decidedly": up, "deeply": up, "effing": up, "enormous": up, "enormously": up,
            "entirely": up, "especially": up, "exceptional": up, "exceptionally": up,
            "extreme": up, "extremely": up,
            "fabulously": up, "flipping": up, "flippin": up, "frackin": up, "fracking": up,
            "fricking": up, "frickin": up, "frigging": up, "friggin": up, "fully": up,
            "fuckin": up, "fucking": up, "fuggin": up, "fugging": up,
            "greatly": up, "hella": up, "highly": up, "hugely": up,
            "incredible": up, "incredibly": up, "intensely": up,
            "major": up, "majorly": up, "more": up, "most": up, "particularly": up,
            "purely": up, "quite": up, "really": up, "remarkably": up,
            "so": up, "substantially": up,
            "thoroughly": up, "total": up, "totally": up, "tremendous": up, "tremendously": up,
            "uber": up, "unbelievably": up, "unusually": up, "utter": up, "utterly": up,
            "very": up,
            "almost": down, "barely": down, "hardly": down, "just enough": down,
            "kind of": down, "kinda": down, "kindof": down, "kind-of": down,
            "less": down, "little": down, "marginal": down, "marginally": down,
            "occasional": down, "occasionally": down, "partly": down,
            "scarce": down, "scarcely": down, "slight": down, "slightly": down, "somewhat": down,
            "sort of": down, "sorta": down, "sortof": down, "sort-of": down,
        ]
    }()

    /// Phrases whose words the lexicon gets wrong on their own ("bad ass", "the bomb"): the
    /// phrase's valence replaces the word's. VADER's SENTIMENT_LADEN_IDIOMS ("cut the mustard")
    /// are left out: 3.3.2 never uses them (marked "future work" there).
    static let specialCases: [SentimentWord: Double] = [
        "the shit": 3, "the bomb": 3, "bad ass": 1.5, "badass": 1.5, "bus stop": 0.0,
        "yeah right": -2, "kiss of death": -1.5, "to die for": 3, "beating heart": 3.5,
    ]

    /// VADER's `negated` for one word: a negation, or any word with "n't" in it.
    static func isNegation(_ lowercasedWord: SentimentWord) -> Bool {
        negations.contains(lowercasedWord) || lowercasedWord.contains("n't")
    }
}

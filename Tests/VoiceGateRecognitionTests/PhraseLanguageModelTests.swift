import Foundation
import Testing
@testable import VoiceGateRecognition

struct PhraseLanguageModelTests {
    @Test func wordsAreSpelledAsTheDictionarySpellsThem() {
        #expect(PhraseLanguageModel.words("That's all, thanks!") == ["that's", "all", "thanks"])
        #expect(PhraseLanguageModel.words("  Press 12 'now' ") == ["press", "one", "two", "now"])
        #expect(PhraseLanguageModel.words("e-mail") == ["e", "mail"])
    }

    @Test func unknownWordsAreLeftOutAndSplitTheirPhrase() {
        let known: Set<String> = ["reset", "my", "password", "please"]
        let model = PhraseLanguageModel(phrases: ["reset my zorblax password please", "zorblax", "Reset my password"],
                                        isKnown: known.contains)
        #expect(model.sentences == [["reset", "my"], ["password", "please"], ["reset", "my", "password"]])
        #expect(model.skippedWords == ["zorblax"])
        #expect(PhraseLanguageModel(phrases: ["zorblax"], isKnown: known.contains).isEmpty)
    }

    /// Every distribution the ARPA text defines sums to one, backing off where an n-gram is not
    /// listed: what makes interpolating it with the general model sound.
    @Test func theModelIsNormalizedForEveryHistory() throws {
        let phrases = ["talk to an agent", "speak to a person", "agent", "transfer me to billing", "billing",
                       "yes", "no", "no thank you", "that's all thanks", "that's all"]
        let model = PhraseLanguageModel(phrases: phrases, isKnown: { _ in true })
        let arpa = try Arpa(model.arpa)
        #expect(arpa.counts == [arpa.probability.filter { $0.key.count == 1 }.count,
                                arpa.probability.filter { $0.key.count == 2 }.count,
                                arpa.probability.filter { $0.key.count == 3 }.count])
        let vocabulary = arpa.probability.keys.filter { $0.count == 1 && $0 != ["<s>"] }.map { $0[0] }
        var histories: [[String]] = [[]]
        histories += arpa.probability.keys.filter { $0.count <= 2 && $0.last != "</s>" }
        histories.append(["an", "unseen"])
        for history in histories {
            let sum = vocabulary.reduce(0.0) { $0 + arpa.p($1, after: history) }
            #expect(abs(sum - 1) < 1e-4, "P(. | \(history)) sums to \(sum)")
        }
        // Phrases are what it favours: after "talk to", "an" (the phrase) over "a" (another's).
        #expect(arpa.p("an", after: ["talk", "to"]) > 3 * arpa.p("a", after: ["talk", "to"]))
    }

    @Test func theTextDependsOnlyOnThePhrases() {
        let a = PhraseLanguageModel(phrases: ["hang up", "end the call", "goodbye"], isKnown: { _ in true }).arpa
        let b = PhraseLanguageModel(phrases: ["hang up", "end the call", "goodbye"], isKnown: { _ in true }).arpa
        #expect(a == b)
        #expect(a.hasPrefix("\\data\\\nngram 1=8\n"))
    }
}

/// An ARPA back-off model read back, to check what PhraseLanguageModel wrote.
private struct Arpa {
    var counts: [Int] = []
    var probability: [[String]: Double] = [:]
    var backoff: [[String]: Double] = [:]

    init(_ text: String) throws {
        var order = 0
        for line in text.split(separator: "\n").map(String.init) {
            if line.hasPrefix("ngram ") { counts.append(Int(line.split(separator: "=")[1])!) }
            else if line.hasSuffix("-grams:") { order = Int(String(line.dropFirst().prefix(1)))! }
            else if order > 0, !line.hasPrefix("\\") {
                let fields = line.split(separator: "\t").map(String.init)
                let gram = fields[1].split(separator: " ").map(String.init)
                #expect(gram.count == order)
                probability[gram] = pow(10, Double(fields[0])!)
                if fields.count == 3 { backoff[gram] = pow(10, Double(fields[2])!) }
            }
        }
    }

    /// P(word | history), backing off as a decoder does.
    func p(_ word: String, after history: [String]) -> Double {
        if let p = probability[history + [word]] { return p }
        guard !history.isEmpty else { return 0 }
        return (backoff[history] ?? 1) * p(word, after: Array(history.dropFirst()))
    }
}

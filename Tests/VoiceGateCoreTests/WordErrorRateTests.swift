import Testing
import VoiceGateCore

struct WordErrorRateTests {
    @Test func identicalTextsHaveNoErrors() {
        let wer = WordErrorRate(reference: "I want to talk to an agent", hypothesis: "i want to talk to an agent")
        #expect(wer == WordErrorRate(referenceWords: 7))
        #expect(wer.rate == 0)
    }

    @Test func normalizesCaseAndPunctuation() {
        #expect(WordErrorRate.words("That's all, thanks!") == ["that's", "all", "thanks"])
        #expect(WordErrorRate.words("  'Yes,' please -- now ") == ["yes", "please", "now"])
        #expect(WordErrorRate.words("e-mail: ONE two") == ["e", "mail", "one", "two"])
        #expect(WordErrorRate.words("don\u{2019}t") == ["don't"])
        #expect(WordErrorRate.words("...") == [])
        #expect(WordErrorRate(reference: "Yes, please.", hypothesis: "yes please").errors == 0)
    }

    @Test func countsEachKindOfError() {
        // one substitution (billing -> bailing)
        #expect(WordErrorRate(reference: "transfer me to billing", hypothesis: "transfer me to bailing")
            == WordErrorRate(substitutions: 1, referenceWords: 4))
        // one deletion (please)
        #expect(WordErrorRate(reference: "repeat that please", hypothesis: "repeat that")
            == WordErrorRate(deletions: 1, referenceWords: 3))
        // one insertion (the)
        #expect(WordErrorRate(reference: "main menu", hypothesis: "the main menu")
            == WordErrorRate(insertions: 1, referenceWords: 2))
        // all three: "hang up" -> "a hang out now": insert a, substitute up -> out, insert now
        let mixed = WordErrorRate(reference: "hang up", hypothesis: "a hang out now")
        #expect(mixed == WordErrorRate(substitutions: 1, insertions: 2, referenceWords: 2))
        #expect(mixed.rate == 1.5)
        #expect(WordErrorRate(reference: "where is my package", hypothesis: "where my package is")
            .errors == 2)
    }

    @Test func emptySides() {
        #expect(WordErrorRate(reference: "", hypothesis: "") == WordErrorRate())
        #expect(WordErrorRate(reference: "", hypothesis: "").rate == 0)
        #expect(WordErrorRate(reference: "", hypothesis: "hello").rate == 1)
        #expect(WordErrorRate(reference: "no thank you", hypothesis: "") == WordErrorRate(deletions: 3, referenceWords: 3))
    }

    @Test func addsUpOverACorpus() {
        var total = WordErrorRate()
        total += WordErrorRate(reference: "yes", hypothesis: "yeah")
        total += WordErrorRate(reference: "goodbye", hypothesis: "good night")
        total += WordErrorRate(reference: "main menu", hypothesis: "main menu")
        #expect(total == WordErrorRate(substitutions: 2, insertions: 1, referenceWords: 4))
        #expect(total.rate == 0.75)
    }
}

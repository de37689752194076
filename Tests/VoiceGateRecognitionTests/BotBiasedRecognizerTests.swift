import Foundation
import Testing
import VoiceGateCore
@testable import VoiceGateRecognition

/// The demo bot's recognizer, as the gateway makes one per speaking bot.
let demoBot: BotDefinition = {
    let url = Corpus.packageRoot.appendingPathComponent("deploy/bots/demo.json")
    do { return try BotDefinition.parse(try Data(contentsOf: url)) } catch { fatalError("\(url.path): \(error)") }
}()

let demoRecognizer: PocketSphinxRecognizer = {
    do { return try PocketSphinxRecognizer(settings: .init().biased(towards: BotVocabulary(demoBot))) } catch { fatalError("\(error)") }
}()

func recognize(_ samples: [Int16], with recognizer: PocketSphinxRecognizer) throws -> Recognition {
    let session = try recognizer.start()
    for start in stride(from: 0, to: samples.count, by: 160) { session.feed(samples[start..<min(samples.count, start + 160)]) }
    return try session.finish()
}

/// The topic the demo bot runs for a text, if any.
func demoTopic(_ text: String) -> String? {
    TopicMatcher(demoBot).best(text).flatMap { $0.score >= demoBot.settings.matchThreshold ? $0.topic : nil }
}

struct BotBiasedRecognizerTests {
    @Test func theDemoBotsRecognizerHearsItsTriggerPhrases() throws {
        // The open-vocabulary recognizer hears "but can a blind man for tomorrow" and "l" here
        // (Benchmarks/README.md); the phrase model brings "appointment" and "help".
        let appointment = try recognize(try Corpus.samples("23.wav"), with: demoRecognizer)
        #expect(appointment.text.contains("appointment for tomorrow"))
        #expect(demoTopic(appointment.text) == "Appointment")
        let help = try recognize(try Corpus.samples("18.wav"), with: demoRecognizer)
        #expect(help.text == "help")
        #expect(demoTopic(help.text) == "Main menu")
        let bill = try recognize(try Corpus.samples("20.wav"), with: demoRecognizer)
        #expect(bill.text == "i want to pay my bill")
    }

    @Test func theCorpusErrorRateHalvesAndMoreTopicsAreRight() throws {
        let tsv = try String(contentsOf: Corpus.speech.appendingPathComponent("transcripts.tsv"), encoding: .utf8)
        var total = WordErrorRate()
        var topicsRight = 0, topics = 0
        for line in tsv.split(separator: "\n") {
            let fields = line.split(separator: "\t", maxSplits: 1).map(String.init)
            guard fields.count == 2 else { continue }
            let text = try recognize(try Corpus.samples(fields[0]), with: demoRecognizer).text
            total += WordErrorRate(reference: fields[1], hypothesis: text)
            if let topic = demoTopic(fields[1]) {
                topics += 1
                if demoTopic(text) == topic { topicsRight += 1 }
            }
        }
        // Measured (Benchmarks/speech.sh): 20.2 % against 37.2 % open, and 18 of the 21 files that
        // trigger a topic against 16. Without the phrase model it would be over 30 %.
        #expect(total.referenceWords == 94)
        #expect(total.rate <= 0.26, "WER \(total.rate)")
        #expect(topics == 21)
        #expect(topicsRight >= 18, "\(topicsRight) of \(topics)")
    }

    @Test func wordsMissingFromTheDictionaryAreLeftOut() throws {
        let recognizer = try PocketSphinxRecognizer(settings: .init(maximumIdleDecoders: 1,
            phrases: ["pay my bill", "zorblax my frobnicator", "Qwyxz!", "that's all thanks"]))
        #expect(try recognizer.wordsMissingFromDictionary() == ["zorblax", "frobnicator", "qwyxz"])
        #expect(try recognize(try Corpus.samples("20.wav"), with: recognizer).text == "i want to pay my bill")
    }

    @Test func phrasesWithoutAKnownWordLeaveTheGeneralModel() throws {
        let recognizer = try PocketSphinxRecognizer(settings: .init(maximumIdleDecoders: 1, phrases: ["zorblax", "frobnicator qwyxz"]))
        #expect(try recognizer.wordsMissingFromDictionary() == ["zorblax", "frobnicator", "qwyxz"])
        let samples = try Corpus.samples("01.wav")
        #expect(try recognize(samples, with: recognizer) == (try recognize(samples)))
    }

    @Test func aBiasedDecoderIsAsGoodAsNewAfterADroppedSession() throws {
        let samples = try Corpus.samples("06.wav")
        let fresh = try recognize(samples, with: demoRecognizer)
        do {
            let session = try demoRecognizer.start()
            session.feed(try Corpus.samples("16.wav")[..<12000])
        }
        #expect(try recognize(samples, with: demoRecognizer) == fresh)
        #expect(fresh.text == "transfer me to billing")
    }
}

import Testing
import Foundation

/// Callers heard: the demo bot driven by recorded caller speech from ../shared/corpus/speech,
/// recognized by the embedded recognizer inside the gateway.
extension Integration {
    @Suite struct SpeechInputTests {
        static func speech(_ file: String) -> String { Paths.corpus.appendingPathComponent("speech/\(file)").path }

        @Test("the demo bot by speech: the softphone hears the greeting's words, 'check my order status' starts order status, keys give the number, 'no thank you' says goodbye and ends the call")
        func demoBySpeech() async throws {
            let gateway = try GatewayProcess(configuration: ["bots": [SpeakingBotTests.demoBot]])
            _ = try #require(gateway.waitFor(event: "speech.prompts_ready", timeout: 60))
            _ = try #require(gateway.waitFor(event: "speech.recognizer_ready", timeout: 60))
            let script = """
                wait 40
                expect text "and welcome" within 1
                play \(SpeechInputTests.speech("03.wav"))
                wait 15
                expect speech
                dtmf 12345#
                wait 15
                expect speech
                play \(SpeechInputTests.speech("11.wav"))
                expect hangup within 20
                """
            let (status, phone) = try SoftphoneProcess.call(["+18005550100", "--from", "+14155550123", "--gateway", "127.0.0.1:\(gateway.sipPort)",
                                                             "--script", "speech.txt"], files: ["speech.txt": script], timeout: 120)
            #expect(status == 0, "\(phone.report["failedStep"] ?? "") \(phone.stderr)")
            let turns = try await SpeakingBotTests.endedByBot(gateway)
            let said = turns.filter { $0["from"] as? String == "customer" && $0["kind"] as? String == "speech" }
            #expect(said.count == 2, "two utterances, each one turn: \(said)")
            for turn in said {
                #expect(!(turn["text"] as? String ?? "").isEmpty)
                let confidence = (turn["data"] as? [String: Any])?["confidence"] as? Double ?? 0
                #expect(confidence > 0 && confidence <= 1)
            }
            // The first utterance matched the topic by speech (the topic turn follows it), the
            // order number came by keys, and the second utterance answered the yes/no question.
            let index = { (text: String) in turns.firstIndex { $0["text"] as? String == text } }
            let topic = turns.first { $0["text"] as? String == "TopicMatched" }
            #expect(((topic?["data"] as? [String: Any])?["value"] as? [String: Any])?["topic"] as? String == "Order status")
            let firstSpeech = try #require(turns.firstIndex { $0["kind"] as? String == "speech" })
            #expect(try #require(index("TopicMatched")) > firstSpeech)
            #expect(turns.contains { $0["kind"] as? String == "dtmf" && $0["text"] as? String == "12345" })
            #expect(turns.contains { $0["text"] as? String == "Order 12345 has shipped and arrives tomorrow." })
            let answered = turns.last { $0["text"] as? String == "QuestionAnswered" }
            let answer = (answered?["data"] as? [String: Any])?["value"] as? [String: Any]
            #expect(answer?["variable"] as? String == "AnythingElse" && answer?["value"] as? Bool == false, "\(String(describing: answer))")
            #expect(turns.contains { $0["text"] as? String == "Thank you for calling. Goodbye." })
            #expect(gateway.stop() == 0)
        }
    }
}

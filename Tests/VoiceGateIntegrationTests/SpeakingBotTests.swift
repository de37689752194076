import Testing
import Foundation

/// Bots that speak: the shipped topic demo bot, driven end to end by `voicegate call` and read
/// back through the admin API. External bots that speak (and fail) are in ExternalBotCallTests
/// and ExternalBotFailureTests.
extension Integration {
    @Suite struct SpeakingBotTests {
        static var demoBot: [String: Any] { ["id": "demo", "kind": "embedded", "applicationId": "demo", "definition": "builtin:demo"] }

        static func turns(_ gateway: GatewayProcess, _ id: String) async throws -> [[String: Any]] {
            try await gateway.api("/api/v1/conversations/\(id)").1["transcript"] as? [[String: Any]] ?? []
        }

        /// The call the gateway hung up because the bot ended the conversation: waits until it is
        /// closed, checks it ended resolved by the bot, and returns its turns.
        static func endedByBot(_ gateway: GatewayProcess, sourceLocation: SourceLocation = #_sourceLocation) async throws -> [[String: Any]] {
            let ended = try #require(gateway.waitFor(event: "call.ended"), sourceLocation: sourceLocation)
            #expect(ended["hangup_by"] == "gateway", sourceLocation: sourceLocation)
            let id = try #require(ended["conversation"], sourceLocation: sourceLocation)
            let done = try await eventually { try await gateway.api("/api/v1/conversations/\(id)").1["state"] as? String == "closed" }
            #expect(done, sourceLocation: sourceLocation)
            let (_, conversation) = try await gateway.api("/api/v1/conversations/\(id)")
            #expect(conversation["outcome"] as? String == "resolved" && conversation["endReason"] as? String == "botEnded", sourceLocation: sourceLocation)
            return try await turns(gateway, id)
        }

        @Test("the demo bot by keys: greeting heard, order status answered, goodbye ends the call; every turn in the transcript")
        func demoByKeys() async throws {
            let gateway = try GatewayProcess(configuration: ["bots": [SpeakingBotTests.demoBot]])
            _ = try #require(gateway.waitFor(event: "speech.prompts_ready", timeout: 60))
            let script = """
                wait 40
                expect speech
                dtmf 1
                wait 10
                expect speech
                dtmf 12345#
                wait 10
                expect speech
                dtmf 2
                expect hangup within 20
                """
            let (status, phone) = try SoftphoneProcess.call(["+18005550100", "--from", "+14155550123", "--gateway", "127.0.0.1:\(gateway.sipPort)",
                                                             "--script", "demo.txt"], files: ["demo.txt": script])
            #expect(status == 0, "\(phone.report["failedStep"] ?? "") \(phone.stderr)")
            #expect((phone.report["heard"] as? [Any])?.count ?? 0 >= 4, "greeting, prompt, answer, goodbye: \(phone.report)")
            let turns = try await SpeakingBotTests.endedByBot(gateway)
            let texts = turns.compactMap { $0["text"] as? String }
            #expect(texts.contains("Hello, and welcome to VoiceGate."))
            #expect(turns.contains { ($0["data"] as? [String: Any])?["speak"] as? String == "<speak>I see you are calling from <say-as interpret-as=\"telephone\">+14155550123</say-as>.</speak>" })
            #expect(turns.contains { $0["text"] as? String == "This call may be recorded to help us serve you better." && ($0["data"] as? [String: Any])?["uninterruptible"] as? Bool == true })
            let topic = turns.first { $0["text"] as? String == "TopicMatched" }
            #expect(((topic?["data"] as? [String: Any])?["value"] as? [String: Any])?["topic"] as? String == "Order status")
            #expect(texts.contains("Order 12345 has shipped and arrives tomorrow."))
            #expect(turns.filter { $0["kind"] as? String == "dtmf" }.compactMap { $0["text"] as? String } == ["1", "12345", "2"])
            #expect(texts.contains("Thank you for calling. Goodbye."))
            #expect(gateway.stop() == 0)
        }
    }
}

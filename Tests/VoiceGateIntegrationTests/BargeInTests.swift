import Testing
import Foundation

/// Barge-in end to end: a key pressed during an ordinary prompt stops the gateway's audio. The
/// wire-level figures (p50/p95 from RTP) are Benchmarks/barge-in.sh's; this test fails when
/// barge-in breaks or falls back to waiting for the key's end.
extension Integration {
    @Suite struct BargeInTests {
        /// A greeting of about ten seconds, then a question so the call stays up.
        static let bot = """
            { "name": "barge", "settings": { "silenceSeconds": 30 }, "topics": [
              { "name": "Greeting", "system": "greeting", "nodes": [
                { "message": "Thank you for calling. This message is long on purpose, so that there is time to press a key while it plays. It goes on about the weather, and the opening hours of a shop that does not exist." },
                { "question": { "prompt": "Please key in a number.", "kind": "digits", "variable": "N", "minDigits": 1, "maxDigits": 4 } } ] } ] }
            """

        @Test("a key during an ordinary prompt stops the gateway's audio when the key goes down, not when it ends")
        func keyStopsThePrompt() async throws {
            let definition = FileManager.default.temporaryDirectory.appendingPathComponent("barge-\(UUID().uuidString).json")
            try Data(BargeInTests.bot.utf8).write(to: definition)
            defer { try? FileManager.default.removeItem(at: definition) }
            let gateway = try GatewayProcess(configuration: [
                "bots": [["id": "demo", "kind": "embedded", "applicationId": "demo", "definition": definition.path]],
            ])
            _ = try #require(gateway.waitFor(event: "speech.prompts_ready", timeout: 60))
            // The bot would answer the key after the 3 s inter-digit timeout: the call ends before.
            let (status, phone) = try SoftphoneProcess.call(["1000", "--gateway", "127.0.0.1:\(gateway.sipPort)", "--script", "s.txt"],
                                                            files: ["s.txt": "expect speech within 10\npause 1\ndtmf 1\npause 1.5\nhangup\n"])
            #expect(status == 0, "\(phone.report) \(phone.stderr)")
            let report = phone.report
            let setup = try #require(report["setupMs"] as? Double)
            let key = try #require((report["sent"] as? [[String: Any]])?.first, "\(report)")
            let keyDown = try #require(key["startMs"] as? Double)
            let keyUp = try #require(key["endMs"] as? Double)

            // The gateway's own count of 20 ms frames it filled with prompt audio: the prompt
            // played from the answer until the key, plus the frame in flight and the key's first
            // packet (sent on the softphone's next 20 ms tick). Had it waited for the key's end,
            // 200 ms later, it would have played 10 frames more; without barge-in, 75 more.
            let ended = try #require(gateway.waitFor(event: "call.ended"))
            let played = try #require(Double(ended["frames_played"] ?? ""), "\(ended)")
            let untilKey = (keyDown - setup) / 20
            #expect(played > untilKey - 5, "the prompt played until the key: \(played) frames, \(untilKey) to the key")
            #expect(played <= untilKey + 5, "\(played) frames played, the key came after \(untilKey): the prompt ran on")

            // The caller heard the prompt stop: one segment, ending within the segmenter's 0.5 s
            // hangover (plus the softphone's jitter buffer) after the key, and nothing after it.
            let heard = report["heard"] as? [[String: Any]] ?? []
            #expect(heard.count == 1, "\(heard)")
            let heardEnd = heard.last?["endMs"] as? Double ?? .infinity
            #expect(heardEnd < keyUp + 700, "speech heard until \(heardEnd) ms, the key ended at \(keyUp) ms")

            let id = try #require(ended["conversation"])
            let closed = try await eventually { try await gateway.api("/api/v1/conversations/\(id)").1["state"] as? String == "closed" }
            #expect(closed)
            let turns = try await gateway.api("/api/v1/conversations/\(id)").1["transcript"] as? [[String: Any]] ?? []
            #expect(turns.contains { $0["kind"] as? String == "event" && $0["text"] as? String == "barge-in" }, "\(turns)")
            #expect(gateway.stop() == 0)
        }
    }
}

import Testing
import Foundation

/// A conversation nobody moves on: an external bot that greets and then says nothing more, a
/// caller who says nothing. It must close after calls.inactivitySeconds, not hold the line.
extension Integration {
    @Suite struct InactivityTests {
        @Test("no input and no bot activity for calls.inactivitySeconds: the gateway hangs up, the conversation is abandoned for inactivity, the bot hears inactivityTimeout")
        func closesAfterInactivity() async throws {
            let bot = try TestBot(["--greeting", "Hello."])
            let gateway = try GatewayProcess(configuration: [
                "calls": ["inactivitySeconds": 5],
                "phoneNumbers": [["number": "*", "bot": "ext"]],
                "bots": [["id": "ext", "kind": "external", "endpoint": bot.endpoint, "applicationId": "ext"]],
            ])
            let (status, phone) = try SoftphoneProcess.call(["+18005550100", "--gateway", "127.0.0.1:\(gateway.sipPort)", "--script", "s.txt"],
                                                            files: ["s.txt": "expect speech within 10\nexpect hangup within 25\n"])
            #expect(status == 0, "\(phone.report)")
            let ended = try #require(gateway.waitFor(event: "call.ended"))
            #expect(ended["hangup_by"] == "gateway")
            let id = try #require(ended["conversation"])
            _ = try await eventually { try await gateway.api("/api/v1/conversations/\(id)").1["state"] as? String == "closed" }
            let (_, c) = try await gateway.api("/api/v1/conversations/\(id)")
            #expect(c["outcome"] as? String == "abandoned" && c["endReason"] as? String == "inactivity", "\(c)")
            let turns = c["transcript"] as? [[String: Any]] ?? []
            let inactivity = try #require(turns.first { $0["text"] as? String == "inactivity" })
            #expect((inactivity["data"] as? [String: Any])?["seconds"] as? Double == 5)
            // Five seconds after the greeting ended, not at once and not much later.
            // and the caller is told why before the line is hung up (the closing message, then BYE).
            let hangUpMs = try #require((phone.report["hangUp"] as? [String: Any])?["atMs"] as? Double)
            let heard = phone.report["heard"] as? [[String: Any]] ?? []
            let greetingEndMs = try #require(heard.first?["endMs"] as? Double)
            let message = try #require(heard.dropFirst().first, "the closing message was heard: \(heard)")
            let messageStartMs = try #require(message["startMs"] as? Double), messageEndMs = try #require(message["endMs"] as? Double)
            #expect(messageStartMs - greetingEndMs > 4_500 && messageStartMs - greetingEndMs < 7_000, "\(messageStartMs - greetingEndMs) ms")
            #expect(messageEndMs - messageStartMs > 2_000, "the whole message: \(messageEndMs - messageStartMs) ms")
            #expect(hangUpMs >= messageEndMs && hangUpMs - messageEndMs < 2_000, "BYE after the message: \(hangUpMs - messageEndMs) ms")
            #expect(turns.contains { $0["text"] as? String == "We have not heard from you for a while, so we are ending this call. Goodbye." })
            // The bot hears why: an idle line, not a conversation it closed.
            func ends() -> [[String: Any]] { bot.received.map(\.activity).filter { $0["type"] as? String == "endOfConversation" } }
            #expect(await eventually { !ends().isEmpty }, "\(bot.received.map(\.activity))")
            #expect(ends().map { ($0["channelData"] as? [String: Any])?["reason"] as? String } == ["inactivityTimeout"])
            #expect(gateway.stop() == 0)
        }
    }
}

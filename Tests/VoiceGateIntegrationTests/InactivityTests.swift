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
                                                            files: ["s.txt": "expect speech within 10\nexpect hangup within 15\n"])
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
            let hangUpMs = try #require((phone.report["hangUp"] as? [String: Any])?["atMs"] as? Double)
            let greetingEndMs = try #require((phone.report["heard"] as? [[String: Any]])?.first?["endMs"] as? Double)
            #expect(hangUpMs - greetingEndMs > 4_500 && hangUpMs - greetingEndMs < 7_000, "\(hangUpMs - greetingEndMs) ms")
            // The bot hears why: an idle line, not a conversation it closed.
            func ends() -> [[String: Any]] { bot.received.map(\.activity).filter { $0["type"] as? String == "endOfConversation" } }
            #expect(await eventually { !ends().isEmpty }, "\(bot.received.map(\.activity))")
            #expect(ends().map { ($0["channelData"] as? [String: Any])?["reason"] as? String } == ["inactivityTimeout"])
            #expect(gateway.stop() == 0)
        }
    }
}

import Testing
import Foundation

/// An external bot holding a call, end to end: the real HTTP test bot behind a gateway, a caller
/// in `voicegate call`. What the bot receives is read from its record file, what the caller
/// hears from the softphone's report, what happened from the conversation's transcript.
extension Integration {
    @Suite struct ExternalBotCallTests {
        static let secret = "call-secret-2718"

        @Test("the bot gets conversationUpdate, then SetContext with both phone numbers; its greeting is heard and transcribed")
        func greetingHeard() async throws {
            let greeting = "Hello from the test bot."
            let bot = try TestBot(["--secret", Self.secret, "--greeting", greeting])
            let gateway = try ExternalBotHarness.gateway(endpoint: bot.endpoint, bot: ["secret": Self.secret])
            let phone = try ExternalBotHarness.phone(gateway, script: "expect speech within 5\nwait 10\nhangup\n")
            #expect(phone.waitForExit(timeout: 30) == 0, "\(phone.report["failedStep"] ?? "") \(phone.report)")

            let received = bot.received
            try #require(received.count >= 2, "\(received)")
            #expect(received[0].activity["type"] as? String == "conversationUpdate")
            #expect((received[0].activity["membersAdded"] as? [[String: Any]])?.first?["id"] as? String == "ext")
            let context = received[1].activity
            #expect(context["type"] as? String == "event" && context["name"] as? String == "SetContext")
            let variables = context["value"] as? [String: Any] ?? [:]
            #expect(variables["bot.CustomerPhoneNumber"] as? String == ExternalBotHarness.caller)
            #expect(variables["bot.OrganizationPhoneNumber"] as? String == ExternalBotHarness.dialed)
            #expect(received.allSatisfy { $0.authorization == "Bearer \(Self.secret)" })

            let ended = try #require(gateway.waitFor(event: "call.ended"))
            #expect(ended["hangup_by"] == "caller")
            let id = try #require(ended["conversation"])
            let conversation = try #require(try await ExternalBotHarness.closed(gateway, id))
            #expect(ExternalBotHarness.botMessages(conversation) == [greeting])
            #expect(gateway.stop() == 0)
        }

        @Test("keys reach the bot as dtmf messages: '#' ends an input (text without it, digits as keyed), so does a pause")
        func keysAsDTMFMessages() async throws {
            let bot = try TestBot(["--secret", Self.secret])
            let gateway = try ExternalBotHarness.gateway(endpoint: bot.endpoint, bot: ["secret": Self.secret])
            // "5" has no '#': the gateway's inter-digit timeout (3 s) ends it while the call stays up.
            let phone = try ExternalBotHarness.phone(gateway, script: "dtmf 12#\ndtmf 5\npause 30\n")
            func messages() -> [[String: Any]] { bot.received.map(\.activity).filter { $0["type"] as? String == "message" } }
            let both = await eventually(timeout: 15) { messages().count >= 2 }
            phone.signal(SIGTERM)
            _ = phone.waitForExit(timeout: 20)
            try #require(both, "the bot got \(bot.received.map(\.activity))")

            let keyed = messages()
            #expect(keyed.count == 2, "\(keyed)")
            #expect(keyed.map { $0["text"] as? String } == ["12", "5"])
            let channelData = keyed.map { $0["channelData"] as? [String: Any] ?? [:] }
            #expect(channelData.allSatisfy { $0["inputMode"] as? String == "dtmf" }, "\(channelData)")
            #expect(channelData.map { $0["digits"] as? String } == ["12#", "5"], "bot-protocol.md: digits as keyed")
            #expect(keyed.allSatisfy { ($0["from"] as? [String: Any])?["id"] as? String == ExternalBotHarness.caller })

            let ended = try #require(gateway.waitFor(event: "call.ended"))
            let id = try #require(ended["conversation"])
            let conversation = try #require(try await ExternalBotHarness.closed(gateway, id))
            let dtmf = ExternalBotHarness.turns(conversation).filter { $0["kind"] as? String == "dtmf" }
            #expect(dtmf.map { $0["text"] as? String } == ["12", "5"])
            #expect(dtmf.allSatisfy { $0["from"] as? String == "customer" })
            #expect(gateway.stop() == 0)
        }

        @Test("a bot that answers 202 and then through the callback path: its greeting is heard and transcribed")
        func asyncGreetingHeard() async throws {
            let greeting = "Hello, a little later."
            let bot = try TestBot(["--secret", Self.secret, "--async-greeting", greeting])
            let gateway = try ExternalBotHarness.gateway(endpoint: bot.endpoint, bot: ["secret": Self.secret])
            let phone = try ExternalBotHarness.phone(gateway, script: "expect speech within 5\nwait 10\nhangup\n")
            #expect(phone.waitForExit(timeout: 30) == 0, "\(phone.report["failedStep"] ?? "") \(phone.report)")

            // The callback was taken (the test bot records the gateway's answer to it).
            let text = (try? String(contentsOf: bot.recordFile, encoding: .utf8)) ?? ""
            let callbacks = text.split(separator: "\n").compactMap {
                (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["callback"] as? [String: Any]
            }
            #expect(callbacks.map { $0["status"] as? Int } == [200], "\(callbacks)")

            let ended = try #require(gateway.waitFor(event: "call.ended"))
            let id = try #require(ended["conversation"])
            let conversation = try #require(try await ExternalBotHarness.closed(gateway, id))
            #expect(ExternalBotHarness.botMessages(conversation) == [greeting])
            #expect(!ExternalBotHarness.turns(conversation).contains { $0["text"] as? String == "bot failure" },
                    "a 202 is an answer, not a failure")
            #expect(gateway.stop() == 0)
        }
    }
}

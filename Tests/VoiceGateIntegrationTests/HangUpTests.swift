import Testing
import Foundation

/// A bot that says goodbye and ends the call, end to end: the gateway must play what the bot said
/// to its end before the BYE, tell the trunk why (Reason header), close the conversation as
/// resolved, and tell the bot the conversation is over.
extension Integration {
    @Suite struct HangUpTests {
        /// The three ways a bot ends a call (bot-protocol.md), each with the reason the
        /// conversation (and the BYE's Reason header) gets.
        enum Ending: String, CaseIterable, Sendable {
            case hangUp, endOfConversation, closeOmnichannelConversation

            var activity: [String: Any] {
                switch self {
                case .hangUp: return ["type": "event", "name": "HangUp"]
                case .endOfConversation: return ["type": "endOfConversation"]
                case .closeOmnichannelConversation:
                    return ["type": "event", "name": "SetVariables", "value": ["CloseOmnichannelConversation": true]]
                }
            }

            var reason: String {
                switch self {
                case .hangUp: return "botHangUp"
                case .endOfConversation: return "botEnded"
                case .closeOmnichannelConversation: return "closed"
                }
            }
        }

        @Test("the bot says two things and ends the call: the BYE comes after both were heard whole, with a Reason; resolved; the bot hears endOfConversation 'closed'",
              arguments: Ending.allCases)
        func goodbyeThenBye(_ ending: Ending) async throws {
            let bot = try TestBot(rules: [
                ["on": ["name": "SetContext"], "reply": [
                    ["type": "message", "text": "Your order has shipped and will arrive tomorrow morning."],
                    UninterruptibleTests.apart("Thank you for calling and have a nice day."),
                    ending.activity,
                ]],
            ])
            let gateway = try ExternalBotHarness.gateway(endpoint: bot.endpoint)
            let phone = try ExternalBotHarness.phone(gateway, script: "expect hangup within 40\n")
            #expect(phone.waitForExit(timeout: 60) == 0, "\(phone.report)")
            let prompts = try #require(PromptTiming.waitForPrompts(gateway, count: 2))

            // The BYE came from the gateway, with the reason, after the last words were heard.
            let hangUp = try #require(phone.report["hangUp"] as? [String: Any], "\(phone.report)")
            #expect(hangUp["by"] as? String == "remote")
            let reason = hangUp["reason"] as? String ?? ""
            #expect(reason.hasPrefix("Q.850;cause=16") && reason.contains(ending.reason), "Reason: \(reason)")
            let byeMs = try #require(hangUp["atMs"] as? Double)
            let heard = ExternalBotHarness.heard(phone)
            let lastHeardEnd = try #require(heard.last?.end)
            #expect(byeMs >= lastHeardEnd, "BYE at \(byeMs) ms, speech heard until \(lastHeardEnd) ms")
            #expect(byeMs - lastHeardEnd < 1000, "and promptly: BYE at \(byeMs) ms, speech heard until \(lastHeardEnd) ms")

            // Both prompts were heard whole: each one's speech, and the two together.
            let first = UninterruptibleTests.firstPrompt(heard, seconds: prompts[0].seconds)
            let second = Array(heard.dropFirst(first.count))
            let heardSeconds = [PromptTiming.span(first), PromptTiming.span(second)]
            print("hang-up (\(ending)): heard \(heardSeconds) s of prompts \(prompts); BYE \(byeMs - lastHeardEnd) ms after the last speech heard")
            for (heardOne, prompt) in zip(heardSeconds, prompts) {
                #expect(PromptTiming.matches(heardOne, prompt.speechSeconds), "heard \(heardOne) s of \(prompt): \(heard)")
            }
            #expect(PromptTiming.matches(heardSeconds.reduce(0, +), prompts.map(\.speechSeconds).reduce(0, +)))

            let id = try #require(gateway.waitFor(event: "call.ended")?["conversation"])
            let conversation = try #require(try await ExternalBotHarness.closed(gateway, id))
            #expect(conversation["outcome"] as? String == "resolved")
            #expect(conversation["endReason"] as? String == ending.reason)
            // The bot is told after the call: whatever ended it, the bot did, so it was closed.
            let told = await eventually { bot.received.contains { $0.activity["type"] as? String == "endOfConversation" } }
            try #require(told, "\(bot.received.map(\.activity))")
            let end = bot.received.map(\.activity).filter { $0["type"] as? String == "endOfConversation" }
            #expect(end.count == 1)
            #expect((end.first?["channelData"] as? [String: Any])?["reason"] as? String == "closed")
            #expect(gateway.stop() == 0)
        }
    }
}

import Testing
import Foundation

/// bot-protocol.md: "A bot that does not answer within its configured timeout, answers non-2xx,
/// or answers malformed JSON is a bot failure: the gateway records it in the transcript, tells
/// the caller a configured apology, and follows the bot's configured failure action." Each kind
/// of failure against the real test bot (or no bot at all), heard through `voicegate call`.
extension Integration {
    @Suite struct ExternalBotFailureTests {
        /// How the bot fails, and the words the recorded failure must use for it.
        enum Failure: String, CaseIterable, Sendable, CustomTestStringConvertible {
            case timeout, status500, malformedJSON, unreachable

            var testDescription: String { rawValue }

            /// test_bot.py's options; nil: no bot process, nothing listens on the endpoint's port.
            var botOptions: [String]? {
                switch self {
                case .timeout: return ["--delay", "4"]   // well past the 1 s timeout below
                case .status500: return ["--status", "500"]
                case .malformedJSON: return ["--garbage"]
                case .unreachable: return nil
                }
            }

            /// In the transcript's failure text (HTTPExchange's wording): the first activity,
            /// conversationUpdate, is the one that failed.
            var described: String {
                switch self {
                case .timeout: return "no answer to conversationUpdate within 1 s"
                case .status500: return "answered conversationUpdate with HTTP 500"
                case .malformedJSON: return "answered conversationUpdate with a malformed reply"
                case .unreachable: return "unreachable for conversationUpdate: connection refused"
                }
            }
        }

        static let secret = "failure-secret-5150"
        /// Bot platforms put keys in the endpoint's query: it must not reach a transcript or log either.
        static let queryKey = "query-key-5150"
        static let apology = "Sorry, our assistant is unavailable right now."

        @Test("a failing external bot: the caller hears the apology, then the gateway hangs up; the failure is recorded, secret-free",
              arguments: Failure.allCases)
        func apologyThenHangUp(_ failure: Failure) async throws {
            let bot = try failure.botOptions.map { try TestBot(["--secret", Self.secret] + $0) }
            let port = bot?.port ?? FreePorts.tcpPort()
            let gateway = try ExternalBotHarness.gateway(endpoint: "http://127.0.0.1:\(port)/api/messages?code=\(Self.queryKey)", bot: [
                "secret": Self.secret, "timeoutSeconds": 1, "apology": Self.apology, "onFailure": "hangUp"])
            // Never dead air: the apology starts within a few seconds of the answer (1 s of it is the
            // bot's timeout), and the gateway ends the call once it has been said.
            let phone = try ExternalBotHarness.phone(gateway, script: "expect speech within 6\nexpect hangup within 10\n")
            let status = phone.waitForExit(timeout: 30)
            #expect(status == 0, "\(phone.report["failedStep"] ?? "") \(phone.report)")
            #expect(!ExternalBotHarness.heard(phone).isEmpty, "the apology was heard")
            #expect((phone.report["hangUp"] as? [String: Any])?["by"] as? String == "remote")

            let ended = try #require(gateway.waitFor(event: "call.ended"))
            #expect(ended["hangup_by"] == "gateway")
            let logged = try #require(gateway.waitFor(event: "bot.failed"))
            #expect(logged["error"]?.contains(failure.described) == true, "\(logged)")

            let id = try #require(ended["conversation"])
            let conversation = try #require(try await ExternalBotHarness.closed(gateway, id))
            #expect(conversation["outcome"] as? String == "failed" && conversation["endReason"] as? String == "botFailure")
            let turns = ExternalBotHarness.turns(conversation)
            let failed = try #require(turns.firstIndex { $0["from"] as? String == "system" && $0["text"] as? String == "bot failure" },
                                      "\(turns)")
            let why = (turns[failed]["data"] as? [String: Any])?["failure"] as? String ?? ""
            #expect(why.contains(failure.described), "\(why)")
            let apologized = try #require(turns.firstIndex { $0["from"] as? String == "bot" && $0["kind"] as? String == "message"
                                                             && $0["text"] as? String == Self.apology }, "\(turns)")
            #expect(failed < apologized, "the failure is recorded, then the apology said")
            #expect(turns[(apologized + 1)...].contains { $0["kind"] as? String == "action" && $0["text"] as? String == "HangUp" })

            // The secret and the endpoint's key stay out of the transcript and the log.
            let everything = String(describing: conversation) + gateway.allLines.joined(separator: "\n")
            #expect(!everything.contains(Self.secret) && !everything.contains(Self.queryKey))
            if let bot {
                #expect(bot.received.first?.activity["type"] as? String == "conversationUpdate")
                #expect(bot.received.first?.authorization == "Bearer \(Self.secret)")
            }
            #expect(gateway.stop() == 0)
        }

        @Test("a failing external bot with onFailure handoff: the apology, then the caller is handed to the failure queue (escalated)")
        func apologyThenHandoff() async throws {
            let bot = try TestBot(["--status", "500"])
            let gateway = try ExternalBotHarness.gateway(endpoint: bot.endpoint, bot: [
                "apology": Self.apology, "onFailure": "handoff", "failureQueue": "billing"])
            let phone = try ExternalBotHarness.phone(gateway, script: "expect speech within 5\nexpect hangup within 10\n")
            #expect(phone.waitForExit(timeout: 30) == 0, "\(phone.report["failedStep"] ?? "") \(phone.report)")

            let ended = try #require(gateway.waitFor(event: "call.ended"))
            let id = try #require(ended["conversation"])
            let conversation = try #require(try await ExternalBotHarness.closed(gateway, id))
            // No queue "billing" is configured here: no queue takes the hand-off, the call ends, and
            // the outcome says why (HandoffTests covers hand-offs that a queue takes).
            #expect(conversation["outcome"] as? String == "escalated", "\(conversation)")
            #expect(conversation["endReason"] as? String == "botFailure", "why it was escalated")
            let turns = ExternalBotHarness.turns(conversation)
            #expect(turns.contains { $0["text"] as? String == "bot failure" })
            #expect(ExternalBotHarness.botMessages(conversation) == [Self.apology])
            let handoff = turns.first { $0["kind"] as? String == "action" && $0["text"] as? String == "handoff.initiate" }
            #expect(((handoff?["data"] as? [String: Any])?["value"] as? [String: Any])?["queue"] as? String == "billing", "\(turns)")
            #expect(gateway.stop() == 0)
        }
    }
}

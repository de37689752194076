import Testing
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Conversations as the admin API shows them: durable across a kill -9, started on an external
/// bot with SetContext, and behind the admin token.
extension Integration {
    @Suite struct ConversationTests {
        @Test("kill -9 during a call: after restart the conversation has every turn written before the kill and is ended with a reason")
        func killDuringCall() async throws {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("voicegate-kill-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let configuration: [String: Any] = ["store": ["path": folder.appendingPathComponent("voicegate.db").path]]
            let first = try GatewayProcess(configuration: configuration)
            let phone = try SoftphoneProcess(["+18005550100", "--gateway", "127.0.0.1:\(first.sipPort)", "--script", "call.txt"],
                                             files: ["call.txt": "dtmf 1\ndtmf 2\ndtmf 3\npause 60\n"])
            _ = try #require(first.waitFor(event: "call.dtmf", skipping: 2), "three keys: \(phone.stderr)")
            // The keys are durable once the API (the store's read side) shows them.
            var id = ""
            let written = try await eventually {
                guard let c = try await first.conversations().first, c["state"] as? String == "active" else { return false }
                id = c["id"] as? String ?? ""
                return ConversationTests.digits(c) == ["1", "2", "3"]
            }
            try #require(written, "the three keys never reached the store")
            first.sendSignal(SIGKILL)
            #expect(first.waitForExit(timeout: 10) != nil)
            phone.signal(SIGKILL)

            let second = try GatewayProcess(configuration: configuration)
            let opened = try #require(second.waitFor(event: "store.opened"))
            #expect(opened["recovered_conversations"] == "1")
            let (status, c) = try await second.api("/api/v1/conversations/\(id)")
            #expect(status == 200)
            #expect(c["state"] as? String == "closed")
            #expect(c["outcome"] as? String == "failed")
            #expect(c["endReason"] as? String == "gatewayRestart")
            #expect(c["endedAt"] is String)
            #expect(ConversationTests.digits(c) == ["1", "2", "3"], "\(c)")
            let turns = c["transcript"] as? [[String: Any]] ?? []
            #expect(turns.first?["text"] as? String == "call started")
            #expect(turns.last?["text"] as? String == "gateway restarted")
            #expect(second.stop() == 0)
        }

        @Test("keys sent by SIP INFO (application/dtmf-relay) reach the transcript like RFC 4733 ones")
        func sipInfoKeys() async throws {
            let gateway = try GatewayProcess()
            let call = try SIPp.run("uac_info_dtmf.xml", port: gateway.sipPort, holdMilliseconds: 300)
            #expect(call.succeeded, "\(call.output)")
            let ended = try #require(gateway.waitFor(event: "call.ended"))
            #expect(gateway.events("call.dtmf").count == 2)
            let keyed = try await eventually {
                ConversationTests.digits(try await gateway.api("/api/v1/conversations/\(ended["conversation"] ?? "")").1) == ["4", "2"]
            }
            #expect(keyed)
            #expect(gateway.stop() == 0)
        }

        static func digits(_ conversation: [String: Any]) -> [String] {
            (conversation["transcript"] as? [[String: Any]] ?? []).filter { $0["kind"] as? String == "dtmf" }.compactMap { $0["text"] as? String }
        }

        @Test("an external bot gets conversationUpdate then SetContext with the variables; a slow bot does not hold up the answer")
        func externalBotStart() async throws {
            let bot = try TestBot(["--secret", "bot-secret-42", "--greeting", "Hello from the test bot", "--delay", "2"])
            let gateway = try GatewayProcess(configuration: [
                "trunks": [["name": "carrier", "sources": ["127.0.0.1/32"], "defaultCountryCode": "1"]],
                "phoneNumbers": [["number": "+18005550100", "bot": "ext"]],
                "sipHeaders": [["header": "X-Customer-Tier", "variable": "CustomerTier"]],
                "bots": [["id": "ext", "kind": "external", "endpoint": bot.endpoint, "secret": "bot-secret-42",
                          "applicationId": "ext-app", "timeoutSeconds": 5]],
            ])
            let call = try SIPp.run("uac_identity.xml", port: gateway.sipPort, holdMilliseconds: 200, extra: [
                "-key", "ruri", "sip:8005550100@gateway.test", "-key", "from", "<sip:4155550123@carrier.test>",
                "-key", "to", "<sip:8005550100@gateway.test>", "-key", "h1", "P-Asserted-Identity: <tel:+14155550199>",
                "-key", "h2", "X-Customer-Tier: platinum", "-key", "h3", "X-Pad: 1"])
            #expect(call.succeeded, "\(call.output)")
            let ended = try #require(gateway.waitFor(event: "call.ended"))
            // The bot takes 2 s per answer; the call was answered, held and ended before it replied.
            let received = try await eventually(timeout: 20) { bot.received.count >= 2 }
            try #require(received, "the bot got \(bot.received.count) activities")
            let (update, context) = (bot.received[0], bot.received[1])
            #expect(update.activity["type"] as? String == "conversationUpdate")
            #expect(context.activity["type"] as? String == "event" && context.activity["name"] as? String == "SetContext")
            #expect(update.authorization == "Bearer bot-secret-42" && context.authorization == "Bearer bot-secret-42")
            let value = context.activity["value"] as? [String: Any] ?? [:]
            #expect(value["bot.CustomerPhoneNumber"] as? String == "+14155550199")
            #expect(value["bot.OrganizationPhoneNumber"] as? String == "+18005550100")
            #expect(value["CustomerTier"] as? String == "platinum")
            #expect(value["TrunkName"] as? String == "carrier")
            #expect((value["SipCallId"] as? String)?.isEmpty == false)
            #expect((context.activity["from"] as? [String: Any])?["id"] as? String == "+14155550199")
            #expect(((context.activity["channelData"] as? [String: Any])?["transcript"]) is [Any])

            // The bot's greeting lands in the transcript, after the call had already ended.
            let id = try #require(ended["conversation"])
            let greeted = try await eventually(timeout: 20) {
                let (_, c) = try await gateway.api("/api/v1/conversations/\(id)")
                return (c["transcript"] as? [[String: Any]] ?? []).contains { $0["text"] as? String == "Hello from the test bot" }
            }
            #expect(greeted)
            #expect(!gateway.allLines.contains { $0.contains("bot-secret-42") }, "the bot secret reached the log")
            #expect(gateway.stop() == 0)
        }

        @Test("an external bot answers asynchronously through the callback path; bad secrets, bad JSON and unknown conversations are refused")
        func externalBotCallback() async throws {
            let bot = try TestBot(["--secret", "bot-secret-77", "--async-greeting", "Hello, a little later"])
            let gateway = try GatewayProcess(configuration: [
                "phoneNumbers": [["number": "*", "bot": "ext"]],
                "bots": [["id": "ext", "kind": "external", "endpoint": bot.endpoint, "secret": "bot-secret-77", "applicationId": "ext-app"]],
            ])
            let phone = try SoftphoneProcess(["+18005550100", "--gateway", "127.0.0.1:\(gateway.sipPort)", "--script", "call.txt"],
                                             files: ["call.txt": "pause 30\n"])
            let answered = try #require(gateway.waitFor(event: "call.answered"), "\(phone.stderr)")
            let id = try #require(answered["conversation"])
            // The bot's own callback, with its secret: accepted, and its message is a turn.
            let calledBack = try await eventually { try await gateway.api("/api/v1/conversations/\(id)").1["transcript"]
                .map { ($0 as? [[String: Any]] ?? []).contains { $0["text"] as? String == "Hello, a little later" } } ?? false }
            #expect(calledBack, "records: \(bot.received.count)")

            func post(_ path: String, _ body: String, secret: String?) async throws -> (Int, String) {
                var request = URLRequest(url: URL(string: "http://127.0.0.1:\(gateway.httpPort)\(path)")!)
                request.httpMethod = "POST"
                request.httpBody = Data(body.utf8)
                request.setValue("application/json", forHTTPHeaderField: "Content-Type")
                if let secret { request.setValue("Bearer \(secret)", forHTTPHeaderField: "Authorization") }
                let (data, response) = try await URLSession.shared.data(for: request)
                return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
            }
            let path = "/v1/conversations/\(id)/activities"
            #expect(try await post(path, #"{"type":"message","text":"x"}"#, secret: "wrong").0 == 401)
            #expect(try await post(path, #"{"type":"message","text":"x"}"#, secret: GatewayProcess.adminToken).0 == 401,
                    "the admin token is not a bot's secret")
            let malformed = try await post(path, "this is not JSON", secret: "bot-secret-77")
            #expect(malformed.0 == 400 && malformed.1.contains("\"error\""))
            #expect(try await post("/v1/conversations/no-such-conversation/activities", "{}", secret: "bot-secret-77").0 == 404)
            let two = try await post(path, #"{"activities":[{"type":"message","text":"one"},{"type":"message","text":"two"}]}"#, secret: "bot-secret-77")
            #expect(two.0 == 200, "\(two.1)")

            phone.signal(SIGTERM)
            _ = phone.waitForExit(timeout: 20)
            _ = try #require(gateway.waitFor(event: "call.ended"))
            // Closed: the callback path no longer takes activities for it.
            #expect(try await post(path, #"{"type":"message","text":"late"}"#, secret: "bot-secret-77").0 == 404)
            #expect(!gateway.allLines.contains { $0.contains("bot-secret-77") })
            #expect(gateway.stop() == 0)
        }

        @Test("the admin API: 401 without the token, 404 for an unknown conversation, 400 for a bad filter, JSON errors")
        func adminAPI() async throws {
            let gateway = try GatewayProcess()
            let call = try SIPp.run("uac_call.xml", port: gateway.sipPort, holdMilliseconds: 100)
            #expect(call.succeeded)
            _ = try #require(gateway.waitFor(event: "call.ended"))
            for token in [nil, "wrong-token-xxxxxxxxxxxx"] as [String?] {
                let (status, body) = try await gateway.api("/api/v1/conversations", token: token)
                #expect(status == 401)
                #expect((body["error"] as? [String: Any])?["code"] as? String == "unauthorized")
            }
            func list(_ query: String) async throws -> [[String: Any]] {
                try await gateway.api("/api/v1/conversations\(query)").1["conversations"] as? [[String: Any]] ?? []
            }
            #expect(try await eventually { try await list("?state=closed&limit=1").count == 1 })
            let closed = try await list("?state=closed&limit=1")
            #expect(closed.first?["outcome"] as? String == "abandoned" && closed.first?["endReason"] as? String == "customerHangUp")
            #expect(closed.first?["agent"] is NSNull && closed.first?["queue"] is NSNull, "null fields are kept: \(closed)")
            #expect(try await list("?state=active").isEmpty)
            #expect(try await gateway.api("/api/v1/conversations/no-such-id").0 == 404)
            #expect(try await gateway.api("/api/v1/conversations?state=nonsense").0 == 400)
            #expect(try await gateway.api("/api/v1/conversations?limit=0").0 == 400)
            for path in ["/api/v1/nothing-here", "/api/", "/api/v1", "/api/v2/conversations"] {
                #expect(try await gateway.api(path).0 == 404, "\(path)")
            }
            #expect(try await gateway.api("/api/v1/conversations", token: nil).0 == 401)
            let (health, body) = try await gateway.get("/healthz")
            #expect(health == 200 && body.contains("ok"))
            #expect(gateway.stop() == 0)
        }
    }
}

import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

extension Integration {
    /// Issue 8's historical figures and sentiment, from real calls: a gateway with four numbers,
    /// each to its own external test bot, and five callers (softphones) whose calls end each in
    /// one known way: two resolved by the bot (one angry caller, one pleased), one escalated to an
    /// agent, one abandoned in a queue nobody serves, one transferred to another number. The
    /// figures GET /api/v1/analytics gives must be exactly what those calls did.
    @Suite(.serialized)
    struct AnalyticsTests {
        static let caller = ExternalBotHarness.caller
        static let resolverNumber = "+18005550101"
        static let escalationNumber = "+18005550102"
        static let abandonNumber = "+18005550103"
        static let transferNumber = "+18005550104"
        static let transferTarget = "+14155550188"
        static let reply = Paths.packageRoot.appendingPathComponent("Sources/voicegate/Resources/reply.wav").path
        /// The acceptance's sentence with its halves swapped: said as "this is terrible, I am very
        /// angry", flite's voice is heard as "it did care bill i am very angry" (barely negative, −0.10),
        /// this order as "i am very angry that the terrible" (−0.77).
        static let angry = "I am very angry, this is terrible"
        static let pleased = "thank you, that was great"

        static func say(_ text: String) -> [String: Any] { ["type": "message", "text": text] }

        static func dial(_ gateway: GatewayProcess, _ number: String, _ script: String) throws -> SoftphoneProcess {
            try SoftphoneProcess([number, "--from", caller, "--gateway", "127.0.0.1:\(gateway.sipPort)", "--script", "s.txt"],
                                 files: ["s.txt": script])
        }

        static func number(_ value: Any?) -> Double? { (value as? NSNumber)?.doubleValue }

        @Test("figures from scripted calls: 2 resolved, 1 escalated, 1 abandoned, 1 transferred; per bot, queue and number; bot and human parts; sentiment through the call path")
        func figuresFromScriptedCalls() async throws {
            // The caller speaks; the bot answers and ends the conversation (resolved).
            let resolver = try TestBot(rules: [
                ["on": ["name": "SetContext"], "reply": [Self.say("How was your experience with us?")]],
                ["on": ["type": "message"], "reply": [Self.say("Thank you for telling us. Goodbye."), ["type": "endOfConversation"]]],
            ])
            let front = try TestBot(rules: [["on": ["name": "SetContext"], "reply": [Self.say("Let me get you an agent."),
                                                                                   ["type": "event", "name": "handoff.initiate", "value": ["queue": "support"]]]]])
            let waiter = try TestBot(rules: [["on": ["name": "SetContext"], "reply": [Self.say("Please hold for an agent."),
                                                                                    ["type": "event", "name": "handoff.initiate", "value": ["queue": "nobody"]]]]])
            let mover = try TestBot(rules: [["on": ["name": "SetContext"], "reply": [Self.say("Transferring you now."),
                                                                                   ["type": "event", "name": "TransferToPhoneNumber", "value": ["TargetPhoneNumber": Self.transferTarget]]]]])
            let agent = try SoftphoneProcess(["--listen", "0", "--calls", "1", "--play", Self.reply])
            let agentPort = try #require(agent.waitUntilListening(), "agent: \(agent.stderr)")
            let target = try SoftphoneProcess(["--listen", "0", "--calls", "1", "--play", Self.reply])
            let targetPort = try #require(target.waitUntilListening(), "target: \(target.stderr)")
            let bots: [String: TestBot] = ["resolver": resolver, "front": front, "waiter": waiter, "mover": mover]
            let gateway = try GatewayProcess(configuration: [
                "trunks": [["name": "carrier", "sources": ["127.0.0.0/8"], "defaultCountryCode": "1",
                            "outbound": ["host": "127.0.0.1", "port": targetPort]]],
                "phoneNumbers": [["number": Self.resolverNumber, "bot": "resolver"], ["number": Self.escalationNumber, "bot": "front"],
                                 ["number": Self.abandonNumber, "bot": "waiter"],
                                 ["number": Self.transferNumber, "bot": "mover", "makeCalls": true]],
                "bots": bots.map { id, bot in ["id": id, "kind": "external", "endpoint": bot.endpoint, "applicationId": id] },
                "agents": [["id": "alice", "contact": "sip:alice@127.0.0.1:\(agentPort)", "queues": ["support"]],
                           ["id": "bob", "contact": "sip:bob@127.0.0.1:9", "queues": ["nobody"]]],
                "queues": [["name": "support", "announceEverySeconds": 0], ["name": "nobody", "announceEverySeconds": 0]],
            ])
            #expect(try await gateway.api("/api/v1/agents/bob/presence", method: "PUT", body: #"{"presence": "offline"}"#).0 == 200)
            let from = Date().addingTimeInterval(-1)

            // Five callers at once, each scripted to end its call one way.
            let callers = [
                try Self.dial(gateway, Self.resolverNumber, "wait\nsay \"\(Self.angry)\"\nexpect hangup within 30\n"),
                try Self.dial(gateway, Self.resolverNumber, "wait\nsay \"\(Self.pleased)\"\nexpect hangup within 30\n"),
                try Self.dial(gateway, Self.escalationNumber, "expect speech within 15\npause 6\nhangup\n"),
                try Self.dial(gateway, Self.abandonNumber, "expect speech within 15\npause 3\nhangup\n"),
                try Self.dial(gateway, Self.transferNumber, "wait\nexpect speech within 20\npause 2\nhangup\n"),
            ]
            for phone in callers {
                #expect(phone.waitForExit(timeout: 90) == 0, "caller: \(phone.stdout) \(phone.stderr)")
            }
            _ = agent.waitForExit(timeout: 20)
            _ = target.waitForExit(timeout: 20)
            // Every conversation closed before the figures are read.
            #expect(try await eventually(timeout: 20) {
                let list = try await gateway.conversations()
                return list.count == 5 && list.allSatisfy { $0["state"] as? String == "closed" }
            })
            let to = Date().addingTimeInterval(1)
            let range = "from=\(ISO8601DateFormatter().string(from: from))&to=\(ISO8601DateFormatter().string(from: to))"
            let (status, figures) = try await gateway.api("/api/v1/analytics?\(range)")
            #expect(status == 200, "\(figures)")

            // The spec's fields, exactly.
            #expect(Self.number(figures["conversations"]) == 5, "\(figures)")
            #expect(Self.number(figures["resolved"]) == 2 && Self.number(figures["escalated"]) == 1, "\(figures)")
            #expect(Self.number(figures["abandoned"]) == 1 && Self.number(figures["transferred"]) == 1, "\(figures)")
            #expect(Self.number(figures["resolutionRate"]) == 0.4 && Self.number(figures["escalationRate"]) == 0.2, "\(figures)")
            #expect(Self.number(figures["abandonRate"]) == 0.2 && Self.number(figures["transferRate"]) == 0.2, "\(figures)")
            // The averages against the conversations' own times.
            let conversations = try await gateway.conversations()
            func seconds(_ c: [String: Any]) -> Double {
                let f = ISO8601DateFormatter()
                f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
                let start = f.date(from: c["startedAt"] as? String ?? "") ?? .distantPast
                let end = f.date(from: c["endedAt"] as? String ?? "") ?? .distantPast
                return end.timeIntervalSince(start)
            }
            let resolvedSeconds = conversations.filter { $0["outcome"] as? String == "resolved" }.map(seconds)
            let expectedResolution = resolvedSeconds.reduce(0, +) / Double(max(resolvedSeconds.count, 1))
            #expect(abs((Self.number(figures["averageResolutionSeconds"]) ?? 0) - expectedResolution) < 0.01,
                    "\(figures) against \(resolvedSeconds)")
            // The two hand-offs came after the bot's line: a second or more, well under the calls' length.
            let escalation = Self.number(figures["averageEscalationSeconds"]) ?? -1
            #expect(escalation > 0.5 && escalation < 15, "\(figures)")
            // The abandoned caller waited about 3 s; the escalated one until alice answered.
            let wait = Self.number(figures["averageWaitSeconds"]) ?? -1
            #expect(wait > 0.5 && wait < 10, "\(figures)")

            // Per number, per bot, per queue.
            let byNumber = Dictionary(uniqueKeysWithValues: (figures["byPhoneNumber"] as? [[String: Any]] ?? []).map { ($0["phoneNumber"] as? String ?? "", $0) })
            #expect(Self.number(byNumber[Self.resolverNumber]?["resolved"]) == 2 && Self.number(byNumber[Self.resolverNumber]?["resolutionRate"]) == 1, "\(byNumber)")
            #expect(Self.number(byNumber[Self.escalationNumber]?["escalated"]) == 1, "\(byNumber)")
            #expect(Self.number(byNumber[Self.abandonNumber]?["abandoned"]) == 1, "\(byNumber)")
            #expect(Self.number(byNumber[Self.transferNumber]?["transferred"]) == 1, "\(byNumber)")
            let byBot = Dictionary(uniqueKeysWithValues: (figures["byBot"] as? [[String: Any]] ?? []).map { ($0["bot"] as? String ?? "", $0) })
            #expect(Set(byBot.keys) == ["resolver", "front", "waiter", "mover"], "\(byBot)")
            #expect(Self.number(byBot["resolver"]?["conversations"]) == 2 && Self.number(byBot["front"]?["escalated"]) == 1, "\(byBot)")
            let byQueue = Dictionary(uniqueKeysWithValues: (figures["byQueue"] as? [[String: Any]] ?? []).map { ($0["queue"] as? String ?? "", $0) })
            #expect(Set(byQueue.keys) == ["support", "nobody"], "\(byQueue)")
            #expect(Self.number(byQueue["nobody"]?["abandoned"]) == 1 && Self.number(byQueue["nobody"]?["abandonRate"]) == 1, "\(byQueue)")
            #expect(Self.number(byQueue["support"]?["escalated"]) == 1, "\(byQueue)")
            // Bot and human parts: every call began with a bot; two were handed off, one reached alice.
            let segments = figures["segments"] as? [String: [String: Any]] ?? [:]
            #expect(Self.number(segments["bot"]?["conversations"]) == 5 && Self.number(segments["bot"]?["resolved"]) == 2, "\(segments)")
            #expect(Self.number(segments["bot"]?["escalated"]) == 2 && Self.number(segments["bot"]?["escalationRate"]) == 0.4, "\(segments)")
            #expect(Self.number(segments["human"]?["conversations"]) == 1 && Self.number(segments["human"]?["resolved"]) == 1, "\(segments)")
            #expect((Self.number(segments["human"]?["averageHandleSeconds"]) ?? 0) > 1, "\(segments)")
            // The series holds the five calls.
            let series = figures["series"] as? [[String: Any]] ?? []
            #expect(series.reduce(0) { $0 + (Self.number($1["conversations"]) ?? 0) } == 5, "\(series)")

            // Sentiment, through speech synthesis, RTP, recognition and the store: the angry
            // caller's words score negative, the pleased caller's positive.
            let resolved = conversations.filter { $0["outcome"] as? String == "resolved" }
            let scored = resolved.compactMap { c -> (text: String, score: Double)? in
                let words = ExternalBotHarness.turns(c).first { $0["from"] as? String == "customer" && $0["kind"] as? String == "speech" }
                guard let words, let score = Self.number(words["sentiment"]) else { return nil }
                return (words["text"] as? String ?? "", score)
            }
            #expect(scored.count == 2, "each resolved call has a scored customer turn: \(resolved.map(ExternalBotHarness.turns))")
            #expect(scored.contains { $0.score < -0.05 } && scored.contains { $0.score > 0.05 }, "\(scored)")
            for c in resolved {
                let turn = ExternalBotHarness.turns(c).first { $0["from"] as? String == "customer" && $0["kind"] as? String == "speech" }
                #expect(Self.number(c["sentiment"]) == Self.number(turn?["sentiment"]), "the conversation's sentiment is its one turn's")
            }
            let average = scored.map(\.score).reduce(0, +) / Double(max(scored.count, 1))
            #expect(abs((Self.number(figures["averageSentiment"]) ?? 99) - average) < 0.0002, "\(figures) against \(scored)")

            // A range before the calls holds none of them; a bad range is a 400 with the error shape.
            let before = "from=\(ISO8601DateFormatter().string(from: from.addingTimeInterval(-7200)))&to=\(ISO8601DateFormatter().string(from: from.addingTimeInterval(-3600)))"
            let (emptyStatus, empty) = try await gateway.api("/api/v1/analytics?\(before)")
            #expect(emptyStatus == 200 && Self.number(empty["conversations"]) == 0 && empty["resolutionRate"] is NSNull, "\(empty)")
            for bad in ["from=yesterday", "from=2026-11-21T10:00:00Z&to=2026-11-21T09:00:00Z", "from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z"] {
                let (code, body) = try await gateway.api("/api/v1/analytics?\(bad)")
                #expect(code == 400 && (body["error"] as? [String: Any])?["code"] as? String == "bad_request", "\(bad): \(body)")
            }
            #expect(try await gateway.api("/api/v1/analytics", token: "wrong").0 == 401)

            // The CSV export of the range: a header and every turn of the five conversations.
            let csv = try await Self.text(gateway, "/api/v1/exports/transcripts.csv?\(range)")
            #expect(csv.status == 200 && csv.contentType.hasPrefix("text/csv"), "\(csv.status) \(csv.contentType)")
            let lines = csv.body.components(separatedBy: "\r\n").filter { !$0.isEmpty }
            let turnCount = conversations.reduce(0) { $0 + ExternalBotHarness.turns($1).count }
            #expect(lines.first?.hasPrefix("conversation_id,started_at,caller,dialed,bot,queue,agent,outcome") == true, "\(lines.first ?? "")")
            #expect(lines.count == turnCount + 1, "\(lines.count) lines for \(turnCount) turns")
            // One conversation as a JSON file.
            let one = try #require(conversations.first?["id"] as? String)
            let export = try await Self.text(gateway, "/api/v1/conversations/\(one)/export")
            #expect(export.status == 200 && export.disposition.contains("conversation-\(one).json"), "\(export.disposition)")
            let exported = try JSONSerialization.jsonObject(with: Data(export.body.utf8)) as? [String: Any] ?? [:]
            #expect((exported["conversation"] as? [String: Any])?["id"] as? String == one && exported["segments"] is [Any], "\(exported.keys)")
            #expect(gateway.stop() == 0)
        }

        @Test("a missing or broken lexicon is logged and calls go on unscored; unknown exports are 404; exports need the token")
        func badLexiconAndExports() async throws {
            let broken = FileManager.default.temporaryDirectory.appendingPathComponent("lexicon-\(UUID().uuidString).txt")
            try "good\t1.9\n".write(to: broken, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: broken) }
            for lexicon in ["/nonexistent/vader_lexicon.txt", broken.path] {
                let bot = try TestBot(rules: [
                    ["on": ["name": "SetContext"], "reply": [Self.say("How was your experience with us?")]],
                    ["on": ["type": "message"], "reply": [Self.say("Goodbye."), ["type": "endOfConversation"]]],
                ])
                let gateway = try GatewayProcess(configuration: [
                    "phoneNumbers": [["number": Self.resolverNumber, "bot": "ext"]],
                    "bots": [["id": "ext", "kind": "external", "endpoint": bot.endpoint, "applicationId": "ext"]],
                    "sentiment": ["lexicon": lexicon],
                ])
                let warning = try #require(gateway.waitFor(event: "sentiment.lexicon_unavailable"), "\(lexicon)")
                #expect(warning["path"] == lexicon && warning["level"] == "warning", "\(warning)")
                let phone = try Self.dial(gateway, Self.resolverNumber, "wait\nsay \"\(Self.pleased)\"\nexpect hangup within 30\n")
                #expect(phone.waitForExit(timeout: 60) == 0, "\(phone.stdout)")
                let ended = try #require(gateway.waitFor(event: "call.ended"))
                let id = try #require(ended["conversation"])
                let conversation = try #require(try await ExternalBotHarness.closed(gateway, id))
                let words = ExternalBotHarness.turns(conversation).filter { $0["from"] as? String == "customer" && $0["kind"] as? String == "speech" }
                #expect(!words.isEmpty && words.allSatisfy { $0["sentiment"] == nil }, "heard, stored, unscored: \(words)")
                #expect(conversation["outcome"] as? String == "resolved" && conversation["sentiment"] is NSNull)
                let (code, body) = try await gateway.api("/api/v1/conversations/no-such-id/export")
                #expect(code == 404 && (body["error"] as? [String: Any])?["code"] as? String == "not_found", "\(body)")
                #expect(try await gateway.api("/api/v1/exports/transcripts.csv", token: nil).0 == 401)
                #expect(try await gateway.api("/api/v1/live", method: "POST", body: "{}").0 == 405)
                #expect(gateway.stop() == 0)
            }
        }

        static func text(_ gateway: GatewayProcess, _ path: String) async throws -> (status: Int, contentType: String, disposition: String, body: String) {
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(gateway.httpPort)\(path)")!)
            request.setValue("Bearer \(GatewayProcess.adminToken)", forHTTPHeaderField: "Authorization")
            let (data, response) = try await URLSession.shared.data(for: request)
            let http = response as? HTTPURLResponse
            return (http?.statusCode ?? 0, http?.value(forHTTPHeaderField: "Content-Type") ?? "",
                    http?.value(forHTTPHeaderField: "Content-Disposition") ?? "", String(decoding: data, as: UTF8.self))
        }
    }
}

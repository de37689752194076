import Foundation
import Testing

extension Integration {
    /// Issue 6's transfers end to end: a real gateway, the external test bot (a Python HTTP
    /// process driven by rules), sipp or `voicegate call` as the caller's side, and a
    /// `voicegate call --listen` or a bare UDP socket as what sits behind the trunk.
    @Suite(.serialized)
    struct TransferTests {
        static let organization = "+18005550100"
        static let target = "+14155550123"

        /// A gateway whose organization number goes to one external bot; the trunk sends
        /// transfers to `outboundPort` on loopback.
        static func gateway(bot: TestBot, makeCalls: Bool, outboundPort: Int, transfer: [String: Any] = [:],
                            number: [String: Any] = [:]) throws -> GatewayProcess {
            try GatewayProcess(configuration: [
                "trunks": [["name": "carrier", "sources": ["127.0.0.0/8"], "defaultCountryCode": "1",
                            "outbound": ["host": "127.0.0.1", "port": outboundPort], "transfer": transfer]],
                "phoneNumbers": [["number": organization, "bot": "ext", "makeCalls": makeCalls].merging(number) { $1 }],
                "bots": [["id": "ext", "kind": "external", "endpoint": bot.endpoint, "applicationId": "ext"]],
            ])
        }

        /// A test bot following `rules` (see Tests/Bots/test_bot.py --rules).
        static func bot(_ rules: [[String: Any]]) throws -> (TestBot, URL) {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("rules-\(UUID().uuidString).json")
            try JSONSerialization.data(withJSONObject: rules).write(to: file)
            return (try TestBot(["--rules", file.path]), file)
        }

        /// A sipp target behind the trunk that rings and never answers (uas_ring_cancel.xml), on a
        /// free loopback port.
        static func ringingTarget(_ extra: [String] = []) throws -> (SIPp.Running, Int) {
            let free = try RawSocket(type: SOCK_DGRAM, bindTo: "127.0.0.1")
            let port = free.localPort
            free.close()
            return (try SIPp.start("uas_ring_cancel.xml", port: 9, extra: ["-p", String(port)] + extra), port)
        }

        static func transferTo(_ target: String) -> [String: Any] {
            ["type": "event", "name": "TransferToPhoneNumber", "value": ["TargetPhoneNumber": target]]
        }

        static func events(_ bot: TestBot, _ name: String) -> [[String: Any]] {
            bot.received.map(\.activity).filter { $0["name"] as? String == name }
        }

        static func transfers(_ gateway: GatewayProcess, _ id: String) async throws -> [[String: Any]] {
            try await gateway.api("/api/v1/conversations/\(id)/transfers").1["transfers"] as? [[String: Any]] ?? []
        }

        @Test("with the privilege, the caller's side gets a REFER with Refer-To and Referred-By; 202 and NOTIFY 200 complete it")
        func referAccepted() async throws {
            let behindTrunk = try RawSocket(type: SOCK_DGRAM, bindTo: "127.0.0.1")
            let (bot, rules) = try Self.bot([
                ["on": ["name": "SetContext"], "reply": [["type": "message", "text": "One moment please."], Self.transferTo("+1 (415) 555-0123")]],
            ])
            defer { try? FileManager.default.removeItem(at: rules) }
            let gateway = try Self.gateway(bot: bot, makeCalls: true, outboundPort: behindTrunk.localPort,
                                           transfer: ["fallbackToBridge": false])
            let sipp = try SIPp.run("uac_refer_accept.xml", port: gateway.sipPort, service: Self.organization, extra: ["-trace_msg"])
            #expect(sipp.succeeded, "\(sipp.output)")
            let refer = sipp.output.components(separatedBy: "REFER sip:").dropFirst().first ?? ""
            #expect(refer.contains("Refer-To: <sip:\(Self.target)@127.0.0.1:\(behindTrunk.localPort)>") ||
                    refer.contains("Refer-To: sip:\(Self.target)@127.0.0.1:\(behindTrunk.localPort)"), "\(refer.prefix(1500))")
            let referredBy = refer.split(whereSeparator: \.isNewline).filter { $0.hasPrefix("Referred-By:") }
            #expect(referredBy.count == 1 && referredBy[0].contains("sip:\(Self.organization)@"), "\(referredBy)")

            let ended = try #require(gateway.waitFor(event: "call.ended"))
            let id = try #require(ended["conversation"])
            #expect(ended["reason"] == "transferred")
            let conversation = try #require(try await ExternalBotHarness.closed(gateway, id))
            #expect(conversation["outcome"] as? String == "transferred")
            let results = Self.events(bot, "TransferResult")
            #expect(results.count == 1)
            let value = results.first?["value"] as? [String: Any]
            #expect(value?["status"] as? String == "completed" && value?["target"] as? String == Self.target, "\(results)")
            #expect(try await eventually {
                bot.received.contains { $0.activity["type"] as? String == "endOfConversation" &&
                    ($0.activity["channelData"] as? [String: Any])?["reason"] as? String == "transferred" }
            })
            let audit = try await Self.transfers(gateway, id)
            #expect(audit.count == 1)
            #expect(audit.first?["decision"] as? String == "allowed" && audit.first?["result"] as? String == "completed"
                    && audit.first?["method"] as? String == "refer" && audit.first?["normalized"] as? String == Self.target, "\(audit)")
            #expect(behindTrunk.receive(timeout: 0.2) == nil, "a REFER transfer sends nothing to the trunk itself")
            #expect(try await gateway.metric("voicegate_transfers_total", labels: #"result="completed""#) == 1)
            #expect(gateway.stop() == 0)
        }

        @Test("without the privilege no SIP request leaves; the bot gets make_calls_privilege_missing and keeps the caller")
        func withoutPrivilege() async throws {
            let behindTrunk = try RawSocket(type: SOCK_DGRAM, bindTo: "127.0.0.1")
            let (bot, rules) = try Self.bot([
                ["on": ["name": "SetContext"], "reply": [Self.transferTo(Self.target)]],
                ["on": ["name": "TransferResult", "valueReason": "make_calls_privilege_missing"],
                 "reply": [["type": "message", "text": "I cannot transfer you. Goodbye."], ["type": "event", "name": "HangUp"]]],
            ])
            defer { try? FileManager.default.removeItem(at: rules) }
            let gateway = try Self.gateway(bot: bot, makeCalls: false, outboundPort: behindTrunk.localPort)
            // sipp fails on any request it does not expect: a REFER would fail the scenario.
            let sipp = try SIPp.run("uac_gateway_bye.xml", port: gateway.sipPort, service: Self.organization)
            #expect(sipp.succeeded, "\(sipp.output)")
            let ended = try #require(gateway.waitFor(event: "call.ended"))
            let id = try #require(ended["conversation"])
            let conversation = try #require(try await ExternalBotHarness.closed(gateway, id))
            #expect(conversation["outcome"] as? String == "resolved")
            let value = Self.events(bot, "TransferResult").first?["value"] as? [String: Any]
            #expect(value?["status"] as? String == "failed" && value?["reason"] as? String == "make_calls_privilege_missing", "\(String(describing: value))")
            // The bot went on talking to the caller after the refusal.
            #expect(ExternalBotHarness.botMessages(conversation).contains("I cannot transfer you. Goodbye."))
            let audit = try await Self.transfers(gateway, id)
            #expect(audit.count == 1 && audit.first?["decision"] as? String == "refused"
                    && audit.first?["reason"] as? String == "make_calls_privilege_missing", "\(audit)")
            #expect(gateway.events("transfer.refer_sent").isEmpty && gateway.events("transfer.bridge_dialing").isEmpty)
            #expect(behindTrunk.receive(timeout: 0.2) == nil, "nothing reached the trunk")
            #expect(try await gateway.metric("voicegate_transfers_total", labels: #"result="refused""#) == 1)
            #expect(try await gateway.metric("voicegate_transfers_total", labels: #"result="completed""#) == 0)
            #expect(gateway.stop() == 0)
        }

        /// Targets a bot (or a caller talking a bot into it) might send, each with the reason it
        /// must be refused for. The dialed number holds the privilege: only the target stops them.
        static let hostile: [(target: String, reason: String)] = [
            ("+19005550123", "destination_blocked"),          // US premium rate
            ("+19765550123", "destination_blocked"),          // US premium rate
            ("+881612345678", "destination_blocked"),         // Iridium satellite
            ("+870772001234", "destination_blocked"),         // Inmarsat
            ("+88213001234", "destination_blocked"),          // international network
            ("911", "emergency_number"),
            ("112", "emergency_number"),
            ("999", "emergency_number"),
            ("sip:+14155550123@evil.example.com", "invalid_number"),
            ("sips:+14155550123@evil.example.com", "invalid_number"),
            ("http://evil.example.com/", "invalid_number"),
            ("+14155550123&+19005550123", "invalid_number"),
            ("+14155550123,+19005550123", "invalid_number"),
            ("+14155550123;user=phone", "invalid_number"),
            ("+14155550123\r\nContact: <sip:evil@example.com>", "invalid_number"),
            ("+123456789012345678", "invalid_number"),        // longer than E.164
            ("+1415CALLNOW", "invalid_number"),
            ("1-800-FLOWERS", "invalid_number"),
            ("", "invalid_number"),
            ("   ", "invalid_number"),
            ("+442079460000", "destination_not_allowed"),     // another country than the organization's
            ("+4915112345678", "destination_not_allowed"),
        ]

        @Test("22 hostile targets are refused before any SIP leaves, each with its audit row and reason")
        func hostileTargets() async throws {
            let behindTrunk = try RawSocket(type: SOCK_DGRAM, bindTo: "127.0.0.1")
            // One call: each TransferResult makes the bot try the next target; the last one hangs up.
            var rules: [[String: Any]] = [["on": ["name": "SetContext"], "reply": [Self.transferTo(Self.hostile[0].target)]]]
            for next in Self.hostile.dropFirst() {
                rules.append(["on": ["name": "TransferResult"], "once": true, "reply": [Self.transferTo(next.target)]])
            }
            rules.append(["on": ["name": "TransferResult"], "reply": [["type": "event", "name": "HangUp"]]])
            let (bot, file) = try Self.bot(rules)
            defer { try? FileManager.default.removeItem(at: file) }
            let gateway = try Self.gateway(bot: bot, makeCalls: true, outboundPort: behindTrunk.localPort)
            let sipp = try SIPp.run("uac_gateway_bye.xml", port: gateway.sipPort, service: Self.organization)
            #expect(sipp.succeeded, "no REFER reached the caller's side: \(sipp.output)")
            let ended = try #require(gateway.waitFor(event: "call.ended"))
            let id = try #require(ended["conversation"])
            var audit: [[String: Any]] = []
            #expect(try await eventually {
                audit = try await Self.transfers(gateway, id)
                return audit.count == Self.hostile.count
            }, "\(audit.count) audit rows")
            for (row, expected) in zip(audit, Self.hostile) {
                #expect(row["decision"] as? String == "refused" && row["reason"] as? String == expected.reason,
                        "\(expected.target.debugDescription): \(row)")
                #expect(!(row["detail"] as? String ?? "").isEmpty)
            }
            let results = Self.events(bot, "TransferResult").compactMap { ($0["value"] as? [String: Any])?["reason"] as? String }
            #expect(results == Self.hostile.map(\.reason))
            #expect(gateway.events("transfer.refer_sent").isEmpty && gateway.events("transfer.bridge_dialing").isEmpty)
            #expect(behindTrunk.receive(timeout: 0.2) == nil, "nothing reached the trunk")
            #expect(gateway.stop() == 0)
        }

        @Test("a caller's side that refuses REFER is bridged instead: the target rings, answers, and each hears the other")
        func referRefusedFallsBackToBridge() async throws {
            let target = try SoftphoneProcess(["--listen", "0", "--calls", "1", "--play",
                                               Paths.packageRoot.appendingPathComponent("Sources/voicegate/Resources/reply.wav").path,
                                               "--record", "target.wav"])
            let targetPort = try #require(target.waitUntilListening(), "stderr: \(target.stderr)")
            let (bot, rules) = try Self.bot([
                ["on": ["name": "SetContext"], "reply": [["type": "message", "text": "Transferring you now."], Self.transferTo(Self.target)]],
            ])
            defer { try? FileManager.default.removeItem(at: rules) }
            let gateway = try Self.gateway(bot: bot, makeCalls: true, outboundPort: targetPort)
            // The bot's line, then whatever answers after the REFER is declined: the target's
            // recording. Then the caller speaks to the target.
            let caller = try ExternalBotHarness.phone(gateway, script: """
                wait
                expect speech within 20
                play \(Paths.corpus.appendingPathComponent("speech/01.wav").path)
                hangup
                """)
            #expect(caller.waitForExit(timeout: 60) == 0, "caller: \(caller.stdout) \(caller.stderr)")
            #expect(target.waitForExit(timeout: 30) == 0, "target: \(target.stdout) \(target.stderr)")
            let signals = caller.report["signals"] as? [[String: Any]] ?? []
            #expect(signals.contains { $0["method"] as? String == "REFER" && $0["response"] as? Int == 603 }, "\(caller.stdout)")
            #expect((target.report["from"] as? String)?.contains(Self.organization) == true, "caller ID: \(target.stdout)")
            #expect(!(target.report["heard"] as? [[String: Any]] ?? []).isEmpty, "the target heard the caller: \(target.stdout)")
            #expect(try PCMWave(contentsOf: target.folder.appendingPathComponent("target.wav")).frameLevels.filter { $0 >= 300 }.count >= 25)

            let ended = try #require(gateway.waitFor(event: "call.ended"))
            let id = try #require(ended["conversation"])
            let conversation = try #require(try await ExternalBotHarness.closed(gateway, id))
            #expect(conversation["outcome"] as? String == "transferred")
            let value = Self.events(bot, "TransferResult").first?["value"] as? [String: Any]
            #expect(value?["status"] as? String == "completed", "\(String(describing: value))")
            let audit = try await Self.transfers(gateway, id)
            #expect(audit.first?["result"] as? String == "completed" && audit.first?["method"] as? String == "bridge", "\(audit)")
            #expect(gateway.stop() == 0)
        }

        @Test("a REFER from the trunk is refused with 403, audited, and dials nothing: by default, and at another host",
              arguments: [(false, "refer_not_accepted"), (true, "refer_to_other_host")])
        func referFromTrunkIsRefused(acceptRefer: Bool, reason: String) async throws {
            let behindTrunk = try RawSocket(type: SOCK_DGRAM, bindTo: "127.0.0.1")
            let (bot, rules) = try Self.bot([])
            defer { try? FileManager.default.removeItem(at: rules) }
            let gateway = try Self.gateway(bot: bot, makeCalls: true, outboundPort: behindTrunk.localPort,
                                           transfer: ["acceptRefer": acceptRefer])
            // The REFER asks for a premium number at evil.example.com.
            let sipp = try SIPp.run("uac_sends_refer.xml", port: gateway.sipPort, service: Self.organization)
            #expect(sipp.succeeded, "the REFER got 403: \(sipp.output)")
            let ended = try #require(gateway.waitFor(event: "call.ended"))
            let id = try #require(ended["conversation"])
            #expect(gateway.events("transfer.refer_refused").count == 1)
            var audit: [[String: Any]] = []
            #expect(try await eventually {
                audit = try await Self.transfers(gateway, id)
                return !audit.isEmpty
            })
            #expect(audit.count == 1 && audit.first?["requestedBy"] as? String == "trunk" && audit.first?["decision"] as? String == "refused"
                    && audit.first?["reason"] as? String == reason, "\(audit)")
            let conversation = try #require(try await ExternalBotHarness.closed(gateway, id))
            #expect(ExternalBotHarness.turns(conversation).contains { $0["text"] as? String == "REFER from the trunk refused" })
            #expect(behindTrunk.receive(timeout: 0.2) == nil, "nothing was dialed")
            #expect(gateway.stop() == 0)
        }

        @Test("a trunk that accepts REFER moves the call: the gateway dials the Refer-To at the trunk, and the bot goes on there")
        func referFromTrunkIsFollowed() async throws {
            let target = try SoftphoneProcess(["--listen", "0", "--calls", "1", "--record", "target.wav"])
            let targetPort = try #require(target.waitUntilListening(), "stderr: \(target.stderr)")
            let (bot, rules) = try Self.bot([
                ["on": ["name": "SetContext"], "reply": [
                    ["type": "message", "text": "Thank you for calling. Please hold the line while we connect your call to the right place. It will only take a moment, and we appreciate your patience."],
                    ["type": "event", "name": "HangUp"]]],
            ])
            defer { try? FileManager.default.removeItem(at: rules) }
            let gateway = try Self.gateway(bot: bot, makeCalls: true, outboundPort: targetPort, transfer: ["acceptRefer": true])
            let sipp = try SIPp.run("uac_refer_from_trunk.xml", port: gateway.sipPort, service: Self.organization,
                                    extra: ["-set", "refer_to", "sip:\(Self.target)@127.0.0.1:\(targetPort)"])
            #expect(sipp.succeeded, "202, then NOTIFYs up to 200: \(sipp.output)")
            #expect(target.waitForExit(timeout: 40) == 0, "target: \(target.stdout) \(target.stderr)")
            #expect(target.report["answered"] as? Bool == true)
            #expect(!(target.report["heard"] as? [[String: Any]] ?? []).isEmpty, "the bot went on speaking on the new leg: \(target.stdout)")
            #expect((target.report["hangUp"] as? [String: Any])?["by"] as? String == "remote", "the bot's HangUp ended the new leg")

            let ended = try #require(gateway.waitFor(event: "call.ended"))
            let id = try #require(ended["conversation"])
            let conversation = try #require(try await ExternalBotHarness.closed(gateway, id))
            #expect(conversation["outcome"] as? String == "resolved")
            #expect(gateway.events("transfer.refer_followed").count == 1 && gateway.events("call.leg_replaced").count == 1)
            var audit: [[String: Any]] = []
            #expect(try await eventually {
                audit = try await Self.transfers(gateway, id)
                return audit.first?["result"] != nil
            })
            #expect(audit.first?["requestedBy"] as? String == "trunk" && audit.first?["decision"] as? String == "allowed"
                    && audit.first?["normalized"] as? String == Self.target && audit.first?["result"] as? String == "completed", "\(audit)")
            #expect(gateway.stop() == 0)
        }

        @Test("a caller who hangs up while the target rings: the target's INVITE is cancelled, the bot and the audit hear why")
        func callerHangsUpWhileTheTargetRings() async throws {
            let (target, targetPort) = try Self.ringingTarget(["-trace_msg"])
            let (bot, rules) = try Self.bot([
                ["on": ["name": "SetContext"], "reply": [["type": "message", "text": "Transferring you now."], Self.transferTo(Self.target)]],
            ])
            defer { try? FileManager.default.removeItem(at: rules) }
            let gateway = try Self.gateway(bot: bot, makeCalls: true, outboundPort: targetPort, number: ["transferCallerId": "caller"])
            // The caller listens to the ringback for a while, then gives up.
            let caller = try ExternalBotHarness.phone(gateway, script: "wait\npause 3\nhangup\n")
            #expect(caller.waitForExit(timeout: 60) == 0, "caller: \(caller.stdout) \(caller.stderr)")
            let result = target.wait()
            #expect(result.succeeded, "the target's INVITE was cancelled: \(result.output)")
            let invite = result.output.components(separatedBy: "INVITE sip:").dropFirst().first ?? ""
            let lines = invite.split(whereSeparator: \.isNewline)
            #expect(lines.contains { $0.hasPrefix("From:") && $0.contains("sip:\(ExternalBotHarness.caller)@") }, "caller ID: \(invite.prefix(1200))")
            #expect(lines.contains { $0.hasPrefix("P-Asserted-Identity:") && $0.contains(ExternalBotHarness.caller) })
            #expect(!invite.contains("X-VoiceGate"), "the gateway's private marks never leave it")

            let ended = try #require(gateway.waitFor(event: "call.ended"))
            let id = try #require(ended["conversation"])
            let conversation = try #require(try await ExternalBotHarness.closed(gateway, id))
            #expect(conversation["outcome"] as? String == "abandoned")
            #expect(try await eventually { Self.events(bot, "TransferResult").count == 1 })
            let value = Self.events(bot, "TransferResult").first?["value"] as? [String: Any]
            #expect(value?["status"] as? String == "failed" && value?["reason"] as? String == "caller_hung_up", "\(String(describing: value))")
            var audit: [[String: Any]] = []
            #expect(try await eventually {
                audit = try await Self.transfers(gateway, id)
                return audit.first?["result"] != nil
            })
            #expect(audit.first?["result"] as? String == "failed" && audit.first?["resultReason"] as? String == "caller_hung_up", "\(audit)")
            #expect(try await eventually {
                (try await gateway.api("/api/v1/conversations?state=active").1["conversations"] as? [Any])?.isEmpty == true
            }, "no call is left behind")
            #expect(gateway.stop() == 0)
        }

        @Test("a target that does not answer in time: the call is cancelled, the bot hears no_answer and keeps the caller")
        func targetDoesNotAnswer() async throws {
            let (target, targetPort) = try Self.ringingTarget()
            let (bot, rules) = try Self.bot([
                ["on": ["name": "SetContext"], "reply": [Self.transferTo(Self.target)]],
                ["on": ["name": "TransferResult", "valueReason": "no_answer"],
                 "reply": [["type": "message", "text": "Nobody answered. Goodbye."], ["type": "event", "name": "HangUp"]]],
            ])
            defer { try? FileManager.default.removeItem(at: rules) }
            let gateway = try Self.gateway(bot: bot, makeCalls: true, outboundPort: targetPort,
                                           transfer: ["method": "bridge", "timeoutSeconds": 2])
            let caller = try ExternalBotHarness.phone(gateway, script: "expect hangup within 30\n")
            #expect(caller.waitForExit(timeout: 60) == 0, "caller: \(caller.stdout) \(caller.stderr)")
            #expect(target.wait().succeeded, "the INVITE was cancelled at the timeout")
            let ended = try #require(gateway.waitFor(event: "call.ended"))
            let id = try #require(ended["conversation"])
            let conversation = try #require(try await ExternalBotHarness.closed(gateway, id))
            #expect(conversation["outcome"] as? String == "resolved")
            #expect(ExternalBotHarness.botMessages(conversation).contains("Nobody answered. Goodbye."), "the bot kept the caller")
            #expect(!ExternalBotHarness.heard(caller).isEmpty, "the caller heard ringback, then the bot")
            #expect(gateway.stop() == 0)
        }
    }
}

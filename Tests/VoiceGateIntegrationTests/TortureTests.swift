import Testing
import Foundation

/// RFC 4475's torture messages thrown at a running gateway, over UDP and over TCP.
///
/// From a trusted source, one message at a time, each from a loopback address of its own: each
/// answer is held against the corpus README's table (TortureTable), and after each message the
/// gateway must still run, answer an OPTIONS and complete a call. The corpus is spread over a few
/// gateways so that none sees two messages pjsip would file under one transaction
/// (TortureCorpus.rounds). From an untrusted source: no 2xx, and the gateway keeps serving.
extension Integration {
    @Suite struct TortureTests {
        /// How long silence means the gateway will not answer (it answers in milliseconds).
        static let quiet: TimeInterval = 0.5

        @Test("each RFC 4475 message from a trusted source gets the answer the corpus README expects; OPTIONS and a call work after each",
              arguments: [SIPp.Transport.udp, .tcp])
        func trustedSource(transport: SIPp.Transport) throws {
            let started = ContinuousClock.now
            let messages = try TortureCorpus.messages()
            #expect(messages.count == 49, "the corpus should hold RFC 4475's 49 messages")
            let table = Dictionary(uniqueKeysWithValues: TortureTable.cases.map { ($0.file, $0) })
            #expect(Set(table.keys) == Set(messages.map(\.name)), "the table and the corpus name the same files")
            let prefix = try TortureTests.sourcePrefix()
            let index = Dictionary(uniqueKeysWithValues: messages.enumerated().map { ($1.name, $0 + 1) })

            let rounds = TortureCorpus.rounds(messages)
            var finished: [GatewayProcess] = []
            for round in rounds {
                // pjsip's own log (level 4 shows every message sent, and every name it failed to
                // resolve) proves the gateway never sent, nor tried to send, a request of its own:
                // none went to the example.com hosts the corpus names.
                let gateway = try GatewayProcess(configuration: ["log": ["level": "debug", "sipLevel": 4]])
                for (name, data) in round {
                    guard let row = table[name], let n = index[name] else { continue }
                    try TortureTests.check(row, data, from: "\(prefix).\(n)", over: transport, gateway: gateway)
                }
                let requests = gateway.events("pjsip").compactMap { $0["text"] }
                    .filter { $0.range(of: #"(TX \d+ bytes|Failed to send) Request msg|Failed to resolve"#, options: .regularExpression) != nil }
                #expect(requests.isEmpty, "the gateway sent requests of its own: \(requests.prefix(3))")
                let answered = gateway.events("call.answered").count
                #expect(answered == 0 || gateway.waitFor(event: "call.ended", skipping: answered - 1) != nil,
                        "calls still up after the round: \(answered) answered, \(gateway.events("call.ended").count) ended")
                // It shuts down while the next round runs; its exit status is checked at the end.
                gateway.sendSignal(SIGTERM)
                finished.append(gateway)
            }
            for gateway in finished { #expect(gateway.waitForExit(timeout: 40) == 0, "a gateway did not exit cleanly: \(gateway.allLines.suffix(20))") }
            print("rfc4475 \(transport): \(messages.count) messages on \(rounds.count) gateways in \(ContinuousClock.now - started)")
        }

        /// Sends one message from `address`, holds the answer against the README, closes what it
        /// opened, then checks that the gateway still serves.
        static func check(_ row: TortureCase, _ data: Data, from address: String, over transport: SIPp.Transport,
                          gateway: GatewayProcess) throws {
            let label = "\(row.file) over \(transport)"
            // UDP from port 5060, as trunks send: a response pjsip routes by the Via alone (wsinv's
            // 481, sent before admission adds rport) goes to the sent-by port, 5060 by default.
            let peer = try SIPPeer(transport: transport, address: address, port: transport == .udp ? 5060 : 0, gatewayPort: gateway.sipPort)
            defer { peer.close() }
            try peer.send(data)

            let answer: TortureAnswer
            switch peer.finalResponse(quiet: quiet) {
            case .message(let response):
                answer = .status(response.status ?? 0, response.reason)
                try closeCall(after: response, peer: peer, gateway: gateway, label)
            case .nothing: answer = .nothing
            case .closed: answer = .closed
            }
            let expected = row.expected(over: transport)
            print("rfc4475 \(transport) \(row.file): \(answer) (README: \(expected))")
            if let gap = row.gap(over: transport) {
                withKnownIssue(Comment(rawValue: "\(label): \(gap)")) {
                    #expect(expected.accepts(answer), "\(label): answered \(answer), the README expects \(expected)")
                }
            } else {
                #expect(expected.accepts(answer), "\(label): answered \(answer), the README expects \(expected)")
            }

            #expect(gateway.process.isRunning, "the gateway died after \(label): \(gateway.allLines.suffix(20))")
            let ping = try SIPPeer(transport: transport, address: "127.0.0.1", gatewayPort: gateway.sipPort)
            defer { ping.close() }
            #expect(try ping.ping() == 200, "OPTIONS after \(label)")
            let call = try SIPp.run("uac_call.xml", port: gateway.sipPort, transport: transport, holdMilliseconds: 100)
            #expect(call.succeeded, "a call after \(label): \(call.output)")
        }

        /// An answered INVITE (its Contact and Via point at example.com hosts) is ended by the
        /// test, ACK and BYE on the same socket, so the gateway never sends a request of its own
        /// there; a refused one gets its ACK.
        static func closeCall(after response: SIPMessage, peer: SIPPeer, gateway: GatewayProcess, _ label: String) throws {
            let bye = try peer.endDialog(after: response)
            guard response.cseq?.method == "INVITE", let status = response.status, (200..<300).contains(status) else { return }
            #expect(bye == 200, "BYE for the call \(label) opened")
            let callID = response.header("Call-ID") ?? ""
            // pjsua_call_info holds 128 characters of a Call-ID: longreq's is longer.
            let ended = gateway.waitFor(event: "call.ended") { ($0["sip_call_id"]).map { !$0.isEmpty && callID.hasPrefix($0) } ?? false }
            #expect(ended != nil, "the gateway did not end the call \(label) opened")
        }

        /// A /24 in 127/8 (random, so parallel runs do not meet) where 127.x.y.1:5060 binds; the
        /// test trunk trusts all of 127/8.
        static func sourcePrefix() throws -> String {
            var lastError: Error?
            for _ in 0..<20 {
                let prefix = "127.\(Int.random(in: 64...254)).\(Int.random(in: 1...254))"
                do {
                    _ = try RawSocket(type: SOCK_DGRAM, bindTo: "\(prefix).1", port: 5060)
                    return prefix
                } catch { lastError = error }
            }
            throw lastError!
        }

        @Test("every RFC 4475 message from an untrusted source: never a 2xx, and the gateway still serves")
        func untrustedSource() async throws {
            let messages = try TortureCorpus.messages()
            // The messages come from 127.0.0.2, which this trunk does not trust: pjsip's parser
            // sees every byte, but admission refuses what would start something, so no dialog
            // points at the example.com hosts.
            let gateway = try GatewayProcess(configuration: ["trunks": [["name": "test", "sources": ["127.0.0.1/32"]]]])

            let udp = try RawSocket(type: SOCK_DGRAM, bindTo: "127.0.0.2")
            for (_, data) in messages { try udp.send(data, to: gateway.sipPort) }
            var answers = 0
            while let reply = udp.receive(timeout: 2) {
                answers += 1
                let statusLine = String(decoding: reply.prefix(40), as: UTF8.self)
                #expect(!statusLine.hasPrefix("SIP/2.0 2"), "an untrusted source must never get a 2xx: \(statusLine)")
            }
            #expect(answers >= 20, "the well-formed requests get answers (got \(answers))")

            for (_, data) in messages {
                let tcp = try RawSocket(type: SOCK_STREAM, bindTo: "127.0.0.2")
                try tcp.connect(to: gateway.sipPort)
                try? tcp.send(data)   // the gateway may close the connection on a bad message: fine
                if let reply = tcp.receive(timeout: 0.2) {
                    let statusLine = String(decoding: reply.prefix(40), as: UTF8.self)
                    #expect(!statusLine.hasPrefix("SIP/2.0 2"), "an untrusted source must never get a 2xx: \(statusLine)")
                }
                tcp.close()
            }

            #expect(gateway.process.isRunning, "the gateway died: \(gateway.allLines.suffix(20))")
            #expect(gateway.events("call.answered").isEmpty)
            let options = try SIPp.run("uac_options.xml", port: gateway.sipPort)
            #expect(options.succeeded, "OPTIONS after the corpus: \(options.output)")
            let call = try SIPp.run("uac_call.xml", port: gateway.sipPort, holdMilliseconds: 1000)
            #expect(call.succeeded, "a call after the corpus: \(call.output)")
            let refused = try await gateway.metric("voicegate_sip_refusals_total", labels: "reason=\"untrusted_source\"") ?? 0
            #expect(refused >= 13, "admission refused \(refused)")
            #expect(gateway.stop() == 0)
        }
    }
}

import Testing
import Foundation

/// Calls in from trunks over UDP, TCP and TLS: who called and which number they dialed reach the
/// conversation's variables (read back through the admin API), and every refusal has its code.
/// sipp is the trunk; over TLS it speaks through stunnel (sipp here has no TLS of its own).
extension Integration {
    @Suite(.serialized) struct TrunkTests {
        enum Path: String, CaseIterable { case udp, tcp, tls }

        /// One gateway for the suite's cases: a plain trunk on 127.0.0.1 (national numbers are
        /// North American), Digest trunks on 127.0.0.3 (MD5, for sipp) and 127.0.0.5 (SHA-256 only).
        static func gateway() throws -> GatewayProcess {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("trunk-tls-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let (cert, key) = try TestCertificate.make(in: folder)
            return try GatewayProcess(configuration: [
                "sip": ["tls": ["port": 0, "certificate": cert, "privateKey": key]],
                "trunks": [
                    ["name": "carrier", "sources": ["127.0.0.1/32"], "defaultCountryCode": "1"],
                    ["name": "secure", "sources": ["127.0.0.3/32"],
                     "credentials": ["username": "trunk1", "password": "pw-secret-123", "algorithms": ["MD5"]]],
                    ["name": "modern", "sources": ["127.0.0.5/32"],
                     "credentials": ["username": "trunk5", "password": "pw-secret-555", "algorithms": ["SHA-256"]]],
                ],
                "phoneNumbers": [["number": "+18005550100", "bot": "support"],
                                 ["number": "+18005550111", "bot": "support", "voiceEnabled": false],
                                 ["number": "+18005550122", "bot": "off"]],
                "sipHeaders": [["header": "X-Customer-Tier", "variable": "CustomerTier"],
                               ["header": "User-to-User", "variable": "UUI"],
                               ["header": "X-Case", "variable": "TestCase"]],
                "bots": [["id": "support", "kind": "embedded", "applicationId": "app-support"],
                         ["id": "off", "kind": "embedded", "applicationId": "app-off", "enabled": false]],
            ])
        }

        /// sipp reaches the gateway on this port for a path, sending from `source`.
        final class Peer {
            let gateway: GatewayProcess
            var tunnels: [String: TLSTunnel] = [:]
            init(_ gateway: GatewayProcess) { self.gateway = gateway }

            func port(_ path: Path, source: String) throws -> Int {
                guard path == .tls else { return gateway.sipPort }
                if let t = tunnels[source] { return t.port }
                let t = try TLSTunnel(to: gateway.tlsPort, from: source)
                tunnels[source] = t
                return t.port
            }

            func run(_ scenario: String, _ path: Path, source: String = "127.0.0.1", service: String = "+18005550100",
                     extra: [String] = []) throws -> SIPp.Result {
                try SIPp.run(scenario, port: port(path, source: source), transport: path == .udp ? .udp : .tcp,
                             holdMilliseconds: 100, source: path == .tls ? "127.0.0.1" : source, service: service, extra: extra)
            }
        }

        /// A caller-ID case: the request's parts, and what the bot must see.
        struct IdentityCase: Sendable {
            let name: String
            var ruri = "sip:+18005550100@gateway.test"
            var from = "\"Caller\" <sip:+15550001111@carrier.test>"
            var to = "<sip:+18005550100@gateway.test>"
            var headers: [String] = []
            let customer: String
            var organization = "+18005550100"
            var withheld = false
            var extra: [String: String] = [:]
        }

        static let identityCases: [IdentityCase] = [
            IdentityCase(name: "pai", headers: ["P-Asserted-Identity: \"Ann\" <sip:+14155550123@carrier.test>, <tel:+14155550123>",
                                                "X-Customer-Tier: gold"],
                         customer: "+14155550123", extra: ["CustomerTier": "gold"]),
            IdentityCase(name: "rpid", headers: ["Remote-Party-ID: \"Bo\" <sip:4155550124@carrier.test>;party=calling;screen=yes",
                                                 "User-to-User: 00ab12;encoding=hex"],
                         customer: "+14155550124", extra: ["UUI": "00ab12;encoding=hex"]),
            IdentityCase(name: "from-plus", customer: "+15550001111"),
            IdentityCase(name: "from-00", from: "<sip:0014155550125@carrier.test>", customer: "+14155550125"),
            IdentityCase(name: "from-011", from: "<sip:01114155550126@carrier.test>", customer: "+14155550126"),
            IdentityCase(name: "from-national", from: "<sip:(415)555-0128@carrier.test>", customer: "+14155550128"),
            IdentityCase(name: "tel-uri", headers: ["P-Asserted-Identity: <tel:+1-415-555-0127>"], customer: "+14155550127"),
            IdentityCase(name: "tel-ruri", ruri: "tel:+1-800-555-0100", customer: "+15550001111"),
            IdentityCase(name: "privacy-id", headers: ["P-Asserted-Identity: <tel:+14155550123>", "Privacy: id"],
                         customer: "", withheld: true),
            IdentityCase(name: "rpid-privacy-full", from: "<sip:+14155550123@carrier.test>",
                         headers: ["Remote-Party-ID: <sip:+14155550123@carrier.test>;party=calling;privacy=full"],
                         customer: "", withheld: true),
            IdentityCase(name: "anonymous", from: "\"Anonymous\" <sip:anonymous@anonymous.invalid>", customer: "", withheld: true),
            IdentityCase(name: "no-number", from: "<sip:alice@example.com>", customer: "", withheld: true),
            IdentityCase(name: "ruri-over-to", to: "<sip:+18005559999@gateway.test>", customer: "+15550001111"),
            IdentityCase(name: "to-when-ruri-has-no-user", ruri: "sip:gateway.test", to: "<sip:8005550100@gateway.test>",
                         customer: "+15550001111"),
        ]

        @Test("caller ID and dialed number reach the conversation's variables, over UDP, TCP and TLS")
        func identities() async throws {
            let gateway = try TrunkTests.gateway()
            let peer = Peer(gateway)
            for path in Path.allCases {
                for c in TrunkTests.identityCases {
                    let tag = "\(c.name)-\(path.rawValue)"
                    var keys = ["-key", "ruri", c.ruri, "-key", "from", c.from, "-key", "to", c.to]
                    let lines = c.headers + ["X-Case: \(tag)"] + Array(repeating: "X-Pad: 1", count: 3)
                    for (i, line) in lines.prefix(3).enumerated() { keys += ["-key", "h\(i + 1)", line] }
                    let call = try peer.run("uac_identity.xml", path, extra: keys)
                    try #require(call.succeeded, "\(tag): \(call.output)")
                    let conversation = try #require(try await gateway.conversations().first {
                        ($0["variables"] as? [String: Any])?["TestCase"] as? String == tag
                    }, "\(tag): no conversation")
                    let variables = conversation["variables"] as? [String: Any] ?? [:]
                    #expect(variables["bot.CustomerPhoneNumber"] as? String == c.customer, "\(tag): \(variables)")
                    #expect(variables["bot.OrganizationPhoneNumber"] as? String == c.organization, "\(tag): \(variables)")
                    #expect(conversation["callerWithheld"] as? Bool == c.withheld, "\(tag)")
                    #expect(variables["TrunkName"] as? String == "carrier", "\(tag)")
                    #expect((variables["SipCallId"] as? String)?.isEmpty == false, "\(tag)")
                    for (name, value) in c.extra { #expect(variables[name] as? String == value, "\(tag): \(name)") }
                    #expect(conversation["bot"] as? String == "support")
                }
            }
            #expect(gateway.stop() == 0)
        }

        @Test("refusals: 403 untrusted, 401 then 200 with credentials, 403 wrong ones, 404, 480, 488; over UDP, TCP and TLS")
        func refusals() async throws {
            let gateway = try TrunkTests.gateway()
            let peer = Peer(gateway)
            for path in Path.allCases {
                let before = try await gateway.conversations().count
                let untrusted = try peer.run("uac_forbidden.xml", path, source: "127.0.0.2")
                #expect(untrusted.succeeded, "\(path) untrusted: \(untrusted.output)")
                #expect(try await gateway.conversations().count == before, "\(path): an untrusted INVITE created a conversation")

                let unknown = try peer.run("uac_refused_404.xml", path, service: "+18005550199")
                #expect(unknown.succeeded, "\(path) 404: \(unknown.output)")
                let noVoice = try peer.run("uac_refused_480.xml", path, service: "+18005550111")
                #expect(noVoice.succeeded, "\(path) 480 voice: \(noVoice.output)")
                let botOff = try peer.run("uac_refused_480.xml", path, service: "8005550122")
                #expect(botOff.succeeded, "\(path) 480 bot: \(botOff.output)")
                let noCodec = try peer.run("uac_no_codec.xml", path)
                #expect(noCodec.succeeded, "\(path) 488: \(noCodec.output)")
                #expect(try await gateway.conversations().count == before, "\(path): a refused INVITE created a conversation")

                let digest = try peer.run("uac_digest.xml", path, source: "127.0.0.3", extra: ["-au", "trunk1", "-ap", "pw-secret-123"])
                #expect(digest.succeeded, "\(path) digest: \(digest.output)")
                let wrong = try peer.run("uac_digest_refused.xml", path, source: "127.0.0.3", extra: ["-au", "trunk1", "-ap", "wrong"])
                #expect(wrong.succeeded, "\(path) wrong password: \(wrong.output)")
                let nobody = try peer.run("uac_digest_refused.xml", path, source: "127.0.0.3", extra: ["-au", "nobody", "-ap", "wrong"])
                #expect(nobody.succeeded, "\(path) unknown user: \(nobody.output)")
                let options = try peer.run("uac_options.xml", path, source: "127.0.0.3")
                #expect(options.succeeded, "\(path) OPTIONS from a Digest trunk: \(options.output)")
            }
            let refusals = gateway.events("sip.refused")
            for (reason, status, count) in [("untrusted_source", "403", 3), ("unknown_number", "404", 3), ("voice_disabled", "480", 3),
                                            ("bot_disabled", "480", 3), ("bad_credentials", "403", 6)] {
                let lines = refusals.filter { $0["reason"] == reason }
                #expect(lines.count == count, "\(reason): \(lines)")
                #expect(lines.allSatisfy { $0["status"] == status && $0["source"]?.contains(":") == true })
                #expect(try await gateway.metric("voicegate_sip_refusals_total", labels: "reason=\"\(reason)\"") == count)
            }
            #expect(Set(refusals.compactMap { $0["transport"] }) == ["UDP", "TCP", "TLS"])
            // Secrets never reach the log.
            #expect(!gateway.allLines.contains { $0.contains("pw-secret") || $0.contains(GatewayProcess.adminToken) })
            #expect(gateway.stop() == 0)
        }

        @Test("at the call limit: 503 with Retry-After over UDP, TCP and TLS, and no conversation for the refused calls")
        func atCapacity() async throws {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("trunk-busy-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let (cert, key) = try TestCertificate.make(in: folder)
            let gateway = try GatewayProcess(configuration: [
                "sip": ["tls": ["port": 0, "certificate": cert, "privateKey": key]],
                "calls": ["maxConcurrent": 1, "retryAfterSeconds": 9]])
            let held = try SIPp.start("uac_call.xml", port: gateway.sipPort, holdMilliseconds: 5_000)
            _ = try #require(gateway.waitFor(event: "call.answered"))
            let peer = Peer(gateway)
            for path in Path.allCases {
                let busy = try peer.run("uac_busy.xml", path)
                #expect(busy.succeeded, "\(path): \(busy.output)")
            }
            let refused = gateway.events("sip.refused").filter { $0["reason"] == "at_capacity" }
            #expect(Set(refused.compactMap { $0["transport"] }) == ["UDP", "TCP", "TLS"], "\(refused)")
            #expect(try await gateway.conversations().count == 1, "only the held call has a conversation")
            let heldResult = held.wait()
            #expect(heldResult.succeeded, "the call in progress: \(heldResult.output)")
            #expect(gateway.stop() == 0)
        }

        @Test("a SHA-256 Digest trunk: voicegate call answers the challenge; a wrong password gets 403")
        func sha256() async throws {
            let gateway = try TrunkTests.gateway()
            let (status, ok) = try SoftphoneProcess.call(["+18005550100", "--gateway", "127.0.0.1:\(gateway.sipPort)", "--bind", "127.0.0.5",
                                                          "--user", "trunk5", "--password", "pw-secret-555", "--dtmf", "1"])
            #expect(status == 0, "\(ok.stderr)")
            #expect(ok.report["answered"] as? Bool == true, "\(ok.report)")
            let conversation = try #require(try await gateway.conversations().first)
            #expect((conversation["variables"] as? [String: Any])?["TrunkName"] as? String == "modern")
            let (_, refused) = try SoftphoneProcess.call(["+18005550100", "--gateway", "127.0.0.1:\(gateway.sipPort)", "--bind", "127.0.0.5",
                                                          "--user", "trunk5", "--password", "nope"])
            #expect(refused.report["status"] as? Int == 403, "\(refused.report)")
            #expect(refused.report["answered"] as? Bool == false)
            let challenge = try #require(gateway.events("sip.refused").first { $0["status"] == "401" })
            #expect(challenge["reason"] == "auth_required")

            // The same over TLS, pjsip to pjsip: the softphone's TLS against the gateway's.
            let (tlsStatus, tls) = try SoftphoneProcess.call(["+18005550100", "--gateway", "127.0.0.1:\(gateway.tlsPort)",
                                                              "--transport", "tls", "--bind", "127.0.0.5",
                                                              "--user", "trunk5", "--password", "pw-secret-555", "--dtmf", "2"])
            #expect(tlsStatus == 0, "\(tls.stderr)")
            #expect(tls.report["answered"] as? Bool == true, "\(tls.report)")
            let overTLS = try #require(gateway.events("call.answered").last)
            let started = try #require(try await gateway.conversations().first?["transcript"] as? [[String: Any]]).first
            #expect((started?["data"] as? [String: Any])?["transport"] as? String == "TLS", "\(overTLS)")
            #expect(gateway.stop() == 0)
        }
    }
}

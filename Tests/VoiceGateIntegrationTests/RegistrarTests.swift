import Testing
import Foundation

/// The gateway as a registrar for its configured agents: sipp and `voicegate call --register`
/// register, refresh, query and unregister; failed authentication always looks the same; agents
/// register from addresses no trunk trusts.
extension Integration {
    @Suite struct RegistrarTests {
        /// MD5 only: sipp computes nothing else.
        static var agents: [[String: Any]] { [
            ["id": "a-100", "name": "Alice", "username": "alice", "password": "alice-secret-1", "algorithms": ["MD5"]],
            ["id": "a-200", "username": "bob", "password": "bob-secret-2", "algorithms": ["MD5"]],
            ["id": "a-300", "contact": "sip:carol@127.0.0.1:5999"],
        ] }
        static let alice = ["-au", "alice", "-ap", "alice-secret-1"]

        @Test("no credentials: 401; 30 s: 423 Min-Expires 60; 7200 s granted 3600; 120 s granted; a query lists it; Expires 0 unregisters")
        func registerRefreshQueryUnregister() async throws {
            let gateway = try GatewayProcess(configuration: ["agents": Self.agents])
            let sipp = try SIPp.run("uac_register.xml", port: gateway.sipPort, service: "alice", extra: Self.alice)
            #expect(sipp.succeeded, "sipp: \(sipp.output)")

            let challenged = try #require(gateway.waitFor(event: "agent.register_refused"))
            #expect(challenged["reason"] == "auth_required" && challenged["status"] == "401" && challenged["aor"] == "alice")
            #expect(challenged["agent"] == nil, "no agent is named before the password is proven")
            let brief = try #require(gateway.waitFor(event: "agent.register_refused", skipping: 1))
            #expect(brief["reason"] == "interval_too_brief" && brief["status"] == "423" && brief["agent"] == "a-100")
            let clamped = try #require(gateway.waitFor(event: "agent.registered"))
            #expect(clamped["agent"] == "a-100" && clamped["expires"] == "3600" && clamped["bindings"] == "1")
            #expect(clamped["contact"]?.hasPrefix("sip:alice@127.0.0.1:") == true, "\(clamped)")
            #expect(clamped["source"]?.hasPrefix("127.0.0.1:") == true)
            let refreshed = try #require(gateway.waitFor(event: "agent.registered", skipping: 1))
            #expect(refreshed["expires"] == "120" && refreshed["bindings"] == "1", "one binding per contact: \(refreshed)")
            let query = try #require(gateway.waitFor(event: "agent.register_query"))
            #expect(query["agent"] == "a-100" && query["bindings"] == "1")
            let gone = try #require(gateway.waitFor(event: "agent.unregistered"))
            #expect(gone["agent"] == "a-100" && gone["reason"] == "request" && gone["bindings"] == "0")

            // What the rest of the gateway is told (SIPEndpoint.registrationChanged): registered
            // once, on the first binding, and unregistered once, on the last.
            let up = try #require(gateway.waitFor(event: "agent.registration_changed"))
            #expect(up["agent"] == "a-100" && up["registered"] == "true")
            let down = try #require(gateway.waitFor(event: "agent.registration_changed", skipping: 1))
            #expect(down["agent"] == "a-100" && down["registered"] == "false")
            #expect(gateway.events("agent.registration_changed").count == 2)

            #expect(try await gateway.metric("voicegate_agent_register_refusals_total", labels: "reason=\"auth_required\"") == 1)
            #expect(try await gateway.metric("voicegate_agent_register_refusals_total", labels: "reason=\"interval_too_brief\"") == 1)
            #expect(try await gateway.metric("voicegate_agents_registered") == 0)
            #expect(gateway.events("sip.refused").isEmpty, "REGISTER never reaches trunk admission")
            #expect(!gateway.allLines.joined().contains("alice-secret-1"), "never the password")
            #expect(!gateway.allLines.joined().contains("response="), "never the digest response")
            #expect(gateway.stop() == 0)
        }

        /// A REGISTER over the raw peer, with the Authorization given.
        static func register(_ peer: SIPPeer, gatewayPort: Int, cseq: Int, aor: String = "alice", authorization: String? = nil) throws -> SIPMessage? {
            let branch = "z9hG4bK-\(UUID().uuidString)"
            var text = "REGISTER sip:127.0.0.1:\(gatewayPort) SIP/2.0\r\n" +
                "Via: SIP/2.0/UDP 127.0.0.1:\(peer.localPort);rport;branch=\(branch)\r\n" +
                "Max-Forwards: 70\r\nFrom: <sip:\(aor)@127.0.0.1>;tag=raw-register\r\nTo: <sip:\(aor)@127.0.0.1>\r\n" +
                "Call-ID: raw-register-\(gatewayPort)@127.0.0.1\r\nCSeq: \(cseq) REGISTER\r\n" +
                "Contact: <sip:\(aor)@127.0.0.1:\(peer.localPort)>\r\nExpires: 600\r\n"
            if let authorization { text += "Authorization: \(authorization)\r\n" }
            text += "Content-Length: 0\r\n\r\n"
            try peer.send(Data(text.utf8))
            guard case .message(let answer) = peer.finalResponse(cseqMethod: "REGISTER", quiet: 5) else { return nil }
            return answer
        }

        @Test("an unknown user, a wrong password and no credentials get the same 401, headers and all, but the nonce")
        func failedAuthenticationLooksTheSame() async throws {
            let gateway = try GatewayProcess(configuration: ["agents": Self.agents])
            let peer = try SIPPeer(transport: .udp, address: "127.0.0.1", gatewayPort: gateway.sipPort)
            defer { peer.close() }
            let port = gateway.sipPort
            let none = try #require(try Self.register(peer, gatewayPort: port, cseq: 1))
            let challenge = try #require(none.header("WWW-Authenticate"))
            let nonce = try #require(challenge.firstMatch(of: /nonce="([^"]+)"/)?.1)
            func digest(_ user: String) -> String {
                "Digest username=\"\(user)\", realm=\"voicegate\", nonce=\"\(nonce)\", uri=\"sip:127.0.0.1:\(port)\", " +
                    "response=\"0123456789abcdef0123456789abcdef\", algorithm=MD5, cnonce=\"c0ffee\", qop=auth, nc=00000001"
            }
            let unknown = try #require(try Self.register(peer, gatewayPort: port, cseq: 2, authorization: digest("mallory")))
            let wrong = try #require(try Self.register(peer, gatewayPort: port, cseq: 3, authorization: digest("alice")))
            // The headers that do not echo the request (Via, From, To with its tag, Call-ID, CSeq).
            func shape(_ m: SIPMessage) -> [String] {
                let echoed: Set<String> = ["via", "from", "to", "call-id", "cseq"]
                return [m.startLine] + m.headers.filter { !echoed.contains($0.name.lowercased()) }.map { header in
                    "\(header.name): " + header.value.replacing(/nonce="[^"]*"/, with: "nonce=\"…\"")
                }
            }
            #expect(none.status == 401)
            #expect(shape(none).contains("WWW-Authenticate: Digest realm=\"voicegate\", nonce=\"…\", algorithm=MD5, qop=\"auth\""), "\(shape(none))")
            #expect(shape(unknown) == shape(none))
            #expect(shape(wrong) == shape(none))

            // sipp computes real digests: a wrong password, and an unknown user on alice's address.
            let wrongPassword = try SIPp.run("uac_register_refused.xml", port: port, service: "alice", extra: ["-au", "alice", "-ap", "not-her-password"])
            #expect(wrongPassword.succeeded, "sipp: \(wrongPassword.output)")
            let nobody = try SIPp.run("uac_register_refused.xml", port: port, service: "alice", extra: ["-au", "nobody", "-ap", "whatever"])
            #expect(nobody.succeeded, "sipp: \(nobody.output)")
            // An agent without credentials never registers, even with their id as username.
            let carol = try SIPp.run("uac_register_refused.xml", port: port, service: "a-300", extra: ["-au", "a-300", "-ap", "x"])
            #expect(carol.succeeded, "sipp: \(carol.output)")
            // Alice's credentials register alice only.
            let bobs = try SIPp.run("uac_register_forbidden.xml", port: port, service: "bob", extra: Self.alice)
            #expect(bobs.succeeded, "sipp: \(bobs.output)")
            let mismatch = try #require(gateway.waitFor(event: "agent.register_refused") { $0["reason"] == "aor_mismatch" })
            #expect(mismatch["status"] == "403" && mismatch["agent"] == "a-100" && mismatch["aor"] == "bob")

            // The log tells the operator (and fail2ban) what the caller was not told.
            let refused = gateway.events("agent.register_refused")
            #expect(refused.filter { $0["reason"] == "wrong_password" }.count == 2, "\(refused)")
            #expect(refused.filter { $0["reason"] == "unknown_user" }.count == 3, "\(refused)")
            #expect(refused.filter { $0["reason"] == "unknown_user" || $0["reason"] == "wrong_password" }.allSatisfy { $0["level"] == "warning" })
            #expect(gateway.events("agent.registered").isEmpty)
            #expect(try await gateway.metric("voicegate_agent_register_refusals_total", labels: "reason=\"wrong_password\"") == 2)
            #expect(gateway.stop() == 0)
        }

        @Test("from an address no trunk trusts, an INVITE gets 403 and a REGISTER its 401 and 200")
        func agentsRegisterFromUntrustedAddresses() throws {
            let gateway = try GatewayProcess(configuration: ["trunks": [["name": "carrier", "sources": ["192.0.2.0/24"]]],
                                                             "agents": Self.agents])
            let invite = try SIPp.run("uac_forbidden.xml", port: gateway.sipPort)
            #expect(invite.succeeded, "sipp: \(invite.output)")
            let refused = try #require(gateway.waitFor(event: "sip.refused"))
            #expect(refused["method"] == "INVITE" && refused["status"] == "403" && refused["reason"] == "untrusted_source")

            // The agent's id is an address-of-record too.
            let register = try SIPp.run("uac_register.xml", port: gateway.sipPort, service: "a-100", extra: Self.alice)
            #expect(register.succeeded, "sipp: \(register.output)")
            let registered = try #require(gateway.waitFor(event: "agent.registered"))
            #expect(registered["agent"] == "a-100" && registered["aor"] == "a-100")
            _ = try #require(gateway.waitFor(event: "agent.unregistered"))
            #expect(gateway.events("sip.refused").count == 1, "only the INVITE: \(gateway.events("sip.refused"))")
            #expect(gateway.stop() == 0)
        }

        @Test("without agents who can register, a REGISTER is what it was: 405 from a trunk")
        func noRegistrarWithoutAgents() throws {
            let gateway = try GatewayProcess(configuration: ["agents": [["id": "a-300", "contact": "sip:carol@127.0.0.1:5999"]]])
            let peer = try SIPPeer(transport: .udp, address: "127.0.0.1", gatewayPort: gateway.sipPort)
            defer { peer.close() }
            let answer = try #require(try Self.register(peer, gatewayPort: gateway.sipPort, cseq: 1))
            #expect(answer.status == 405, "\(answer)")
            #expect(gateway.events("agent.register_refused").isEmpty)
            #expect(gateway.stop() == 0)
        }

        @Test("voicegate call --listen 0 --register registers the agent's phone and unregisters it on exit")
        func softphoneRegisters() async throws {
            let gateway = try GatewayProcess(configuration: ["agents": Self.agents])
            let phone = try SoftphoneProcess(["--listen", "0", "--register", "sip:127.0.0.1:\(gateway.sipPort)",
                                              "--user", "alice", "--password", "alice-secret-1"])
            let port = try #require(phone.waitUntilListening(), "stderr: \(phone.stderr)")
            let registered = try #require(phone.waitForEvent("softphone.registered", timeout: 20), "stderr: \(phone.stderr)")
            #expect(registered["status"] == "200")
            #expect(registered["aor"] == "sip:alice@127.0.0.1")
            #expect((60...3600).contains(Int(registered["expires"] ?? "") ?? 0), "\(registered)")

            let line = try #require(gateway.waitFor(event: "agent.registered"))
            #expect(line["agent"] == "a-100" && line["aor"] == "alice")
            #expect(line["contact"]?.hasPrefix("sip:alice@127.0.0.1:\(port)") == true, "the phone's own contact: \(line)")
            #expect(line["expires"] == registered["expires"])
            let up = try #require(gateway.waitFor(event: "agent.registration_changed"))
            #expect(up["agent"] == "a-100" && up["registered"] == "true")
            #expect(try await gateway.metric("voicegate_agents_registered") == 1)

            phone.signal(SIGTERM)
            #expect(phone.waitForExit(timeout: 20) == 0, "stderr: \(phone.stderr)")
            let unregistered = try #require(phone.waitForEvent("softphone.unregistered", timeout: 1), "stderr: \(phone.stderr)")
            #expect(unregistered["status"] == "200")
            let gone = try #require(gateway.waitFor(event: "agent.unregistered"))
            #expect(gone["agent"] == "a-100" && gone["reason"] == "request")
            let down = try #require(gateway.waitFor(event: "agent.registration_changed", skipping: 1))
            #expect(down["registered"] == "false")
            #expect(try await gateway.metric("voicegate_agents_registered") == 0)
            #expect(gateway.stop() == 0)
        }

        @Test("a softphone whose registration is refused exits 1 and says why")
        func softphoneRefused() throws {
            let gateway = try GatewayProcess(configuration: ["agents": Self.agents])
            let gatewayURI = "sip:127.0.0.1:\(gateway.sipPort)"
            let (wrong, phone) = try SoftphoneProcess.call(["--listen", "0", "--register", gatewayURI,
                                                            "--user", "alice", "--password", "wrong"], timeout: 60)
            #expect(wrong == 1, "stderr: \(phone.stderr)")
            #expect(phone.stderr.contains("voicegate: registration with \(gatewayURI) failed: 401 Unauthorized"), "stderr: \(phone.stderr)")
            #expect(phone.stderr.contains("event=softphone.register_failed status=401"))
            #expect(!phone.stderr.contains("event=softphone.registered"))
            _ = try #require(gateway.waitFor(event: "agent.register_refused") { $0["reason"] == "wrong_password" })
            #expect(gateway.events("agent.registered").isEmpty)

            // Usage mistakes are told before anything is sent.
            let (noListen, usage) = try SoftphoneProcess.call(["1000", "--register", gatewayURI, "--user", "alice", "--password", "x"])
            #expect(noListen == 2 && usage.stderr.contains("--register needs --listen"), "stderr: \(usage.stderr)")
            let (noUser, usage2) = try SoftphoneProcess.call(["--listen", "0", "--register", gatewayURI])
            #expect(noUser == 2 && usage2.stderr.contains("--register needs --user and --password"), "stderr: \(usage2.stderr)")
            #expect(gateway.stop() == 0)
        }
    }
}

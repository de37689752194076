import Testing
@testable import VoiceGateCore

struct ConfigurationParserTests {
    func problems(_ text: String) -> [ConfigurationProblem] {
        if case .failure(let e) = ConfigurationParser.parse(text) { return e.problems }
        return []
    }

    @Test func fullConfiguration() throws {
        let text = """
        {
          "sip": {"listen": "127.0.0.1", "advertise": "203.0.113.5", "port": 5080, "transports": ["UDP"],
                  "rtpPortStart": 30000, "rtpPortCount": 1000},
          "http": {"listen": "::1", "port": 0},
          "calls": {"maxConcurrent": 500, "maxDurationSeconds": 3600, "retryAfterSeconds": 5},
          "shutdown": {"drainSeconds": 10},
          "trunks": [{"name": "carrier", "sources": ["203.0.113.0/24"]}],
          "greeting": {"wav": "/srv/hello.wav"},
          "log": {"level": "debug", "sipLevel": 3}
        }
        """
        let config = try ConfigurationParser.parse(text).get()
        #expect(config.sip.listen == "127.0.0.1")
        #expect(config.sip.advertise == "203.0.113.5")
        #expect(config.sip.port == 5080)
        #expect(config.sip.transports == [.udp])
        #expect(config.sip.rtpPortStart == 30000)
        #expect(config.http.listen == "::1")
        #expect(config.calls.maxConcurrent == 500)
        #expect(config.calls.maxDurationSeconds == 3600)
        #expect(config.shutdown.drainSeconds == 10)
        #expect(config.trunks == [Trunk(name: "carrier", sources: [IPAddressRange("203.0.113.0/24")!])])
        #expect(config.greeting.wavPath == "/srv/hello.wav")
        #expect(config.log.level == .debug)
        #expect(config.log.sipLevel == 3)
    }

    @Test func defaultsWhereSilent() throws {
        let config = try ConfigurationParser.parse(#"{"trunks": [{"name": "t", "sources": ["10.0.0.1"]}]}"#).get()
        #expect(config.sip.port == 5060)
        #expect(config.sip.transports == [.udp, .tcp])
        #expect(config.http.port == 8080)
        #expect(config.calls.maxConcurrent == nil)
        #expect(config.shutdown.drainSeconds == 30)
    }

    @Test func everyProblemWithItsLine() {
        let found = problems("""
        {
          "sip": {"port": -1, "advertise": "example.com"},
          "trunks": [{"name": "a", "sources": ["10.0.0.0/8"]}, {"name": "a", "sources": [42]}],
          "log": {"level": "loud"},
          "extra": true
        }
        """)
        #expect(Set(found.map(\.description)) == [
            "line 2, sip.advertise: 'example.com' is not an IPv4 or IPv6 address",
            "line 2, sip.port: must be from 0 to 65535, not -1",
            "line 5, extra: unknown field; known fields here: sip, http, calls, shutdown, trunks, greeting, log",
            "line 3, trunks[1].name: another trunk is already named 'a'",
            "line 3, trunks[1].sources[0]: must be a string, not a number",
            "line 4, log.level: must be one of: debug, info, warning, error",
        ], "\(found)")
        let paths = Set(found.map(\.path))
        #expect(paths == ["sip.advertise", "sip.port", "extra", "trunks[1].name", "trunks[1].sources[0]", "log.level"], "\(found)")
        #expect(found.first { $0.path == "log.level" }?.line == 4)
        #expect(found.first { $0.path == "extra" }?.line == 5)
    }

    @Test func missingTrunksAndWrongTypes() {
        #expect(problems("{}").map(\.path) == ["trunks"])
        #expect(problems("[]").map(\.description).first == "line 1: must be an object, not a list")
        #expect(problems(#"{"trunks": []}"#).first?.message == "must list at least one trunk")
        #expect(problems(#"{"trunks": [{"name": "x", "sources": ["1.2.3.4"]}], "sip": {"port": 5.5}}"#).first?.message == "must be a whole number, not 5.5")
        #expect(problems(#"{"trunks": [{"name": "x", "sources": ["1.2.3.4"]}], "sip": {"port": 20000}}"#).first?.message == "20000 lies inside the RTP port range")
        #expect(problems(#"{"trunks": [{"name": "x", "sources": ["1.2.3.4"]}], "sip": {"transports": []}}"#).first?.message == "must name at least one transport")
        #expect(problems(#"{"trunks": [{"name": "x", "sources": ["1.2.3.4"]}], "sip": {"prot": 1}}"#).first?.message.contains("did you mean 'port'?") == true)
        #expect(problems(#"{"trunks": [{"name": "x", "sources": ["1.2.3.4"]}], "sip": {"port": 1, "port": 2}}"#).first?.message == "given twice")
    }

    @Test func syntaxErrorsCarryLineAndColumn() {
        let p = problems("{\n  \"trunks\": [\n    {\"name\": nope}\n  ]\n}")
        #expect(p.count == 1)
        #expect(p.first?.line == 3)
        #expect(p.first?.message.contains("column 14") == true, "\(p)")
        #expect(problems("{\"a\": 1} x").first?.message.contains("after the end") == true)
        #expect(problems(String(repeating: "[", count: 100)).first?.message.contains("deeper than 64") == true)
    }

    @Test func demoConfigurationTrustsOnlyLocalRanges() {
        let policy = AdmissionPolicy(trunks: GatewayConfiguration.demo.trunks, maxConcurrentCalls: 10)
        for local in ["127.0.0.1", "10.1.2.3", "172.20.0.1", "192.168.1.1", "::1", "fd00::1"] {
            #expect(policy.trunk(for: local)?.name == "local", "\(local)")
        }
        for remote in ["8.8.8.8", "203.0.113.1", "2001:4860::1", "172.32.0.1"] {
            #expect(policy.trunk(for: remote) == nil, "\(remote)")
        }
    }
}

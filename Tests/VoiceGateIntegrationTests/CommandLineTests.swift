import Testing
import Foundation

/// The `voicegate` verbs other than run, and run's refusal of bad configuration.
struct CommandLineTests {
    struct Output { let status: Int32; let stdout: String; let stderr: String }

    func voicegate(_ args: [String]) throws -> Output {
        let process = Process()
        process.executableURL = Paths.voicegate
        process.arguments = args
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    func write(_ text: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vg-config-\(UUID().uuidString).json")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// A crash or a Swift runtime error shows as one of these; a clear message never does.
    func assertNoCrash(_ output: Output, sourceLocation: SourceLocation = #_sourceLocation) {
        let all = output.stdout + output.stderr
        for marker in ["Fatal error", "Backtrac", "Program crashed", "Segmentation", "Assertion"] {
            #expect(!all.contains(marker), "output shows a crash: \(all)", sourceLocation: sourceLocation)
        }
        #expect(output.status < 128, "killed by a signal", sourceLocation: sourceLocation)
    }

    @Test("version reports pjproject and gateway limits")
    func version() throws {
        let out = try voicegate(["version"])
        #expect(out.status == 0)
        let lines = out.stdout.split(separator: "\n")
        let maxCalls = lines.first { $0.hasPrefix("PJSUA_MAX_CALLS ") }.flatMap { Int($0.split(separator: " ")[1]) }
        #expect((maxCalls ?? 0) >= 2048, "\(out.stdout)")
        #expect(out.stdout.contains("pjproject 2."))
        #expect(out.stdout.contains("opus codec yes"))
    }

    @Test("help for the program and for each verb")
    func help() throws {
        let top = try voicegate(["--help"])
        #expect(top.status == 0)
        #expect(top.stdout.contains("check-config"))
        for verb in ["run", "check-config", "version"] {
            let out = try voicegate([verb, "--help"])
            #expect(out.status == 0)
            #expect(out.stdout.contains("Usage: voicegate \(verb)"))
        }
        let unknown = try voicegate(["frobnicate"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("no such verb 'frobnicate'"))
        let badOption = try voicegate(["run", "--sip-port", "99999"])
        #expect(badOption.status == 2)
        #expect(badOption.stderr.contains("--sip-port must be a port number"))
    }

    @Test("check-config accepts a valid file")
    func validConfig() throws {
        let path = try write("""
        {
          "sip": {"listen": "127.0.0.1", "port": 5070, "transports": ["udp", "tcp"]},
          "http": {"port": 8081},
          "calls": {"maxConcurrent": 100, "retryAfterSeconds": 10},
          "trunks": [{"name": "carrier", "sources": ["203.0.113.0/24", "2001:db8::/32"],
                      "credentials": {"username": "carrier1", "password": "not-in-output"}, "defaultCountryCode": "1"}],
          "phoneNumbers": [{"number": "+14155550100", "bot": "support"}],
          "sipHeaders": [{"header": "X-Customer-Tier", "variable": "CustomerTier"}],
          "bots": [{"id": "support", "kind": "external", "endpoint": "https://bots.example.com/voice", "secret": "bot-secret-x",
                    "applicationId": "3f1c"}],
          "store": {"path": "conversations.db"},
          "admin": {"token": "0123456789abcdef0123"}
        }
        """)
        let out = try voicegate(["check-config", path])
        #expect(out.status == 0, "\(out.stdout)\(out.stderr)")
        #expect(out.stdout.contains("ok"))
    }

    @Test("check-config names every problem's line and field")
    func invalidConfig() throws {
        let path = try write("""
        {
          "sip": {"port": 70000, "transports": ["udp", "sctp"], "listn": "1.2.3.4"},
          "calls": {"maxConcurrent": "lots"},
          "trunks": [
            {"name": "carrier", "sources": ["10.0.0/8", "10.1.0.0/8"]},
            {"sources": []}
          ],
          "phoneNumbers": [{"number": "+1 415 555 0100", "bot": "nobody"}]
        }
        """)
        let out = try voicegate(["check-config", path])
        assertNoCrash(out)
        #expect(out.status == 1)
        let expected = [
            "line 2, sip.port: must be from 0 to 65535, not 70000",
            "line 2, sip.transports[1]: must be one of: udp, tcp",
            "line 2, sip.listn: unknown field (did you mean 'listen'?)",
            "line 3, calls.maxConcurrent: must be a whole number, not a string",
            "line 5, trunks[0].sources[0]: '10.0.0/8' is not an IP address or CIDR block",
            "line 5, trunks[0].sources[1]: '10.1.0.0/8' is not an IP address or CIDR block",
            "line 6, trunks[1].name: is missing",
            "line 6, trunks[1].sources: must list at least one address or CIDR block",
            "line 8, phoneNumbers[0].number:",
            "bots: no bot is configured, yet phone numbers name 'nobody'",
        ]
        for line in expected {
            #expect(out.stdout.contains(line), "missing «\(line)» in:\n\(out.stdout)")
        }
        #expect(out.stdout.contains("\(expected.count) problems"))
    }

    @Test("malformed JSON is reported with its line, never a crash", arguments: [
        ("{\n  \"sip\": {\"port\": 5060,}\n}", "line 2"),
        ("{\n  \"trunks\": [\n    {\"name\": 'x'}\n  ]\n}", "line 3"),
        ("", "line 1"),
        ("[1, 2", "line 1"),
        ("{\"a\": \"\u{1}\"}", "line 1"),
    ])
    func malformedJSON(text: String, place: String) throws {
        let path = try write(text)
        let out = try voicegate(["check-config", path])
        assertNoCrash(out)
        #expect(out.status == 1)
        #expect(out.stdout.contains("\(place): not valid JSON"), "\(out.stdout)")
    }

    @Test("run refuses a bad or missing configuration with a message and exit 2")
    func runRefusesBadConfig() throws {
        let path = try write(#"{"trunks": [{"name": "a", "sources": ["not-an-ip"]}]}"#)
        let bad = try voicegate(["run", "--config", path])
        assertNoCrash(bad)
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("trunks[0].sources[0]: 'not-an-ip' is not an IP address"))
        let missing = try voicegate(["run", "--config", "/nonexistent/voicegate.json"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no such file"))
        let unreadable = try voicegate(["check-config", "/"])
        #expect(unreadable.status == 2)
        #expect(unreadable.stderr.contains("is a folder"))
    }
}

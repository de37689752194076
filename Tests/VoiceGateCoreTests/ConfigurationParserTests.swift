import Testing
@testable import VoiceGateCore

struct ConfigurationParserTests {
    func problems(_ text: String) -> [ConfigurationProblem] {
        if case .failure(let e) = ConfigurationParser.parse(text) { return e.problems }
        return []
    }

    /// The fields every valid file needs, as top-level JSON members.
    static let essentials = [
        "trunks": #"[{"name": "t", "sources": ["10.0.0.1"]}]"#,
        "phoneNumbers": #"[{"number": "*", "bot": "demo"}]"#,
        "bots": #"[{"id": "demo", "kind": "embedded", "applicationId": "demo"}]"#,
    ]

    /// A file of the essentials with `fields` replacing or adding top-level members ("" leaves one out).
    func file(_ fields: [String: String]) -> String {
        let all = Self.essentials.merging(fields) { $1 }.filter { !$0.value.isEmpty }
        return "{\n" + all.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ",\n") + "\n}"
    }

    func problems(_ fields: [String: String]) -> [ConfigurationProblem] { problems(file(fields)) }

    /// The one problem `fields` make, or nil (and a failed expectation) when there are not exactly one.
    func only(_ fields: [String: String], sourceLocation: SourceLocation = #_sourceLocation) -> ConfigurationProblem? {
        let found = problems(fields)
        #expect(found.count == 1, "\(found)", sourceLocation: sourceLocation)
        return found.count == 1 ? found[0] : nil
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
          "phoneNumbers": [{"number": "*", "bot": "demo"}],
          "bots": [{"id": "demo", "kind": "embedded", "applicationId": "demo"}],
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
        let config = try ConfigurationParser.parse(file([:])).get()
        #expect(config.sip.port == 5060)
        #expect(config.sip.transports == [.udp, .tcp])
        #expect(config.http.port == 8080)
        #expect(config.calls.maxConcurrent == nil)
        #expect(config.shutdown.drainSeconds == 30)
        #expect(config.sip.tls == nil)
        #expect(config.sip.realm == "voicegate")
        #expect(config.trunks[0].credentials == nil && config.trunks[0].defaultCountryCode == nil && config.trunks[0].outbound == nil)
        #expect(config.phoneNumbers == [PhoneNumberSettings(number: "*", bot: "demo", voiceEnabled: true, makeCalls: false)])
        #expect(config.sipHeaders.isEmpty)
        #expect(config.bots == [BotSettings(id: "demo", kind: .embedded, applicationId: "demo", enabled: true, timeoutSeconds: 10)])
        #expect(config.store.path == "voicegate.db")
        #expect(config.admin.token == nil)
    }

    @Test("speech: recognizer, end-of-utterance silence, barge-in minimum and utterance limit, each checked")
    func speechSettings() throws {
        let defaults = try ConfigurationParser.parse(file([:])).get().speech
        #expect(defaults == SpeechSettings())
        #expect(defaults.recognizer == .pocketsphinx && defaults.endOfUtteranceSeconds == 0.7 && defaults.bargeInSeconds == 0.2)
        let set = try ConfigurationParser.parse(file(["speech": #"{"recognizer": "none", "endOfUtteranceSeconds": 1.2, "bargeInSeconds": 0.4, "maxUtteranceSeconds": 15}"#])).get().speech
        #expect(set.recognizer == .none && set.endOfUtteranceSeconds == 1.2 && set.bargeInSeconds == 0.4 && set.maxUtteranceSeconds == 15)
        #expect(only(["speech": #"{"recognizer": "whisper"}"#])?.path == "speech.recognizer")
        #expect(only(["speech": #"{"endOfUtteranceSeconds": 0.05}"#])?.message == "must be from 0.2 to 5, not 0.05")
        #expect(only(["speech": #"{"bargeInSeconds": "fast"}"#])?.path == "speech.bargeInSeconds")
        #expect(only(["speech": #"{"silence": 1}"#])?.path.hasPrefix("speech") == true)
    }

    @Test("admin: a viewer token beside the admin token, checked like it, never equal to it nor alone, never printed")
    func viewerToken() throws {
        let admin = try ConfigurationParser.parse(file(["admin": #"{"token": "admin-token-0123456789", "viewerToken": "viewer-token-0123456789"}"#])).get().admin
        #expect(admin.token == "admin-token-0123456789" && admin.viewerToken == "viewer-token-0123456789")
        #expect(!"\(admin)".contains("viewer-token-0123456789") && !String(reflecting: admin).contains("0123456789"))
        #expect(only(["admin": #"{"token": "admin-token-0123456789", "viewerToken": "short"}"#])?.message == "is 5 characters long; it must have at least 16")
        #expect(only(["admin": #"{"token": "admin-token-0123456789", "viewerToken": "admin-token-0123456789"}"#])?.path == "admin.viewerToken")
        #expect(only(["admin": #"{"viewerToken": "viewer-token-0123456789"}"#])?.message.hasPrefix("needs admin.token") == true)
    }

    @Test("sentiment: VADER with the installed lexicon by default; none, another lexicon file; bad values named")
    func sentimentSettings() throws {
        let defaults = try ConfigurationParser.parse(file([:])).get().sentiment
        #expect(defaults.analyzer == .vader && defaults.lexiconPath == "/usr/local/share/voicegate/sentiment/vader_lexicon.txt")
        let set = try ConfigurationParser.parse(file(["sentiment": #"{"analyzer": "none", "lexicon": "/opt/lex.txt"}"#])).get().sentiment
        #expect(set.analyzer == SentimentSettings.Analyzer.none && set.lexiconPath == "/opt/lex.txt")
        #expect(only(["sentiment": #"{"analyzer": "bert"}"#])?.message == "must be one of: vader, none")
        #expect(only(["sentiment": #"{"lexicon": ""}"#])?.path == "sentiment.lexicon")
        #expect(only(["sentiment": #"{"lexicon": 3}"#])?.path == "sentiment.lexicon")
        #expect(only(["sentiment": #"{"mood": 1}"#])?.path.hasPrefix("sentiment") == true)
    }

    @Test func everyProblemWithItsLine() {
        let found = problems("""
        {
          "sip": {"port": -1, "advertise": "example.com"},
          "trunks": [{"name": "a", "sources": ["10.0.0.0/8"]}, {"name": "a", "sources": [42]}],
          "log": {"level": "loud"},
          "extra": true,
          "phoneNumbers": [{"number": "*", "bot": "demo"}], "bots": [{"id": "demo", "kind": "embedded", "applicationId": "demo"}]
        }
        """)
        #expect(Set(found.map(\.description)) == [
            "line 2, sip.advertise: 'example.com' is not an IPv4 or IPv6 address",
            "line 2, sip.port: must be from 0 to 65535, not -1",
            "line 5, extra: unknown field; known fields here: sip, http, calls, shutdown, trunks, phoneNumbers, sipHeaders, bots, store, admin, greeting, speech, sentiment, log, outboundPolicy, agents, queues, routing",
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
        #expect(problems("{}").map(\.path) == ["trunks", "phoneNumbers"])
        #expect(problems("[]").map(\.description).first == "line 1: must be an object, not a list")
        #expect(problems(#"{"trunks": []}"#).first?.message == "must list at least one trunk")
        #expect(problems(["sip": #"{"port": 5.5}"#]).first?.message == "must be a whole number, not 5.5")
        #expect(problems(["sip": #"{"port": 20000}"#]).first?.message == "20000 lies inside the RTP port range")
        #expect(problems(["sip": #"{"transports": []}"#]).first?.message == "must name at least one transport")
        #expect(problems(["sip": #"{"prot": 1}"#]).first?.message.contains("did you mean 'port'?") == true)
        #expect(problems(["sip": #"{"port": 1, "port": 2}"#]).first?.message == "given twice")
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

    @Test func newFieldsRoundTrip() throws {
        let text = """
        {
          "sip": {"port": 5060, "realm": "gw.example.com", "tls": {"port": 5062, "certificate": "/etc/vg/cert.pem", "privateKey": "/etc/vg/key.pem"}},
          "trunks": [{"name": "carrier", "sources": ["203.0.113.0/24"],
                      "credentials": {"username": "carrier1", "password": "s3cret"},
                      "defaultCountryCode": "+44",
                      "outbound": {"host": "sbc.example.net", "port": 5080, "transport": "tcp"}},
                     {"name": "pbx", "sources": ["10.0.0.0/8"], "defaultCountryCode": "1",
                      "outbound": {"host": "2001:db8::5", "transport": "tls"}},
                     {"name": "sbc", "sources": ["192.0.2.1"], "outbound": {"host": "192.0.2.1"}}],
          "phoneNumbers": [{"number": "+14155550100", "bot": "support", "voiceEnabled": false, "makeCalls": true},
                           {"number": "*", "bot": "demo"}],
          "sipHeaders": [{"header": "X-Customer-Tier", "variable": "CustomerTier"}, {"header": "User-to-User", "variable": "UUI"},
                         {"header": "x.odd!%*_+`'~", "variable": "_a.b_1"}],
          "bots": [{"id": "support", "kind": "external", "endpoint": "https://bots.example.com/voice", "secret": "bot-secret",
                    "applicationId": "3f1c-aa", "enabled": false, "timeoutSeconds": 2.5},
                   {"id": "demo", "kind": "embedded", "applicationId": "demo"},
                   {"id": "plain.http-1_x", "kind": "external", "endpoint": "http://10.0.0.7:8080/bot", "applicationId": "x", "timeoutSeconds": 120}],
          "store": {"path": "/var/lib/voicegate/voicegate.db"},
          "admin": {"token": "0123456789abcdef"}
        }
        """
        let config = try ConfigurationParser.parse(text).get()
        #expect(config.sip.realm == "gw.example.com")
        #expect(config.sip.tls == TLSSettings(port: 5062, certificateFile: "/etc/vg/cert.pem", privateKeyFile: "/etc/vg/key.pem"))
        #expect(config.trunks == [
            Trunk(name: "carrier", sources: [IPAddressRange("203.0.113.0/24")!],
                  credentials: DigestCredentials(username: "carrier1", password: "s3cret"), defaultCountryCode: "44",
                  outbound: OutboundRoute(host: "sbc.example.net", port: 5080, transport: .tcp)),
            Trunk(name: "pbx", sources: [IPAddressRange("10.0.0.0/8")!], defaultCountryCode: "1",
                  outbound: OutboundRoute(host: "2001:db8::5", port: 5061, transport: .tls)),
            Trunk(name: "sbc", sources: [IPAddressRange("192.0.2.1")!], outbound: OutboundRoute(host: "192.0.2.1", port: 5060, transport: .udp)),
        ])
        #expect(config.phoneNumbers == [
            PhoneNumberSettings(number: "+14155550100", bot: "support", voiceEnabled: false, makeCalls: true),
            PhoneNumberSettings(number: "*", bot: "demo", voiceEnabled: true, makeCalls: false),
        ])
        #expect(config.sipHeaders == [
            SIPHeaderMapping(header: "X-Customer-Tier", variable: "CustomerTier"),
            SIPHeaderMapping(header: "User-to-User", variable: "UUI"),
            SIPHeaderMapping(header: "x.odd!%*_+`'~", variable: "_a.b_1"),
        ])
        #expect(config.bots == [
            BotSettings(id: "support", kind: .external(endpoint: "https://bots.example.com/voice", secret: "bot-secret"),
                        applicationId: "3f1c-aa", enabled: false, timeoutSeconds: 2.5),
            BotSettings(id: "demo", kind: .embedded, applicationId: "demo"),
            BotSettings(id: "plain.http-1_x", kind: .external(endpoint: "http://10.0.0.7:8080/bot", secret: nil),
                        applicationId: "x", timeoutSeconds: 120),
        ])
        #expect(config.store.path == "/var/lib/voicegate/voicegate.db")
        #expect(config.admin.token == "0123456789abcdef")
    }

    @Test func newRulesReportPathAndLine() {
        let found = problems("""
        {
          "sip": {"port": 5061, "transports": ["udp", "tls"], "realm": "a\\"b", "tls": {"certificate": ""}},
          "trunks": [{"name": "t", "sources": ["10.0.0.1"], "credentials": {"username": "u"}, "defaultCountryCode": "044",
                      "outbound": {"host": "sbc example", "transport": "sctp", "port": 0}}],
          "phoneNumbers": [{"number": "+1 415-555-0100", "bot": "nobody"}, {"number": "*", "bot": "demo", "makeCalls": "yes"}],
          "sipHeaders": [{"header": "Authorization", "variable": "SipCallId"}],
          "bots": [{"id": "demo", "kind": "embedded", "applicationId": "demo", "timeoutSeconds": 0}],
          "store": {"path": ""},
          "admin": {"token": "short"}
        }
        """)
        #expect(Set(found.map(\.description)) == [
            "line 2, sip.transports[1]: TLS is not listed here: it is configured by sip.tls, on its own port",
            "line 2, sip.realm: must not contain '\"', '\\' or control characters: challenges carry it between quotes",
            "line 2, sip.tls.certificate: must not be empty",
            "line 2, sip.tls.privateKey: is missing: the PEM file of the certificate's private key",
            "line 2, sip.tls.port: 5061 is sip.port too: TLS needs a port of its own",
            "line 3, trunks[0].credentials.password: is missing",
            "line 3, trunks[0].defaultCountryCode: must be a country calling code, 1 to 3 digits not starting with 0 (like \"44\" or \"+44\"), not '044'",
            "line 4, trunks[0].outbound.host: 'sbc example' is not an IP address or host name (like sbc.example.net; port and transport are fields of their own)",
            "line 4, trunks[0].outbound.transport: must be one of: udp, tcp, tls",
            "line 4, trunks[0].outbound.port: must be from 1 to 65535, not 0",
            "line 5, phoneNumbers[0].number: '+1 415-555-0100' is not an E.164 number: + then 2 to 15 digits, the first not 0, like +14155550100 (or \"*\" for any number); write it '+14155550100'",
            "line 5, phoneNumbers[0].bot: no bot has the id 'nobody'; bots: demo",
            "line 5, phoneNumbers[1].makeCalls: must be true or false, not a string",
            "line 6, sipHeaders[0].header: Authorization carries credentials: it is never copied into a variable",
            "line 6, sipHeaders[0].variable: SipCallId is set by the gateway itself",
            "line 7, bots[0].timeoutSeconds: must be from 0.1 to 120, not 0",
            "line 8, store.path: must not be empty",
            "line 9, admin.token: is 5 characters long; it must have at least 16",
        ], "\(found)")
    }

    @Test func tlsRules() {
        let files = #""certificate": "c.pem", "privateKey": "k.pem""#
        #expect(problems(["sip": #"{"tls": {\#(files)}}"#]).isEmpty)
        #expect(problems(["sip": #"{"port": 0, "tls": {"port": 0, \#(files)}}"#]).isEmpty, "both 0: each picks a free port")
        #expect(problems(["sip": #"{"port": 0, "tls": {\#(files)}}"#]).isEmpty)
        #expect(only(["sip": #"{"port": 5070, "tls": {"port": 5070, \#(files)}}"#])?.path == "sip.tls.port")
        let inRTP = only(["sip": #"{"rtpPortStart": 20000, "rtpPortCount": 100, "tls": {"port": 20050, \#(files)}}"#])
        #expect(inRTP?.path == "sip.tls.port")
        #expect(inRTP?.message == "20050 lies inside the RTP port range")
        #expect(only(["sip": #"{"tls": {"port": 70000, \#(files)}}"#])?.message == "must be from 0 to 65535, not 70000")
        let missing = problems(["sip": #"{"tls": {}}"#])
        #expect(missing.map(\.path) == ["sip.tls.certificate", "sip.tls.privateKey"], "\(missing)")
        #expect(missing.allSatisfy { $0.message.hasPrefix("is missing") })
        #expect(only(["sip": #"{"tls": {"certificate": 1, "privateKey": "k.pem"}}"#])?.message == "must be a string, not a number")
        #expect(only(["sip": #"{"tls": true}"#])?.message == "must be an object, not true or false")
        let listed = only(["sip": #"{"transports": ["TLS"]}"#])
        #expect(listed?.path == "sip.transports[0]")
        #expect(listed?.message.contains("configured by sip.tls, on its own port") == true)
        #expect(only(["sip": #"{"transports": ["sctp"]}"#])?.message == "must be one of: udp, tcp")
    }

    @Test func realmRules() {
        #expect(problems(["sip": #"{"realm": "sip.example.com"}"#]).isEmpty)
        for bad in [#""""#, #""a\\b""#, #""a\"b""#, #""a\u0001b""#, #""a\tb""#] {
            #expect(only(["sip": #"{"realm": \#(bad)}"#])?.path == "sip.realm", "\(bad)")
        }
        #expect(only(["sip": #"{"realm": ""}"#])?.message == "must not be empty")
    }

    @Test func credentialRules() {
        func trunk(_ credentials: String) -> [String: String] {
            ["trunks": #"[{"name": "t", "sources": ["10.0.0.1"], "credentials": \#(credentials)}]"#]
        }
        #expect(problems(trunk(#"{"username": "u", "password": "p"}"#)).isEmpty)
        #expect(problems(trunk(#"{}"#)).map(\.path) == ["trunks[0].credentials.username", "trunks[0].credentials.password"])
        #expect(only(trunk(#"{"username": "", "password": "p"}"#))?.message == "must not be empty")
        #expect(only(trunk(#"{"username": "u", "password": ""}"#))?.path == "trunks[0].credentials.password")
        for bad in [#""pa\"ss""#, #""pa\\ss""#, #""pa\nss""#, #""pa\u007fss""#] {
            let p = only(trunk(#"{"username": "u", "password": \#(bad)}"#))
            #expect(p?.path == "trunks[0].credentials.password", "\(bad)")
            #expect(p?.message.contains("control characters") == true)
        }
        #expect(only(trunk(#"{"username": "u\"x", "password": "p"}"#))?.path == "trunks[0].credentials.username")
        #expect(only(trunk(#"{"username": "u", "password": 1234}"#))?.message == "must be a string, not a number")
        #expect(only(trunk(#""u:p""#))?.message == "must be an object, not a string")
        #expect(only(trunk(#"{"username": "u", "password": "p", "realm": "r"}"#))?.path == "trunks[0].credentials.realm")
    }

    @Test func countryCodeRules() throws {
        func trunk(_ code: String) -> [String: String] {
            ["trunks": #"[{"name": "t", "sources": ["10.0.0.1"], "defaultCountryCode": \#(code)}]"#]
        }
        for (given, kept) in [("44", "44"), ("+44", "44"), ("1", "1"), ("+1", "1"), ("998", "998")] {
            let config = try ConfigurationParser.parse(file(trunk("\"\(given)\""))).get()
            #expect(config.trunks[0].defaultCountryCode == kept)
        }
        for bad in ["\"\"", "\"+\"", "\"0\"", "\"044\"", "\"+0\"", "\"1234\"", "\"4a\"", "\"++44\"", "\" 44\"", "\"٤٤\"", "44"] {
            #expect(only(trunk(bad))?.path == "trunks[0].defaultCountryCode", "\(bad)")
        }
        #expect(only(trunk("\"1234\""))?.message.contains("1 to 3 digits") == true)
    }

    @Test func outboundRules() {
        func route(_ outbound: String) -> [String: String] {
            ["trunks": #"[{"name": "t", "sources": ["10.0.0.1"], "outbound": \#(outbound)}]"#]
        }
        for host in ["sbc.example.net", "sbc", "a-b.c-d.example", "192.0.2.10", "::1", "2001:db8::1", "3com.example", String(repeating: "a", count: 63) + ".net"] {
            #expect(problems(route(#"{"host": "\#(host)"}"#)).isEmpty, "\(host)")
        }
        for host in ["sbc_1.example", "-sbc.example", "sbc-.example", "sbc..example", ".example", "example.", "1.2.3.999", "10.0.0",
                     "sbc.example.net:5060", "[::1]", "sip:sbc.example", "sbc example", String(repeating: "a", count: 64) + ".net", "bücher.example"] {
            let p = only(route(#"{"host": "\#(host)"}"#))
            #expect(p?.path == "trunks[0].outbound.host", "\(host)")
            #expect(p?.message.contains("is not an IP address or host name") == true)
        }
        #expect(only(route("{}"))?.message == "is missing: where requests to this trunk go")
        #expect(only(route(#"{"host": ""}"#))?.message == "must not be empty")
        #expect(only(route(#"{"host": "h", "transport": "ws"}"#))?.message == "must be one of: udp, tcp, tls")
        #expect(only(route(#"{"host": "h", "port": 65536}"#))?.message == "must be from 1 to 65535, not 65536")
        #expect(only(route(#"{"host": "h", "port": 0}"#))?.path == "trunks[0].outbound.port")
    }

    @Test func outboundPortDefaultsByTransport() throws {
        func port(_ outbound: String) throws -> Int? {
            try ConfigurationParser.parse(file(["trunks": #"[{"name": "t", "sources": ["10.0.0.1"], "outbound": \#(outbound)}]"#])).get().trunks[0].outbound?.port
        }
        #expect(try port(#"{"host": "h"}"#) == 5060)
        #expect(try port(#"{"host": "h", "transport": "tcp"}"#) == 5060)
        #expect(try port(#"{"host": "h", "transport": "TLS"}"#) == 5061)
        #expect(try port(#"{"host": "h", "transport": "tls", "port": 5071}"#) == 5071)
    }

    @Test func phoneNumbersAreRequired() {
        let missing = only(["phoneNumbers": ""])
        #expect(missing?.path == "phoneNumbers")
        #expect(missing?.line == 1)
        #expect(missing?.message == "is missing: without numbers every call gets 404")
        let empty = problems(["phoneNumbers": "[]"])
        #expect(empty.first?.path == "phoneNumbers")
        #expect(empty.first?.message.contains("every call gets 404") == true, "\(empty)")
        #expect(only(["phoneNumbers": "{}"])?.message == "must be a list, not an object")
    }

    @Test func phoneNumberRules() {
        func numbers(_ list: String) -> [String: String] { ["phoneNumbers": list] }
        for good in ["+14155550100", "+12", "+123456789012345", "+447700900123"] {
            #expect(problems(numbers(#"[{"number": "\#(good)", "bot": "demo"}]"#)).isEmpty, "\(good)")
        }
        for bad in ["14155550100", "+1", "+1234567890123456", "+04155550100", "+1415555010a", "+ 14155550100", "**", "", "+١٢٣", "tel:+14155550100"] {
            #expect(only(numbers(#"[{"number": "\#(bad)", "bot": "demo"}]"#))?.path == "phoneNumbers[0].number", "\(bad)")
        }
        let spaced = only(numbers(#"[{"number": "+1 (415) 555-0100", "bot": "demo"}]"#))
        #expect(spaced?.message.contains("like +14155550100") == true)
        #expect(spaced?.message.hasSuffix("write it '+14155550100'") == true, "\(String(describing: spaced))")
        #expect(only(numbers(#"[{"number": "415-555-0100", "bot": "demo"}]"#))?.message.contains("write it") == false)

        let twice = only(numbers(#"[{"number": "+14155550100", "bot": "demo"}, {"number": "+14155550100", "bot": "demo"}]"#))
        #expect(twice?.path == "phoneNumbers[1].number")
        #expect(twice?.message == "'+14155550100' is listed already, at phoneNumbers[0]")
        let catchAlls = only(numbers(#"[{"number": "*", "bot": "demo"}, {"number": "+12", "bot": "demo"}, {"number": "*", "bot": "demo"}]"#))
        #expect(catchAlls?.path == "phoneNumbers[2].number")
        #expect(catchAlls?.message.contains("a second \"*\"") == true)

        #expect(only(numbers(#"[{"number": "*"}]"#))?.path == "phoneNumbers[0].bot")
        #expect(only(numbers(#"[{"bot": "demo"}]"#))?.path == "phoneNumbers[0].number")
        #expect(only(numbers(#"[{"number": "*", "bot": "demo", "voiceEnabled": 1}]"#))?.message == "must be true or false, not a number")
        #expect(only(numbers(#"[{"number": "*", "bot": "demo", "makecalls": true}]"#))?.message.contains("did you mean 'makeCalls'?") == true)
    }

    @Test func everyNumberNamesABot() {
        let unknown = only(["phoneNumbers": #"[{"number": "*", "bot": "Demo"}]"#])
        #expect(unknown?.path == "phoneNumbers[0].bot")
        #expect(unknown?.message == "no bot has the id 'Demo'; bots: demo")
        #expect(unknown?.line == 3)
        let noBots = only(["bots": "", "phoneNumbers": #"[{"number": "*", "bot": "a"}, {"number": "+12", "bot": "b"}, {"number": "+13", "bot": "a"}]"#])
        #expect(noBots?.path == "bots")
        #expect(noBots?.message == "no bot is configured, yet phone numbers name 'a', 'b'")
        #expect(only(["bots": "[]"])?.path == "bots")
        // Bots may be left out when nothing needs one (the number's own problem is reported).
        #expect(only(["bots": "", "phoneNumbers": #"[{"number": "*"}]"#])?.path == "phoneNumbers[0].bot")
    }

    @Test func sipHeaderRules() {
        func headers(_ list: String) -> [String: String] { ["sipHeaders": list] }
        for bad in ["X Tier", "X:Tier", "X-Tier\\t", "Ünï", "X(1)", "X@y", "X/y"] {
            let p = only(headers(#"[{"header": "\#(bad)", "variable": "V"}]"#))
            #expect(p?.path == "sipHeaders[0].header", "\(bad)")
            #expect(p?.message.contains("is not a SIP header name") == true)
        }
        for secret in ["Authorization", "proxy-authorization", "WWW-Authenticate", "Proxy-Authenticate"] {
            let p = only(headers(#"[{"header": "\#(secret)", "variable": "V"}]"#))
            #expect(p?.path == "sipHeaders[0].header", "\(secret)")
            #expect(p?.message.contains("carries credentials") == true)
        }
        let sameHeader = only(headers(#"[{"header": "X-Tier", "variable": "A"}, {"header": "x-tier", "variable": "B"}]"#))
        #expect(sameHeader?.path == "sipHeaders[1].header")
        #expect(sameHeader?.message.contains("sipHeaders[0]") == true)
        let sameVariable = only(headers(#"[{"header": "X-A", "variable": "V"}, {"header": "X-B", "variable": "V"}]"#))
        #expect(sameVariable?.path == "sipHeaders[1].variable")
        #expect(sameVariable?.message == "'V' is the variable of sipHeaders[0] already")
        #expect(problems(headers(#"[{"header": "X-A", "variable": "V"}, {"header": "X-B", "variable": "v"}]"#)).isEmpty)

        for bad in ["1x", "a-b", ".a", "a b", "", "é"] {
            #expect(only(headers(#"[{"header": "X-A", "variable": "\#(bad)"}]"#))?.path == "sipHeaders[0].variable", "\(bad)")
        }
        for own in [ContextVariable.customerPhoneNumber, ContextVariable.organizationPhoneNumber, ContextVariable.sipCallId,
                    ContextVariable.trunkName, ContextVariable.closeConversation] {
            let p = only(headers(#"[{"header": "X-A", "variable": "\#(own)"}]"#))
            #expect(p?.message == "\(own) is set by the gateway itself")
        }
        #expect(problems(headers(#"[{"header": "X-A", "variable": "bot.Tier"}]"#)).isEmpty)
        #expect(problems(headers(#"[{"variable": "V"}, {"header": "X-A"}]"#)).map(\.path) == ["sipHeaders[0].header", "sipHeaders[1].variable"])
        #expect(only(headers("{}"))?.message == "must be a list, not an object")
    }

    @Test func botRules() {
        func bots(_ list: String) -> [String: String] {
            ["bots": list, "phoneNumbers": #"[{"number": "*", "bot": "a"}]"#]
        }
        func one(_ fields: String) -> ConfigurationProblem? { only(bots("[{\(fields)}]")) }
        let ok = #""id": "a", "applicationId": "app""#
        #expect(problems(bots(#"[{\#(ok), "kind": "embedded"}]"#)).isEmpty)
        #expect(problems(bots(#"[{\#(ok), "kind": "external", "endpoint": "https://b.example/v", "secret": "s"}]"#)).isEmpty)
        #expect(problems(bots(#"[{\#(ok), "kind": "external", "endpoint": "HTTP://[::1]:8080/v?x=1"}]"#)).isEmpty)

        // The number names "a", so a bot without it is a second problem.
        #expect(problems(bots(#"[{"id": "a b", "kind": "embedded", "applicationId": "x"}]"#)).map(\.path) == ["bots[0].id", "phoneNumbers[0].bot"])
        #expect(problems(bots(#"[{"kind": "embedded", "applicationId": "x"}]"#)).map(\.path) == ["bots[0].id", "phoneNumbers[0].bot"])
        #expect(only(["bots": #"[{"id": "demo", "kind": "embedded", "applicationId": "x"}, {"id": "a/b", "kind": "embedded", "applicationId": "y"}]"#])?.message
                == "'a/b' must be letters, digits, _, . and - only")
        #expect(one(#"\#(ok)"#)?.message == "is missing: \"embedded\" or \"external\"")
        #expect(one(#"\#(ok), "kind": "internal""#)?.message == "must be \"embedded\" or \"external\"")
        #expect(one(#"\#(ok), "kind": "external""#)?.message == "is missing: the URL an external bot is reached at")
        for bad in ["ftp://b.example/v", "/voice", "b.example/v", "https://", "https:///v", "https:b.example", "http://:80/v",
                    "https://b example/v", "https://b.example:70000/v", ""] {
            let p = one(#"\#(ok), "kind": "external", "endpoint": "\#(bad)""#)
            #expect(p?.path == "bots[0].endpoint", "\(bad)")
        }
        for userinfo in ["https://user:pw@b.example/v", "https://user@b.example/v", "https://:pw@b.example/v"] {
            let p = one(#"\#(ok), "kind": "external", "endpoint": "\#(userinfo)""#)
            #expect(p?.message.contains("must not hold a user name or password") == true, "\(userinfo)")
        }
        #expect(one(#"\#(ok), "kind": "external", "endpoint": "https://b.example/v", "secret": """#)?.path == "bots[0].secret")
        #expect(one(#"\#(ok), "kind": "external", "endpoint": "https://b.example/v", "secret": 5"#)?.path == "bots[0].secret")
        #expect(one(#"\#(ok), "kind": "embedded", "endpoint": "https://b.example/v""#)?.message == "only an external bot has an endpoint")
        #expect(one(#"\#(ok), "kind": "embedded", "secret": "s""#)?.message == "only an external bot has a secret")
        #expect(one(#""id": "a", "kind": "embedded""#)?.path == "bots[0].applicationId")
        #expect(one(#""id": "a", "kind": "embedded", "applicationId": """#)?.message == "must not be empty")
        #expect(one(#"\#(ok), "kind": "embedded", "enabled": "no""#)?.message == "must be true or false, not a string")
        for (bad, message) in [("0", "not 0"), ("0.05", "not 0.05"), ("121", "not 121"), ("-1", "not -1"), (#""10""#, "must be a number, not a string")] {
            let p = one(#"\#(ok), "kind": "embedded", "timeoutSeconds": \#(bad)"#)
            #expect(p?.path == "bots[0].timeoutSeconds", "\(bad)")
            #expect(p?.message.contains(message) == true, "\(String(describing: p))")
        }
        for good in ["0.1", "120", "1e1"] {
            #expect(problems(bots(#"[{\#(ok), "kind": "embedded", "timeoutSeconds": \#(good)}]"#)).isEmpty, "\(good)")
        }

        let sameId = only(bots(#"[{"id": "a", "kind": "embedded", "applicationId": "x"}, {"id": "a", "kind": "embedded", "applicationId": "y"}]"#))
        #expect(sameId?.path == "bots[1].id")
        #expect(sameId?.message == "another bot already has the id 'a'")
    }

    @Test func duplicateApplicationIdNamesBothBots() {
        let found = problems(["phoneNumbers": #"[{"number": "*", "bot": "a"}]"#, "bots": """
        [{"id": "a", "kind": "embedded", "applicationId": "3F1C-77"},
         {"id": "c", "kind": "embedded", "applicationId": "other"},
         {"id": "b", "kind": "external", "endpoint": "https://b.example/v", "applicationId": "3f1c-77"}]
        """])
        #expect(found.count == 1, "\(found)")
        #expect(found.first?.path == "bots[2].applicationId")
        #expect(found.first?.message == "bot 'b' has the same applicationId as bot 'a'")
        #expect(found.first?.line == 4)
    }

    @Test func storeAndAdminRules() throws {
        #expect(try ConfigurationParser.parse(file(["store": "{}"])).get().store.path == "voicegate.db")
        #expect(only(["store": #"{"path": ""}"#])?.path == "store.path")
        #expect(only(["store": #"{"path": 1}"#])?.message == "must be a string, not a number")
        #expect(only(["store": #"{"file": "x.db"}"#])?.path == "store.file")
        #expect(try ConfigurationParser.parse(file(["admin": "{}"])).get().admin.token == nil)
        #expect(try ConfigurationParser.parse(file(["admin": #"{"token": "!~abcdefghijklmn"}"#])).get().admin.token == "!~abcdefghijklmn")
        let short = only(["admin": #"{"token": "fifteen-chars!!"}"#])
        #expect(short?.path == "admin.token")
        #expect(short?.message == "is 15 characters long; it must have at least 16")
        for bad in ["sixteen chars ok", "tab\\there-0123456789", "ünicode-0123456789", "\\u007f-0123456789abcdef"] {
            let p = only(["admin": #"{"token": "\#(bad)"}"#])
            #expect(p?.message == "must be printable ASCII characters without spaces", "\(bad)")
        }
        #expect(only(["admin": #"{"token": 1234567890123456789}"#])?.message == "must be a string, not a number")
    }

    /// Configurations get pasted into tickets and logs: what check-config prints must not leak them.
    @Test func problemsNeverShowSecrets() {
        let password = "Pw-Quote\"Hunter2", secret = "BotSecret-9f8e7d", token = "TokShort", spacedToken = "Token With Spaces 123"
        let urlPassword = "UrlPassw0rd"
        let text = """
        {
          "trunks": [{"name": "t", "sources": ["10.0.0.1"], "credentials": {"username": "u", "password": "Pw-Quote\\"Hunter2"}},
                     {"name": "u", "sources": ["10.0.0.2"], "credentials": {"username": "u", "password": "Pw\\u0001Hunter2"}}],
          "phoneNumbers": [{"number": "*", "bot": "a"}],
          "bots": [{"id": "a", "kind": "embedded", "applicationId": "x", "secret": "\(secret)"},
                   {"id": "b", "kind": "external", "endpoint": "https://user:\(urlPassword)@b.example/v", "secret": "\(secret)", "applicationId": "y"},
                   {"id": "c", "kind": "external", "endpoint": "ftp://user:\(urlPassword)@b.example/v", "applicationId": "z"},
                   {"id": "d", "kind": "external", "endpoint": "https://user:\(urlPassword)@/v", "applicationId": "w"}],
          "admin": {"token": "\(token)"}
        }
        """
        let found = problems(text)
        #expect(found.count >= 7, "\(found)")
        let output = found.map(\.description).joined(separator: "\n")
        for leak in [password, "Hunter2", secret, token, urlPassword] {
            #expect(!output.contains(leak), "\(leak) in:\n\(output)")
        }
        let spaced = problems(["admin": #"{"token": "\#(spacedToken)"}"#]).map(\.description).joined()
        #expect(!spaced.isEmpty && !spaced.contains(spacedToken) && !spaced.contains("Spaces"))
        if case .success(let config) = ConfigurationParser.parse(file([
            "trunks": #"[{"name": "t", "sources": ["10.0.0.1"], "credentials": {"username": "u", "password": "Hunter2"}}]"#,
            "bots": #"[{"id": "demo", "kind": "external", "endpoint": "https://b.example/v", "secret": "\#(secret)", "applicationId": "x"}]"#,
            "admin": #"{"token": "0123456789abcdef-Tok"}"#])) {
            let printed = "\(config) \(String(reflecting: config))"
            for leak in ["Hunter2", secret, "0123456789abcdef-Tok"] { #expect(!printed.contains(leak), "\(leak)") }
        } else {
            Issue.record("the configuration should be valid")
        }
    }

    @Test func demoConfigurationPassesCrossChecks() {
        #expect(ConfigurationParser.crossCheck(.demo).isEmpty)
        let demo = GatewayConfiguration.demo
        #expect(demo.phoneNumbers.allSatisfy { number in demo.bots.contains { $0.id == number.bot } })
        var broken = demo
        broken.bots.append(BotSettings(id: "demo", kind: .embedded, applicationId: "DEMO"))
        broken.phoneNumbers.append(PhoneNumberSettings(number: "*", bot: "nobody"))
        #expect(Set(ConfigurationParser.crossCheck(broken).map(\.path)) == ["bots[1].id", "bots[1].applicationId", "phoneNumbers[1].number", "phoneNumbers[1].bot"])
        #expect(ConfigurationParser.crossCheck(broken).allSatisfy { $0.line == nil })
    }
}

extension ConfigurationParserTests {
    @Test("bots[].keysDuringUninterruptible: discard by default, buffer when asked, anything else a problem at its line")
    func keysDuringUninterruptible() throws {
        func config(_ value: String?) -> String {
            let field = value.map { #", "keysDuringUninterruptible": \#($0)"# } ?? ""
            return file(["bots": """
                [{"id": "demo", "kind": "embedded", "applicationId": "demo"\(field)}]
                """])
        }
        #expect(try ConfigurationParser.parse(config(nil)).get().bots[0].keysDuringUninterruptible == .discard)
        #expect(try ConfigurationParser.parse(config(#""discard""#)).get().bots[0].keysDuringUninterruptible == .discard)
        #expect(try ConfigurationParser.parse(config(#""buffer""#)).get().bots[0].keysDuringUninterruptible == .buffer)
        for bad in [#""Buffer""#, #""queue""#, #""""#] {
            let found = problems(config(bad))
            #expect(found.map(\.path) == ["bots[0].keysDuringUninterruptible"], "\(bad): \(found)")
            #expect(found.first?.message == "must be \"discard\" or \"buffer\"")
            #expect(found.first?.line != nil)
        }
        #expect(problems(config("true")).map(\.path) == ["bots[0].keysDuringUninterruptible"], "a string, not a boolean")
    }
}

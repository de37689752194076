import Testing
@testable import VoiceGateCore

/// The `outboundPolicy` section, `phoneNumbers[].transferCallerId` and `trunks[].transfer`.
extension ConfigurationParserTests {
    static let trunkWithRoute = #"{"name": "t", "sources": ["10.0.0.1"], "outbound": {"host": "sbc.example.net"}"#

    @Test("transfer settings: every key read, defaults where silent")
    func transferSettings() throws {
        let defaults = try ConfigurationParser.parse(file([:])).get()
        #expect(defaults.outboundPolicy == OutboundPolicy())
        #expect(defaults.trunks[0].transfer == TrunkTransferSettings())
        #expect(defaults.trunks[0].transfer.method == .refer && defaults.trunks[0].transfer.referTarget == .sip)
        #expect(defaults.trunks[0].transfer.fallbackToBridge && !defaults.trunks[0].transfer.acceptRefer)
        #expect(defaults.trunks[0].transfer.timeoutSeconds == 30)
        #expect(defaults.phoneNumbers[0].transferCallerId == .organization)

        let config = try ConfigurationParser.parse(file([
            "outboundPolicy": """
            {"allowedPrefixes": ["+1", "+44"],
             "blockedPrefixes": ["+1900", {"prefix": "+4490", "label": "UK premium"}, {"prefix": "+881"}],
             "emergencyNumbers": ["911", "112"],
             "maxConcurrentTransfersPerNumber": 5, "maxTransfersPerHourPerNumber": 100}
            """,
            "trunks": """
            [\(Self.trunkWithRoute), "transfer": {"method": "refer", "referTarget": "tel", "fallbackToBridge": false,
                                                  "acceptRefer": true, "timeoutSeconds": 12.5}},
             {"name": "b", "sources": ["10.0.0.2"], "outbound": {"host": "10.0.0.2"}, "transfer": {"method": "bridge"}}]
            """,
            "phoneNumbers": #"[{"number": "+14155550100", "bot": "demo", "makeCalls": true, "transferCallerId": "caller"}]"#,
        ])).get()
        #expect(config.outboundPolicy == OutboundPolicy(
            allowedPrefixes: ["+1", "+44"],
            blockedPrefixes: [.init("+1900", "configured"), .init("+4490", "UK premium"), .init("+881", "configured")],
            emergencyNumbers: ["911", "112"], maxConcurrentTransfersPerNumber: 5, maxTransfersPerHourPerNumber: 100))
        #expect(config.trunks[0].transfer == TrunkTransferSettings(method: .refer, referTarget: .tel, fallbackToBridge: false,
                                                                   acceptRefer: true, timeoutSeconds: 12.5))
        #expect(config.trunks[1].transfer.method == .bridge)
        #expect(config.phoneNumbers[0].transferCallerId == .caller)
        // An empty blocked list is allowed: it replaces the default with nothing.
        let open = try ConfigurationParser.parse(file(["outboundPolicy": #"{"blockedPrefixes": []}"#])).get()
        #expect(open.outboundPolicy.blockedPrefixes.isEmpty)
    }

    @Test("outboundPolicy: each problem at its field", arguments: [
        (#"{"allowedPrefixes": []}"#, "outboundPolicy.allowedPrefixes",
         "must list at least one prefix (leave it out for the organization number's own country; makeCalls false refuses all transfers)"),
        (#"{"allowedPrefixes": "+1"}"#, "outboundPolicy.allowedPrefixes", "must be a list, not a string"),
        (#"{"allowedPrefixes": ["1"]}"#, "outboundPolicy.allowedPrefixes[0]",
         "'1' is not a number prefix: + then 1 to 15 digits, the first not 0, like \"+44\" or \"+1900\""),
        (#"{"allowedPrefixes": ["+0"]}"#, "outboundPolicy.allowedPrefixes[0]",
         "'+0' is not a number prefix: + then 1 to 15 digits, the first not 0, like \"+44\" or \"+1900\""),
        (#"{"allowedPrefixes": ["+1 415"]}"#, "outboundPolicy.allowedPrefixes[0]",
         "'+1 415' is not a number prefix: + then 1 to 15 digits, the first not 0, like \"+44\" or \"+1900\""),
        (#"{"allowedPrefixes": [44]}"#, "outboundPolicy.allowedPrefixes[0]", "must be a string like \"+44\", not a number"),
        (#"{"allowedPrefixes": ["+1", "+1"]}"#, "outboundPolicy.allowedPrefixes[1]", "'+1' is listed twice"),
        (#"{"blockedPrefixes": [1900]}"#, "outboundPolicy.blockedPrefixes[0]",
         "must be a string like \"+44\" or an object with prefix and label, not a number"),
        (#"{"blockedPrefixes": [{"label": "x"}]}"#, "outboundPolicy.blockedPrefixes[0].prefix", "is missing: the blocked prefix, like \"+1900\""),
        (#"{"blockedPrefixes": [{"prefix": "+1900", "label": ""}]}"#, "outboundPolicy.blockedPrefixes[0].label",
         "must be 1 to 64 characters without control characters, like \"premium rate\""),
        (#"{"blockedPrefixes": [{"prefix": "+1900", "label": "a\nb"}]}"#, "outboundPolicy.blockedPrefixes[0].label",
         "must be 1 to 64 characters without control characters, like \"premium rate\""),
        (#"{"blockedPrefixes": [{"prefix": "+1900", "why": "x"}]}"#, "outboundPolicy.blockedPrefixes[0].why",
         "unknown field; known fields here: prefix, label"),
        (#"{"blockedPrefixes": ["+1900", {"prefix": "+1900"}]}"#, "outboundPolicy.blockedPrefixes[1]", "'+1900' is listed twice"),
        (#"{"emergencyNumbers": []}"#, "outboundPolicy.emergencyNumbers", "must list at least one number (leave it out for the default list)"),
        (#"{"emergencyNumbers": [911]}"#, "outboundPolicy.emergencyNumbers[0]", "must be a string of digits like \"911\", not a number"),
        (#"{"emergencyNumbers": ["+911"]}"#, "outboundPolicy.emergencyNumbers[0]", "'+911' must be 1 to 15 digits, as dialed (like \"911\" or \"112\")"),
        (#"{"emergencyNumbers": ["911", "911"]}"#, "outboundPolicy.emergencyNumbers[1]", "'911' is listed twice"),
        (#"{"maxConcurrentTransfersPerNumber": 0}"#, "outboundPolicy.maxConcurrentTransfersPerNumber", "must be from 1 to 10000, not 0"),
        (#"{"maxTransfersPerHourPerNumber": 1.5}"#, "outboundPolicy.maxTransfersPerHourPerNumber", "must be a whole number, not 1.5"),
        (#"{"maxTransfersPerHourPerNumbr": 5}"#, "outboundPolicy.maxTransfersPerHourPerNumbr",
         "unknown field (did you mean 'maxTransfersPerHourPerNumber'?); known fields here: allowedPrefixes, blockedPrefixes, emergencyNumbers, maxConcurrentTransfersPerNumber, maxTransfersPerHourPerNumber"),
        (#"[]"#, "outboundPolicy", "must be an object, not a list"),
    ])
    func outboundPolicyProblems(section: String, path: String, message: String) {
        let problem = only(["outboundPolicy": section])
        #expect(problem?.path == path)
        #expect(problem?.message == message)
        #expect(problem?.line != nil)
    }

    @Test("trunks[].transfer and phoneNumbers[].transferCallerId: each problem at its field", arguments: [
        (#"{"method": "blind"}"#, "trunks[0].transfer.method", "must be \"refer\" or \"bridge\""),
        (#"{"referTarget": "uri"}"#, "trunks[0].transfer.referTarget", "must be \"sip\" or \"tel\""),
        (#"{"fallbackToBridge": "yes"}"#, "trunks[0].transfer.fallbackToBridge", "must be true or false, not a string"),
        (#"{"acceptRefer": 1}"#, "trunks[0].transfer.acceptRefer", "must be true or false, not a number"),
        (#"{"timeoutSeconds": 0}"#, "trunks[0].transfer.timeoutSeconds", "must be from 1 to 600, not 0"),
        (#"{"timeoutSeconds": 601}"#, "trunks[0].transfer.timeoutSeconds", "must be from 1 to 600, not 601"),
        (#"{"method": "bridge", "referTarget": "tel"}"#, "trunks[0].transfer.referTarget", "only a REFER has a Refer-To, and method is \"bridge\""),
        (#"{"method": "bridge", "fallbackToBridge": true}"#, "trunks[0].transfer.fallbackToBridge",
         "method is \"bridge\" already: there is no REFER to fall back from"),
        (#"{"timeoutSecond": 5}"#, "trunks[0].transfer.timeoutSecond",
         "unknown field (did you mean 'timeoutSeconds'?); known fields here: method, referTarget, fallbackToBridge, acceptRefer, timeoutSeconds"),
    ])
    func trunkTransferProblems(transfer: String, path: String, message: String) {
        let problem = only(["trunks": "[\(Self.trunkWithRoute), \"transfer\": \(transfer)}]"])
        #expect(problem?.path == path)
        #expect(problem?.message == message)
    }

    @Test("bridging and sip: Refer-To URIs need the trunk's outbound route")
    func transferNeedsARoute() {
        let bare = #"{"name": "t", "sources": ["10.0.0.1"], "transfer": "#
        #expect(only(["trunks": "[\(bare){\"method\": \"bridge\"}}]"])?.message
                == "\"bridge\" places the call through the trunk: it needs trunks[0].outbound, the route calls to the trunk take")
        #expect(only(["trunks": "[\(bare){\"referTarget\": \"sip\"}}]"])?.path == "trunks[0].transfer.referTarget")
        #expect(only(["trunks": "[\(bare){\"fallbackToBridge\": true}}]"])?.path == "trunks[0].transfer.fallbackToBridge")
        // What needs no route is fine without one.
        #expect(problems(["trunks": "[\(bare){\"referTarget\": \"tel\", \"fallbackToBridge\": false, \"acceptRefer\": true}}]"]).isEmpty)
        #expect(problems(["trunks": #"[{"name": "t", "sources": ["10.0.0.1"]}]"#]).isEmpty)
    }

    @Test func transferCallerIdProblems() {
        let problem = only(["phoneNumbers": #"[{"number": "*", "bot": "demo", "transferCallerId": "bot"}]"#])
        #expect(problem?.path == "phoneNumbers[0].transferCallerId")
        #expect(problem?.message == "must be \"organization\" or \"caller\"")
        #expect(only(["phoneNumbers": #"[{"number": "*", "bot": "demo", "transferCallerId": true}]"#])?.message == "must be a string, not true or false")
    }
}

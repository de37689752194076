import Testing
@testable import VoiceGateCore

@Suite struct PhoneNumberTests {
    @Test("international forms become E.164", arguments: [
        ("+14155550123", nil, "+14155550123"), ("+1 (415) 555-0123", nil, "+14155550123"),
        ("0014155550123", "44", "+14155550123"), ("01114155550123", "1", "+14155550123"),
        ("01114155550123", nil, "+14155550123"), ("+442079460000;npdi", nil, "+442079460000"),
    ] as [(String, String?, String)])
    func international(raw: String, country: String?, expected: String) {
        #expect(PhoneNumber.normalize(raw, defaultCountryCode: country) == .e164(expected))
    }

    @Test("national forms use the trunk's country", arguments: [
        ("4155550123", "1", "+14155550123"), ("14155550123", "1", "+14155550123"),
        ("415.555.0123", "1", "+14155550123"), ("020 7946 0000", "44", "+442079460000"),
        ("06 12345678", "31", "+31612345678"),
    ])
    func national(raw: String, country: String, expected: String) {
        #expect(PhoneNumber.normalize(raw, defaultCountryCode: country) == .e164(expected))
    }

    @Test("what cannot be placed stays local, never a guessed E.164")
    func local() {
        #expect(PhoneNumber.normalize("1000", defaultCountryCode: "1") == .local("1000"))
        #expect(PhoneNumber.normalize("4155550123", defaultCountryCode: nil) == .local("4155550123"))
        // 0114 is Sheffield in the UK: 011 is not an international prefix there.
        #expect(PhoneNumber.normalize("01142345678", defaultCountryCode: "44") == .e164("+441142345678"))
        #expect(PhoneNumber.normalize("+0123", defaultCountryCode: nil) == .local("+0123"))
    }

    @Test("no digits is no number")
    func none() {
        for raw in ["anonymous", "alice", "", "+", "12a4"] {
            #expect(PhoneNumber.normalize(raw, defaultCountryCode: "1") == .none, "\(raw)")
        }
    }
}

@Suite struct CallIdentityTests {
    let from = SIPIdentity(scheme: "sip", user: "+15550001111", host: "carrier.example")
    let pai = SIPIdentity(scheme: "tel", user: "+14155550123")
    let rpid = SIPIdentity(scheme: "sip", user: "4155550199", host: "sbc", parameters: ["party": "calling"])
    let ruri = SIPIdentity(scheme: "sip", user: "+18005550100", host: "gw")

    @Test("caller ID: P-Asserted-Identity, then Remote-Party-ID, then From")
    func order() {
        var h = InboundCallHeaders(requestURI: ruri, from: from, assertedIdentities: [pai], remotePartyIDs: [rpid])
        var id = CallIdentity.resolve(h, defaultCountryCode: "1")
        #expect(id.customerNumber == "+14155550123" && id.callerSource == "pai" && !id.callerWithheld)
        h.assertedIdentities = []
        id = CallIdentity.resolve(h, defaultCountryCode: "1")
        #expect(id.customerNumber == "+14155550199" && id.callerSource == "rpid")
        h.remotePartyIDs = [SIPIdentity(scheme: "sip", user: "+19999999999", host: "x", parameters: ["party": "called"])]
        id = CallIdentity.resolve(h, defaultCountryCode: "1")
        #expect(id.customerNumber == "+15550001111" && id.callerSource == "from", "a called-party RPID is not the caller")
    }

    @Test("a non-number PAI falls through to the next source")
    func paiWithoutNumber() {
        let h = InboundCallHeaders(from: from, assertedIdentities: [SIPIdentity(scheme: "sip", user: "alice", host: "x")])
        #expect(CallIdentity.resolve(h, defaultCountryCode: nil).customerNumber == "+15550001111")
    }

    @Test("privacy: Privacy id, RPID privacy=full, anonymous URIs, no number")
    func withheld() {
        let cases: [InboundCallHeaders] = [
            InboundCallHeaders(from: from, assertedIdentities: [pai], privacy: ["id"]),
            InboundCallHeaders(from: from, remotePartyIDs: [SIPIdentity(scheme: "sip", user: "+14155550123", host: "x",
                                                                       parameters: ["party": "calling", "privacy": "full"])]),
            InboundCallHeaders(from: SIPIdentity(scheme: "sip", user: "anonymous", host: "anonymous.invalid")),
            InboundCallHeaders(from: SIPIdentity(scheme: "sip", user: "", host: "anonymous.invalid")),
            InboundCallHeaders(from: from, assertedIdentities: [SIPIdentity(scheme: "sip", user: "Anonymous", host: "x")]),
            InboundCallHeaders(from: SIPIdentity(scheme: "sip", user: "alice", host: "example.com")),
            InboundCallHeaders(),
        ]
        for h in cases {
            let id = CallIdentity.resolve(h, defaultCountryCode: "1")
            #expect(id.customerNumber == "" && id.callerWithheld, "\(h)")
        }
        // Privacy: none withholds nothing.
        let open = CallIdentity.resolve(InboundCallHeaders(from: from, privacy: ["none"]), defaultCountryCode: "1")
        #expect(open.customerNumber == "+15550001111" && !open.callerWithheld)
    }

    @Test("dialed number: Request-URI user part, then To")
    func dialed() {
        let to = SIPIdentity(scheme: "sip", user: "02079460000", host: "gw")
        var h = InboundCallHeaders(requestURI: ruri, to: to)
        #expect(CallIdentity.resolve(h, defaultCountryCode: "44").dialed == .e164("+18005550100"))
        h.requestURI = SIPIdentity(scheme: "sip", user: "", host: "gw")
        #expect(CallIdentity.resolve(h, defaultCountryCode: "44").dialed == .e164("+442079460000"))
        h.requestURI = SIPIdentity(scheme: "tel", user: "+1-800-555-0100")
        #expect(CallIdentity.resolve(h, defaultCountryCode: "44").dialed == .e164("+18005550100"))
    }
}

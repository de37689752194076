import Testing
@testable import VoiceGateCore

struct AdmissionPolicyTests {
    let policy = AdmissionPolicy(trunks: [
        Trunk(name: "carrier", sources: [IPAddressRange("203.0.113.0/24")!]),
        Trunk(name: "pbx", sources: [IPAddressRange("10.0.0.0/8")!, IPAddressRange("2001:db8::/32")!]),
    ], maxConcurrentCalls: 2)

    func invite(_ source: String) -> AdmissionRequest { AdmissionRequest(method: "INVITE", sourceAddress: source, transport: "UDP") }

    @Test func untrustedSourcesAreRefusedWhateverTheMethod() {
        for method in ["INVITE", "OPTIONS", "REGISTER", "MESSAGE"] {
            let d = policy.decide(AdmissionRequest(method: method, sourceAddress: "198.51.100.1", transport: "UDP"), activeCalls: 0, draining: false)
            #expect(d.outcome == .untrustedSource)
            #expect(d.sipStatus == 403)
            #expect(d.trunk == nil)
        }
        #expect(policy.decide(invite("not an address"), activeCalls: 0, draining: false).sipStatus == 403)
    }

    @Test func trustedSourcesFindTheirTrunk() {
        #expect(policy.decide(invite("203.0.113.9"), activeCalls: 0, draining: false) == AdmissionDecision(outcome: .admitted, trunk: "carrier"))
        #expect(policy.decide(invite("10.9.8.7"), activeCalls: 1, draining: false).trunk == "pbx")
        #expect(policy.decide(invite("2001:db8::5"), activeCalls: 1, draining: false).trunk == "pbx")
        #expect(policy.decide(invite("::ffff:203.0.113.9"), activeCalls: 0, draining: false).trunk == "carrier")
    }

    @Test func capacityAndShutdownRefuseInvitesOnly() {
        let full = policy.decide(invite("203.0.113.9"), activeCalls: 2, draining: false)
        #expect(full.outcome == .atCapacity)
        #expect(full.sipStatus == 503)
        let draining = policy.decide(invite("203.0.113.9"), activeCalls: 0, draining: true)
        #expect(draining.outcome == .shuttingDown)
        #expect(draining.sipStatus == 503)
        let ping = AdmissionRequest(method: "OPTIONS", sourceAddress: "203.0.113.9", transport: "UDP")
        #expect(policy.decide(ping, activeCalls: 2, draining: true).outcome == .admitted)
    }

    @Test func effectiveLimitStaysBelowTheCompiledTable() {
        #expect(AdmissionPolicy.effectiveLimit(configured: nil, compiledMaxCalls: 2048) == 2016)
        #expect(AdmissionPolicy.effectiveLimit(configured: 100, compiledMaxCalls: 2048) == 100)
        #expect(AdmissionPolicy.effectiveLimit(configured: 5000, compiledMaxCalls: 2048) == 2016)
        #expect(AdmissionPolicy.effectiveLimit(configured: nil, compiledMaxCalls: 4) == 2)
    }

    @Test func effectiveLimitFitsTheRTPPortRange() {
        // Each call binds an RTP and an RTCP port: 200 ports hold 100 calls.
        #expect(AdmissionPolicy.effectiveLimit(configured: nil, compiledMaxCalls: 2048, rtpPortCount: 200) == 100)
        #expect(AdmissionPolicy.effectiveLimit(configured: 500, compiledMaxCalls: 2048, rtpPortCount: 201) == 100)
        #expect(AdmissionPolicy.effectiveLimit(configured: 50, compiledMaxCalls: 2048, rtpPortCount: 200) == 50)
        #expect(AdmissionPolicy.effectiveLimit(configured: nil, compiledMaxCalls: 2048, rtpPortCount: 16000) == 2016)
    }
}

struct TrunkAuthenticationTests {
    let secure = Trunk(name: "secure", sources: [IPAddressRange("198.51.100.0/24")!],
                       credentials: DigestCredentials(username: "t1", password: "pw", algorithms: [.sha256]))
    let open = Trunk(name: "open", sources: [IPAddressRange("203.0.113.0/24")!], defaultCountryCode: "44")
    var policy: AdmissionPolicy {
        AdmissionPolicy(trunks: [secure, open], maxConcurrentCalls: 10,
                        phoneNumbers: [PhoneNumberSettings(number: "+442079460000", bot: "b"),
                                       PhoneNumberSettings(number: "+442079460001", bot: "b", voiceEnabled: false),
                                       PhoneNumberSettings(number: "+442079460002", bot: "off")],
                        bots: [BotSettings(id: "b", kind: .embedded, applicationId: "1"),
                               BotSettings(id: "off", kind: .embedded, applicationId: "2", enabled: false)])
    }

    func invite(_ source: String, dialing user: String = "02079460000", digest: DigestAttempt? = nil) -> AdmissionRequest {
        AdmissionRequest(method: "INVITE", sourceAddress: source, transport: "UDP", digest: digest,
                         callHeaders: InboundCallHeaders(requestURI: SIPIdentity(scheme: "sip", user: user, host: "gw")))
    }

    @Test func credentialsAreChallengedAndChecked() {
        let challenged = policy.decide(invite("198.51.100.7"), activeCalls: 0, draining: false)
        #expect(challenged.sipStatus == 401 && challenged.challenge == [.sha256])
        let right = DigestAttempt(username: "t1", realm: "voicegate", algorithm: .sha256, nonceFresh: true)
        #expect(policy.decide(invite("198.51.100.7", dialing: "+442079460000", digest: right), activeCalls: 0, draining: false,
                              responseMatches: { $0.password == "pw" }).outcome == .admitted)
        // Unknown user, wrong password, wrong realm and an algorithm the trunk does not allow: one answer.
        let wrong = [DigestAttempt(username: "nobody", realm: "voicegate", algorithm: .sha256, nonceFresh: true),
                     DigestAttempt(username: "t1", realm: "elsewhere", algorithm: .sha256, nonceFresh: true),
                     DigestAttempt(username: "t1", realm: "voicegate", algorithm: .md5, nonceFresh: true)]
        for attempt in wrong {
            let d = policy.decide(invite("198.51.100.7", digest: attempt), activeCalls: 0, draining: false, responseMatches: { _ in true })
            #expect(d.sipStatus == 403 && d.reasonPhrase == "Forbidden" && d.outcome == .badCredentials)
        }
        let badPassword = policy.decide(invite("198.51.100.7", digest: right), activeCalls: 0, draining: false, responseMatches: { _ in false })
        #expect(badPassword.sipStatus == 403 && badPassword.reasonPhrase == "Forbidden")
        var stale = right
        stale.nonceFresh = false
        let again = policy.decide(invite("198.51.100.7", digest: stale), activeCalls: 0, draining: false, responseMatches: { _ in true })
        #expect(again.outcome == .staleNonce && again.sipStatus == 401)
        // Keep-alives need no credentials.
        #expect(policy.decide(AdmissionRequest(method: "OPTIONS", sourceAddress: "198.51.100.7", transport: "UDP"),
                              activeCalls: 0, draining: false).outcome == .admitted)
    }

    @Test func dialedNumbersRoute() {
        let ok = policy.decide(invite("203.0.113.5"), activeCalls: 0, draining: false)
        #expect(ok.outcome == .admitted && ok.route?.organizationNumber == "+442079460000" && ok.route?.bot.id == "b")
        #expect(policy.decide(invite("203.0.113.5", dialing: "02079469999"), activeCalls: 0, draining: false).sipStatus == 404)
        #expect(policy.decide(invite("203.0.113.5", dialing: "+442079460001"), activeCalls: 0, draining: false).outcome == .voiceDisabled)
        #expect(policy.decide(invite("203.0.113.5", dialing: "+442079460002"), activeCalls: 0, draining: false).outcome == .botDisabled)
        // A refused number is refused before capacity is looked at; a known one still meets the limit.
        #expect(policy.decide(invite("203.0.113.5"), activeCalls: 10, draining: false).sipStatus == 503)
    }
}

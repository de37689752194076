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

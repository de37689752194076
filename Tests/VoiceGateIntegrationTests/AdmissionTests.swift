import Testing
import Foundation

/// Requests refused before any call exists: untrusted sources (403), capacity and shutdown (503
/// with Retry-After).
extension Integration {
    @Suite struct AdmissionTests {
        @Test("an INVITE from a source no trunk allows gets 403 and is never answered")
        func untrustedSource() async throws {
            let gateway = try GatewayProcess(configuration: ["trunks": [["name": "carrier", "sources": ["203.0.113.0/24"]]]])
            let sipp = try SIPp.run("uac_forbidden.xml", port: gateway.sipPort)
            #expect(sipp.succeeded, "sipp: \(sipp.output)")
            let refused = try #require(gateway.waitFor(event: "sip.refused"))
            #expect(refused["status"] == "403")
            #expect(refused["reason"] == "untrusted_source")
            #expect(refused["source"]?.hasPrefix("127.0.0.1:") == true)
            #expect(gateway.events("call.answered").isEmpty)
            #expect(try await gateway.metric("voicegate_sip_refusals_total", labels: "reason=\"untrusted_source\"") == 1)
            #expect(try await gateway.metric("voicegate_sip_responses_total", labels: "code=\"403\"") ?? 0 >= 1)
            #expect(gateway.stop() == 0)
        }

        @Test("at the call limit an INVITE gets 503 with Retry-After; calls in progress go on")
        func atCapacity() async throws {
            let gateway = try GatewayProcess(configuration: ["calls": ["maxConcurrent": 1, "retryAfterSeconds": 7]])
            let first = try SIPp.start("uac_call.xml", port: gateway.sipPort, holdMilliseconds: 4000)
            _ = try #require(gateway.waitFor(event: "call.answered"))
            let second = try SIPp.run("uac_busy.xml", port: gateway.sipPort)
            #expect(second.succeeded, "sipp: \(second.output)")
            let refused = try #require(gateway.waitFor(event: "sip.refused"))
            #expect(refused["reason"] == "at_capacity")
            let firstResult = first.wait()
            #expect(firstResult.succeeded, "the call in progress: \(firstResult.output)")
            #expect(try await gateway.metric("voicegate_sip_refusals_total", labels: "reason=\"at_capacity\"") == 1)
            #expect(gateway.stop() == 0)
        }
    }
}

import Testing
import Foundation

/// SIGTERM: new INVITEs get 503 while calls in progress get until the drain deadline, then BYE.
extension Integration {
    @Suite struct ShutdownTests {
        @Test("on SIGTERM the gateway refuses new calls, lets the call in progress finish, exits 0")
        func drainsCallsInProgress() throws {
            let gateway = try GatewayProcess(configuration: ["shutdown": ["drainSeconds": 30]])
            let call = try SIPp.start("uac_call.xml", port: gateway.sipPort, holdMilliseconds: 4000)
            _ = try #require(gateway.waitFor(event: "call.answered"))
            gateway.sendSignal(SIGTERM)
            let draining = try #require(gateway.waitFor(event: "gateway.draining"))
            #expect(draining["active_calls"] == "1")

            let refused = try SIPp.run("uac_busy.xml", port: gateway.sipPort)
            #expect(refused.succeeded, "new call while draining: \(refused.output)")
            #expect(gateway.waitFor(event: "sip.refused")?["reason"] == "shutting_down")

            let result = call.wait()
            #expect(result.succeeded, "the call in progress must end normally: \(result.output)")
            #expect(gateway.waitForExit(timeout: 30) == 0)
            #expect(gateway.events("call.ended").first?["hangup_by"] == "caller")
            #expect(gateway.events("gateway.stopped").first?["calls_left"] == "0")
        }

        @Test("calls still up at the drain deadline are hung up with BYE, then the gateway exits 0")
        func hangsUpAtDeadline() throws {
            let gateway = try GatewayProcess(configuration: ["shutdown": ["drainSeconds": 1]])
            let call = try SIPp.start("uac_gateway_bye.xml", port: gateway.sipPort)
            _ = try #require(gateway.waitFor(event: "call.answered"))
            gateway.sendSignal(SIGTERM)
            let result = call.wait()
            #expect(result.succeeded, "sipp must get a BYE with a Reason header: \(result.output)")
            #expect(gateway.waitForExit(timeout: 30) == 0)
            let ended = try #require(gateway.events("call.ended").first)
            #expect(ended["hangup_by"] == "gateway")
            #expect(ended["reason"] == "shutdown")
        }
    }
}

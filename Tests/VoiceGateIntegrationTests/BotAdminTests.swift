import Testing
import Foundation

/// `/api/v1/bots`: switching a bot off and on while the gateway runs, as callers see it (480 or
/// an answer), and refresh against a real bot process and a dead endpoint.
extension Integration {
    @Suite struct BotAdminTests {
        @Test("disable, disconnect and the voice toggle refuse new calls with 480; calls in progress go on; refresh reports reachability")
        func switching() async throws {
            let bot = try TestBot(["--secret", "admin-test-secret"])
            let dead = FreePorts.tcpPort()
            let gateway = try GatewayProcess(configuration: [
                "phoneNumbers": [["number": "+18005550100", "bot": "demo"], ["number": "+18005550101", "bot": "ext"],
                                 ["number": "+18005550102", "bot": "gone"]],
                "bots": [["id": "demo", "kind": "embedded", "applicationId": "demo"],
                         ["id": "ext", "kind": "external", "endpoint": bot.endpoint, "secret": "admin-test-secret", "applicationId": "ext"],
                         ["id": "gone", "kind": "external", "endpoint": "http://127.0.0.1:\(dead)/bot", "applicationId": "gone",
                          "timeoutSeconds": 2]],
            ])
            let (status, list) = try await gateway.api("/api/v1/bots")
            #expect(status == 200)
            let bots = list["bots"] as? [[String: Any]] ?? []
            #expect(bots.map { $0["id"] as? String } == ["demo", "ext", "gone"])
            #expect(bots.allSatisfy { $0["takesCalls"] as? Bool == true })
            #expect(!String(describing: list).contains("admin-test-secret"), "a bot's secret is never shown")

            // A call in progress survives its bot being switched off.
            let held = try SIPp.start("uac_call.xml", port: gateway.sipPort, holdMilliseconds: 3000)
            _ = try #require(gateway.waitFor(event: "call.answered"))

            for (off, on) in [("disable", "enable"), ("disconnect", "connect")] {
                let (code, state) = try await gateway.api("/api/v1/bots/demo/\(off)", method: "POST")
                #expect(code == 200 && state["takesCalls"] as? Bool == false, "\(off): \(state)")
                let refused = try SIPp.run("uac_refused_480.xml", port: gateway.sipPort)
                #expect(refused.succeeded, "after \(off): \(refused.output)")
                #expect(try await gateway.api("/api/v1/bots/demo/\(on)", method: "POST").1["takesCalls"] as? Bool == true)
            }
            #expect(try await gateway.api("/api/v1/bots/demo/voice", method: "PUT", body: #"{"enabled": false}"#).1["voiceEnabled"] as? Bool == false)
            #expect(try SIPp.run("uac_refused_480.xml", port: gateway.sipPort).succeeded)
            #expect(try await gateway.api("/api/v1/bots/demo/voice", method: "PUT", body: #"{"enabled": true}"#).0 == 200)
            #expect(try await gateway.api("/api/v1/bots/demo/voice", method: "PUT", body: #"{"on": 1}"#).0 == 400)
            let again = try SIPp.run("uac_call.xml", port: gateway.sipPort, holdMilliseconds: 100)
            #expect(again.succeeded, "on again: \(again.output)")
            let heldResult = held.wait()
            #expect(heldResult.succeeded, "the call in progress: \(heldResult.output)")
            #expect(gateway.events("call.ended").first?["hangup_by"] == "caller")

            let (_, reachable) = try await gateway.api("/api/v1/bots/ext/refresh", method: "POST")
            #expect(reachable["reachable"] as? Bool == true && reachable["status"] as? Int == 200, "\(reachable)")
            #expect(reachable["latencyMs"] is Double || reachable["latencyMs"] is Int)
            #expect(bot.received.last?.activity["name"] as? String == "Ping")
            #expect(bot.received.last?.authorization == "Bearer admin-test-secret")
            let (_, unreachable) = try await gateway.api("/api/v1/bots/gone/refresh", method: "POST")
            #expect(unreachable["reachable"] as? Bool == false, "\(unreachable)")
            #expect(try await gateway.api("/api/v1/bots/nobody/disable", method: "POST").0 == 404)
            #expect(try await gateway.api("/api/v1/bots", token: nil).0 == 401)
            #expect(gateway.events("bot.changed").count == 6)
            #expect(gateway.stop() == 0)
        }
    }
}

import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// /metrics as Prometheus and Grafana see it: a real gateway with an external bot (the Python
/// test bot), a queue and an agent, one call through it, then the exposition read by a real
/// Prometheus parser, and the Grafana dashboard checked against what was really emitted.
extension Integration {
    @Suite struct MetricsTests {
        static let dashboard = Paths.packageRoot.appendingPathComponent("deploy/grafana/voicegate-dashboard.json")

        /// /metrics after one call answered by the external bot `ext`, once the desk has
        /// published its queue and agent gauges: the body and its Content-Type.
        static func scrapeAfterOneCall() async throws -> (text: String, contentType: String?) {
            let bot = try TestBot(["--greeting", "Hello from the metrics test."])
            let gateway = try GatewayProcess(configuration: [
                "phoneNumbers": [["number": ExternalBotHarness.dialed, "bot": "ext"]],
                "bots": [["id": "ext", "kind": "external", "endpoint": bot.endpoint, "applicationId": "ext"]],
                "agents": [["id": "alice", "contact": "sip:alice@127.0.0.1:9", "queues": ["support"]]],
                "queues": [["name": "support", "announceEverySeconds": 0]],
            ])
            // The caller's words are scored: one sample of the sentiment histogram.
            let phone = try ExternalBotHarness.phone(gateway, script: "expect speech within 5\nsay \"thank you, that was great\"\npause 2\nhangup\n")
            #expect(phone.waitForExit(timeout: 30) == 0, "\(phone.report["failedStep"] ?? "") \(phone.report)")
            let ended = try #require(gateway.waitFor(event: "call.ended"))
            _ = try await ExternalBotHarness.closed(gateway, try #require(ended["conversation"]))
            // The desk publishes queue and agent gauges once a second.
            #expect(try await eventually { try await gateway.get("/metrics").1.contains("voicegate_queue_waiting{") })

            let url = URL(string: "http://127.0.0.1:\(gateway.httpPort)/metrics")!
            let (data, response) = try await URLSession.shared.data(from: url)
            let http = try #require(response as? HTTPURLResponse)
            #expect(http.statusCode == 200)
            #expect(gateway.stop() == 0)
            return (String(decoding: data, as: UTF8.self), http.value(forHTTPHeaderField: "Content-Type"))
        }

        @Test("after a call with an external bot, /metrics parses with prometheus_client: families, types and the call's samples")
        func parsesWithPrometheusClient() async throws {
            let (text, contentType) = try await Self.scrapeAfterOneCall()
            #expect(contentType == "text/plain; version=0.0.4; charset=utf-8")
            let parsed = try PrometheusFamilies(text)

            // One family per name: a second HELP/TYPE would show as a second family.
            let names = parsed.families.map(\.name)
            #expect(names.count == Set(names).count, "\(names)")
            let expected: [String: String] = [
                "voicegate_build_info": "gauge", "voicegate_active_calls": "gauge", "voicegate_call_capacity": "gauge",
                "voicegate_calls": "counter", "voicegate_sip_responses": "counter",
                "voicegate_queue_waiting": "gauge", "voicegate_queue_longest_wait_seconds": "gauge", "voicegate_agents": "gauge",
                "voicegate_bot_latency_seconds": "histogram", "voicegate_bot_failures": "counter", "voicegate_transfers": "counter",
                "voicegate_conversations": "counter", "voicegate_customer_sentiment": "histogram",
            ]
            for (name, type) in expected {
                #expect(parsed.family(name)?.type == type, "\(name): \(parsed.family(name).map(\.type) ?? "absent")")
            }

            #expect(parsed.value("voicegate_build_info") == 1)
            #expect(parsed.value("voicegate_calls_total", ["outcome": "caller_hangup"]) == 1, "\(text)")
            #expect(parsed.value("voicegate_sip_responses_total", ["code": "200"]) ?? 0 >= 1)
            #expect(parsed.value("voicegate_active_calls") == 0)
            #expect(parsed.value("voicegate_queue_waiting", ["queue": "support"]) == 0)
            #expect(parsed.value("voicegate_agents", ["presence": "available"]) == 1)
            #expect(parsed.value("voicegate_bot_failures_total", ["bot": "ext", "reason": "timeout"]) == 0)
            #expect(parsed.value("voicegate_transfers_total", ["result": "completed"]) == 0)
            // The caller hung up on the bot: abandoned, the other outcomes there at 0.
            #expect(parsed.value("voicegate_conversations_total", ["outcome": "abandoned"]) == 1, "\(text)")
            #expect(parsed.value("voicegate_conversations_total", ["outcome": "resolved"]) == 0)
            // "thank you, that was great" scores positive: in the top bucket only.
            #expect(parsed.value("voicegate_customer_sentiment_count") == 1, "\(text)")
            #expect(parsed.value("voicegate_customer_sentiment_bucket", ["le": "0.05"]) == 0, "\(text)")

            // conversationUpdate and SetContext at least were answered; the buckets are whole.
            let count = try #require(parsed.value("voicegate_bot_latency_seconds_count", ["bot": "ext"]))
            #expect(count >= 1)
            let latency = try #require(parsed.family("voicegate_bot_latency_seconds"))
            let buckets = latency.samples.filter { $0.name.hasSuffix("_bucket") && $0.labels["bot"] == "ext" }
            #expect(buckets.map { $0.labels["le"] } == ["0.05", "0.1", "0.25", "0.5", "1", "2", "5", "10", "+Inf"])
            #expect(zip(buckets, buckets.dropFirst()).allSatisfy { $0.value <= $1.value }, "cumulative")
            #expect(buckets.last?.value == count)
            let sum = try #require(parsed.value("voicegate_bot_latency_seconds_sum", ["bot": "ext"]))
            #expect(sum > 0 && sum < count * 10, "\(sum) s over \(count) answers")
        }

        @Test("the Grafana dashboard is importable JSON whose every expression uses only metrics /metrics emits")
        func dashboardUsesEmittedMetrics() async throws {
            let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Self.dashboard)) as? [String: Any])
            #expect(json["schemaVersion"] as? Int == 39)
            let inputs = json["__inputs"] as? [[String: Any]] ?? []
            #expect(inputs.contains { $0["name"] as? String == "DS_PROMETHEUS" && $0["pluginId"] as? String == "prometheus" })
            let panels = try #require(json["panels"] as? [[String: Any]])
            #expect(panels.count >= 8)
            let variables = (json["templating"] as? [String: Any])?["list"] as? [[String: Any]] ?? []

            var expressions: [(where: String, expr: String)] = []
            for panel in panels {
                let title = panel["title"] as? String ?? "?"
                let targets = panel["targets"] as? [[String: Any]] ?? []
                #expect(!targets.isEmpty, "panel \(title) has no query")
                #expect((panel["datasource"] as? [String: Any])?["uid"] as? String == "${DS_PROMETHEUS}", "panel \(title)")
                expressions += targets.map { ("panel \(title)", $0["expr"] as? String ?? "") }
            }
            expressions += variables.compactMap { v in (v["definition"] as? String).map { ("variable \(v["name"] ?? "")", $0) } }

            let parsed = try PrometheusFamilies(try await Self.scrapeAfterOneCall().text)
            let histograms = Set(parsed.families.filter { $0.type == "histogram" }.map(\.name))
            let emitted = parsed.sampleNames
            let metricName = /voicegate_[a-zA-Z0-9_]+/
            for (place, expr) in expressions {
                let used = expr.matches(of: metricName).map { String($0.output) }
                #expect(!used.isEmpty, "\(place): no VoiceGate metric in \(expr)")
                for name in used {
                    // A histogram's _bucket/_sum/_count belong to its family; anything else must be
                    // a sample name the gateway really wrote.
                    let family = ["_bucket", "_sum", "_count"].first { name.hasSuffix($0) }.map { String(name.dropLast($0.count)) }
                    let known = emitted.contains(name) || (family.map { histograms.contains($0) } ?? false)
                    #expect(known, "\(place) uses \(name), which /metrics does not emit")
                }
            }
        }
    }
}

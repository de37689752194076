import Testing
@testable import VoiceGateCore

/// GatewayMetrics' exposition against the Prometheus text format 0.0.4: what a scraper needs
/// byte for byte (the integration test parses a live gateway's output with a real parser).
struct MetricsTests {
    static let catalog: [String: MetricDescription] = [
        "t_latency_seconds": .init(kind: .histogram(buckets: [0.05, 0.5, 1, 2.5]), help: "Latency."),
        "t_queue_waiting": .init(kind: .gauge, help: "Waiting, by queue."),
        "t_calls_total": .init(kind: .counter, help: "Calls.\nBy outcome, with a \\ in it."),
    ]

    /// The lines of `text` that are samples or comments of `family` (its name, then a space, `{` or `_`).
    static func lines(_ text: String, _ family: String) -> [String] {
        text.split(separator: "\n").map(String.init).filter {
            $0.hasPrefix(family + " ") || $0.hasPrefix(family + "{") || $0.hasPrefix(family + "_")
                || $0.hasPrefix("# HELP \(family) ") || $0.hasPrefix("# TYPE \(family) ")
        }
    }

    @Test("a histogram renders cumulative buckets, +Inf equal to the count, the sum and the count")
    func histogram() {
        let metrics = GatewayMetrics(catalog: Self.catalog)
        let bot = PrometheusText.labels(["bot": "ext"])
        // Binary fractions, so the sum is exact.
        for value in [0.03125, 0.5, 0.25, 0.75, 3.0] { metrics.observe("t_latency_seconds", labels: bot, value) }
        #expect(Self.lines(metrics.render(), "t_latency_seconds") == [
            "# HELP t_latency_seconds Latency.",
            "# TYPE t_latency_seconds histogram",
            #"t_latency_seconds_bucket{bot="ext",le="0.05"} 1"#,
            #"t_latency_seconds_bucket{bot="ext",le="0.5"} 3"#,    // 0.5 is in its own bucket: le means <=
            #"t_latency_seconds_bucket{bot="ext",le="1"} 4"#,
            #"t_latency_seconds_bucket{bot="ext",le="2.5"} 4"#,
            #"t_latency_seconds_bucket{bot="ext",le="+Inf"} 5"#,
            #"t_latency_seconds_sum{bot="ext"} 4.53125"#,
            #"t_latency_seconds_count{bot="ext"} 5"#,
        ])
    }

    @Test("a histogram without labels has le as its only label; an unknown one gets the default buckets")
    func histogramWithoutLabels() {
        let metrics = GatewayMetrics(catalog: Self.catalog)
        metrics.observe("t_latency_seconds", 2)
        metrics.observe("t_other_seconds", 0.2)
        let text = metrics.render()
        #expect(text.contains("t_latency_seconds_bucket{le=\"1\"} 0\nt_latency_seconds_bucket{le=\"2.5\"} 1\n"))
        #expect(text.contains("t_latency_seconds_sum 2\nt_latency_seconds_count 1\n"))
        let other = Self.lines(text, "t_other_seconds").filter { $0.contains("_bucket") }
        #expect(other.count == MetricCatalog.defaultBuckets.count + 1)
        #expect(other.first == #"t_other_seconds_bucket{le="0.005"} 0"#)
        #expect(other.last == #"t_other_seconds_bucket{le="+Inf"} 1"#)
    }

    @Test("a gauge with labels is typed gauge, one series per label set, values replaced not added")
    func labelledGauge() {
        let metrics = GatewayMetrics(catalog: Self.catalog)
        metrics.gauge("t_queue_waiting", labels: PrometheusText.labels(["queue": "sales"]), 3)
        metrics.gauge("t_queue_waiting", labels: PrometheusText.labels(["queue": "billing"]), 1)
        metrics.gauge("t_queue_waiting", labels: PrometheusText.labels(["queue": "sales"]), 2)
        #expect(Self.lines(metrics.render(), "t_queue_waiting") == [
            "# HELP t_queue_waiting Waiting, by queue.",
            "# TYPE t_queue_waiting gauge",
            #"t_queue_waiting{queue="billing"} 1"#,
            #"t_queue_waiting{queue="sales"} 2"#,
        ])
        #expect(metrics.gaugeValue("t_queue_waiting", labels: #"queue="sales""#) == 2)
    }

    @Test("label values from the configuration are escaped: backslash, quote, line feed")
    func escaping() {
        #expect(PrometheusText.labels(["queue": "a\\b\"c\nd", "bot": "plain"]) == #"queue="a\\b\"c\nd",bot="plain""#)
        let metrics = GatewayMetrics(catalog: Self.catalog)
        metrics.increment("t_calls_total", labels: PrometheusText.labels(["outcome": "x\"}\ny 1"]))
        let text = metrics.render()
        #expect(text.contains(#"t_calls_total{outcome="x\"}\ny 1"} 1"#))
        #expect(text.contains("# HELP t_calls_total Calls.\\nBy outcome, with a \\\\ in it.\n"), "HELP escapes \\ and line feeds")
        #expect(text.split(separator: "\n").count == 3, "nothing a label holds starts a line: \(text)")
    }

    @Test("HELP and TYPE once per family, before its samples; families sorted; gauges' numbers as Prometheus reads them")
    func helpAndTypeOnce() {
        let metrics = GatewayMetrics(catalog: Self.catalog)
        for outcome in ["b", "a", "c"] { metrics.increment("t_calls_total", labels: PrometheusText.labels(["outcome": outcome])) }
        metrics.gauge("t_queue_waiting", labels: #"queue="q""#, 0.25)
        metrics.observe("t_latency_seconds", labels: #"bot="x""#, 0.1)
        metrics.observe("t_latency_seconds", labels: #"bot="y""#, 0.1)
        let lines = metrics.render().split(separator: "\n").map(String.init)
        for family in ["t_calls_total", "t_queue_waiting", "t_latency_seconds"] {
            #expect(lines.filter { $0.hasPrefix("# HELP \(family) ") }.count == 1)
            #expect(lines.filter { $0.hasPrefix("# TYPE \(family) ") }.count == 1)
        }
        let types = lines.filter { $0.hasPrefix("# TYPE ") }
        #expect(types == ["# TYPE t_calls_total counter", "# TYPE t_latency_seconds histogram", "# TYPE t_queue_waiting gauge"])
        #expect(lines.contains(#"t_queue_waiting{queue="q"} 0.25"#))
        // Each family's lines are one block: HELP, TYPE, then only its own samples.
        let calls = lines.firstIndex(of: "# TYPE t_calls_total counter")!
        #expect(Array(lines[(calls + 1)...(calls + 3)]) == [#"t_calls_total{outcome="a"} 1"#, #"t_calls_total{outcome="b"} 1"#, #"t_calls_total{outcome="c"} 1"#])
    }

    @Test("a write of another type to a listed name is dropped: TYPE never lies")
    func wrongTypeDropped() {
        let metrics = GatewayMetrics(catalog: Self.catalog)
        metrics.set("t_queue_waiting", labels: #"queue="q""#, to: 4)      // a gauge, written as a counter
        metrics.gauge("t_calls_total", 1)                                 // a counter, written as a gauge
        metrics.gauge("t_unlisted", 1)
        metrics.increment("t_unlisted")                                   // first write made it a gauge
        #expect(metrics.render() == "# TYPE t_unlisted gauge\nt_unlisted 1\n")
    }

    @Test("counters at 0 show (rates start at once); numbers: whole, fraction, infinities")
    func numbers() {
        let metrics = GatewayMetrics(catalog: Self.catalog)
        metrics.increment("t_calls_total", labels: #"outcome="x""#, by: 0)
        #expect(metrics.render().hasSuffix("t_calls_total{outcome=\"x\"} 0\n"))
        #expect(PrometheusText.number(100) == "100")
        #expect(PrometheusText.number(0.05) == "0.05")
        #expect(PrometheusText.number(.infinity) == "+Inf")
        #expect(PrometheusText.number(-.infinity) == "-Inf")
        #expect(PrometheusText.number(.nan) == "NaN")
    }

    @Test("the catalog's histogram buckets ascend and every family name is a valid metric name")
    func catalogIsSound() {
        for (name, description) in MetricCatalog.all {
            #expect(name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") } && name.hasPrefix("voicegate_"))
            if case .histogram(let bounds) = description.kind {
                #expect(bounds == bounds.sorted() && Set(bounds).count == bounds.count, "\(name)")
            }
            if description.kind == .counter { #expect(name.hasSuffix("_total"), "\(name)") }
        }
    }
}

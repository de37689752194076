import Synchronization

/// Counters, gauges and histograms the gateway exposes at /metrics, safe to bump from any thread
/// (SIP worker threads, the control thread, bot clients' queues). Rendering is pure text in the
/// Prometheus exposition format 0.0.4.
///
/// Labels are one pre-rendered label set, such as `outcome="resolved"`; build it with
/// `PrometheusText.labels` whenever a value is not a constant of the code (it escapes).
/// Types come from `MetricCatalog`: a write of the wrong kind to a listed name is dropped, so a
/// family is only ever one type and its `# TYPE` line is true.
public final class GatewayMetrics: Sendable {
    /// One histogram series: per-bucket counts (not cumulative; the last slot is above every
    /// bound), the sum and the count of observations.
    struct HistogramSeries: Equatable {
        var buckets: [Int]
        var sum = 0.0
        var count = 0
    }

    struct State {
        var counters: [String: [String: Int]] = [:]      // metric -> label set -> value
        var gauges: [String: [String: Double]] = [:]
        var histograms: [String: [String: HistogramSeries]] = [:]
    }
    private let state = Mutex(State())
    private let catalog: [String: MetricDescription]

    /// `catalog`: the names, types, help and histogram buckets known in advance.
    public init(catalog: [String: MetricDescription] = MetricCatalog.all) {
        self.catalog = catalog
    }

    /// Adds to a counter (`by: 0` makes the series show as 0 before its first event, so rates
    /// over it start at once).
    public func increment(_ name: String, labels: String = "", by amount: Int = 1) {
        state.withLock { s in
            guard accepts(name, .counter, s) else { return }
            s.counters[name, default: [:]][labels, default: 0] += amount
        }
    }

    /// Sets a counter that is counted elsewhere (the SIP stack's responses by code, in C) and
    /// copied in before rendering. The caller keeps it monotonic.
    public func set(_ name: String, labels: String = "", to value: Int) {
        state.withLock { s in
            guard accepts(name, .counter, s) else { return }
            s.counters[name, default: [:]][labels] = value
        }
    }

    /// Sets a gauge.
    public func gauge(_ name: String, labels: String = "", _ value: Double) {
        state.withLock { s in
            guard accepts(name, .gauge, s) else { return }
            s.gauges[name, default: [:]][labels] = value
        }
    }

    /// Records one observation in a histogram, with the bucket bounds its catalog entry names
    /// (`MetricCatalog.defaultBuckets` for a name not in the catalog).
    public func observe(_ name: String, labels: String = "", _ value: Double) {
        let bounds = buckets(of: name)
        state.withLock { s in
            guard accepts(name, .histogram(buckets: bounds), s) else { return }
            var series = s.histograms[name]?[labels] ?? HistogramSeries(buckets: Array(repeating: 0, count: bounds.count + 1))
            series.buckets[bounds.firstIndex { value <= $0 } ?? bounds.count] += 1
            series.sum += value
            series.count += 1
            s.histograms[name, default: [:]][labels] = series
        }
    }

    /// A counter's value (0 when it never counted).
    public func counter(_ name: String, labels: String = "") -> Int {
        state.withLock { $0.counters[name]?[labels] ?? 0 }
    }

    /// A gauge's value, nil when never set.
    public func gaugeValue(_ name: String, labels: String = "") -> Double? {
        state.withLock { $0.gauges[name]?[labels] }
    }

    /// The Prometheus text exposition of everything: per family one `# HELP` (when known) and one
    /// `# TYPE`, then its samples; families by name, series by label set.
    public func render() -> String {
        let snapshot = state.withLock { $0 }
        var out = ""
        for name in Set(snapshot.counters.keys).union(snapshot.gauges.keys).union(snapshot.histograms.keys).sorted() {
            if let help = catalog[name]?.help { out += "# HELP \(name) \(PrometheusText.escapeHelp(help))\n" }
            if let counters = snapshot.counters[name] {
                out += "# TYPE \(name) counter\n"
                for (labels, value) in counters.sorted(by: { $0.key < $1.key }) { out += sample(name, labels, String(value)) }
            } else if let gauges = snapshot.gauges[name] {
                out += "# TYPE \(name) gauge\n"
                for (labels, value) in gauges.sorted(by: { $0.key < $1.key }) { out += sample(name, labels, PrometheusText.number(value)) }
            } else if let histograms = snapshot.histograms[name] {
                out += "# TYPE \(name) histogram\n"
                let bounds = buckets(of: name)
                for (labels, series) in histograms.sorted(by: { $0.key < $1.key }) {
                    out += histogram(name, labels, series, bounds)
                }
            }
        }
        return out
    }

    private func sample(_ name: String, _ labels: String, _ value: String) -> String {
        labels.isEmpty ? "\(name) \(value)\n" : "\(name){\(labels)} \(value)\n"
    }

    /// `_bucket` lines cumulative up to `+Inf` (which equals `_count`), then `_sum` and `_count`.
    private func histogram(_ name: String, _ labels: String, _ series: HistogramSeries, _ bounds: [Double]) -> String {
        let prefix = labels.isEmpty ? "" : labels + ","
        var out = ""
        var cumulative = 0
        for (i, bound) in bounds.enumerated() {
            cumulative += series.buckets[i]
            out += "\(name)_bucket{\(prefix)le=\"\(PrometheusText.number(bound))\"} \(cumulative)\n"
        }
        out += "\(name)_bucket{\(prefix)le=\"+Inf\"} \(series.count)\n"
        out += sample(name + "_sum", labels, PrometheusText.number(series.sum))
        out += sample(name + "_count", labels, String(series.count))
        return out
    }

    private func buckets(of name: String) -> [Double] {
        if case .histogram(let bounds)? = catalog[name]?.kind { return bounds }
        return MetricCatalog.defaultBuckets
    }

    /// Whether a write of `kind` to `name` keeps one type per family: the catalog's type when
    /// listed, else the type of the first write.
    private func accepts(_ name: String, _ kind: MetricKind, _ s: State) -> Bool {
        if let listed = catalog[name]?.kind { return listed.typeName == kind.typeName }
        let taken = [s.counters[name] != nil ? "counter" : nil, s.gauges[name] != nil ? "gauge" : nil,
                     s.histograms[name] != nil ? "histogram" : nil].compactMap { $0 }
        return taken.allSatisfy { $0 == kind.typeName }
    }
}

import Synchronization

/// Counters and gauges the gateway exposes at /metrics, safe to bump from any thread (SIP worker
/// threads, the control thread). Rendering is pure text in the Prometheus exposition format.
public final class GatewayMetrics: Sendable {
    private struct State {
        var counters: [String: [String: Int]] = [:]   // metric -> label set -> value
        var gauges: [String: Double] = [:]
    }
    private let state = Mutex(State())
    private let help: [String: (type: String, text: String)] = [
        "voicegate_calls_total": ("counter", "Calls ended, by outcome."),
        "voicegate_sip_refusals_total": ("counter", "Requests refused before a call existed, by reason."),
        "voicegate_active_calls": ("gauge", "Calls in progress."),
        "voicegate_call_capacity": ("gauge", "Concurrent calls the gateway accepts."),
        "voicegate_draining": ("gauge", "1 while the gateway refuses new calls to shut down."),
        "voicegate_sip_responses_total": ("counter", "SIP responses sent, by status code."),
        "voicegate_queue_waiting": ("gauge", "Callers waiting, by queue."),
        "voicegate_queue_longest_wait_seconds": ("gauge", "The longest wait of a caller waiting now, by queue."),
        "voicegate_agents": ("gauge", "Agents, by presence as shown."),
        "voicegate_agent_register_refusals_total": ("counter", "Agents' REGISTER requests refused, by reason (auth_required: the usual first challenge)."),
        "voicegate_agents_registered": ("gauge", "Agents with at least one registered contact."),
    ]

    public init() {}

    /// labels is one pre-rendered label set, such as `outcome="resolved"`.
    public func increment(_ name: String, labels: String = "", by amount: Int = 1) {
        state.withLock { $0.counters[name, default: [:]][labels, default: 0] += amount }
    }

    public func set(_ name: String, labels: String = "", to value: Int) {
        state.withLock { $0.counters[name, default: [:]][labels] = value }
    }

    public func gauge(_ name: String, _ value: Double) {
        state.withLock { $0.gauges[name] = value }
    }

    public func counter(_ name: String, labels: String = "") -> Int {
        state.withLock { $0.counters[name]?[labels] ?? 0 }
    }

    /// The Prometheus text exposition of everything.
    public func render() -> String {
        let snapshot = state.withLock { $0 }
        var out = ""
        for name in Set(snapshot.gauges.keys).union(snapshot.counters.keys).sorted() {
            if let h = help[name] { out += "# HELP \(name) \(h.text)\n# TYPE \(name) \(h.type)\n" }
            if let g = snapshot.gauges[name] {
                out += "\(name) \(g == g.rounded() ? String(Int(g)) : String(g))\n"
            }
            for (labels, value) in (snapshot.counters[name] ?? [:]).sorted(by: { $0.key < $1.key }) {
                out += labels.isEmpty ? "\(name) \(value)\n" : "\(name){\(labels)} \(value)\n"
            }
        }
        return out
    }
}

/// What a metric family is: Prometheus's type, and for a histogram its bucket upper bounds.
public enum MetricKind: Sendable, Equatable {
    case counter
    case gauge
    /// `buckets`: the finite upper bounds, ascending; `+Inf` is implied.
    case histogram(buckets: [Double])

    /// The word of the `# TYPE` line.
    public var typeName: String {
        switch self {
        case .counter: "counter"
        case .gauge: "gauge"
        case .histogram: "histogram"
        }
    }
}

/// A metric family's type and `# HELP` text.
public struct MetricDescription: Sendable, Equatable {
    public let kind: MetricKind
    public let help: String
}

/// Every metric the gateway exposes, in one table: the README's list and the Grafana dashboard
/// (deploy/grafana) are kept to these names. The type here is authoritative: a write of another
/// kind to one of these names is a programming error and is dropped, so /metrics never says
/// one type and shows samples of another.
public enum MetricCatalog {
    /// For a histogram that is not in the table: Prometheus's client libraries' defaults.
    public static let defaultBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    /// Bot answers over HTTP take from tens of milliseconds (a bot beside the gateway) to the
    /// bot's timeout (10 s by default); the buckets span that so p50 and p95 are readable.
    public static let botLatencyBuckets: [Double] = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10]

    /// VADER's compound score: the inner bounds are its authors' neutral band (±0.05).
    public static let sentimentBuckets: [Double] = [-0.5, -0.05, 0.05, 0.5, 1]

    public static let all: [String: MetricDescription] = [
        "voicegate_build_info": .init(kind: .gauge, help: "Always 1; the version label names the running build."),
        "voicegate_calls_total": .init(kind: .counter, help: "Calls ended, by outcome."),
        "voicegate_sip_refusals_total": .init(kind: .counter, help: "Requests refused before a call existed, by reason."),
        "voicegate_active_calls": .init(kind: .gauge, help: "Calls in progress."),
        "voicegate_call_capacity": .init(kind: .gauge, help: "Concurrent calls the gateway accepts."),
        "voicegate_draining": .init(kind: .gauge, help: "1 while the gateway refuses new calls to shut down."),
        "voicegate_sip_responses_total": .init(kind: .counter, help: "SIP responses sent, by status code."),
        "voicegate_queue_waiting": .init(kind: .gauge, help: "Callers waiting, by queue."),
        "voicegate_queue_longest_wait_seconds": .init(kind: .gauge, help: "The longest wait of a caller waiting now, by queue."),
        "voicegate_agents": .init(kind: .gauge, help: "Agents, by presence as shown."),
        "voicegate_agent_register_refusals_total": .init(kind: .counter, help: "Agents' REGISTER requests refused, by reason (auth_required: the usual first challenge)."),
        "voicegate_agents_registered": .init(kind: .gauge, help: "Agents with at least one registered contact."),
        "voicegate_bot_latency_seconds": .init(kind: .histogram(buckets: botLatencyBuckets),
                                               help: "Time from posting an activity to an external bot to its HTTP answer, by bot (answered posts only)."),
        "voicegate_bot_failures_total": .init(kind: .counter, help: "Activities an external bot did not answer usably, by bot and reason (timeout, http_CODE, malformed, unreachable)."),
        "voicegate_conversations_total": .init(kind: .counter, help: "Conversations closed, by outcome (resolved, escalated, abandoned, transferred, failed)."),
        "voicegate_customer_sentiment": .init(kind: .histogram(buckets: sentimentBuckets),
                                              help: "Sentiment of customers' turns (VADER compound, -1 to 1)."),
        "voicegate_transfers_total": .init(kind: .counter, help: "Transfers to a phone number, by result (completed, failed, refused)."),
    ]
}

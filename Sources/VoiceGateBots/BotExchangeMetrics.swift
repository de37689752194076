import VoiceGateCore

/// Where one external bot's client reports each POST: how long an answered one took
/// (`voicegate_bot_latency_seconds`), and why one failed (`voicegate_bot_failures_total`).
/// Failures are kept out of the histogram: a timeout's "latency" is the configured timeout, not
/// the bot's, and would turn p95 into a configuration value.
public struct BotExchangeMetrics: Sendable {
    public static let latency = "voicegate_bot_latency_seconds"
    public static let failures = "voicegate_bot_failures_total"

    private let metrics: GatewayMetrics
    private let bot: String

    /// Also shows the fixed failure reasons at 0 for `bot`, so a rate over them works from the
    /// first scrape instead of from the first failure.
    public init(metrics: GatewayMetrics, bot: String) {
        self.metrics = metrics
        self.bot = bot
        for reason in ["timeout", "malformed", "unreachable"] {
            metrics.increment(Self.failures, labels: PrometheusText.labels(["bot": bot, "reason": reason]), by: 0)
        }
    }

    /// One exchange is over: `reply` came `seconds` after the POST went out.
    func record(_ reply: BotReply, seconds: Double) {
        switch reply {
        case .activities:
            metrics.observe(Self.latency, labels: PrometheusText.labels(["bot": bot]), seconds)
        case .failure(let failure):
            metrics.increment(Self.failures, labels: PrometheusText.labels(["bot": bot, "reason": Self.reason(failure.kind)]))
        }
    }

    /// The label value of a failure: few and fixed, so the series stay few. An HTTP status keeps
    /// its code (bounded, and 401 versus 503 tells an operator whom to call).
    static func reason(_ kind: BotFailure.Kind) -> String {
        switch kind {
        case .timeout: "timeout"
        case .httpStatus(let code): "http_\(code)"
        case .malformed: "malformed"
        case .unreachable: "unreachable"
        }
    }
}

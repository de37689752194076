import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import VoiceGateCore

/// An external bot reached over HTTP (bot-protocol.md, "Transport"): each activity is one POST
/// to the bot's endpoint, answered with its reply activities. One client per configured bot; it
/// keeps connections to the bot open between activities. Thread-safe: call it from any thread or
/// task. Replies arrive on the client's own serial queue.
///
/// The secret is sent as `Authorization: Bearer` and nowhere else: failures, descriptions and
/// reflection of the client never show it.
public final class ExternalBotClient: BotClient, CustomStringConvertible, CustomReflectable {
    /// The most of a reply that is kept; a bot sending more fails as malformed, so one broken or
    /// hostile bot cannot take the gateway's memory. A declared larger Content-Length is refused
    /// before the body is read; a streamed one is cut off (see `ExchangeTable` for how fast).
    public static let replyLimit = 1 << 20

    public let endpoint: URL
    /// Written into every activity sent: where the bot posts asynchronous replies.
    public let serviceUrl: String
    public let timeoutSeconds: Double
    private let secret: String?
    private let session: URLSession
    private let exchanges = ExchangeTable()
    private let metrics: BotExchangeMetrics?

    /// `secret` nil or empty: no Authorization header. `timeoutSeconds` bounds each activity's
    /// whole exchange, from connecting to the last byte of the reply. `metrics`: where each
    /// exchange's latency or failure is counted (nil: nowhere).
    public init(endpoint: URL, secret: String?, timeoutSeconds: Double, serviceUrl: String, metrics: BotExchangeMetrics? = nil) {
        self.endpoint = endpoint
        self.metrics = metrics
        self.secret = (secret?.isEmpty ?? true) ? nil : secret
        self.timeoutSeconds = timeoutSeconds
        self.serviceUrl = serviceUrl
        let configuration = URLSessionConfiguration.ephemeral
        // URLSession's own limits sit a second behind the client's timer, which decides timeouts
        // (URLSession's request timeout is an idle timeout, not a deadline).
        configuration.timeoutIntervalForRequest = timeoutSeconds + 1
        configuration.timeoutIntervalForResource = timeoutSeconds + 1
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        queue.name = "voicegate.bot"
        session = URLSession(configuration: configuration, delegate: exchanges, delegateQueue: queue)
    }

    /// The client of an external bot in the configuration; nil for an embedded bot, or when the
    /// endpoint is not an http(s) URL with a host. Exchanges are counted in `metrics`, if given,
    /// under the bot's id.
    public convenience init?(settings: BotSettings, serviceUrl: String, metrics: GatewayMetrics? = nil) {
        guard case .external(let endpoint, let secret) = settings.kind,
              let url = URL(string: endpoint), let scheme = url.scheme?.lowercased(),
              scheme == "http" || scheme == "https", url.host != nil
        else { return nil }
        self.init(endpoint: url, secret: secret, timeoutSeconds: settings.timeoutSeconds, serviceUrl: serviceUrl,
                  metrics: metrics.map { BotExchangeMetrics(metrics: $0, bot: settings.id) })
    }

    deinit {
        // The session holds its delegate until invalidated; requests in flight still finish.
        session.finishTasksAndInvalidate()
    }

    /// POSTs `activity` (with this client's `serviceUrl`) and returns at once; `completion` runs
    /// once on the client's queue with the reply activities (200 with `{"activities": [...]}`;
    /// 202 or 204: none) or the failure: timeout, non-2xx status, malformed reply, unreachable.
    public func send(_ activity: Activity, completion: @escaping @Sendable (BotReply) -> Void) {
        var activity = activity
        activity.serviceUrl = serviceUrl
        var request = URLRequest(url: endpoint, timeoutInterval: timeoutSeconds + 1)
        request.httpMethod = "POST"
        request.httpBody = ActivityPayload.body(activity)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        if let secret { request.setValue("Bearer \(secret)", forHTTPHeaderField: "Authorization") }

        let label = activity.name.map { "\(activity.type) \($0)" } ?? activity.type
        // Measured here, around the exchange, because HTTPExchange completes exactly once
        // whichever way it ends: every POST is counted once, as a latency or as a failure.
        let started = ContinuousClock.now
        let metrics = self.metrics
        let exchange = HTTPExchange(subject: endpoint.redactedForLogs, label: label, timeoutSeconds: timeoutSeconds,
                                    limit: Self.replyLimit) { reply in
            if let metrics {
                let elapsed = started.duration(to: .now).components
                metrics.record(reply, seconds: Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18)
            }
            completion(reply)
        }
        let task = session.dataTask(with: request)
        exchanges.add(exchange, for: task)
        DispatchQueue.global().asyncAfter(deadline: .now() + timeoutSeconds) { [weak task] in
            if exchange.timedOut(), exchange.markCancelled() { task?.cancel() }
        }
        task.resume()
    }

    public var description: String {
        "ExternalBotClient(\(endpoint.redactedForLogs), secret: \(secret == nil ? "none" : "<redacted>"), timeout: \(timeoutSeconds) s)"
    }

    public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
}

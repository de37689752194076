import Foundation
import Synchronization
import VoiceGateCore
import VoiceGateTelephony
import VoiceGateHTTP
import VoiceGateBots

/// `/api/v1/bots`: the configured bots and whether each takes calls now; enable, disable,
/// connect, disconnect, the voice toggle, and refresh (does the endpoint answer, how fast).
/// Runs on the HTTP threads; changes go to the endpoint's availability table (thread-safe) and
/// apply to new calls only.
struct BotRoutes: Sendable {
    let bots: [BotSettings]
    let endpoint: SIPEndpoint
    let log: LogSink
    /// Where the bots' HTTP clients live: refresh uses the same client (and connections) as calls.
    let recorder: ConversationRecorder

    func handle(_ request: HTTPRequest, _ rest: [String]) -> HTTPResponse {
        switch (request.method, rest) {
        case ("GET", []):
            return .json(200, ["bots": bots.map(summary)])
        case ("GET", let r) where r.count == 1:
            guard let bot = bots.first(where: { $0.id == r[0] }) else { return unknown(r[0]) }
            return .json(200, summary(bot))
        case ("POST", let r) where r.count == 2 && ["enable", "disable", "connect", "disconnect"].contains(r[1]):
            return change(r[0], r[1]) { state in
                switch r[1] {
                case "enable": state.enabled = true
                case "disable": state.enabled = false
                case "connect": state.connected = true
                default: state.connected = false
                }
            }
        case ("PUT", let r) where r.count == 2 && r[1] == "voice":
            guard let body = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any],
                  let enabled = body["enabled"] as? Bool else {
                return .error(400, code: "bad_request", message: "the body is {\"enabled\": true|false}")
            }
            return change(r[0], enabled ? "voice_on" : "voice_off") { $0.voiceEnabled = enabled }
        case ("POST", let r) where r.count == 2 && r[1] == "refresh":
            guard let bot = bots.first(where: { $0.id == r[0] }) else { return unknown(r[0]) }
            return refresh(bot)
        default:
            return .error(404, code: "not_found", message: "no such path: \(request.path)")
        }
    }

    private func change(_ id: String, _ what: String, _ body: (inout BotAvailability) -> Void) -> HTTPResponse {
        guard let bot = bots.first(where: { $0.id == id }), endpoint.updateBot(id, body) != nil else { return unknown(id) }
        let state = endpoint.botAvailability[id] ?? BotAvailability()
        log.write(LogLine(.info, "bot.changed", [("bot", id), ("change", what), ("takes_calls", String(state.takesCalls))]))
        return .json(200, summary(bot))
    }

    /// An external bot gets an `event` named `Ping` in a conversation of its own: any HTTP
    /// answer means it is reachable (a bot may well refuse an event it does not know).
    private func refresh(_ bot: BotSettings) -> HTTPResponse {
        guard case .external = bot.kind, let client = recorder.client(for: bot) else {
            return .json(200, RefreshResult(bot: bot.id, reachable: true, status: nil, latencyMs: 0, error: nil))
        }
        let ping = Activity(type: "event", id: Activity.newId(), timestamp: Date(), channelId: "voice",
                            conversation: .init(id: "refresh-\(Activity.newId())"),
                            from: .init(id: "voicegate", role: "user"), recipient: .init(id: bot.id, role: "bot"), name: "Ping")
        let started = Date()
        let done = DispatchSemaphore(value: 0)
        let result = Mutex<BotReply?>(nil)
        client.send(ping) { reply in
            result.withLock { $0 = reply }
            done.signal()
        }
        _ = done.wait(timeout: .now() + bot.timeoutSeconds + 1)
        let latency = (Date().timeIntervalSince(started) * 1000).rounded()
        let outcome: RefreshResult
        switch result.withLock({ $0 }) {
        case .activities?:
            outcome = RefreshResult(bot: bot.id, reachable: true, status: 200, latencyMs: latency, error: nil)
        case .failure(let failure)?:
            if case .httpStatus(let code) = failure.kind {
                outcome = RefreshResult(bot: bot.id, reachable: true, status: code, latencyMs: latency, error: failure.description)
            } else {
                outcome = RefreshResult(bot: bot.id, reachable: false, status: nil, latencyMs: latency, error: failure.description)
            }
        case nil:
            outcome = RefreshResult(bot: bot.id, reachable: false, status: nil, latencyMs: latency, error: "no answer")
        }
        log.write(LogLine(.info, "bot.refreshed", [("bot", bot.id), ("reachable", String(outcome.reachable)),
                                                   ("latency_ms", String(Int(latency)))]))
        return .json(200, outcome)
    }

    private func summary(_ bot: BotSettings) -> BotSummary {
        let state = endpoint.botAvailability[bot.id] ?? BotAvailability(enabled: bot.enabled)
        var endpointURL: String?
        if case .external(let url, _) = bot.kind { endpointURL = url }
        return BotSummary(id: bot.id, kind: endpointURL == nil ? "embedded" : "external", applicationId: bot.applicationId,
                          endpoint: endpointURL, enabled: state.enabled, connected: state.connected,
                          voiceEnabled: state.voiceEnabled, takesCalls: state.takesCalls)
    }

    private func unknown(_ id: String) -> HTTPResponse { .error(404, code: "not_found", message: "no bot \(id)") }
}

/// A bot as the admin API shows it: never its secret.
struct BotSummary: Encodable {
    let id: String
    let kind: String
    let applicationId: String
    let endpoint: String?
    let enabled: Bool
    let connected: Bool
    let voiceEnabled: Bool
    let takesCalls: Bool
}

struct RefreshResult: Encodable {
    let bot: String
    let reachable: Bool
    let status: Int?
    let latencyMs: Double
    let error: String?
}

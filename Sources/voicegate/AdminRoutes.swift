import Foundation
import VoiceGateCore
import VoiceGateTelephony
import VoiceGateHTTP
import VoiceGateStore

/// The HTTP routes of the gateway (../shared/spec/admin-api.md). Runs on libmicrohttpd's thread:
/// reads only thread-safe state (the endpoint's counters, the store's read connection).
struct AdminRoutes: Sendable {
    let endpoint: SIPEndpoint
    let metrics: GatewayMetrics
    let store: ConversationStore
    let access: AdminAccess
    /// `admin.viewerToken`: GET (and HEAD) only.
    let viewer: AdminAccess
    let recorder: ConversationRecorder
    let bots: BotRoutes
    let routing: RoutingRoutes
    let supervisor: SupervisorDataRoutes

    static let defaultLimit = 50
    static let maxLimit = 500

    func handle(_ request: HTTPRequest) -> HTTPResponse {
        if let page = SupervisorRoutes.handle(request) { return page }   // the supervisor page: `/`, `/conversations/{id}`
        switch (request.method, request.path) {
        case ("GET", "/healthz"):
            let up = endpoint.isRunning && store.isHealthy
            return up ? .json(200, ["status": "ok"])
                      : .json(503, ["status": "unavailable", "sip": endpoint.isRunning ? "up" : "down", "store": store.isHealthy ? "up" : "down"])
        case ("GET", "/metrics"):
            // The endpoint counts responses by code in C; copy them in so one renderer writes all.
            for code in 100..<700 {
                let n = endpoint.responsesSent(code)
                if n > 0 { metrics.set("voicegate_sip_responses_total", labels: "code=\"\(code)\"", to: n) }
            }
            let text = metrics.render()
            return .text(200, text, contentType: "text/plain; version=0.0.4; charset=utf-8")
        case (_, "/healthz"), (_, "/metrics"):
            return HTTPResponse.error(405, code: "method_not_allowed", message: "\(request.method) is not allowed on \(request.path)")
        default:
            break
        }
        if request.path.hasPrefix("/v1/conversations/") { return botCallback(request) }
        guard request.path.hasPrefix("/api/") else {
            return .error(404, code: "not_found", message: "no such path: \(request.path)")
        }
        let authorization = request.headers["authorization"]
        if !access.allows(authorization) && viewer.allows(authorization) && request.method != "GET" && request.method != "HEAD" {
            return .error(403, code: "forbidden", message: "the viewer token reads only: \(request.method) needs the admin token")
        }
        guard access.allows(authorization) || viewer.allows(authorization) else {
            var response = HTTPResponse.error(401, code: "unauthorized",
                                              message: access.token == nil ? "the admin API is closed: admin.token is not configured"
                                                                           : "a valid 'Authorization: Bearer <admin token>' is required")
            response.headers.append(("WWW-Authenticate", "Bearer realm=\"voicegate\""))
            return response
        }
        let parts = request.path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard parts.count >= 3, parts[0] == "api", parts[1] == "v1" else {
            return .error(404, code: "not_found", message: "no such path: \(request.path)")
        }
        if let answer = routing.handle(request, Array(parts[2...])) { return answer }
        if let answer = supervisor.handle(request, Array(parts[2...])) { return answer }
        switch (request.method, Array(parts[2...])) {
        case (_, let rest) where rest.first == "bots":
            return bots.handle(request, Array(rest.dropFirst()))
        case ("GET", ["conversations"]):
            return listConversations(request)
        case ("GET", let rest) where rest.count == 2 && rest[0] == "conversations":
            return conversation(rest[1])
        case ("GET", let rest) where rest.count == 3 && rest[0] == "conversations" && rest[2] == "transfers":
            return transferAttempts(rest[1])
        case (_, let rest) where rest.first == "conversations" && rest.count <= 2:
            return .error(405, code: "method_not_allowed", message: "\(request.method) is not allowed on \(request.path)")
        default:
            return .error(404, code: "not_found", message: "no such path: \(request.path)")
        }
    }

    /// The bot protocol's callback path: `POST /v1/conversations/{id}/activities`, the bot's own
    /// bearer secret (not the admin token).
    private func botCallback(_ request: HTTPRequest) -> HTTPResponse {
        let parts = request.path.split(separator: "/").map(String.init)
        guard parts.count == 4, parts[3] == "activities" else {
            return .error(404, code: "not_found", message: "no such path: \(request.path)")
        }
        guard request.method == "POST" else {
            return .error(405, code: "method_not_allowed", message: "\(request.method) is not allowed on \(request.path)")
        }
        switch recorder.botCallback(conversationID: parts[2], authorization: request.headers["authorization"], body: request.body) {
        case .accepted(let n): return .json(200, ["accepted": n])
        case .malformed(let why): return .error(400, code: "malformed_activity", message: why)
        case .unauthorized: return .error(401, code: "unauthorized", message: "the bot's bearer secret is required")
        case .unknownConversation: return .error(404, code: "unknown_conversation", message: "no active conversation \(parts[2]) with an external bot")
        }
    }

    private func listConversations(_ request: HTTPRequest) -> HTTPResponse {
        var state: Conversation.State?
        if let text = request.query["state"] {
            guard let s = Conversation.State(rawValue: text) else {
                return .error(400, code: "bad_request", message: "state must be one of: \(Conversation.State.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            state = s
        }
        var limit = AdminRoutes.defaultLimit
        if let text = request.query["limit"] {
            guard let n = Int(text), (1...AdminRoutes.maxLimit).contains(n) else {
                return .error(400, code: "bad_request", message: "limit must be a whole number from 1 to \(AdminRoutes.maxLimit)")
            }
            limit = n
        }
        do {
            return .encoded(200, ConversationList(conversations: try store.conversations(state: state, limit: limit)))
        } catch {
            return .error(503, code: "store_unavailable", message: "the conversation store cannot be read: \(error)")
        }
    }

    /// The conversation's transfer audit rows, oldest first (an empty list for none or an
    /// unknown id: the audit is kept apart from conversations).
    private func transferAttempts(_ id: String) -> HTTPResponse {
        do {
            let rows = try store.transferAttempts(conversationID: id)
            return .encoded(200, ["transfers": rows.map(\.json)])
        } catch {
            return .error(503, code: "store_unavailable", message: "the conversation store cannot be read: \(error)")
        }
    }

    private func conversation(_ id: String) -> HTTPResponse {
        do {
            guard let c = try store.conversation(id: id) else {
                return .error(404, code: "not_found", message: "no conversation \(id)")
            }
            return .encoded(200, c)
        } catch {
            return .error(503, code: "store_unavailable", message: "the conversation store cannot be read: \(error)")
        }
    }
}

private struct ConversationList: Encodable {
    let conversations: [Conversation]
}

/// Who may use /api/: holders of the configured bearer token. Compared in constant time; with
/// no token configured, nobody.
struct AdminAccess: Sendable {
    let token: String?

    func allows(_ authorization: String?) -> Bool {
        guard let token, let authorization else { return false }
        let prefix = "bearer "
        guard authorization.count > prefix.count, authorization.lowercased().hasPrefix(prefix) else { return false }
        let given = Array(authorization.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces).utf8)
        let expected = Array(token.utf8)
        var diff = UInt8(given.count == expected.count ? 0 : 1)
        for i in 0..<given.count { diff |= given[i] ^ expected[i % max(expected.count, 1)] }
        return diff == 0
    }
}

extension HTTPResponse {
    /// A JSON body in the admin API's encoding (ISO 8601 times with milliseconds, nulls kept).
    static func encoded<T: Encodable>(_ status: Int, _ value: T) -> HTTPResponse {
        let encoder = Conversation.adminAPIEncoder()
        guard let data = try? encoder.encode(value) else {
            return .error(500, code: "encoding_failed", message: "the response could not be encoded")
        }
        return HTTPResponse(status: status, contentType: "application/json", body: Array(data))
    }
}

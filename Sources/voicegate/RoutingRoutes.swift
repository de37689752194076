import Foundation
import VoiceGateCore
import VoiceGateTelephony
import VoiceGateHTTP
import VoiceGateStore

/// `/api/v1/queues`, `/api/v1/agents`, an agent's presence, and moving or closing a
/// conversation (admin-api.md). Runs on the HTTP threads; the desk serializes the changes.
struct RoutingRoutes: Sendable {
    let desk: AgentDesk
    let endpoint: SIPEndpoint
    let control: ConversationHandler
    let bots: [String]
    let store: ConversationStore

    /// nil when the path is not one of these.
    func handle(_ request: HTTPRequest, _ rest: [String]) -> HTTPResponse? {
        switch (request.method, rest) {
        case ("GET", ["queues"]):
            return .json(200, ["queues": queuesJSON()])
        case ("GET", ["agents"]):
            return .json(200, ["agents": agentsJSON()])
        case ("PUT", let r) where r.count == 3 && r[0] == "agents" && r[2] == "presence":
            guard let body = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any],
                  let text = body["presence"] as? String, let presence = Presence(rawValue: text) else {
                return .error(400, code: "bad_request", message: "the body is {\"presence\": \"available\"|\"busy\"|\"away\"|\"offline\"}")
            }
            guard desk.setPresence(r[1], presence) else { return .error(404, code: "not_found", message: "no agent \(r[1])") }
            guard let (state, shown) = desk.agents().first(where: { $0.0.settings.id == r[1] }) else {
                return .error(404, code: "not_found", message: "no agent \(r[1])")
            }
            return .json(200, agentJSON(state, shown))
        case ("POST", let r) where r.count == 3 && r[0] == "conversations" && r[2] == "transfer":
            guard let body = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any] else {
                return .error(400, code: "bad_request", message: "the body is {\"bot\": \"<bot id>\"} or {\"queue\": \"<name>\"}")
            }
            let move: AgentDesk.Move
            if let bot = body["bot"] as? String, body["queue"] == nil {
                guard bots.contains(bot) else { return .error(400, code: "unknown_bot", message: "no bot has the id '\(bot)'") }
                move = .bot(bot)
            } else if let queue = body["queue"] as? String, body["bot"] == nil {
                guard desk.settings.queue(named: queue) != nil else { return .error(400, code: "unknown_queue", message: "no queue is named '\(queue)'") }
                move = .queue(queue)
            } else {
                return .error(400, code: "bad_request", message: "the body is {\"bot\": \"<bot id>\"} or {\"queue\": \"<name>\"}")
            }
            switch desk.move(r[1], to: move, by: "api") {
            case nil: return .json(200, ["conversation": r[1], "moved": "ok"])
            case "unknown_conversation"?: return .error(404, code: "not_found", message: "no live conversation \(r[1])")
            case let why?: return .error(409, code: why, message: "the conversation is with a bot: only an agent's or a waiting conversation moves")
            }
        case ("GET", let r) where r.count == 3 && r[0] == "conversations" && r[2] == "routing":
            // The conversation's queue entries and its segments (bot, waiting, agent) with their times.
            do {
                let entries = try store.queueEntries(conversationID: r[1])
                let segments = try store.segments(conversationID: r[1])
                let totals = ConversationSegment.seconds(of: segments, now: Date())
                return .encoded(200, RoutingView(queueEntries: entries, segments: segments,
                                                 segmentSeconds: Dictionary(uniqueKeysWithValues: totals.map { ($0.key.rawValue, $0.value) })))
            } catch {
                return .error(503, code: "store_unavailable", message: "the conversation store cannot be read: \(error)")
            }
        case ("POST", let r) where r.count == 3 && r[0] == "conversations" && r[2] == "close":
            guard endpoint.hasConversation(r[1]) else { return .error(404, code: "not_found", message: "no live conversation \(r[1])") }
            control.hangUp(r[1], reason: "closed_by_supervisor")
            return .json(200, ["conversation": r[1], "closing": "ok"])
        default:
            return nil
        }
    }

    /// The items of GET /api/v1/queues (the live view shows the same).
    func queuesJSON() -> [JSONValue] { desk.queues().map(queueJSON) }

    /// The items of GET /api/v1/agents.
    func agentsJSON() -> [JSONValue] { desk.agents().map { agentJSON($0.0, $0.1) } }

    private func queueJSON(_ q: AgentDesk.QueueView) -> JSONValue {
        .object(["name": .string(q.name), "waiting": .number(Double(q.waiting.count)),
                 "longestWaitSeconds": .number((q.waiting.map(\.waitSeconds).max() ?? 0).rounded()),
                 "agents": .array(q.agents.map(JSONValue.string)), "bots": .array(q.bots.map(JSONValue.string)),
                 "callers": .array(q.waiting.map { w in
                     .object(["conversation": .string(w.conversation), "position": .number(Double(w.position)),
                              "waitSeconds": .number((w.waitSeconds * 10).rounded() / 10),
                              "ringing": w.ringing.map(JSONValue.string) ?? .null])
                 })])
    }

    private func agentJSON(_ a: RoutingBoard.AgentState, _ shown: Presence) -> JSONValue {
        .object(["id": .string(a.settings.id), "name": .string(a.settings.name), "presence": .string(shown.rawValue),
                 "chosenPresence": .string(a.presence.rawValue), "capacity": .number(Double(a.settings.capacity)),
                 "usedCapacity": .number(Double(a.usedUnits)), "queues": .array(a.settings.queues.map(JSONValue.string)),
                 "registered": .bool(endpoint.isRegistered(a.settings.id)), "reachable": .bool(a.reachable),
                 "conversation": a.conversation.map(JSONValue.string) ?? .null, "ringing": .bool(a.ringing),
                 "missedOffers": .number(Double(a.missedInARow))])
    }
}

private struct RoutingView: Encodable {
    let queueEntries: [QueueEntryRecord]
    let segments: [ConversationSegment]
    let segmentSeconds: [String: Double]
}

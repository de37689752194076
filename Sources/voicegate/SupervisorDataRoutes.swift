import Foundation
import VoiceGateCore
import VoiceGateHTTP
import VoiceGateStore

/// What the supervisor page reads (admin-api.md): the live view, the historical figures, and the
/// exports of transcripts. Runs on the HTTP threads; reads the store's read connection and the
/// desk's snapshots only.
struct SupervisorDataRoutes: Sendable {
    let store: ConversationStore
    let routing: RoutingRoutes

    /// A CSV export holds at most this many conversations; a longer range is refused, not cut.
    static let maxExportConversations = 10_000

    /// nil when the path is not one of these.
    func handle(_ request: HTTPRequest, _ rest: [String]) -> HTTPResponse? {
        switch (request.method, rest) {
        case ("GET", ["live"]):
            return live()
        case ("GET", ["analytics"]):
            return analytics(request)
        case ("GET", let r) where r.count == 3 && r[0] == "conversations" && r[2] == "export":
            return export(r[1])
        case ("GET", ["exports", "transcripts.csv"]):
            return transcriptsCSV(request)
        case (_, ["live"]), (_, ["analytics"]), (_, ["exports", "transcripts.csv"]):
            return .error(405, code: "method_not_allowed", message: "\(request.method) is not allowed on \(request.path)")
        case (_, let r) where r.count == 3 && r[0] == "conversations" && r[2] == "export":
            return .error(405, code: "method_not_allowed", message: "\(request.method) is not allowed on \(request.path)")
        default:
            return nil
        }
    }

    private func live() -> HTTPResponse {
        do {
            let conversations = try store.liveConversations()
            return .encoded(200, JSONValue.object([
                "now": .string(ISO8601Milliseconds.string(from: Date())),
                "conversations": .array(conversations.map(\.json)),
                "queues": .array(routing.queuesJSON()),
                "agents": .array(routing.agentsJSON()),
            ]))
        } catch {
            return storeUnavailable(error)
        }
    }

    private enum Parsed {
        case range(AnalyticsRange)
        case failure(HTTPResponse)
    }

    private func range(_ request: HTTPRequest) -> Parsed {
        switch AnalyticsRange.parse(from: request.query["from"], to: request.query["to"], now: Date()) {
        case .success(let range): return .range(range)
        case .failure(let problem): return .failure(.error(400, code: "bad_request", message: problem.description))
        }
    }

    private func analytics(_ request: HTTPRequest) -> HTTPResponse {
        switch range(request) {
        case .failure(let answer): return answer
        case .range(let range):
            do { return .encoded(200, try store.analytics(range).json) } catch { return storeUnavailable(error) }
        }
    }

    /// One conversation whole: its transcript and variables, its routing (segments, queue
    /// entries) and its transfer audit, as a file to keep.
    private func export(_ id: String) -> HTTPResponse {
        do {
            guard let conversation = try store.conversation(id: id) else {
                return .error(404, code: "not_found", message: "no conversation \(id)")
            }
            let export = ConversationExport(exportedAt: Date(), conversation: conversation,
                                            segments: try store.segments(conversationID: id),
                                            queueEntries: try store.queueEntries(conversationID: id),
                                            transfers: try store.transferAttempts(conversationID: id).map(\.json))
            var response = HTTPResponse.encoded(200, export)
            response.headers.append(("Content-Disposition", "attachment; filename=\"conversation-\(Self.fileSafe(id)).json\""))
            return response
        } catch {
            return storeUnavailable(error)
        }
    }

    private func transcriptsCSV(_ request: HTTPRequest) -> HTTPResponse {
        switch range(request) {
        case .failure(let answer): return answer
        case .range(let range):
            do {
                let (conversations, more) = try store.conversations(in: range, limit: Self.maxExportConversations)
                if more {
                    return .error(400, code: "range_too_large",
                                  message: "the range holds more than \(Self.maxExportConversations) conversations: export a shorter one")
                }
                var response = HTTPResponse.text(200, TranscriptCSV.text(conversations), contentType: "text/csv; charset=utf-8; header=present")
                let name = "transcripts-\(Self.fileSafe(ISO8601Milliseconds.string(from: range.from)))-\(Self.fileSafe(ISO8601Milliseconds.string(from: range.to))).csv"
                response.headers.append(("Content-Disposition", "attachment; filename=\"\(name)\""))
                return response
            } catch {
                return storeUnavailable(error)
            }
        }
    }

    /// A file name part from text that may hold anything (an id from the path).
    private static func fileSafe(_ text: String) -> String {
        String(text.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" }.prefix(64))
    }

    private func storeUnavailable(_ error: any Error) -> HTTPResponse {
        .error(503, code: "store_unavailable", message: "the conversation store cannot be read: \(error)")
    }
}

private struct ConversationExport: Encodable {
    let exportedAt: Date
    let conversation: Conversation
    let segments: [ConversationSegment]
    let queueEntries: [QueueEntryRecord]
    let transfers: [JSONValue]
}

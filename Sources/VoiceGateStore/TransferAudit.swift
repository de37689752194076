import Foundation
import VoiceGateCore

extension WriteContext {
    func insert(_ a: TransferAttempt, _ operation: String) throws {
        try db.withStatement("""
            INSERT INTO transfer_attempts (id, at, conversation_id, from_number, target, normalized, decision, reason,
                                           detail, requested_by, result, result_reason, method, finished_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
            """, operation) { s in
            try s.bind(1, a.id)
            try s.bind(2, StoreTime.milliseconds(a.at))
            try s.bind(3, a.conversationID)
            try s.bind(4, a.fromNumber)
            try s.bind(5, a.target)
            try s.bind(6, a.normalized)
            try s.bind(7, a.decision.rawValue)
            try s.bind(8, a.reason)
            try s.bind(9, a.detail)
            try s.bind(10, a.requestedBy)
            try s.bind(11, a.result?.status.rawValue)
            try s.bind(12, a.result?.reason)
            try s.bind(13, a.result?.method)
            try s.bind(14, a.finishedAt.map(StoreTime.milliseconds))
            try s.run()
        }
    }

    func finishTransferAttempt(_ id: String, _ result: TransferResult, at: Date, _ operation: String) throws {
        try db.withStatement("""
            UPDATE transfer_attempts SET result = ?2, result_reason = ?3, method = ?4, finished_at = ?5
            WHERE id = ?1 AND finished_at IS NULL
            """, operation) { s in
            try s.bind(1, id)
            try s.bind(2, result.status.rawValue)
            try s.bind(3, result.reason)
            try s.bind(4, result.method)
            try s.bind(5, StoreTime.milliseconds(at))
            try s.run()
        }
    }
}

extension ConversationReader {
    func transferAttempts(conversationID: String) throws -> [TransferAttempt] {
        let operation = "read transfer attempts of \(conversationID)"
        return try db.withStatement("""
            SELECT id, at, conversation_id, from_number, target, normalized, decision, reason, detail, requested_by,
                   result, result_reason, method, finished_at
            FROM transfer_attempts WHERE conversation_id = ?1 ORDER BY at, rowid
            """, operation) { s in
            try s.bind(1, conversationID)
            var out: [TransferAttempt] = []
            while try s.step() {
                var a = TransferAttempt(id: s.text(0) ?? "", at: StoreTime.date(s.int64(1) ?? 0), conversationID: s.text(2) ?? "",
                                        fromNumber: s.text(3) ?? "", target: s.text(4) ?? "", normalized: s.text(5),
                                        decision: TransferAttempt.Decision(rawValue: s.text(6) ?? "") ?? .refused,
                                        reason: s.text(7), detail: s.text(8) ?? "", requestedBy: s.text(9) ?? "")
                if let status = s.text(10).flatMap(TransferResult.Status.init(rawValue:)) {
                    a.result = TransferResult(status: status, target: a.normalized ?? a.target, reason: s.text(11), method: s.text(12))
                }
                a.finishedAt = s.int64(13).map(StoreTime.date)
                out.append(a)
            }
            return out
        }
    }
}

extension ConversationStore {
    /// Writes a transfer's audit row. Queued; any thread. The completion runs once it is on disk.
    public func recordTransferAttempt(_ attempt: TransferAttempt, completion: Completion? = nil) {
        let name = "record transfer attempt \(attempt.id)"
        writeQueued(name, completion) { try $0.insert(attempt, name) }
    }

    /// Adds an allowed transfer's result to its audit row (the first result wins). Queued; any thread.
    public func finishTransferAttempt(_ id: String, result: TransferResult, at: Date, completion: Completion? = nil) {
        let name = "finish transfer attempt \(id)"
        writeQueued(name, completion) { try $0.finishTransferAttempt(id, result, at: at, name) }
    }

}

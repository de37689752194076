import Foundation
import VoiceGateCore

/// The read side: the reader connection and its codec, used by one thread at a time (the store's
/// read lock). Each read is one read transaction, so the conversations and their turns come
/// from the same committed snapshot while the writer keeps committing beside it (WAL).
final class ConversationReader {
    let db: SQLiteConnection
    let codec = StoreCodec()

    static let columns = """
        id, state, outcome, end_reason, started_at, ended_at, bot, queue, agent, trunk, sip_call_id, caller_withheld, variables,
        CASE WHEN sentiment_turns > 0 THEN sentiment_sum / sentiment_turns END, sentiment_recent
        """
    static let turnColumns = "t.conversation_id, t.at, t.from_party, t.kind, t.text, t.data, t.sentiment"

    init(db: SQLiteConnection) {
        self.db = db
    }

    func conversation(id: String) throws -> Conversation? {
        let operation = "read conversation \(id)"
        return try inReadTransaction(operation) {
            let found = try db.withStatement("SELECT \(Self.columns) FROM conversations WHERE id = ?1", operation) { s in
                try s.bind(1, id)
                return try s.step() ? try conversation(s, operation) : nil
            }
            guard var found else { return nil }
            found.transcript = try db.withStatement("""
                SELECT \(Self.turnColumns) FROM turns AS t WHERE t.conversation_id = ?1 ORDER BY t.seq
                """, operation) { s in
                try s.bind(1, id)
                var turns: [Turn] = []
                while try s.step() { turns.append(try turn(s, operation)) }
                return turns
            }
            return found
        }
    }

    /// Newest first (by start time, then id), each with its transcript: one query for the
    /// conversations and one for all their turns.
    func conversations(state: Conversation.State?, limit: Int) throws -> [Conversation] {
        guard limit > 0 else { return [] }
        let operation = "list conversations"
        // Two texts rather than `(?1 IS NULL OR state = ?1)`, which would keep SQLite from
        // using the index by state.
        func page(_ columns: String) -> String {
            "SELECT \(columns) FROM conversations \(state == nil ? "" : "WHERE state = ?1 ")ORDER BY started_at DESC, id DESC LIMIT ?2"
        }
        func bind(_ s: SQLiteStatement) throws {
            if let state { try s.bind(1, state.rawValue) }
            try s.bind(2, limit)
        }
        return try inReadTransaction(operation) { try withTranscripts(page, bind, operation) }
    }

    /// The conversations a page query selects (`page(columns)` gives its SQL for the columns
    /// asked, `bind` its parameters), in its order, each with its transcript: one query for the
    /// conversations and one for all their turns. Runs inside the caller's read transaction.
    func withTranscripts(_ page: (String) -> String, _ bind: (SQLiteStatement) throws -> Void, _ operation: String) throws -> [Conversation] {
        var list = try db.withStatement(page(Self.columns), operation) { s in
            try bind(s)
            var list: [Conversation] = []
            while try s.step() { list.append(try conversation(s, operation)) }
            return list
        }
        guard !list.isEmpty else { return [] }
        // The same page again as a subquery: the snapshot is the same, so it is the same ids.
        var transcripts: [String: [Turn]] = [:]
        try db.withStatement("""
            SELECT \(Self.turnColumns) FROM (\(page("id"))) AS c
            JOIN turns AS t ON t.conversation_id = c.id
            ORDER BY t.conversation_id, t.seq
            """, operation) { s in
            try bind(s)
            while try s.step() {
                let id = s.text(0) ?? ""
                transcripts[id, default: []].append(try turn(s, operation))
            }
        }
        for i in list.indices { list[i].transcript = transcripts[list[i].id] ?? [] }
        return list
    }

    func inReadTransaction<T>(_ operation: String, _ body: () throws -> T) throws -> T {
        try db.execute("BEGIN", operation)
        defer { try? db.execute("COMMIT", operation) }
        return try body()
    }

    func conversation(_ s: SQLiteStatement, _ operation: String) throws -> Conversation {
        let id = s.text(0) ?? ""
        return Conversation(
            id: id,
            state: try value(Conversation.State.self, s.text(1), "state", id, operation),
            outcome: try s.text(2).map { try value(Conversation.Outcome.self, $0, "outcome", id, operation) },
            endReason: s.text(3),
            startedAt: StoreTime.date(s.int64(4) ?? 0),
            endedAt: s.int64(5).map(StoreTime.date),
            bot: s.text(6), queue: s.text(7), agent: s.text(8),
            trunk: s.text(9) ?? "", sipCallId: s.text(10) ?? "",
            callerWithheld: (s.int64(11) ?? 0) != 0,
            variables: try codec.object(s.text(12) ?? "{}", operation),
            sentiment: s.double(13), recentSentiment: s.double(14))
    }

    /// A turn from the columns of `turnColumns` (the conversation id in column 0).
    func turn(_ s: SQLiteStatement, _ operation: String) throws -> Turn {
        let id = s.text(0) ?? ""
        return Turn(at: StoreTime.date(s.int64(1) ?? 0),
                    from: try value(Turn.Party.self, s.text(2), "from_party", id, operation),
                    kind: try value(Turn.Kind.self, s.text(3), "kind", id, operation),
                    text: s.text(4) ?? "",
                    data: try codec.object(s.text(5) ?? "{}", operation),
                    sentiment: s.double(6))
    }

    /// A stored enumeration value; one this version does not know (written by a newer one) is
    /// an error rather than a guess.
    private func value<T: RawRepresentable>(_ type: T.Type, _ raw: String?, _ column: String, _ id: String,
                                            _ operation: String) throws -> T where T.RawValue == String {
        guard let raw, let value = T(rawValue: raw) else {
            throw StoreError(code: .mismatch, message: "conversation \(id) has \(column) '\(raw ?? "NULL")', unknown to this version",
                             operation: operation)
        }
        return value
    }
}

import Foundation
import VoiceGateCore

/// What the writer thread writes with: its connection and its JSON codec. Every method runs
/// inside the writer's open transaction and savepoint; none of them commits.
struct WriteContext {
    let db: SQLiteConnection
    let codec: StoreCodec

    func insert(_ c: Conversation, _ operation: String) throws {
        let variables = try codec.text(c.variables, operation)
        try db.withStatement("""
            INSERT INTO conversations (id, state, outcome, end_reason, started_at, ended_at, bot, queue, agent,
                                       trunk, sip_call_id, caller_withheld, variables, organization_number)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
            """, operation) { s in
            try s.bind(1, c.id)
            try s.bind(2, c.state.rawValue)
            try s.bind(3, c.outcome?.rawValue)
            try s.bind(4, c.endReason)
            try s.bind(5, StoreTime.milliseconds(c.startedAt))
            try s.bind(6, c.endedAt.map(StoreTime.milliseconds))
            try s.bind(7, c.bot)
            try s.bind(8, c.queue)
            try s.bind(9, c.agent)
            try s.bind(10, c.trunk)
            try s.bind(11, c.sipCallId)
            try s.bind(12, c.callerWithheld)
            try s.bind(13, variables)
            if case .string(let number)? = c.variables[ContextVariable.organizationPhoneNumber] { try s.bind(14, number) }
            else { try s.bind(14, nil as String?) }
            try s.run()
        }
        // A conversation may arrive with turns already (the greeting, say): they are its first.
        for turn in c.transcript { try appendTurn(turn, to: c.id, operation) }
    }

    /// Numbers the turn one past the conversation's last. The foreign key refuses a turn for
    /// an unknown conversation. A scored turn moves the conversation's running sentiment: the
    /// sum and count for its mean, and the recent score, which weighs the newest turn half.
    func appendTurn(_ turn: Turn, to id: String, _ operation: String) throws {
        let data = try codec.text(turn.data, operation)
        try db.withStatement("""
            INSERT INTO turns (conversation_id, seq, at, from_party, kind, text, data, sentiment)
            SELECT ?1, COALESCE(MAX(seq), 0) + 1, ?2, ?3, ?4, ?5, ?6, ?7 FROM turns WHERE conversation_id = ?1
            """, operation) { s in
            try s.bind(1, id)
            try s.bind(2, StoreTime.milliseconds(turn.at))
            try s.bind(3, turn.from.rawValue)
            try s.bind(4, turn.kind.rawValue)
            try s.bind(5, turn.text)
            try s.bind(6, data)
            try s.bind(7, turn.sentiment)
            try s.run()
        }
        guard let score = turn.sentiment else { return }
        try db.withStatement("""
            UPDATE conversations SET sentiment_turns = sentiment_turns + 1, sentiment_sum = sentiment_sum + ?2,
                sentiment_recent = CASE WHEN sentiment_recent IS NULL THEN ?2 ELSE (sentiment_recent + ?2) / 2 END
            WHERE id = ?1
            """, operation) { s in
            try s.bind(1, id)
            try s.bind(2, score)
            try s.run()
        }
    }

    /// Sets each given variable, keeping the others (a key set to JSON null is kept as null).
    func mergeVariables(_ variables: [String: JSONValue], of id: String, _ operation: String) throws {
        let stored = try db.withStatement("SELECT variables FROM conversations WHERE id = ?1", operation) { s in
            try s.bind(1, id)
            return try s.step() ? (s.text(0) ?? "{}") : nil
        }
        guard let stored else { throw notFound(id, operation) }
        let merged = try codec.object(stored, operation).merging(variables) { _, new in new }
        let text = try codec.text(merged, operation)
        try db.withStatement("UPDATE conversations SET variables = ?2 WHERE id = ?1", operation) { s in
            try s.bind(1, id)
            try s.bind(2, text)
            try s.run()
        }
    }

    /// Changes the given fields only: nil leaves a field alone, `.some(nil)` clears it.
    func update(_ id: String, state: Conversation.State?, bot: String??, queue: String??, agent: String??,
                _ operation: String) throws {
        var assignments: [String] = []
        var values: [String?] = []
        func set(_ column: String, _ value: String?) {
            values.append(value)
            assignments.append("\(column) = ?\(values.count + 1)")
        }
        if let state { set("state", state.rawValue) }
        if let bot { set("bot", bot) }
        if let queue { set("queue", queue) }
        if let agent { set("agent", agent) }
        guard !assignments.isEmpty else { return try requireExists(id, operation) }
        // At most 2^4 distinct texts, so the statement cache stays small.
        try db.withStatement("UPDATE conversations SET \(assignments.joined(separator: ", ")) WHERE id = ?1", operation) { s in
            try s.bind(1, id)
            for (i, value) in values.enumerated() { try s.bind(Int32(i + 2), value) }
            try s.run()
        }
        guard db.changes > 0 else { throw notFound(id, operation) }
    }

    /// Ends the conversation. The first close wins: a second one (the caller hangs up while the
    /// gateway shuts down) changes nothing, so the outcome that really happened stays.
    func close(_ id: String, outcome: Conversation.Outcome, reason: String, at: Date, _ operation: String) throws {
        try db.withStatement("""
            UPDATE conversations SET state = 'closed', outcome = ?2, end_reason = ?3, ended_at = ?4
            WHERE id = ?1 AND state <> 'closed'
            """, operation) { s in
            try s.bind(1, id)
            try s.bind(2, outcome.rawValue)
            try s.bind(3, reason)
            try s.bind(4, StoreTime.milliseconds(at))
            try s.run()
        }
        if db.changes == 0 { try requireExists(id, operation) }
    }

    /// What start-up recovery closed.
    struct Recovered: Sendable {
        var conversations: Int
        var queueEntries: [QueueEntryRecord]
    }

    /// Closes, as failed, every conversation a dead process left open, each with a system
    /// event turn saying so, and ends the routing state it left (open queue entries and
    /// segments, `closeInterruptedRouting`).
    func recoverInterrupted(reason: String, at: Date, _ operation: String) throws -> Recovered {
        let queueEntries = try closeInterruptedRouting(at: at, operation)
        let data = try codec.text(["reason": .string(reason)], operation)
        try db.withStatement("""
            INSERT INTO turns (conversation_id, seq, at, from_party, kind, text, data)
            SELECT c.id, COALESCE((SELECT MAX(t.seq) FROM turns AS t WHERE t.conversation_id = c.id), 0) + 1,
                   ?1, 'system', 'event', 'gateway restarted', ?2
            FROM conversations AS c WHERE c.state IN ('active', 'waiting')
            """, operation) { s in
            try s.bind(1, StoreTime.milliseconds(at))
            try s.bind(2, data)
            try s.run()
        }
        try db.withStatement("""
            UPDATE conversations SET state = 'closed', outcome = 'failed', end_reason = ?1, ended_at = ?2
            WHERE state IN ('active', 'waiting')
            """, operation) { s in
            try s.bind(1, reason)
            try s.bind(2, StoreTime.milliseconds(at))
            try s.run()
        }
        return Recovered(conversations: db.changes, queueEntries: queueEntries)
    }

    private func requireExists(_ id: String, _ operation: String) throws {
        let exists = try db.withStatement("SELECT 1 FROM conversations WHERE id = ?1", operation) { s in
            try s.bind(1, id)
            return try s.step()
        }
        if !exists { throw notFound(id, operation) }
    }

    private func notFound(_ id: String, _ operation: String) -> StoreError {
        StoreError(code: .notFound, message: "no conversation with id \(id)", operation: operation)
    }
}

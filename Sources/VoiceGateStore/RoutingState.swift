import Foundation
import VoiceGateCore

/// The routing state (`RoutingStateStore`) in the conversation store's file: queue entries,
/// agents' presence and conversation segments (schema version 3).

/// Columns of `queue_entries` in the order `queueEntry(_:_:)` reads them.
private let queueEntryColumns = "id, conversation_id, queue, entered_at, left_at, result, agent, wait_ms, initial_position"

/// A queue entry from the columns of `queueEntryColumns`. A result this version does not know
/// (written by a newer one) is an error rather than a guess.
private func queueEntry(_ s: SQLiteStatement, _ operation: String) throws -> QueueEntryRecord {
    let id = s.text(0) ?? ""
    var result: QueueEntryRecord.Result?
    if let raw = s.text(5) {
        guard let known = QueueEntryRecord.Result(rawValue: raw) else {
            throw StoreError(code: .mismatch, message: "queue entry \(id) has result '\(raw)', unknown to this version", operation: operation)
        }
        result = known
    }
    return QueueEntryRecord(id: id, conversationID: s.text(1) ?? "", queue: s.text(2) ?? "",
                            enteredAt: StoreTime.date(s.int64(3) ?? 0), initialPosition: Int(s.int64(8) ?? 0),
                            leftAt: s.int64(4).map(StoreTime.date), result: result, by: s.text(6),
                            waitSeconds: s.int64(7).map { Double($0) / 1000 })
}

/// Seconds as whole milliseconds; a wait that is not a finite number is refused (it would trap
/// in the conversion), a negative one counts as 0.
private func milliseconds(_ seconds: Double, _ operation: String) throws -> Int64 {
    guard seconds.isFinite, abs(seconds) < 1e12 else {
        throw StoreError(code: .mismatch, message: "a wait of \(seconds) seconds", operation: operation)
    }
    return max(0, Int64((seconds * 1000).rounded()))
}

extension WriteContext {
    func insert(_ e: QueueEntryRecord, _ operation: String) throws {
        let wait = try e.waitSeconds.map { try milliseconds($0, operation) }
        try db.withStatement("""
            INSERT INTO queue_entries (\(queueEntryColumns)) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
            """, operation) { s in
            try s.bind(1, e.id)
            try s.bind(2, e.conversationID)
            try s.bind(3, e.queue)
            try s.bind(4, StoreTime.milliseconds(e.enteredAt))
            try s.bind(5, e.leftAt.map(StoreTime.milliseconds))
            try s.bind(6, e.result?.rawValue)
            try s.bind(7, e.by)
            try s.bind(8, wait)
            try s.bind(9, e.initialPosition)
            try s.run()
        }
    }

    /// The first leave wins; leaving an entry that does not exist is `notFound`.
    func leaveQueue(_ id: String, at: Date, result: QueueEntryRecord.Result, by: String?, waitSeconds: Double,
                    _ operation: String) throws {
        let wait = try milliseconds(waitSeconds, operation)
        try db.withStatement("""
            UPDATE queue_entries SET left_at = ?2, result = ?3, agent = ?4, wait_ms = ?5
            WHERE id = ?1 AND left_at IS NULL
            """, operation) { s in
            try s.bind(1, id)
            try s.bind(2, StoreTime.milliseconds(at))
            try s.bind(3, result.rawValue)
            try s.bind(4, by)
            try s.bind(5, wait)
            try s.run()
        }
        guard db.changes == 0 else { return }
        let exists = try db.withStatement("SELECT 1 FROM queue_entries WHERE id = ?1", operation) { s in
            try s.bind(1, id)
            return try s.step()
        }
        if !exists { throw StoreError(code: .notFound, message: "no queue entry with id \(id)", operation: operation) }
    }

    /// One row per agent; the last write applied wins.
    func setPresence(_ agentID: String, _ presence: Presence, at: Date, reason: String, _ operation: String) throws {
        try db.withStatement("""
            INSERT INTO agent_presence (agent_id, presence, changed_at, reason) VALUES (?1, ?2, ?3, ?4)
            ON CONFLICT (agent_id) DO UPDATE SET presence = excluded.presence, changed_at = excluded.changed_at,
                                                 reason = excluded.reason
            """, operation) { s in
            try s.bind(1, agentID)
            try s.bind(2, presence.rawValue)
            try s.bind(3, StoreTime.milliseconds(at))
            try s.bind(4, reason)
            try s.run()
        }
    }

    /// Ends the open segment (if any) at `at`, then numbers the new one one past the last. The
    /// foreign key refuses a segment of an unknown conversation.
    func startSegment(_ conversationID: String, kind: ConversationSegment.Kind, party: String, at: Date,
                      _ operation: String) throws {
        try endSegment(conversationID, at: at, operation)
        try db.withStatement("""
            INSERT INTO conversation_segments (conversation_id, seq, kind, party, started_at)
            SELECT ?1, COALESCE(MAX(seq), 0) + 1, ?2, ?3, ?4 FROM conversation_segments WHERE conversation_id = ?1
            """, operation) { s in
            try s.bind(1, conversationID)
            try s.bind(2, kind.rawValue)
            try s.bind(3, party)
            try s.bind(4, StoreTime.milliseconds(at))
            try s.run()
        }
    }

    /// An end before the start (the clock stepped back) is taken as the start: no negative lengths.
    func endSegment(_ conversationID: String, at: Date, _ operation: String) throws {
        try db.withStatement("""
            UPDATE conversation_segments SET ended_at = MAX(?2, started_at)
            WHERE conversation_id = ?1 AND ended_at IS NULL
            """, operation) { s in
            try s.bind(1, conversationID)
            try s.bind(2, StoreTime.milliseconds(at))
            try s.run()
        }
    }

    /// At start-up nothing is waiting or talking any more: every open queue entry is closed at
    /// `at` as `interrupted`, with its wait up to `at`, and every open segment ends at `at`.
    /// Returns the entries so closed, as they now are, oldest first.
    func closeInterruptedRouting(at: Date, _ operation: String) throws -> [QueueEntryRecord] {
        let now = StoreTime.milliseconds(at)
        let open = try db.withStatement("""
            SELECT \(queueEntryColumns) FROM queue_entries WHERE left_at IS NULL ORDER BY entered_at, rowid
            """, operation) { s in
            var open: [QueueEntryRecord] = []
            while try s.step() { open.append(try queueEntry(s, operation)) }
            return open
        }
        try db.withStatement("""
            UPDATE queue_entries SET left_at = MAX(?1, entered_at), result = 'interrupted', wait_ms = MAX(?1 - entered_at, 0)
            WHERE left_at IS NULL
            """, operation) { s in
            try s.bind(1, now)
            try s.run()
        }
        try db.withStatement("""
            UPDATE conversation_segments SET ended_at = MAX(?1, started_at) WHERE ended_at IS NULL
            """, operation) { s in
            try s.bind(1, now)
            try s.run()
        }
        return open.map { entry in
            var closed = entry
            let entered = StoreTime.milliseconds(entry.enteredAt)
            closed.leftAt = StoreTime.date(max(now, entered))
            closed.result = .interrupted
            closed.waitSeconds = Double(max(now - entered, 0)) / 1000
            return closed
        }
    }
}

extension ConversationReader {
    func queueEntries(conversationID: String) throws -> [QueueEntryRecord] {
        let operation = "read queue entries of \(conversationID)"
        return try db.withStatement("""
            SELECT \(queueEntryColumns) FROM queue_entries WHERE conversation_id = ?1 ORDER BY entered_at, rowid
            """, operation) { s in
            try s.bind(1, conversationID)
            var out: [QueueEntryRecord] = []
            while try s.step() { out.append(try queueEntry(s, operation)) }
            return out
        }
    }

    /// Two texts rather than `(?1 IS NULL OR queue = ?1)`, which would keep SQLite from using
    /// the index by queue.
    func openQueueEntries(queue: String?) throws -> [QueueEntryRecord] {
        let operation = queue.map { "read open queue entries of \($0)" } ?? "read open queue entries"
        return try db.withStatement("""
            SELECT \(queueEntryColumns) FROM queue_entries
            WHERE left_at IS NULL\(queue == nil ? "" : " AND queue = ?1") ORDER BY entered_at, rowid
            """, operation) { s in
            if let queue { try s.bind(1, queue) }
            var out: [QueueEntryRecord] = []
            while try s.step() { out.append(try queueEntry(s, operation)) }
            return out
        }
    }

    func savedPresence() throws -> [String: Presence] {
        let operation = "read saved presence"
        return try db.withStatement("SELECT agent_id, presence FROM agent_presence", operation) { s in
            var out: [String: Presence] = [:]
            while try s.step() {
                let agent = s.text(0) ?? ""
                guard let presence = s.text(1).flatMap(Presence.init(rawValue:)) else {
                    throw StoreError(code: .mismatch, message: "agent \(agent) has presence '\(s.text(1) ?? "NULL")', unknown to this version",
                                     operation: operation)
                }
                out[agent] = presence
            }
            return out
        }
    }

    func segments(conversationID: String) throws -> [ConversationSegment] {
        let operation = "read segments of \(conversationID)"
        return try db.withStatement("""
            SELECT kind, party, started_at, ended_at FROM conversation_segments WHERE conversation_id = ?1 ORDER BY seq
            """, operation) { s in
            try s.bind(1, conversationID)
            var out: [ConversationSegment] = []
            while try s.step() {
                guard let kind = s.text(0).flatMap(ConversationSegment.Kind.init(rawValue:)) else {
                    throw StoreError(code: .mismatch, message: "conversation \(conversationID) has a segment of kind '\(s.text(0) ?? "NULL")', unknown to this version",
                                     operation: operation)
                }
                out.append(ConversationSegment(kind: kind, party: s.text(1) ?? "", startedAt: StoreTime.date(s.int64(2) ?? 0),
                                               endedAt: s.int64(3).map(StoreTime.date)))
            }
            return out
        }
    }
}

extension ConversationStore: RoutingStateStore {
    // MARK: Routing writes (queued; any thread; failures go to onError)

    /// Stores a new queue entry (normally open: no `leftAt` yet). A duplicate id or an unknown
    /// conversation fails (constraint).
    public func queueEntered(_ entry: QueueEntryRecord) {
        let name = "record queue entry \(entry.id) of conversation \(entry.conversationID)"
        writeQueued(name, nil) { try $0.insert(entry, name) }
    }

    /// Closes the entry; the first leave wins. An unknown entry id is `notFound`.
    public func queueLeft(entryID: String, at: Date, result: QueueEntryRecord.Result, by: String?, waitSeconds: Double) {
        let name = "close queue entry \(entryID)"
        writeQueued(name, nil) { try $0.leaveQueue(entryID, at: at, result: result, by: by, waitSeconds: waitSeconds, name) }
    }

    /// The agent's presence, replacing the one stored (the last write queued wins).
    public func presenceChanged(agentID: String, to presence: Presence, at: Date, reason: String) {
        let name = "set presence of agent \(agentID)"
        writeQueued(name, nil) { try $0.setPresence(agentID, presence, at: at, reason: reason, name) }
    }

    /// Ends the conversation's open segment at `at` (if any) and starts the new one.
    public func segmentStarted(conversationID: String, kind: ConversationSegment.Kind, party: String, at: Date) {
        let name = "start \(kind.rawValue) segment of conversation \(conversationID)"
        writeQueued(name, nil) { try $0.startSegment(conversationID, kind: kind, party: party, at: at, name) }
    }

    /// Ends the conversation's open segment at `at`; without one, nothing changes.
    public func segmentEnded(conversationID: String, at: Date) {
        let name = "end segment of conversation \(conversationID)"
        writeQueued(name, nil) { try $0.endSegment(conversationID, at: at, name) }
    }

    /// `update` applied to the conversation's row, as `update(_:state:bot:queue:agent:)` does;
    /// an unknown conversation is `notFound`.
    public func setRouting(conversationID: String, _ update: RoutingUpdate) {
        self.update(conversationID, state: update.state, bot: update.bot, queue: update.queue, agent: update.agent)
    }

    // MARK: Routing reads (synchronous, committed state; any thread)

    public func savedPresence() throws -> [String: Presence] {
        try onReader("read saved presence") { try $0.savedPresence() }
    }

    public func segments(conversationID: String) throws -> [ConversationSegment] {
        try onReader("read segments of \(conversationID)") { try $0.segments(conversationID: conversationID) }
    }

    public func queueEntries(conversationID: String) throws -> [QueueEntryRecord] {
        try onReader("read queue entries of \(conversationID)") { try $0.queueEntries(conversationID: conversationID) }
    }

    public func openQueueEntries(queue: String?) throws -> [QueueEntryRecord] {
        try onReader("read open queue entries") { try $0.openQueueEntries(queue: queue) }
    }

    /// Held in memory: what `recoverInterrupted(reason:at:)` closed in this process.
    public func interruptedAtLastStart() -> [QueueEntryRecord] {
        interruptedQueueEntries.withLock { $0 }
    }
}

import Foundation
import Testing
import VoiceGateCore
@testable import VoiceGateStore

/// The routing state in the store: queue entries, presence, segments, the conversation's routing
/// columns, schema version 3 and restart recovery.
final class RoutingStateTests {
    let folder: TemporaryFolder
    init() throws { folder = try TemporaryFolder() }

    @Test("a version-2 file is migrated to the current version and keeps its conversations, turns and transfer audit")
    func migrationFromVersion2() throws {
        let path = folder.path()
        do {
            // A file as VoiceGate with schema version 2 left it.
            let db = try SQLiteConnection(path: path, create: true)
            _ = try db.pragma("journal_mode", set: "WAL")
            try db.execute("BEGIN IMMEDIATE", "create a v2 file")
            for script in Schema.migrations.prefix(2) { try db.executeScript(script, "create a v2 file") }
            _ = try db.pragma("user_version", set: "2")
            try db.executeScript("""
                INSERT INTO conversations (id, state, started_at, bot, queue, trunk, sip_call_id, caller_withheld, variables)
                VALUES ('old', 'waiting', \(t0), 'demo', 'billing', 'main', 'call-old@10.0.0.1', 0, '{"Topic":"billing"}');
                INSERT INTO turns (conversation_id, seq, at, from_party, kind, text, data)
                VALUES ('old', 1, \(t0 + 10), 'customer', 'speech', 'my invoice', '{}');
                INSERT INTO transfer_attempts (id, at, conversation_id, from_number, target, normalized, decision, detail, requested_by)
                VALUES ('ta1', \(t0 + 20), 'old', '+4930999000', '+4930111222', '+4930111222', 'allowed', 'allowed', 'bot');
                """, "fill the v2 file")
            try db.execute("COMMIT", "create a v2 file")
            db.close()
        }

        let store = try ConversationStore(path: path)
        defer { store.close() }
        let other = try SQLiteConnection(path: path, create: false)
        defer { other.close() }
        #expect(try other.pragma("user_version") == String(Schema.version))

        let old = try #require(try store.conversation(id: "old"))
        #expect(old.state == .waiting && old.queue == "billing" && old.bot == "demo")
        #expect(old.variables == ["Topic": "billing"])
        #expect(old.transcript == [Turn(at: time(t0 + 10), from: .customer, kind: .speech, text: "my invoice")])
        #expect(try store.transferAttempts(conversationID: "old").map(\.id) == ["ta1"])

        // The new tables work for the old conversation.
        let entry = QueueEntryRecord(id: "e1", conversationID: "old", queue: "billing", enteredAt: time(t0 + 30), initialPosition: 1)
        store.queueEntered(entry)
        store.segmentStarted(conversationID: "old", kind: .waiting, party: "billing", at: time(t0 + 30))
        store.presenceChanged(agentID: "alice", to: .available, at: time(t0), reason: "api")
        store.flush()
        #expect(try store.queueEntries(conversationID: "old") == [entry])
        #expect(try store.segments(conversationID: "old") == [ConversationSegment(kind: .waiting, party: "billing", startedAt: time(t0 + 30))])
        #expect(try store.savedPresence() == ["alice": .available])
    }

    @Test("queue entries, segments and presence come back as written, also from the reopened file")
    func roundTripAndReopen() async throws {
        let path = folder.path()
        let first = QueueEntryRecord(id: "e1", conversationID: "c1", queue: "billing", enteredAt: time(t0 + 1_000), initialPosition: 1)
        let second = QueueEntryRecord(id: "e2", conversationID: "c1", queue: "sales", enteredAt: time(t0 + 9_000), initialPosition: 3)
        let otherCaller = QueueEntryRecord(id: "e3", conversationID: "c2", queue: "billing", enteredAt: time(t0 + 2_000), initialPosition: 2)
        do {
            let store = try ConversationStore(path: path)
            try await store.created(sampleConversation("c1")).get()
            try await store.created(sampleConversation("c2")).get()
            store.segmentStarted(conversationID: "c1", kind: .bot, party: "demo", at: time(t0))
            store.queueEntered(first)
            store.segmentStarted(conversationID: "c1", kind: .waiting, party: "billing", at: time(t0 + 1_000))
            store.queueEntered(otherCaller)
            store.queueLeft(entryID: "e1", at: time(t0 + 9_000), result: .moved, by: nil, waitSeconds: 8)
            store.queueEntered(second)
            store.segmentStarted(conversationID: "c1", kind: .waiting, party: "sales", at: time(t0 + 9_000))
            store.queueLeft(entryID: "e2", at: time(t0 + 12_500), result: .served, by: "alice", waitSeconds: 11.5)
            store.segmentStarted(conversationID: "c1", kind: .agent, party: "alice", at: time(t0 + 12_500))
            store.segmentEnded(conversationID: "c1", at: time(t0 + 72_500))
            store.presenceChanged(agentID: "alice", to: .busy, at: time(t0 + 12_500), reason: "api")
            store.presenceChanged(agentID: "bob", to: .away, at: time(t0 + 5_000), reason: "missedOffers")
            store.flush()
            store.close()
        }

        let store = try ConversationStore(path: path)
        defer { store.close() }
        var left1 = first
        left1.leftAt = time(t0 + 9_000); left1.result = .moved; left1.waitSeconds = 8
        var left2 = second
        left2.leftAt = time(t0 + 12_500); left2.result = .served; left2.by = "alice"; left2.waitSeconds = 11.5
        #expect(try store.queueEntries(conversationID: "c1") == [left1, left2])
        #expect(try store.queueEntries(conversationID: "c2") == [otherCaller])
        #expect(try store.queueEntries(conversationID: "none").isEmpty)
        #expect(try store.openQueueEntries() == [otherCaller])
        #expect(try store.openQueueEntries(queue: "billing") == [otherCaller])
        #expect(try store.openQueueEntries(queue: "sales").isEmpty)

        // Each start ended the segment before it; the explicit end closed the last.
        #expect(try store.segments(conversationID: "c1") == [
            ConversationSegment(kind: .bot, party: "demo", startedAt: time(t0), endedAt: time(t0 + 1_000)),
            ConversationSegment(kind: .waiting, party: "billing", startedAt: time(t0 + 1_000), endedAt: time(t0 + 9_000)),
            ConversationSegment(kind: .waiting, party: "sales", startedAt: time(t0 + 9_000), endedAt: time(t0 + 12_500)),
            ConversationSegment(kind: .agent, party: "alice", startedAt: time(t0 + 12_500), endedAt: time(t0 + 72_500)),
        ])
        #expect(try store.segmentSeconds(conversationID: "c1") == [.bot: 1, .waiting: 11.5, .agent: 60])
        #expect(try store.segments(conversationID: "c2").isEmpty)
        #expect(try store.savedPresence() == ["alice": .busy, "bob": .away])
    }

    @Test("open entries are listed oldest first across queues; the first leave wins")
    func openEntriesAndFirstLeaveWins() async throws {
        let log = ErrorLog()
        let store = try ConversationStore(path: folder.path(), onError: log.record)
        defer { store.close() }
        for id in ["c1", "c2", "c3"] { try await store.created(sampleConversation(id)).get() }
        // Queued out of time order: the list is by entry time.
        store.queueEntered(QueueEntryRecord(id: "late", conversationID: "c1", queue: "a", enteredAt: time(t0 + 300), initialPosition: 2))
        store.queueEntered(QueueEntryRecord(id: "early", conversationID: "c2", queue: "b", enteredAt: time(t0 + 100), initialPosition: 1))
        store.queueEntered(QueueEntryRecord(id: "middle", conversationID: "c3", queue: "a", enteredAt: time(t0 + 200), initialPosition: 1))
        store.queueLeft(entryID: "middle", at: time(t0 + 1_000), result: .abandoned, by: nil, waitSeconds: 0.8)
        store.queueLeft(entryID: "middle", at: time(t0 + 2_000), result: .served, by: "alice", waitSeconds: 1.8)
        store.flush()
        #expect(try store.openQueueEntries().map(\.id) == ["early", "late"])
        #expect(try store.openQueueEntries(queue: "a").map(\.id) == ["late"])
        let middle = try #require(try store.queueEntries(conversationID: "c3").first)
        #expect(middle.result == .abandoned && middle.by == nil && middle.waitSeconds == 0.8 && middle.leftAt == time(t0 + 1_000))
        #expect(log.all.isEmpty)
    }

    @Test("wrong routing writes go to onError: unknown entry, unknown conversation, duplicate id, a wait that is not a number")
    func wrongWritesGoToOnError() async throws {
        let log = ErrorLog()
        let store = try ConversationStore(path: folder.path(), onError: log.record)
        defer { store.close() }
        try await store.created(sampleConversation("c1")).get()
        let entry = QueueEntryRecord(id: "e1", conversationID: "c1", queue: "a", enteredAt: time(t0), initialPosition: 1)
        store.queueEntered(entry)
        store.queueEntered(entry)
        store.queueLeft(entryID: "nobody", at: time(t0), result: .served, by: "alice", waitSeconds: 1)
        store.queueEntered(QueueEntryRecord(id: "e2", conversationID: "nobody", queue: "a", enteredAt: time(t0), initialPosition: 1))
        store.segmentStarted(conversationID: "nobody", kind: .bot, party: "demo", at: time(t0))
        store.setRouting(conversationID: "nobody", RoutingUpdate(state: .waiting))
        store.queueLeft(entryID: "e1", at: time(t0), result: .served, by: "alice", waitSeconds: .nan)
        store.segmentEnded(conversationID: "nobody", at: time(t0))   // nothing open: nothing to do
        store.flush()
        #expect(log.all.map(\.code.primary) == [.constraint, .notFound, .constraint, .constraint, .notFound, .mismatch])
        #expect(try store.queueEntries(conversationID: "c1") == [entry])
        #expect(store.isHealthy)
    }

    @Test("recovery closes every open entry as interrupted with its wait, ends open segments, and lists who was waiting")
    func recoveryInterruptsWaiters() async throws {
        let path = folder.path()
        do {
            let crashed = try ConversationStore(path: path)
            try await crashed.created(sampleConversation("w", state: .waiting)).get()
            try await crashed.created(sampleConversation("a", state: .active)).get()
            try await crashed.created(sampleConversation("done", state: .active)).get()
            crashed.segmentStarted(conversationID: "w", kind: .bot, party: "demo", at: time(t0))
            crashed.segmentStarted(conversationID: "w", kind: .waiting, party: "billing", at: time(t0 + 5_000))
            crashed.queueEntered(QueueEntryRecord(id: "ew", conversationID: "w", queue: "billing", enteredAt: time(t0 + 5_000), initialPosition: 1))
            crashed.segmentStarted(conversationID: "a", kind: .agent, party: "alice", at: time(t0 + 3_000))
            crashed.queueEntered(QueueEntryRecord(id: "ea", conversationID: "a", queue: "billing", enteredAt: time(t0 + 1_000), initialPosition: 1))
            crashed.queueLeft(entryID: "ea", at: time(t0 + 3_000), result: .served, by: "alice", waitSeconds: 2)
            crashed.segmentStarted(conversationID: "done", kind: .bot, party: "demo", at: time(t0))
            crashed.segmentEnded(conversationID: "done", at: time(t0 + 4_000))
            crashed.close("done", outcome: .resolved, reason: "closed", at: time(t0 + 4_000))
            crashed.flush()
            crashed.close()   // as good as kill -9 for what is on disk
        }

        let store = try ConversationStore(path: path)
        defer { store.close() }
        #expect(store.interruptedAtLastStart().isEmpty)
        #expect(try store.openQueueEntries().map(\.id) == ["ew"])
        #expect(try store.recoverInterrupted(reason: "gatewayRestart", at: time(t0 + 65_000)) == 2)

        let interrupted = QueueEntryRecord(id: "ew", conversationID: "w", queue: "billing", enteredAt: time(t0 + 5_000), initialPosition: 1,
                                           leftAt: time(t0 + 65_000), result: .interrupted, by: nil, waitSeconds: 60)
        #expect(store.interruptedAtLastStart() == [interrupted])
        #expect(try store.queueEntries(conversationID: "w") == [interrupted], "the interrupted entry stays readable")
        #expect(try store.openQueueEntries().isEmpty)
        // The served entry is as it was.
        #expect(try store.queueEntries(conversationID: "a").map(\.result) == [.served])

        #expect(try store.segments(conversationID: "w") == [
            ConversationSegment(kind: .bot, party: "demo", startedAt: time(t0), endedAt: time(t0 + 5_000)),
            ConversationSegment(kind: .waiting, party: "billing", startedAt: time(t0 + 5_000), endedAt: time(t0 + 65_000)),
        ])
        #expect(try store.segments(conversationID: "a") == [
            ConversationSegment(kind: .agent, party: "alice", startedAt: time(t0 + 3_000), endedAt: time(t0 + 65_000)),
        ])
        #expect(try store.segments(conversationID: "done").map(\.endedAt) == [time(t0 + 4_000)])
        #expect(try store.conversation(id: "w")?.state == .closed)

        // A second recovery finds nobody, and says so.
        #expect(try store.recoverInterrupted(reason: "gatewayRestart", at: time(t0 + 70_000)) == 0)
        #expect(store.interruptedAtLastStart().isEmpty)
        #expect(try store.queueEntries(conversationID: "w") == [interrupted])
    }

    @Test("setRouting changes state, queue, agent and bot as given, and conversation reads show them")
    func setRoutingIsVisible() async throws {
        let store = try ConversationStore(path: folder.path())
        defer { store.close() }
        try await store.created(sampleConversation("c1")).get()

        store.setRouting(conversationID: "c1", RoutingUpdate(state: .waiting, queue: "billing"))
        store.flush()
        var stored = try #require(try store.conversation(id: "c1"))
        #expect(stored.state == .waiting && stored.queue == "billing" && stored.agent == nil && stored.bot == "demo")
        #expect(try store.conversations(state: .waiting, limit: 10).map(\.id) == ["c1"])

        store.setRouting(conversationID: "c1", RoutingUpdate(state: .active, agent: "alice", bot: .some(nil)))
        store.flush()
        stored = try #require(try store.conversation(id: "c1"))
        #expect(stored.state == .active && stored.queue == "billing" && stored.agent == "alice" && stored.bot == nil)

        store.setRouting(conversationID: "c1", RoutingUpdate(queue: .some(nil), agent: .some(nil), bot: "demo"))
        store.setRouting(conversationID: "c1", RoutingUpdate())   // changes nothing
        store.flush()
        stored = try #require(try store.conversation(id: "c1"))
        #expect(stored.state == .active && stored.queue == nil && stored.agent == nil && stored.bot == "demo")
    }

    @Test("presence: the last write wins per agent, whatever its time, and survives reopening")
    func presenceLastWriteWins() throws {
        let path = folder.path()
        do {
            let store = try ConversationStore(path: path)
            store.presenceChanged(agentID: "alice", to: .available, at: time(t0), reason: "api")
            store.presenceChanged(agentID: "alice", to: .busy, at: time(t0 + 1_000), reason: "wrapUp")
            store.presenceChanged(agentID: "bob", to: .available, at: time(t0 + 2_000), reason: "api")
            store.presenceChanged(agentID: "alice", to: .away, at: time(t0 + 500), reason: "missedOffers")
            store.flush()
            #expect(try store.savedPresence() == ["alice": .away, "bob": .available])
            store.close()
        }
        let store = try ConversationStore(path: path)
        defer { store.close() }
        #expect(try store.savedPresence() == ["alice": .away, "bob": .available])
        let row = try store.onWriter("read presence row") { context in
            try context.db.withStatement("SELECT changed_at, reason FROM agent_presence WHERE agent_id = 'alice'", "read") { s in
                try s.step() ? "\(s.int64(0) ?? 0) \(s.text(1) ?? "")" : ""
            }
        }
        #expect(row == "\(t0 + 500) missedOffers")
    }

    @Test("routing writes and reads after close neither crash nor write: writes go to onError, reads throw")
    func afterClose() async throws {
        let log = ErrorLog()
        let store = try ConversationStore(path: folder.path(), onError: log.record)
        try await store.created(sampleConversation("c1")).get()
        store.close()

        store.queueEntered(QueueEntryRecord(id: "e1", conversationID: "c1", queue: "a", enteredAt: time(t0), initialPosition: 1))
        store.queueLeft(entryID: "e1", at: time(t0), result: .abandoned, by: nil, waitSeconds: 1)
        store.presenceChanged(agentID: "alice", to: .away, at: time(t0), reason: "api")
        store.segmentStarted(conversationID: "c1", kind: .bot, party: "demo", at: time(t0))
        store.segmentEnded(conversationID: "c1", at: time(t0))
        store.setRouting(conversationID: "c1", RoutingUpdate(state: .waiting))
        #expect(log.all.count == 6)
        #expect(log.all.allSatisfy { $0.code == .misuse })
        #expect(throws: StoreError.self) { try store.savedPresence() }
        #expect(throws: StoreError.self) { try store.segments(conversationID: "c1") }
        #expect(throws: StoreError.self) { try store.segmentSeconds(conversationID: "c1") }
        #expect(throws: StoreError.self) { try store.queueEntries(conversationID: "c1") }
        #expect(throws: StoreError.self) { try store.openQueueEntries() }
        #expect(store.interruptedAtLastStart().isEmpty)

        let reopened = try ConversationStore(path: folder.path())
        defer { reopened.close() }
        #expect(try reopened.queueEntries(conversationID: "c1").isEmpty)
        #expect(try reopened.savedPresence().isEmpty)
        #expect(try reopened.conversation(id: "c1")?.state == .active)
    }

    @Test("segment seconds: summed per kind, every kind a key, an open segment counted up to now")
    func segmentSecondsCountOpenToNow() async throws {
        let store = try ConversationStore(path: folder.path())
        defer { store.close() }
        try await store.created(sampleConversation("c1")).get()
        #expect(try store.segmentSeconds(conversationID: "c1", now: time(t0)) == [.bot: 0, .waiting: 0, .agent: 0])
        store.segmentStarted(conversationID: "c1", kind: .bot, party: "demo", at: time(t0))
        store.segmentStarted(conversationID: "c1", kind: .waiting, party: "billing", at: time(t0 + 2_500))
        store.flush()
        #expect(try store.segmentSeconds(conversationID: "c1", now: time(t0 + 10_000)) == [.bot: 2.5, .waiting: 7.5, .agent: 0])
        // A clock that stepped back never makes a length negative.
        store.segmentEnded(conversationID: "c1", at: time(t0 + 1_000))
        store.flush()
        #expect(try store.segments(conversationID: "c1").last?.endedAt == time(t0 + 2_500))
        #expect(try store.segmentSeconds(conversationID: "c1", now: time(t0 + 10_000)) == [.bot: 2.5, .waiting: 0, .agent: 0])
    }

    @Test("the store is a RoutingStateStore")
    func conformance() throws {
        let store = try ConversationStore(path: folder.path())
        defer { store.close() }
        let routing: any RoutingStateStore = store
        #expect(try routing.openQueueEntries().isEmpty)
    }
}

import Foundation
import Synchronization
import Testing
import VoiceGateCore
@testable import VoiceGateStore

/// The settings that make a completion mean "on disk", group commit, and health.
final class StoreDurabilityTests {
    let folder: TemporaryFolder
    init() throws { folder = try TemporaryFolder() }

    @Test func theFileIsInWALModeAndTheWriterSyncsFully() throws {
        let store = try ConversationStore(path: folder.path())
        defer { store.close() }
        // synchronous and foreign_keys belong to a connection: ask the writer's own.
        #expect(try store.onWriter("pragma") { try $0.db.pragma("synchronous") } == "2")   // FULL
        #expect(try store.onWriter("pragma") { try $0.db.pragma("foreign_keys") } == "1")
        #expect(try store.onWriter("pragma") { try $0.db.pragma("journal_mode") } == "wal")
        // journal_mode=WAL and the schema version belong to the file: any connection sees them.
        let other = try SQLiteConnection(path: folder.path(), create: false)
        defer { other.close() }
        #expect(try other.pragma("journal_mode") == "wal")
        #expect(try other.pragma("user_version") == String(Schema.version))
    }

    @Test func aFileFromANewerVersionIsRefused() throws {
        do {
            let db = try SQLiteConnection(path: folder.path(), create: true)
            _ = try db.pragma("user_version", set: "99")
            db.close()
        }
        #expect(throws: StoreError.self) { try ConversationStore(path: folder.path()) }
    }

    @Test func twoThousandCreatesFromEightThreadsCommitInFarFewerTransactions() throws {
        let store = try ConversationStore(path: folder.path())
        defer { store.close() }
        let completed = Mutex((ok: 0, failed: 0))
        let before = store.transactionsCommitted
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for n in 0..<250 {
                store.create(sampleConversation("t\(thread)-\(n)", startedAt: t0 + Int64(n))) { result in
                    completed.withLock { if case .success = result { $0.ok += 1 } else { $0.failed += 1 } }
                }
            }
        }
        store.flush()
        #expect(completed.withLock { $0.ok } == 2000)
        #expect(completed.withLock { $0.failed } == 0)
        #expect(try store.conversations(state: .active, limit: 5000).count == 2000)
        let transactions = store.transactionsCommitted - before
        #expect(transactions < 1000, "group commit: \(transactions) transactions for 2,000 creates")
    }

    @Test func everythingQueuedWhileTheWriterIsBusyCommitsInOneTransaction() throws {
        let store = try ConversationStore(path: folder.path())
        defer { store.close() }
        let release = store.holdWriter()
        let before = store.transactionsCommitted
        let completions = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 4) { thread in
            for n in 0..<500 {
                store.create(sampleConversation("t\(thread)-\(n)")) { _ in completions.withLock { $0 += 1 } }
            }
        }
        release()
        store.flush()
        #expect(completions.withLock { $0 } == 2000)
        #expect(store.transactionsCommitted - before == 1)   // all 2,000 in one
        #expect(try store.conversations(state: nil, limit: 5000).count == 2000)
    }

    @Test func aFullDiskMakesTheStoreUnhealthyUntilAWriteCommitsAgain() async throws {
        let log = ErrorLog()
        let store = try ConversationStore(path: folder.path(), onError: log.record)
        defer { store.close() }
        try await store.created(sampleConversation("c1")).get()
        #expect(store.isHealthy)

        // A real SQLITE_FULL: the file may not grow past the pages it has now.
        let pages = try store.onWriter("limit pages") { try $0.db.pragma("page_count") ?? "0" }
        _ = try store.onWriter("limit pages") { try $0.db.pragma("max_page_count", set: pages) }
        let big = String(repeating: "x", count: 64 * 1024)
        store.appendTurn(Turn(at: time(t0), from: .customer, kind: .speech, text: big), to: "c1")
        store.flush()
        #expect(!store.isHealthy)
        #expect(log.all.map(\.code.primary) == [.full])
        #expect(log.all.first?.isStorageFailure == true)
        #expect(try store.conversation(id: "c1")?.transcript.isEmpty == true)

        _ = try store.onWriter("lift the limit") { try $0.db.pragma("max_page_count", set: "1073741823") }
        try await store.created(sampleConversation("c3")).get()
        #expect(store.isHealthy)
        #expect(try store.conversation(id: "c3") != nil)
    }

    @Test func aWriteLockHeldElsewhereFailsTheBatchOnceAndMakesTheStoreUnhealthy() async throws {
        let log = ErrorLog()
        let store = try ConversationStore(path: folder.path(), onError: log.record)
        defer { store.close() }
        try await store.created(sampleConversation("c1")).get()

        // Another connection (an operator's sqlite3 shell, say) holds the write lock.
        let other = try SQLiteConnection(path: folder.path(), create: false)
        defer { other.close() }
        try other.execute("BEGIN IMMEDIATE", "hold the write lock")
        let release = store.holdWriter()
        for n in 0..<3 { store.appendTurn(Turn(at: time(t0 + Int64(n)), from: .bot, kind: .speech, text: "\(n)"), to: "c1") }
        let started = Date()
        let result = await withCheckedContinuation { continuation in
            store.create(sampleConversation("c2")) { continuation.resume(returning: $0) }
            release()
        }
        // The busy timeout (5 s) is waited out once for the batch, not once per write.
        #expect(Date().timeIntervalSince(started) < 9)
        guard case .failure(let error) = result else { Issue.record("written through a held lock"); return }
        #expect(error.code.primary == .busy)
        #expect(log.all.count == 4)
        #expect(!store.isHealthy)

        try other.execute("ROLLBACK", "release the write lock")
        try await store.created(sampleConversation("c3")).get()
        #expect(store.isHealthy)
    }
}

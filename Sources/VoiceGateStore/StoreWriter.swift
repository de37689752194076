import Foundation
import Synchronization
import VoiceGateCore

/// The single writer: a dedicated thread (not the Swift cooperative pool, because COMMIT blocks
/// in fsync) that drains a FIFO of writes. Everything queued since its last pass runs in ONE
/// transaction, then one COMMIT (one fsync for the whole batch: group commit), then the batch's
/// completions in queue order. One queue and one thread keep the writes of a conversation in
/// the order they were queued.
///
/// Each write runs in its own savepoint, so a write that fails for its own reasons (a duplicate
/// id, an unknown conversation) is undone alone and the rest of the batch still commits.
///
/// `@unchecked Sendable`: the queue and flags are guarded by `condition`; the connection and
/// codec are touched only by the writer thread once it runs; `status` is a Mutex.
final class StoreWriter: @unchecked Sendable {
    struct Status {
        var healthy = true
        var transactionsCommitted = 0
    }

    private let condition = NSCondition()
    private var pending: [WriteOperation] = []
    private var stopping = false
    private var exited = false
    private var thread: Thread?

    private let context: WriteContext
    private let onError: @Sendable (StoreError) -> Void
    let status = Mutex(Status())

    init(connection: SQLiteConnection, onError: @escaping @Sendable (StoreError) -> Void) {
        context = WriteContext(db: connection, codec: StoreCodec())
        self.onError = onError
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "voicegate.store.writer"
        condition.withLock { self.thread = thread }
        thread.start()
    }

    /// True on the writer thread itself (completions and onError run there).
    var isWriterThread: Bool {
        condition.withLock { thread.map { $0 === Thread.current } ?? false }
    }

    /// Queues the write; after `stop` it fails at once with `misuse` instead.
    func enqueue(_ operation: WriteOperation) {
        let accepted = condition.withLock {
            guard !stopping else { return false }
            pending.append(operation)
            condition.broadcast()
            return true
        }
        if !accepted {
            fail(operation, StoreError(code: .misuse, message: "the store is closed", operation: operation.name))
        }
    }

    /// Runs the rest of the queue, stops the thread and closes the connection; returns once
    /// that is done, except on the writer thread itself, which cannot wait for its own end (the
    /// thread then stops after its current batch). Safe to call twice.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        let mayWait = thread != nil && thread !== Thread.current
        while mayWait && !exited { condition.wait() }
        let neverStarted = thread == nil
        condition.unlock()
        if neverStarted { context.db.close() }
    }

    private func run() {
        while true {
            condition.lock()
            while pending.isEmpty && !stopping { condition.wait() }
            let batch = pending
            pending = []
            condition.unlock()
            if batch.isEmpty { break }   // stopping, and nothing left to write
            runBatch(batch)
        }
        context.db.close()
        condition.withLock {
            exited = true
            condition.broadcast()
        }
    }

    private func runBatch(_ batch: [WriteOperation]) {
        let db = context.db
        var results = [Result<Void, StoreError>](repeating: .success(()), count: batch.count)
        // Writes applied in the open transaction, not yet committed.
        var uncommitted: [Int] = []

        // Once BEGIN fails (the write lock stays busy past the timeout, the disk is gone), the
        // rest of the batch fails with it rather than waiting out the busy timeout once per write.
        var beginFailure: StoreError?

        for (i, operation) in batch.enumerated() {
            guard let apply = operation.apply else { continue }
            if let beginFailure {
                results[i] = .failure(StoreError(code: beginFailure.code, message: beginFailure.message, operation: operation.name))
                continue
            }
            if !db.isInTransaction {
                do { try db.execute("BEGIN IMMEDIATE", "begin a transaction for \(operation.name)") } catch {
                    let failure = storeError(error, operation.name)
                    beginFailure = failure
                    results[i] = .failure(failure)
                    continue
                }
            }
            do {
                try db.execute("SAVEPOINT write", operation.name)
                try apply(context)
                try db.execute("RELEASE write", operation.name)
                uncommitted.append(i)
            } catch {
                let failure = storeError(error, operation.name)
                results[i] = .failure(failure)
                if db.isInTransaction {
                    try? db.execute("ROLLBACK TO write", "roll back (\(operation.name))")
                    try? db.execute("RELEASE write", "roll back (\(operation.name))")
                } else {
                    // SQLite rolled back the whole transaction (disk full, I/O error): the
                    // writes before this one in the batch are gone too. The rest of the batch
                    // gets a new transaction.
                    for j in uncommitted { results[j] = .failure(lost(batch[j], with: failure)) }
                    uncommitted = []
                }
            }
        }

        var committed = false
        if db.isInTransaction {
            do {
                try db.execute("COMMIT", "commit")
                committed = true
            } catch {
                let failure = storeError(error, "commit")
                if db.isInTransaction { try? db.execute("ROLLBACK", "roll back after a failed commit") }
                for j in uncommitted { results[j] = .failure(lost(batch[j], with: failure)) }
            }
        }

        // Health first, so a completion that looks at it sees this batch's outcome. A batch that
        // lost a write to the storage is unhealthy even if smaller writes beside it fit (a full
        // disk refuses the big ones first); a later batch that commits without such a loss
        // makes the store healthy again.
        let storageFailed = results.contains { if case .failure(let e) = $0 { e.isStorageFailure } else { false } }
        let wrote = committed && !uncommitted.isEmpty
        status.withLock { status in
            if committed { status.transactionsCommitted += 1 }
            if storageFailed { status.healthy = false } else if wrote { status.healthy = true }
        }

        for (operation, result) in zip(batch, results) {
            if case .failure(let error) = result { onError(error) }
            operation.completion?(result)
        }
    }

    private func fail(_ operation: WriteOperation, _ error: StoreError) {
        onError(error)
        operation.completion?(.failure(error))
    }

    private func storeError(_ error: any Error, _ operation: String) -> StoreError {
        error as? StoreError ?? StoreError(code: .error, message: "\(error)", operation: operation)
    }

    private func lost(_ operation: WriteOperation, with failure: StoreError) -> StoreError {
        StoreError(code: failure.code, message: "\(failure.message) (the transaction was rolled back; this write is lost)",
                   operation: operation.name)
    }
}

import Foundation
import Synchronization
import VoiceGateCore

/// Conversations and their transcripts, durably, in one SQLite file (WAL, synchronous=FULL).
///
/// Writes are queued to one writer thread that commits them in batches (group commit): `create`
/// calls its completion once the conversation is on disk; the other writes are fire-and-forget,
/// with an optional completion. Writes to one conversation apply in the order they were queued,
/// from whichever thread. Reads use their own connection and see what has been committed.
///
/// Completions and `onError` run on the writer thread, after their batch committed (or failed):
/// they must be quick, may queue more writes, and must not call `flush()` (it would wait for
/// itself). Every failed write goes to `onError`, whether or not it also has a completion.
public final class ConversationStore: Sendable {
    public typealias Completion = @Sendable (Result<Void, StoreError>) -> Void

    private let writer: StoreWriter
    private let sentiment: (@Sendable (String) -> Double)?
    private let reader: Mutex<ConversationReader?>
    /// The queue entries this process's `recoverInterrupted` closed (`interruptedAtLastStart()`).
    let interruptedQueueEntries = Mutex<[QueueEntryRecord]>([])

    /// Opens or creates the file at `path`, brings its schema up to date and starts the writer
    /// thread. `onError` hears of every write that failed (the gateway logs them). Any thread.
    ///
    /// `sentiment` scores the customer's words (`Turn.isCustomerWords`) as their turns are
    /// queued, on the caller's thread, so the writer thread only stores the number; nil keeps
    /// turns unscored (no lexicon installed).
    public init(path: String, sentiment: (@Sendable (String) -> Double)? = nil,
                onError: @escaping @Sendable (StoreError) -> Void = { _ in }) throws {
        self.sentiment = sentiment
        let writeConnection = try SQLiteConnection(path: path, create: true)
        // WAL: readers go on beside the writer, and a commit is one append plus one fsync.
        guard let mode = try writeConnection.pragma("journal_mode", set: "WAL"), mode.lowercased() == "wal" else {
            throw StoreError(code: .cantOpen, message: "SQLite cannot use write-ahead logging for this file (in memory, or a file system without shared memory)",
                             operation: "open \(path)")
        }
        // FULL: a commit is on disk when it returns, so a completion means durable, even
        // across power loss (NORMAL would only survive a crash of the process).
        _ = try writeConnection.pragma("synchronous", set: "FULL")
        _ = try writeConnection.pragma("foreign_keys", set: "ON")
        // Savepoint journals stay in memory rather than in temporary files.
        _ = try writeConnection.pragma("temp_store", set: "MEMORY")
        try Schema.migrate(writeConnection)

        let readConnection = try SQLiteConnection(path: path, create: false)
        // The read side never writes: a bug that tries fails instead of racing the writer.
        _ = try readConnection.pragma("query_only", set: "ON")

        reader = Mutex(ConversationReader(db: readConnection))
        writer = StoreWriter(connection: writeConnection, onError: onError)
        writer.start()
    }

    deinit { close() }

    // MARK: Writes

    /// Stores a new conversation (and any turns it already has). The completion runs once it is
    /// committed to disk: the gateway answers the call only then. Any thread.
    public func create(_ conversation: Conversation, completion: @escaping Completion) {
        var scoredConversation = conversation
        scoredConversation.transcript = conversation.transcript.map(scored)
        let conversation = scoredConversation
        writer.enqueue(WriteOperation(name: "create conversation \(conversation.id)", apply: { context in
            try context.insert(conversation, "create conversation \(conversation.id)")
        }, completion: completion))
    }

    /// Adds a turn after the conversation's last one. Queued; any thread.
    public func appendTurn(_ turn: Turn, to id: String, completion: Completion? = nil) {
        let turn = scored(turn)
        let name = "append turn to conversation \(id)"
        writer.enqueue(WriteOperation(name: name, apply: { try $0.appendTurn(turn, to: id, name) }, completion: completion))
    }

    /// The turn with its sentiment, when it is the customer's words and a scorer is set.
    private func scored(_ turn: Turn) -> Turn {
        guard let sentiment, turn.sentiment == nil, turn.isCustomerWords else { return turn }
        var turn = turn
        turn.sentiment = sentiment(turn.text)
        return turn
    }

    /// Sets the given variables and keeps the others. Queued; any thread.
    public func setVariables(_ variables: [String: JSONValue], of id: String, completion: Completion? = nil) {
        let name = "set variables of conversation \(id)"
        writer.enqueue(WriteOperation(name: name, apply: { try $0.mergeVariables(variables, of: id, name) },
                                      completion: completion))
    }

    /// Changes the given fields only: a nil argument leaves its field alone; `.some(nil)` clears
    /// it (`update(id, agent: .some(nil))`). Queued; any thread.
    public func update(_ id: String, state: Conversation.State? = nil, bot: String?? = nil, queue: String?? = nil,
                       agent: String?? = nil, completion: Completion? = nil) {
        let name = "update conversation \(id)"
        writer.enqueue(WriteOperation(name: name, apply: { context in
            try context.update(id, state: state, bot: bot, queue: queue, agent: agent, name)
        }, completion: completion))
    }

    /// Ends the conversation: state closed, with its outcome, reason and end time. The first
    /// close wins; closing a closed conversation changes nothing. Queued; any thread.
    public func close(_ id: String, outcome: Conversation.Outcome, reason: String, at: Date, completion: Completion? = nil) {
        let name = "close conversation \(id)"
        writer.enqueue(WriteOperation(name: name, apply: { context in
            try context.close(id, outcome: outcome, reason: reason, at: at, name)
        }, completion: completion))
    }

    /// Blocks until every write queued before it has been committed (or has failed). Any thread
    /// but the writer's (not from a completion or onError).
    public func flush() {
        precondition(!writer.isWriterThread, "ConversationStore.flush() called from a store completion would wait for itself")
        let done = DispatchSemaphore(value: 0)
        flush { done.signal() }
        done.wait()
    }

    /// Calls `completion` on the writer thread once every write queued before it has been
    /// committed (or has failed): flush without blocking. Any thread.
    public func flush(completion: @escaping @Sendable () -> Void) {
        writer.enqueue(WriteOperation(name: "flush", apply: nil, completion: { _ in completion() }))
    }

    /// Writes what is queued, stops the writer thread and closes the file. Later writes fail
    /// with `misuse` (through their completion and onError), later reads throw it. Safe to call
    /// twice. Any thread; from the writer thread it cannot wait, and the thread stops after
    /// writing what is queued.
    public func close() {
        // The reader first: the last connection to close checkpoints the WAL into the database
        // and removes it, and only the writer may write.
        reader.withLock { reader in
            reader?.db.close()
            reader = nil
        }
        writer.stop()
    }

    /// At gateway start: every conversation a dead process left active or waiting (kill -9,
    /// power loss) is closed with outcome `failed`, `endReason` = reason, `endedAt` = at, and a
    /// system event turn "gateway restarted" (data `{"reason": reason}`). Returns how many.
    ///
    /// In the same transaction, the routing state of the dead process ends: every open queue
    /// entry is closed at `at` with result `interrupted` and its wait up to `at`, and every open
    /// segment ends at `at`. The closed entries stay readable (`queueEntries(conversationID:)`),
    /// and `interruptedAtLastStart()` lists them: who was waiting when the gateway died.
    /// Blocks until committed. Any thread but the writer's.
    public func recoverInterrupted(reason: String, at: Date) throws -> Int {
        let recovered = try onWriter("recover interrupted conversations") { context in
            try context.recoverInterrupted(reason: reason, at: at, "recover interrupted conversations")
        }
        interruptedQueueEntries.withLock { $0 = recovered.queueEntries }
        return recovered.conversations
    }

    // MARK: Reads

    /// One conversation with its whole transcript, as last committed; nil if there is none.
    /// Any thread (reads take turns on one connection).
    public func conversation(id: String) throws -> Conversation? {
        try reader.withLock { reader in
            guard let reader else { throw StoreError(code: .misuse, message: "the store is closed", operation: "read conversation \(id)") }
            return try reader.conversation(id: id)
        }
    }

    /// Up to `limit` conversations, all or in one state, newest first (by start time, then id),
    /// each with its transcript. Any thread.
    public func conversations(state: Conversation.State?, limit: Int) throws -> [Conversation] {
        try reader.withLock { reader in
            guard let reader else { throw StoreError(code: .misuse, message: "the store is closed", operation: "list conversations") }
            return try reader.conversations(state: state, limit: limit)
        }
    }

    /// The transfer audit rows of one conversation, oldest first. Any thread.
    public func transferAttempts(conversationID: String) throws -> [TransferAttempt] {
        try reader.withLock { reader in
            guard let reader else { throw StoreError(code: .misuse, message: "the store is closed", operation: "read transfer attempts") }
            return try reader.transferAttempts(conversationID: conversationID)
        }
    }

    // MARK: Health

    /// False after a write failed because of the storage (disk full, I/O error), until a later
    /// batch of writes commits without such a failure. For /healthz; any thread.
    public var isHealthy: Bool { writer.status.withLock { $0.healthy } }

    /// Transactions the writer has committed: far fewer than writes under load (group commit).
    /// Any thread.
    public var transactionsCommitted: Int { writer.status.withLock { $0.transactionsCommitted } }

    /// Runs `body` with the reader (for the store's extensions in other files); throws `misuse`
    /// once the store is closed.
    func onReader<T: Sendable>(_ operation: String, _ body: (ConversationReader) throws -> T) throws -> T {
        try reader.withLock { reader in
            guard let reader else { throw StoreError(code: .misuse, message: "the store is closed", operation: operation) }
            return try body(reader)
        }
    }

    /// Queues one write (for the store's extensions in other files).
    func writeQueued(_ name: String, _ completion: Completion?, _ apply: @escaping @Sendable (WriteContext) throws -> Void) {
        writer.enqueue(WriteOperation(name: name, apply: apply, completion: completion))
    }

    /// Runs `body` on the writer thread, in the writer's transaction, and waits for its commit.
    func onWriter<T: Sendable>(_ name: String, _ body: @escaping @Sendable (WriteContext) throws -> T) throws -> T {
        precondition(!writer.isWriterThread, "a synchronous store call from a store completion would wait for itself")
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        writer.enqueue(WriteOperation(name: name, apply: { context in
            box.set(.success(try body(context)))
        }, completion: { result in
            // A failed commit undoes what body returned.
            if case .failure(let error) = result { box.set(.failure(error)) }
            done.signal()
        }))
        done.wait()
        return try box.get()
    }
}

/// A value handed from the writer thread to a waiting caller.
private final class ResultBox<T: Sendable>: Sendable {
    private let value = Mutex<Result<T, StoreError>?>(nil)

    func set(_ result: Result<T, StoreError>) { value.withLock { $0 = result } }

    func get() throws -> T {
        guard let result = value.withLock({ $0 }) else {
            throw StoreError(code: .error, message: "the write did not run", operation: "store")
        }
        return try result.get()
    }
}

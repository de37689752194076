import Foundation
import CPJProject
import CVoiceGateSupport

/// The one thread that makes pjsua control calls (answer, hang up, connect ports, create
/// transports, destroy). pjlib needs every calling thread registered, and Swift's cooperative pool
/// hands out arbitrary threads, so control work is queued here instead; callbacks arriving on pj
/// worker threads only enqueue. It also runs a periodic tick for timers that are not worth a
/// thread of their own (call duration limits, drain checks).
public final class PJExecutor: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []   // guarded by condition
    private var stopping = false          // guarded by condition
    private var thread: Thread?
    private let tickInterval: TimeInterval
    private var onTick: @Sendable () -> Void = {}   // guarded by condition
    private let started = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let threadKey = "voicegate.pj-executor"

    /// Starts the thread. pjsua_create belongs on it: the thread that creates pjlib is registered
    /// by that call.
    /// Fault injection for tests only: VOICEGATE_TEST_EXECUTOR_LAG_US delays every job, so the
    /// races between pj callbacks and queued work (a caller hanging up before its media work
    /// runs) happen at test rates as they do under real load.
    private let lagMicroseconds = useconds_t(ProcessInfo.processInfo.environment["VOICEGATE_TEST_EXECUTOR_LAG_US"].flatMap { UInt32($0) } ?? 0)

    public init(tickInterval: TimeInterval = 0.25) {
        self.tickInterval = tickInterval
        let thread = Thread { [unowned self] in self.run() }
        thread.name = "pj-control"
        thread.stackSize = 1 << 20
        self.thread = thread
        thread.start()
        started.wait()
    }

    /// Whether the caller is this executor's thread.
    public var isCurrent: Bool { Thread.current.threadDictionary[threadKey] as? ObjectIdentifier == ObjectIdentifier(self) }

    private func run() {
        Thread.current.threadDictionary[threadKey] = ObjectIdentifier(self)
        started.signal()
        var nextTick = Date().addingTimeInterval(tickInterval)
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping {
                if !condition.wait(until: nextTick) { break }
            }
            let batch = jobs
            jobs.removeAll(keepingCapacity: true)
            let stop = stopping && batch.isEmpty
            let tick = onTick
            condition.unlock()
            if stop { break }
            for job in batch {
                ensureRegistered()
                if lagMicroseconds > 0 { usleep(lagMicroseconds) }
                job()
            }
            if Date() >= nextTick {
                if pj_thread_is_registered_safe() { tick() }
                nextTick = Date().addingTimeInterval(tickInterval)
            }
        }
        finished.signal()
    }

    /// pj_thread_is_registered asserts before pj_init; this one does not.
    private func pj_thread_is_registered_safe() -> Bool { PJLibState.initialized && vg_thread_is_registered() != 0 }

    private func ensureRegistered() {
        if PJLibState.initialized && vg_thread_is_registered() == 0 { _ = vg_thread_register("pj-control") }
    }

    /// Sets what runs on every tick (on this thread, after queued work).
    public func setTick(_ tick: @escaping @Sendable () -> Void) {
        condition.lock()
        onTick = tick
        condition.unlock()
    }

    /// Queues work; returns at once. Safe from any thread, including pj callbacks.
    public func async(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Runs work on the executor thread and waits for its result. Must not be called from a pj
    /// callback (the callback would wait on work queued behind it); from the executor itself it
    /// runs inline.
    public func sync<T>(_ job: @escaping () throws -> T) throws -> T {
        if isCurrent { return try job() }
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        let transfer = UnsafeTransfer(job)
        async {
            box.result = Result { try transfer.value() }
            done.signal()
        }
        done.wait()
        return try box.result!.get()
    }

    /// Stops the thread after the queued work; waits for it.
    public func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
        if !isCurrent { finished.wait() }
    }
}

/// Whether pj_init has run in this process (registration before it is meaningless).
enum PJLibState {
    nonisolated(unsafe) static var initialized = false
}

private final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, Error>?
}

/// Moves a value across threads where the program's structure (not the type system) guarantees
/// there is no concurrent use: here, a closure run while its caller waits.
struct UnsafeTransfer<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

import Foundation
import Synchronization
import VoiceGateCore
@testable import VoiceGateStore

/// A fresh folder for one test's database files, removed when the test is done.
final class TemporaryFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("voicegate-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String = "conversations.db") -> String { url.appendingPathComponent(name).path }
}

/// Collects what onError hears, from the writer thread.
final class ErrorLog: Sendable {
    private let errors = Mutex<[StoreError]>([])
    func record(_ error: StoreError) { errors.withLock { $0.append(error) } }
    var all: [StoreError] { errors.withLock { $0 } }
}

/// A time with whole milliseconds, as the store keeps them.
func time(_ ms: Int64) -> Date { Date(timeIntervalSince1970: Double(ms) / 1000) }

let t0: Int64 = 1_700_000_000_123

func sampleConversation(_ id: String, startedAt: Int64 = t0, state: Conversation.State = .active,
                        transcript: [Turn] = []) -> Conversation {
    Conversation(id: id, state: state, startedAt: time(startedAt), bot: "demo", trunk: "main",
                 sipCallId: "call-\(id)@10.0.0.1", callerWithheld: false,
                 variables: [ContextVariable.customerPhoneNumber: "+4930123456",
                             ContextVariable.organizationPhoneNumber: "+4930999000",
                             "X-Account": .object(["tier": "gold", "since": .number(2019)])],
                 transcript: transcript)
}

extension ConversationStore {
    /// `create`, waiting for its completion.
    func created(_ conversation: Conversation) async -> Result<Void, StoreError> {
        await withCheckedContinuation { continuation in
            create(conversation) { continuation.resume(returning: $0) }
        }
    }

    /// Blocks the writer thread, outside any transaction, until the returned release is called,
    /// so that everything queued meanwhile lands in one next batch. Returns once it is blocked.
    func holdWriter() -> @Sendable () -> Void {
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        flush {
            entered.signal()
            release.wait()
        }
        entered.wait()
        return { release.signal() }
    }
}

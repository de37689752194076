import Foundation
import Synchronization
import Testing
import VoiceGateCore
@testable import VoiceGateStore

final class ConversationStoreTests {
    let folder: TemporaryFolder
    init() throws { folder = try TemporaryFolder() }

    @Test func aCreatedConversationIsThereForASecondStoreOnTheSameFile() async throws {
        let first = try ConversationStore(path: folder.path())
        defer { first.close() }
        let conversation = sampleConversation("c1")
        try await first.created(conversation).get()

        // No flush, no close: the completion alone promises it is committed.
        let second = try ConversationStore(path: folder.path())
        defer { second.close() }
        #expect(try second.conversation(id: "c1") == conversation)
        #expect(try second.conversation(id: "missing") == nil)
    }

    @Test func turnsComeBackInOrderWithTheirData() async throws {
        let store = try ConversationStore(path: folder.path())
        defer { store.close() }
        let greeting = Turn(at: time(t0), from: .bot, kind: .speech, text: "Hello, how can I help?")
        try await store.created(sampleConversation("c1", transcript: [greeting])).get()
        let turns = [
            Turn(at: time(t0 + 1500), from: .customer, kind: .speech, text: "My invoice", data: ["confidence": .number(0.92)]),
            Turn(at: time(t0 + 1600), from: .customer, kind: .dtmf, text: "1"),
            Turn(at: time(t0 + 2001), from: .bot, kind: .action, text: "lookup",
                 data: ["args": .array(["a", .null, true]), "nested": .object(["k": "v"])]),
            Turn(at: time(t0 + 2001), from: .system, kind: .event, text: "same time, later turn"),
        ]
        for turn in turns { store.appendTurn(turn, to: "c1") }
        store.flush()
        #expect(try store.conversation(id: "c1")?.transcript == [greeting] + turns)
    }

    @Test func setVariablesMergesIntoTheStoredOnes() async throws {
        let store = try ConversationStore(path: folder.path())
        defer { store.close() }
        try await store.created(sampleConversation("c1")).get()
        store.setVariables(["Topic": "billing", "X-Account": "replaced"], of: "c1")
        store.setVariables(["Attempts": .number(2), "Empty": .null], of: "c1")
        store.flush()
        let variables = try #require(try store.conversation(id: "c1")).variables
        #expect(variables == [ContextVariable.customerPhoneNumber: "+4930123456",
                              ContextVariable.organizationPhoneNumber: "+4930999000",
                              "X-Account": "replaced", "Topic": "billing", "Attempts": .number(2), "Empty": .null])
    }

    @Test func updateChangesOnlyTheGivenFieldsAndClearsWithSomeNil() async throws {
        let store = try ConversationStore(path: folder.path())
        defer { store.close() }
        try await store.created(sampleConversation("c1")).get()
        store.update("c1", state: .waiting, bot: .some(nil), queue: "billing")
        store.update("c1", agent: "alice")
        store.flush()
        var stored = try #require(try store.conversation(id: "c1"))
        #expect(stored.state == .waiting)
        #expect(stored.bot == nil)
        #expect(stored.queue == "billing")
        #expect(stored.agent == "alice")
        store.update("c1", queue: .some(nil))
        store.flush()
        stored = try #require(try store.conversation(id: "c1"))
        #expect(stored.queue == nil && stored.agent == "alice" && stored.state == .waiting)
    }

    @Test func closeSetsOutcomeReasonAndEndAndTheFirstCloseWins() async throws {
        let store = try ConversationStore(path: folder.path())
        defer { store.close() }
        try await store.created(sampleConversation("c1")).get()
        store.close("c1", outcome: .resolved, reason: "customerHangUp", at: time(t0 + 65_432))
        store.close("c1", outcome: .failed, reason: "shutdown", at: time(t0 + 99_000))
        store.flush()
        let closed = try #require(try store.conversation(id: "c1"))
        #expect(closed.state == .closed)
        #expect(closed.outcome == .resolved)
        #expect(closed.endReason == "customerHangUp")
        #expect(closed.endedAt == time(t0 + 65_432))
    }

    @Test func writesToUnknownConversationsGoToOnErrorAndLeaveTheStoreHealthy() async throws {
        let log = ErrorLog()
        let store = try ConversationStore(path: folder.path(), onError: log.record)
        defer { store.close() }
        store.appendTurn(Turn(at: time(t0), from: .bot, kind: .speech, text: "x"), to: "nobody")
        store.close("nobody", outcome: .resolved, reason: "closed", at: time(t0))
        store.setVariables(["a": "b"], of: "nobody")
        store.flush()
        let codes = log.all.map(\.code.primary)
        #expect(codes == [.constraint, .notFound, .notFound])
        #expect(log.all.allSatisfy { $0.operation.contains("nobody") })
        #expect(store.isHealthy)
    }

    @Test func aFailingWriteIsUndoneAloneAndTheRestOfItsBatchCommits() async throws {
        let log = ErrorLog()
        let store = try ConversationStore(path: folder.path(), onError: log.record)
        defer { store.close() }
        try await store.created(sampleConversation("c1")).get()

        let release = store.holdWriter()
        let before = store.transactionsCommitted
        let duplicate = Mutex<Result<Void, StoreError>?>(nil)
        store.appendTurn(Turn(at: time(t0), from: .bot, kind: .speech, text: "before"), to: "c1")
        store.create(sampleConversation("c1", startedAt: t0 + 5)) { result in duplicate.withLock { $0 = result } }
        store.create(sampleConversation("c2")) { _ in }
        store.appendTurn(Turn(at: time(t0 + 1), from: .bot, kind: .speech, text: "after"), to: "c1")
        release()
        store.flush()

        #expect(store.transactionsCommitted == before + 1)   // all four in one
        let result = try #require(duplicate.withLock { $0 })
        guard case .failure(let failure) = result else { Issue.record("the duplicate was stored"); return }
        #expect(failure.code.primary == .constraint)
        #expect(failure.operation == "create conversation c1")
        #expect(try store.conversation(id: "c1")?.transcript.map(\.text) == ["before", "after"])
        #expect(try store.conversation(id: "c1")?.startedAt == time(t0))
        #expect(try store.conversation(id: "c2") != nil)
    }

    @Test func listsFilterByStateNewestFirstWithinTheLimit() async throws {
        let store = try ConversationStore(path: folder.path())
        defer { store.close() }
        // c3 and c4 start in the same millisecond: the id breaks the tie, descending.
        let starts: [(String, Int64, Conversation.State)] = [
            ("c1", t0, .closed), ("c2", t0 + 10, .active), ("c3", t0 + 20, .active),
            ("c4", t0 + 20, .waiting), ("c5", t0 + 30, .active), ("c6", t0 + 40, .closed),
        ]
        for (id, start, state) in starts {
            let turn = Turn(at: time(start + 1), from: .customer, kind: .speech, text: "hi from \(id)")
            try await store.created(sampleConversation(id, startedAt: start, state: state, transcript: [turn])).get()
        }
        #expect(try store.conversations(state: nil, limit: 10).map(\.id) == ["c6", "c5", "c4", "c3", "c2", "c1"])
        #expect(try store.conversations(state: nil, limit: 3).map(\.id) == ["c6", "c5", "c4"])
        #expect(try store.conversations(state: .active, limit: 10).map(\.id) == ["c5", "c3", "c2"])
        #expect(try store.conversations(state: .active, limit: 2).map(\.id) == ["c5", "c3"])
        #expect(try store.conversations(state: .closed, limit: 10).map(\.id) == ["c6", "c1"])
        #expect(try store.conversations(state: .waiting, limit: 0).isEmpty)
        // Each comes with its own transcript.
        for conversation in try store.conversations(state: nil, limit: 10) {
            #expect(conversation.transcript.map(\.text) == ["hi from \(conversation.id)"])
        }
    }

    @Test func recoveryClosesActiveAndWaitingOnesOnlyWithARestartTurn() async throws {
        let path = folder.path()
        do {
            let crashed = try ConversationStore(path: path)
            for (id, state) in [("a", Conversation.State.active), ("w", .waiting), ("c", .active)] {
                let turn = Turn(at: time(t0 + 1), from: .customer, kind: .speech, text: "hello")
                try await crashed.created(sampleConversation(id, state: state, transcript: [turn])).get()
            }
            crashed.close("c", outcome: .resolved, reason: "closed", at: time(t0 + 2))
            crashed.close()
        }
        let store = try ConversationStore(path: path)
        defer { store.close() }
        #expect(try store.recoverInterrupted(reason: "gatewayRestart", at: time(t0 + 60_000)) == 2)
        for id in ["a", "w"] {
            let recovered = try #require(try store.conversation(id: id))
            #expect(recovered.state == .closed)
            #expect(recovered.outcome == .failed)
            #expect(recovered.endReason == "gatewayRestart")
            #expect(recovered.endedAt == time(t0 + 60_000))
            #expect(recovered.transcript.count == 2)
            #expect(recovered.transcript.last == Turn(at: time(t0 + 60_000), from: .system, kind: .event,
                                                      text: "gateway restarted", data: ["reason": "gatewayRestart"]))
        }
        let untouched = try #require(try store.conversation(id: "c"))
        #expect(untouched.outcome == .resolved && untouched.endReason == "closed" && untouched.transcript.count == 1)
        #expect(try store.recoverInterrupted(reason: "gatewayRestart", at: time(t0 + 70_000)) == 0)
    }

    @Test func aClosedStoreRefusesWritesAndReadsAndItsDataStays() async throws {
        let log = ErrorLog()
        let store = try ConversationStore(path: folder.path(), onError: log.record)
        try await store.created(sampleConversation("c1")).get()
        store.appendTurn(Turn(at: time(t0), from: .bot, kind: .speech, text: "queued before close"), to: "c1")
        store.close()
        store.close()

        let late = await store.created(sampleConversation("c2"))
        guard case .failure(let error) = late else { Issue.record("a closed store accepted a write"); return }
        #expect(error.code == .misuse)
        #expect(throws: StoreError.self) { try store.conversation(id: "c1") }

        let reopened = try ConversationStore(path: folder.path())
        defer { reopened.close() }
        #expect(try reopened.conversation(id: "c1")?.transcript.map(\.text) == ["queued before close"])
        #expect(try reopened.conversation(id: "c2") == nil)
    }
}

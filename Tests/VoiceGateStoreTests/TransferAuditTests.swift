import Foundation
import Testing
import VoiceGateCore
@testable import VoiceGateStore

/// The transfer audit: a row per attempt, on disk, with its result added once.
struct TransferAuditTests {
    @Test("attempts are kept per conversation, oldest first; the first result wins; a reopened file still has them")
    func rowsAndResults() throws {
        let folder = try TemporaryFolder()
        let path = folder.path()
        let refused = TransferAttempt(at: time(t0), conversationID: "c1", fromNumber: "+18005550100", target: "+1900555\u{1}0123",
                                      normalized: nil, decision: .refused, reason: "invalid_number", detail: "control character")
        let allowed = TransferAttempt(at: time(t0 + 5), conversationID: "c1", fromNumber: "+18005550100", target: "+14155550123",
                                      normalized: "+14155550123", decision: .allowed, reason: nil, detail: "allowed")
        let other = TransferAttempt(at: time(t0 + 1), conversationID: "c2", fromNumber: "+18005550100", target: "+14155550199",
                                    normalized: "+14155550199", decision: .allowed, reason: nil, detail: "allowed", requestedBy: "trunk")
        do {
            let store = try ConversationStore(path: path)
            for a in [refused, allowed, other] { store.recordTransferAttempt(a) }
            store.finishTransferAttempt(allowed.id, result: TransferResult(status: .completed, target: "+14155550123", method: "refer"), at: time(t0 + 9))
            store.finishTransferAttempt(allowed.id, result: .failed("+14155550123", "timeout", method: "refer"), at: time(t0 + 10))
            store.flush()
            store.close()
        }
        let store = try ConversationStore(path: path)
        let rows = try store.transferAttempts(conversationID: "c1")
        #expect(rows.map(\.id) == [refused.id, allowed.id])
        #expect(rows[0].decision == .refused && rows[0].reason == "invalid_number" && rows[0].result == nil)
        #expect(rows[0].target == refused.target, "kept as given; the JSON of the API escapes it")
        #expect(rows[1].result?.status == .completed && rows[1].result?.method == "refer", "the first result wins")
        #expect(rows[1].finishedAt == time(t0 + 9))
        #expect(try store.transferAttempts(conversationID: "c2").first?.requestedBy == "trunk")
        #expect(try store.transferAttempts(conversationID: "none").isEmpty)
    }
}

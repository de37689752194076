import Foundation
import Testing
@testable import VoiceGateCore

/// A transfer in the voice channel: what the bot asked for waits for its result, the caller's
/// input in between is not the bot's, and the result decides whether the bot goes on.
struct VoiceChannelTransferTests {
    let t0 = Date(timeIntervalSince1970: 5_000)
    let helper = VoiceChannelTests()

    func transfer(_ target: String) -> Activity {
        helper.event("TransferToPhoneNumber", .object(["TargetPhoneNumber": .string(target)]))
    }

    @Test("the transfer runs after the speech before it and holds what follows until its result")
    func holdsTheQueue() {
        var channel = VoiceChannel()
        let started = channel.handle(.botActivities([helper.message("one moment"), transfer("+14155550123"), helper.message("still here?")]), at: t0)
        #expect(helper.spoken(started) == ["one moment"])
        #expect(!started.contains(.transfer(target: "+14155550123")), "speech first")
        let after = channel.handle(.playbackFinished(id: helper.ids(started)[0]), at: t0 + 1)
        #expect(after.contains(.transfer(target: "+14155550123")))
        #expect(helper.spoken(after).isEmpty, "the next message waits for the result")
        #expect(channel.transferring)
    }

    @Test("keys and speech during a transfer are not the bot's")
    func inputDuringTransferIsDiscarded() {
        var channel = VoiceChannel()
        _ = channel.handle(.botActivities([transfer("+14155550123")]), at: t0)
        #expect(channel.handle(.keyDown(at: t0 + 1), at: t0 + 1).isEmpty)
        #expect(channel.handle(.key("5", at: t0 + 1), at: t0 + 1).isEmpty)
        #expect(channel.handle(.utterance("hello?", confidence: 0.9, at: t0 + 2), at: t0 + 2).isEmpty)
        #expect(channel.handle(.tick(t0 + 10), at: t0 + 10).isEmpty, "no inter-digit input, no silence")
    }

    @Test("a failed transfer goes to the bot and the bot goes on; a completed one ends the bot's part")
    func results() {
        var failed = VoiceChannel()
        _ = failed.handle(.botActivities([transfer("+19005550123"), helper.message("sorry")]), at: t0)
        let result = TransferResult.failed("+19005550123", "destination_blocked")
        let out = failed.handle(.transferResult(result, at: t0 + 1), at: t0 + 1)
        #expect(helper.bot(out) == [.transferResult(result)])
        #expect(helper.spoken(out) == ["sorry"], "the caller is still with the bot")
        #expect(out.contains { if case .transcript(let t) = $0 { return t.text == "transfer failed" && t.data["reason"] == "destination_blocked" } else { return false } })
        #expect(!failed.transferring && !failed.ending)

        var completed = VoiceChannel()
        _ = completed.handle(.botActivities([transfer("+14155550123"), helper.message("never said")]), at: t0)
        let done = TransferResult(status: .completed, target: "+14155550123", method: "refer")
        let end = completed.handle(.transferResult(done, at: t0 + 1), at: t0 + 1)
        #expect(helper.bot(end) == [.transferResult(done)])
        #expect(helper.spoken(end).isEmpty)
        #expect(completed.ending)
        #expect(completed.handle(.botActivities([helper.message("late")]), at: t0 + 2).isEmpty)
    }

    @Test("a result without a transfer is only noted")
    func strayResult() {
        var channel = VoiceChannel()
        let out = channel.handle(.transferResult(.failed("+1", "rejected"), at: t0), at: t0)
        #expect(helper.bot(out).isEmpty)
        #expect(out.count == 1)
    }

    @Test("SIP statuses map to the bot protocol's failure reasons")
    func reasons() {
        #expect(TransferResult.reason(forSIPStatus: 486) == "busy")
        #expect(TransferResult.reason(forSIPStatus: 480) == "no_answer")
        #expect(TransferResult.reason(forSIPStatus: 487) == "no_answer")
        #expect(TransferResult.reason(forSIPStatus: 404) == "invalid_number")
        #expect(TransferResult.reason(forSIPStatus: 603) == "rejected")
        #expect(TransferResult.reason(forSIPStatus: 405) == "rejected")
    }
}

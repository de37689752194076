import Testing
import Foundation
@testable import VoiceGateCore

@Suite struct VoiceChannelTests {
    let t0 = Date(timeIntervalSince1970: 5_000)

    func message(_ text: String, _ hint: String? = nil) -> Activity { Activity(type: "message", text: text, inputHint: hint) }
    func event(_ name: String, _ value: JSONValue? = nil) -> Activity { Activity(type: "event", name: name, value: value) }
    func spoken(_ commands: [VoiceChannel.Command]) -> [String] {
        commands.compactMap { if case .speak(let p, _) = $0 { return p.text } else { return nil } }
    }
    func ids(_ commands: [VoiceChannel.Command]) -> [Int] {
        commands.compactMap { if case .speak(_, let id) = $0 { return id } else { return nil } }
    }
    func bot(_ commands: [VoiceChannel.Command]) -> [BotInput] {
        commands.compactMap { if case .toBot(let i) = $0 { return i } else { return nil } }
    }

    @Test("activities run in order: each message finishes before the next; HangUp waits for queued speech")
    func order() {
        var channel = VoiceChannel()
        let first = channel.handle(.botActivities([message("one"), message("two"), event("HangUp")]), at: t0)
        #expect(spoken(first) == ["one"])
        let second = channel.handle(.playbackFinished(id: ids(first)[0]), at: t0)
        #expect(spoken(second) == ["two"])
        #expect(!second.contains { if case .hangUp = $0 { return true } else { return false } })
        let last = channel.handle(.playbackFinished(id: ids(second)[0]), at: t0)
        #expect(last.contains(.hangUp(outcome: .resolved, reason: "botHangUp")))
        #expect(channel.ending)
    }

    @Test("a key barges in: speech stops, queued ordinary speech is dropped, the action after it still runs")
    func bargeInByKey() {
        var channel = VoiceChannel()
        let started = channel.handle(.botActivities([message("menu"), message("more menu"),
                                                     event("SetVariables", .object(["menu": "heard"]))]), at: t0)
        let id = ids(started)[0]
        let barged = channel.handle(.key("1", at: t0 + 1), at: t0 + 1)
        #expect(barged.contains(.stopSpeaking(id: id)))
        #expect(barged.contains(.setVariables(["menu": "heard"])))
        #expect(spoken(barged).isEmpty, "the queued message was cut with the one playing")
        #expect(!channel.isSpeaking)
        let keys = channel.handle(.key("#", at: t0 + 2), at: t0 + 2)
        #expect(bot(keys) == [.keys("1#")])
        #expect(keys.contains { if case .transcript(let t) = $0 { return t.kind == .dtmf && t.text == "1" } else { return false } },
                "the transcript has the value, without the '#'")
    }

    @Test("a key going down barges in at once; the digit goes to the bot when the key ends")
    func bargeInOnKeyDown() {
        var channel = VoiceChannel()
        let started = channel.handle(.botActivities([message("menu"), message("more menu")]), at: t0)
        let down = channel.handle(.keyDown(at: t0 + 1), at: t0 + 1)
        #expect(down.contains(.stopSpeaking(id: ids(started)[0])))
        #expect(bot(down).isEmpty, "the digit is not known yet")
        #expect(!channel.isSpeaking)
        let up = channel.handle(.key("1", at: t0 + 1.2), at: t0 + 1.2)
        #expect(!up.contains { if case .stopSpeaking = $0 { return true } else { return false } }, "stopped once")
        #expect(bot(channel.handle(.key("#", at: t0 + 2), at: t0 + 2)) == [.keys("1#")], "as keyed, terminator included (bot-protocol.md digits)")
        // Into an uninterruptible message a key going down does nothing, as the key itself.
        _ = channel.handle(.botActivities([event("UninterruptibleMessage", .object(["UninterruptibleMessage": "notice"]))]), at: t0 + 3)
        #expect(channel.handle(.keyDown(at: t0 + 4), at: t0 + 4).isEmpty)
        #expect(channel.isSpeaking)
    }

    @Test("an uninterruptible message plays to the end: keys are discarded, not buffered; speech is ignored")
    func uninterruptible() {
        var channel = VoiceChannel()
        let started = channel.handle(.botActivities([event("UninterruptibleMessage", .object(["UninterruptibleMessage": "legal notice"]))]), at: t0)
        #expect(spoken(started) == ["legal notice"])
        #expect(channel.handle(.key("5", at: t0 + 1), at: t0 + 1).isEmpty)
        #expect(channel.handle(.speechStarted(at: t0 + 1), at: t0 + 1).isEmpty)
        #expect(bot(channel.handle(.utterance("agent", confidence: 0.9, at: t0 + 2), at: t0 + 2)).isEmpty)
        #expect(channel.isSpeaking)
        _ = channel.handle(.playbackFinished(id: ids(started)[0]), at: t0 + 3)
        #expect(bot(channel.handle(.key("#", at: t0 + 4), at: t0 + 4)) == [.keys("#")], "the 5 was discarded, not buffered")
        // inputHint ignoringInput on a message is uninterruptible too.
        let ignoring = channel.handle(.botActivities([message("please listen", "ignoringInput")]), at: t0 + 5)
        #expect(channel.handle(.key("1", at: t0 + 6), at: t0 + 6).isEmpty)
        #expect(ids(ignoring).count == 1)
    }

    @Test("speech barges in on ordinary prompts; the utterance goes to the bot with its confidence")
    func speech() {
        var channel = VoiceChannel()
        let started = channel.handle(.botActivities([message("how can I help")]), at: t0)
        #expect(channel.handle(.speechStarted(at: t0 + 1), at: t0 + 1).contains(.stopSpeaking(id: ids(started)[0])))
        let said = channel.handle(.utterance("order status", confidence: 0.8, at: t0 + 2), at: t0 + 2)
        #expect(bot(said) == [.speech("order status", confidence: 0.8)])
        #expect(said.contains { if case .transcript(let t) = $0 { return t.kind == .speech && t.from == .customer } else { return false } })
    }

    @Test("speech nothing was recognized in is a turn and goes to the bot (its no-match), with confidence 0")
    func unrecognizedSpeech() {
        var channel = VoiceChannel()
        let started = channel.handle(.botActivities([message("how can I help")]), at: t0)
        _ = channel.handle(.playbackFinished(id: ids(started)[0]), at: t0 + 1)
        let said = channel.handle(.utterance("", confidence: 0.7, at: t0 + 2), at: t0 + 2)
        #expect(bot(said) == [.speech("", confidence: 0)])
        let turn = said.compactMap { if case .transcript(let t) = $0 { return t } else { return nil } }.first
        #expect(turn?.kind == .speech && turn?.data["recognized"] == false)
    }

    @Test("nothing from the caller or the bot for the inactivity timeout closes the conversation as abandoned; any input restarts the clock")
    func inactivity() {
        var channel = VoiceChannel(options: .init(inactivityTimeout: 60))
        let started = channel.handle(.botActivities([message("hello")]), at: t0)
        _ = channel.handle(.playbackFinished(id: ids(started)[0]), at: t0 + 2)
        #expect(channel.handle(.tick(t0 + 59), at: t0 + 59).isEmpty)
        _ = channel.handle(.key("5", at: t0 + 59), at: t0 + 59)
        #expect(!channel.handle(.tick(t0 + 62), at: t0 + 62).contains(.hangUp(outcome: .abandoned, reason: "inactivity")))
        let closed = channel.handle(.tick(t0 + 119.5), at: t0 + 119.5)
        #expect(closed.contains(.hangUp(outcome: .abandoned, reason: "inactivity")))
        #expect(channel.ending)
        #expect(channel.handle(.tick(t0 + 200), at: t0 + 200).isEmpty, "once")
    }

    @Test("keys end by timeout; silence goes to the bot once after the last prompt")
    func timers() {
        var channel = VoiceChannel(options: .init(interDigitTimeout: 2, silenceTimeout: 5))
        let started = channel.handle(.botActivities([message("your number?")]), at: t0)
        _ = channel.handle(.playbackFinished(id: ids(started)[0]), at: t0 + 1)
        _ = channel.handle(.key("4", at: t0 + 2), at: t0 + 2)
        _ = channel.handle(.key("2", at: t0 + 3), at: t0 + 3)
        #expect(channel.handle(.tick(t0 + 4), at: t0 + 4).isEmpty)
        #expect(bot(channel.handle(.tick(t0 + 5.5), at: t0 + 5.5)) == [.keys("42")])
        let next = channel.handle(.botActivities([message("anything else?")]), at: t0 + 6)
        _ = channel.handle(.playbackFinished(id: ids(next)[0]), at: t0 + 7)
        #expect(channel.handle(.tick(t0 + 11), at: t0 + 11).isEmpty)
        #expect(bot(channel.handle(.tick(t0 + 12.5), at: t0 + 12.5)) == [.silence])
        #expect(bot(channel.handle(.tick(t0 + 30), at: t0 + 30)).isEmpty, "once until the caller or the bot speaks again")
    }

    @Test("CloseOmnichannelConversation and endOfConversation end the call after queued speech; unknown activities are noted")
    func endings() {
        var channel = VoiceChannel()
        let out = channel.handle(.botActivities([message("bye"), event("SetVariables", .object(["CloseOmnichannelConversation": true, "X": "1"])),
                                                 Activity(type: "typing")]), at: t0)
        #expect(!out.contains { if case .hangUp = $0 { return true } else { return false } })
        let end = channel.handle(.playbackFinished(id: ids(out)[0]), at: t0 + 1)
        #expect(end.contains(.setVariables(["CloseOmnichannelConversation": true, "X": "1"])))
        #expect(end.contains(.hangUp(outcome: .resolved, reason: "closed")))
        #expect(end.contains { if case .transcript(let t) = $0 { return t.kind == .note && t.text.contains("typing") } else { return false } })
        var other = VoiceChannel()
        #expect(other.handle(.botActivities([Activity(type: "endOfConversation")]), at: t0).contains(.hangUp(outcome: .resolved, reason: "botEnded")))
        #expect(other.handle(.botActivities([message("too late")]), at: t0).isEmpty, "nothing runs once the call is ending")
        var handoff = VoiceChannel()
        #expect(handoff.handle(.botActivities([event("handoff.initiate", .object(["queue": "billing"]))]), at: t0).contains(.handoff(queue: "billing")))
    }
}

extension VoiceChannelTests {
    @Test("a key that barges in on speech with an uninterruptible message queued behind it is discarded")
    func bargeInIntoUninterruptible() {
        var channel = VoiceChannel()
        _ = channel.handle(.botActivities([message("welcome"), event("UninterruptibleMessage", .object(["UninterruptibleMessage": "notice"]))]), at: t0)
        let out = channel.handle(.key("1", at: t0 + 1), at: t0 + 1)
        #expect(spoken(out) == ["notice"])
        #expect(bot(channel.handle(.tick(t0 + 10), at: t0 + 10)).isEmpty, "the key went nowhere: it was pressed into the notice")
    }
}

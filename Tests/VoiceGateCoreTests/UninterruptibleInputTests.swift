import Testing
import Foundation
@testable import VoiceGateCore

/// The caller's input while an uninterruptible message plays, under both policies of
/// `BotSettings.keysDuringUninterruptible`: what reaches the bot, when, and what the transcript
/// says about the rest.
@Suite struct UninterruptibleInputTests {
    let t0 = Date(timeIntervalSince1970: 5_000)
    let notice = Activity(type: "event", name: "UninterruptibleMessage", value: .object(["UninterruptibleMessage": "legal notice"]))

    func channel(buffer: Bool) -> VoiceChannel {
        VoiceChannel(options: .init(interDigitTimeout: 2, bufferKeysDuringUninterruptible: buffer))
    }
    func promptIDs(_ commands: [VoiceChannel.Command]) -> [Int] {
        commands.compactMap { if case .speak(_, let id) = $0 { return id } else { return nil } }
    }
    func bot(_ commands: [VoiceChannel.Command]) -> [BotInput] {
        commands.compactMap { if case .toBot(let i) = $0 { return i } else { return nil } }
    }
    func notes(_ commands: [VoiceChannel.Command]) -> [Turn] {
        commands.compactMap { if case .transcript(let t) = $0, t.kind == .note { return t } else { return nil } }
    }
    func stops(_ commands: [VoiceChannel.Command]) -> Bool {
        commands.contains { if case .stopSpeaking = $0 { return true } else { return false } }
    }

    /// Feeds events one after another (each at its own time); returns all the commands.
    func run(_ channel: inout VoiceChannel, _ events: [(Double, VoiceChannel.Event)]) -> [VoiceChannel.Command] {
        events.flatMap { channel.handle($0.1, at: t0 + $0.0) }
    }

    @Test("discard: keys during the message neither barge in nor reach the bot, before or after it ends; each input they made is noted once, digits in the note's data")
    func discardNotesEachInput() {
        var channel = channel(buffer: false)
        let id = promptIDs(channel.handle(.botActivities([notice]), at: t0))[0]
        let during = run(&channel, [(1, .keyDown(at: t0 + 1)), (1.2, .key("1", at: t0 + 1.2)), (1.4, .key("2", at: t0 + 1.4)),
                                    (1.6, .key("#", at: t0 + 1.6)), (2, .tick(t0 + 2)), (3, .key("7", at: t0 + 3)),
                                    (3.5, .tick(t0 + 3.5)), (5.5, .tick(t0 + 5.5))])
        #expect(!stops(during) && channel.isSpeaking, "no barge-in")
        #expect(bot(during).isEmpty)
        #expect(notes(during).map(\.text) == [UninterruptibleInput.ignoredNote, UninterruptibleInput.ignoredNote])
        #expect(notes(during).map { $0.data["digits"] } == ["12#", "7"], "one note per input: '#' ended one, the inter-digit timeout the other")
        #expect(notes(during).allSatisfy { $0.data["input"] == "dtmf" && $0.from == .system })
        // A key still pending when the message ends is noted then, and never reaches the bot.
        _ = channel.handle(.key("9", at: t0 + 6), at: t0 + 6)
        let ended = channel.handle(.playbackFinished(id: id), at: t0 + 6.5)
        #expect(notes(ended).map { $0.data["digits"] } == ["9"])
        #expect(bot(ended + run(&channel, [(10, .tick(t0 + 10))])).isEmpty)
        // After it, keys are input again.
        #expect(bot(run(&channel, [(11, .key("5", at: t0 + 11)), (11.2, .key("#", at: t0 + 11.2))])) == [.keys("5#")])
    }

    @Test("discard: keys half keyed when the message starts are dropped with it, and noted")
    func discardDropsPendingKeys() {
        var channel = channel(buffer: false)
        let menu = promptIDs(channel.handle(.botActivities([Activity(type: "message", text: "menu")]), at: t0))[0]
        _ = channel.handle(.playbackFinished(id: menu), at: t0 + 1)
        _ = channel.handle(.key("4", at: t0 + 1.5), at: t0 + 1.5)
        let started = channel.handle(.botActivities([notice]), at: t0 + 2)
        #expect(notes(started).map { $0.data["digits"] } == ["4"])
        #expect(bot(run(&channel, [(5, .tick(t0 + 5))])).isEmpty)
    }

    @Test("speech during the message: no barge-in, not for the bot, one note per utterance; an utterance that began during it and ends after it is ignored too")
    func speechIgnored() {
        for buffer in [false, true] {
            var channel = channel(buffer: buffer)
            let id = promptIDs(channel.handle(.botActivities([notice]), at: t0))[0]
            let during = run(&channel, [(1, .speechStarted(at: t0 + 1)), (2, .utterance("agent please", confidence: 0.8, at: t0 + 2))])
            #expect(!stops(during) && bot(during).isEmpty, "buffer \(buffer)")
            #expect(notes(during).map(\.text) == [UninterruptibleInput.ignoredNote])
            #expect(notes(during).first?.data["input"] == "speech")
            // Speech is never held: nothing of it reaches the bot when the message ends.
            _ = channel.handle(.speechStarted(at: t0 + 3), at: t0 + 3)
            let ended = channel.handle(.playbackFinished(id: id), at: t0 + 3.5)
            let late = channel.handle(.utterance("operator", confidence: 0.7, at: t0 + 4), at: t0 + 4)
            #expect(bot(ended + late).isEmpty)
            #expect(notes(late).first?.data["input"] == "speech")
            // The next utterance, begun after the message, is input.
            let next = run(&channel, [(6, .speechStarted(at: t0 + 6)), (7, .utterance("billing", confidence: 0.9, at: t0 + 7))])
            #expect(bot(next) == [.speech("billing", confidence: 0.9)])
        }
    }

    @Test("buffer: keys during the message reach the bot once it has played to its end, gathered as usual; the transcript says they were held")
    func bufferReleasesAtTheEnd() {
        var channel = channel(buffer: true)
        let id = promptIDs(channel.handle(.botActivities([notice]), at: t0))[0]
        let during = run(&channel, [(1, .keyDown(at: t0 + 1)), (1.2, .key("1", at: t0 + 1.2)), (1.4, .key("2", at: t0 + 1.4)),
                                    (1.6, .key("#", at: t0 + 1.6)), (4, .tick(t0 + 4)), (5, .key("3", at: t0 + 5)), (8, .tick(t0 + 8))])
        #expect(!stops(during) && channel.isSpeaking, "no barge-in")
        #expect(bot(during).isEmpty, "held, not sent, whatever the inter-digit timeout says")
        #expect(notes(during).map(\.text) == [UninterruptibleInput.heldNote], "noted once per message")
        let ended = channel.handle(.playbackFinished(id: id), at: t0 + 9)
        #expect(bot(ended) == [.keys("12#")], "'#' ended the first input")
        #expect(ended.contains { if case .transcript(let t) = $0 { return t.kind == .dtmf && t.text == "12" && t.at == t0 + 9 } else { return false } },
                "the turn is when the bot got it")
        // The "3" was pressed alone: it waits the inter-digit timeout from the message's end,
        // so the caller may go on keying.
        #expect(bot(channel.handle(.tick(t0 + 10), at: t0 + 10)).isEmpty)
        #expect(bot(run(&channel, [(10.5, .key("4", at: t0 + 10.5)), (10.7, .key("#", at: t0 + 10.7))])) == [.keys("34#")])
    }

    @Test("buffer: held keys cut the ordinary speech queued behind the message, not the actions")
    func bufferedKeysBargeInOnWhatFollows() {
        var channel = channel(buffer: true)
        let started = channel.handle(.botActivities([notice, Activity(type: "message", text: "press 1 for sales"),
                                                     Activity(type: "event", name: "SetVariables", value: .object(["A": "1"]))]), at: t0)
        _ = run(&channel, [(1, .key("1", at: t0 + 1)), (1.2, .key("#", at: t0 + 1.2))])
        let ended = channel.handle(.playbackFinished(id: promptIDs(started)[0]), at: t0 + 5)
        #expect(bot(ended) == [.keys("1#")])
        #expect(promptIDs(ended).isEmpty, "the menu the keys answer is not played")
        #expect(ended.contains(.setVariables(["A": "1"])))
        #expect(ended.contains { if case .transcript(let t) = $0 { return t.text == "barge-in" } else { return false } })
    }

    @Test("buffer: keys half keyed when the message starts wait with the keys pressed during it")
    func bufferKeepsPendingKeys() {
        var channel = channel(buffer: true)
        let menu = promptIDs(channel.handle(.botActivities([Activity(type: "message", text: "menu")]), at: t0))[0]
        _ = channel.handle(.playbackFinished(id: menu), at: t0 + 1)
        _ = channel.handle(.key("4", at: t0 + 1.5), at: t0 + 1.5)
        let id = promptIDs(channel.handle(.botActivities([notice]), at: t0 + 1.6))[0]
        _ = run(&channel, [(2, .key("2", at: t0 + 2)), (2.2, .key("#", at: t0 + 2.2)), (6, .tick(t0 + 6))])
        #expect(bot(channel.handle(.playbackFinished(id: id), at: t0 + 7)) == [.keys("42#")])
    }

    @Test("an inputHint ignoringInput message is uninterruptible to the same rules")
    func ignoringInputHint() {
        var channel = channel(buffer: true)
        let id = promptIDs(channel.handle(.botActivities([Activity(type: "message", text: "listen", inputHint: "ignoringInput")]), at: t0))[0]
        let during = run(&channel, [(1, .keyDown(at: t0 + 1)), (1.1, .key("8", at: t0 + 1.1)), (1.3, .key("#", at: t0 + 1.3))])
        #expect(!stops(during) && bot(during).isEmpty)
        #expect(bot(channel.handle(.playbackFinished(id: id), at: t0 + 3)) == [.keys("8#")])
    }

    @Test("the bot hears why its conversation ended: the caller hung up, the line was idle, or it was closed")
    func endOfConversationReasons() {
        #expect(EndOfConversationReason(callEndReason: "customerHangUp") == .customerHangUp)
        #expect(EndOfConversationReason(callEndReason: "inactivity") == .inactivityTimeout)
        for reason in ["botHangUp", "botEnded", "closed", "shutdown", "maxDuration", "botFailure"] {
            #expect(EndOfConversationReason(callEndReason: reason) == .closed, "\(reason)")
        }
    }
}

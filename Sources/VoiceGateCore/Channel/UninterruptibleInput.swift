import Foundation

/// What becomes of the caller's input while an uninterruptible message plays: part of
/// `VoiceChannel`, kept apart so the channel's own rules stay readable.
///
/// - Speech is never recognized into input: an utterance that started (or ended) during the
///   message is ignored, and noted.
/// - Keys are discarded (bot-protocol.md's default), one note per input they would have made;
///   or, with `buffer`, held and handed back when the message ends, to go to the bot then.
///
/// Notes never carry digits or words into logs: they are transcript turns only.
struct UninterruptibleInput: Sendable {
    static let ignoredNote = "input ignored: uninterruptible message"
    static let heldNote = "keys held until the uninterruptible message ends"

    let buffer: Bool
    /// Discarded keys, gathered the way real input is, so a note stands for one input ("12#"),
    /// not for each key.
    private var ignored: KeypadCollector
    /// Keys held for after the message (buffer), with when they were pressed.
    private var held: [(key: Character, at: Date)] = []
    /// Whether this message's held keys have been noted yet: one note per message is enough.
    private var heldNoted = false
    /// The caller started speaking during the message: the utterance that follows is ignored
    /// even if it ends after the message did (speech during it is not recognized).
    private var speechStarted = false

    init(buffer: Bool, interDigitTimeout: TimeInterval) {
        self.buffer = buffer
        self.ignored = KeypadCollector(interDigitTimeout: interDigitTimeout)
    }

    /// A key pressed during the message; returns the notes to record.
    mutating func key(_ key: Character, at: Date) -> [Turn] {
        if buffer {
            held.append((key, at))
            if heldNoted { return [] }
            heldNoted = true
            return [Turn(at: at, from: .system, kind: .note, text: Self.heldNote, data: ["input": "dtmf"])]
        }
        return ignored.key(key, at: at).map { [Self.ignoredKeys($0, at)] } ?? []
    }

    /// Time passing during the message: discarded keys whose input is complete are noted.
    mutating func tick(at: Date) -> [Turn] {
        ignored.tick(at: at).map { [Self.ignoredKeys($0, at)] } ?? []
    }

    /// The message starts while keys are half keyed: they are dropped with it, or held with
    /// the keys pressed during it (as if pressed as it started).
    mutating func started(pending keys: String, at: Date) -> [Turn] {
        buffer ? keys.flatMap { key($0, at: at) } : [Self.ignoredKeys(keys, at)]
    }

    /// The caller started speaking, during the message or not.
    mutating func speechStarted(duringMessage: Bool) { speechStarted = duringMessage }

    /// An utterance: whether it is to be ignored (it is then noted through `ignoredSpeech`),
    /// given whether an uninterruptible message plays now. Either way the next utterance starts
    /// afresh.
    mutating func ignores(utteranceDuringMessage playing: Bool) -> Bool {
        defer { speechStarted = false }
        return playing || speechStarted
    }

    static func ignoredSpeech(_ text: String, confidence: Double, at: Date) -> Turn {
        Turn(at: at, from: .system, kind: .note, text: ignoredNote,
             data: ["input": "speech", "text": .string(text), "confidence": .number(confidence)])
    }

    /// The message ended: notes for keys discarded but not yet noted, and the held keys, moved to
    /// `now` as if just pressed (keeping the pauses between them), so the inter-digit timeout
    /// runs from the end of the message and the caller may go on keying after it.
    mutating func messageEnded(at now: Date) -> (notes: [Turn], keys: [(key: Character, at: Date)]) {
        var notes: [Turn] = []
        if !ignored.pending.isEmpty { notes.append(Self.ignoredKeys(ignored.pending, now)) }
        ignored.discard()
        let shift = held.last.map { now.timeIntervalSince($0.at) } ?? 0
        let keys = held.map { ($0.key, $0.at.addingTimeInterval(shift)) }
        held = []
        heldNoted = false
        return (notes, keys)
    }

    private static func ignoredKeys(_ keys: String, _ at: Date) -> Turn {
        Turn(at: at, from: .system, kind: .note, text: ignoredNote, data: ["input": "dtmf", "digits": .string(keys)])
    }
}

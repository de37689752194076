import Foundation

/// What the voice channel of one call has to do, given what happens: bot-protocol.md's rules for
/// carrying out a bot's activities on a phone call, with no audio, no clock and no I/O of its own.
///
/// - Activities run in order; a spoken message finishes (or is barged in on) before the next runs.
/// - Barge-in (a key going down, or the caller starting to speak) cuts ordinary speech: the
///   message playing and the ordinary messages queued behind it. It never skips an action or an
///   uninterruptible message.
/// - While an uninterruptible message plays, speech is not recognized, and keys are discarded
///   (not buffered), or with `bufferKeysDuringUninterruptible` held until it ends; neither barges
///   in. Ignored and held input is noted in the transcript (`UninterruptibleInput`).
/// - Keys are gathered into one input (`KeypadCollector`); an utterance is one input.
/// - HangUp, endOfConversation and CloseOmnichannelConversation let queued speech play first.
/// - A transfer holds the activities after it until its result is known; the caller's input in
///   between is discarded (they hear ringback, or the far end). The bot gets the result; a
///   completed transfer ends the bot's part.
/// - Anything the channel does not know is noted in the transcript and ignored.
///
/// The owner executes the commands (play audio, stop it, send to the bot, hang up) and reports
/// back events; `tick` lets time pass for the inter-digit and silence timeouts.
public struct VoiceChannel: Sendable {
    public struct Options: Sendable, Equatable {
        public var interDigitTimeout: TimeInterval = 3
        /// After the bot's last prompt, no input for this long sends the bot a silence (embedded
        /// bots have a silence topic); nil: never.
        public var silenceTimeout: TimeInterval?
        /// Nothing from the caller or the bot for this long closes the conversation (outcome
        /// abandoned, reason `inactivity`): a line left open must not hold a call for ever.
        public var inactivityTimeout: TimeInterval
        /// Keys pressed during an uninterruptible message go to the bot once it has finished
        /// (`BotSettings.keysDuringUninterruptible` `.buffer`); false: they are discarded, as
        /// bot-protocol.md has it.
        public var bufferKeysDuringUninterruptible: Bool
        public init(interDigitTimeout: TimeInterval = 3, silenceTimeout: TimeInterval? = nil, inactivityTimeout: TimeInterval = 30 * 60,
                    bufferKeysDuringUninterruptible: Bool = false) {
            self.interDigitTimeout = interDigitTimeout
            self.silenceTimeout = silenceTimeout
            self.inactivityTimeout = inactivityTimeout
            self.bufferKeysDuringUninterruptible = bufferKeysDuringUninterruptible
        }
    }

    /// A prompt to speak: the message's fields as the bot sent them (the synthesizer picks speak,
    /// an adaptive card's speak, or the text without markdown).
    public struct Prompt: Sendable, Equatable {
        public var text: String?
        public var speak: String?
        public var attachments: [JSONValue]?
        public var interruptible: Bool
        public init(text: String?, speak: String? = nil, attachments: [JSONValue]? = nil, interruptible: Bool) {
            self.text = text
            self.speak = speak
            self.attachments = attachments
            self.interruptible = interruptible
        }
    }

    public enum Event: Sendable, Equatable {
        /// The bot's activities (an inline reply, or one that came later through the callback).
        case botActivities([Activity])
        /// The bot did not answer properly (timeout, non-2xx, malformed): described, secret-free.
        case botFailed(String)
        /// The prompt with this id has played to its end (or was stopped).
        case playbackFinished(id: Int)
        /// The caller started pressing a key (the first RFC 4733 packet of an event): barge-in
        /// at once. The digit comes with `.key` when the key is let go, a key's length later
        /// (100-300 ms for a person, 200 ms from `voicegate call`): waiting for it would let the
        /// prompt run on that long.
        case keyDown(at: Date)
        /// A key ended (or arrived whole, as a SIP INFO): the digit, for the bot. Barges in too,
        /// for a key whose start was never seen.
        case key(Character, at: Date)
        /// The caller started speaking (voice activity long enough to count).
        case speechStarted(at: Date)
        /// What the caller said, once they finished; "" when nothing was recognized.
        case utterance(String, confidence: Double, at: Date)
        /// What became of the transfer the channel asked for with `.transfer`.
        case transferResult(TransferResult, at: Date)
        case tick(Date)
    }

    public enum Command: Sendable, Equatable {
        case speak(Prompt, id: Int)
        /// Barge-in: stop the prompt with this id now.
        case stopSpeaking(id: Int)
        case toBot(BotInput)
        case transcript(Turn)
        case setVariables([String: JSONValue])
        case transfer(target: String)
        case handoff(queue: String?)
        /// End the call (BYE) once nothing more is queued; `outcome` and `reason` for the
        /// conversation.
        case hangUp(outcome: Conversation.Outcome, reason: String)
    }

    public let options: Options
    private var queue: [Activity] = []
    private var playing: (id: Int, interruptible: Bool)?
    private var nextPromptID = 1
    private var keypad: KeypadCollector
    /// The caller's input while an uninterruptible message plays.
    private var uninterruptible: UninterruptibleInput
    private var lastPromptEndedAt: Date?
    private var silenceSent = false
    /// The call is ending: nothing more is taken from the caller or the bot.
    public private(set) var ending = false
    private var pendingEnd: (Conversation.Outcome, String)?
    /// A transfer was asked for and its result is not known yet.
    public private(set) var transferring = false
    /// The last input from the caller, activity from the bot or end of a prompt (nil: none yet,
    /// counted from the first tick).
    private var lastActivityAt: Date?

    public init(options: Options = Options()) {
        self.options = options
        self.keypad = KeypadCollector(interDigitTimeout: options.interDigitTimeout)
        self.uninterruptible = UninterruptibleInput(buffer: options.bufferKeysDuringUninterruptible,
                                                    interDigitTimeout: options.interDigitTimeout)
    }

    /// Whether a prompt is playing now.
    public var isSpeaking: Bool { playing != nil }

    public mutating func handle(_ event: Event, at now: Date = Date()) -> [Command] {
        switch event {
        case .botActivities, .key, .keyDown, .utterance, .speechStarted, .playbackFinished, .transferResult: lastActivityAt = now
        default: break
        }
        switch event {
        case .botActivities(let activities):
            guard !ending else { return [] }
            queue += activities
            return drain(now)
        case .botFailed(let why):
            return [.transcript(Turn(at: now, from: .system, kind: .event, text: "bot failure", data: ["failure": .string(why)]))]
        case .playbackFinished(let id):
            guard let finished = playing, finished.id == id else { return [] }
            playing = nil
            lastPromptEndedAt = now
            let released = finished.interruptible ? [] : uninterruptibleEnded(now)
            return released + drain(now)
        case .transferResult(let result, let at):
            guard transferring else {
                return [note("transfer result without a transfer: \(result.status.rawValue)", at)]
            }
            transferring = false
            var data: [String: JSONValue] = ["target": .string(result.target)]
            if let reason = result.reason { data["reason"] = .string(reason) }
            if let method = result.method { data["method"] = .string(method) }
            var out: [Command] = [.transcript(Turn(at: at, from: .system, kind: .event, text: "transfer \(result.status.rawValue)", data: data)),
                                  .toBot(.transferResult(result))]
            if result.status == .completed {
                // The caller is with someone else now: nothing more of this bot reaches them.
                ending = true
                queue = []
                pendingEnd = nil
                return out
            }
            out += drain(at)
            return out
        case .key(let key, let at):
            guard !ending, !transferring else { return [] }
            var out = bargeIn(at)
            // What barge-in let run may be an uninterruptible message: the key counts as pressed
            // into it.
            if playingUninterruptible { return out + uninterruptible.key(key, at: at).map(Command.transcript) }
            if let keys = keypad.key(key, at: at) { out += input(.keys(keys), at) }
            return out
        case .keyDown(let at):
            guard !ending, !transferring else { return [] }
            return bargeIn(at)
        case .speechStarted(let at):
            guard !ending, !transferring else { return [] }
            uninterruptible.speechStarted(duringMessage: playingUninterruptible)
            return bargeIn(at)
        case .utterance(let text, let confidence, let at):
            guard !ending, !transferring else { return [] }
            if uninterruptible.ignores(utteranceDuringMessage: playingUninterruptible) {
                return [.transcript(UninterruptibleInput.ignoredSpeech(text, confidence: confidence, at: at))]
            }
            // Speech nothing was recognized in is still input (the bot's "sorry, I did not catch
            // that"), and a turn: the caller did say something.
            return input(.speech(text, confidence: text.isEmpty ? 0 : confidence), at)
        case .tick(let time):
            guard !ending else { return [] }
            let since = lastActivityAt ?? time
            if lastActivityAt == nil { lastActivityAt = time }
            // Speech playing is the bot's activity: the clock runs from its end.
            if playing == nil, !transferring, time.timeIntervalSince(since) >= options.inactivityTimeout {
                ending = true
                playing = nil
                queue = []
                return [.transcript(Turn(at: time, from: .system, kind: .event, text: "inactivity",
                                         data: ["seconds": .number(options.inactivityTimeout)])),
                        .hangUp(outcome: .abandoned, reason: "inactivity")]
            }
            // The keypad is empty while an uninterruptible message plays (its keys are held or
            // ignored), and no silence is counted.
            if playingUninterruptible { return uninterruptible.tick(at: time).map(Command.transcript) }
            if let keys = keypad.tick(at: time) { return transferring ? [] : input(.keys(keys), time) }
            if let timeout = options.silenceTimeout, playing == nil, !transferring, queue.isEmpty, !silenceSent,
               let since = lastPromptEndedAt, time.timeIntervalSince(since) >= timeout {
                silenceSent = true
                return [.transcript(Turn(at: time, from: .system, kind: .event, text: "silence", data: ["seconds": .number(timeout)])),
                        .toBot(.silence)]
            }
            return []
        }
    }

    private var playingUninterruptible: Bool { playing.map { !$0.interruptible } ?? false }

    /// An uninterruptible message ended: what was ignored is noted; held keys are taken as if
    /// pressed now (they may complete an input at once, or wait for more keys).
    private mutating func uninterruptibleEnded(_ now: Date) -> [Command] {
        let (notes, keys) = uninterruptible.messageEnded(at: now)
        var out = notes.map(Command.transcript)
        // Held keys barge in as they would have: ordinary speech queued behind the message is
        // cut, and the caller's answer goes to the bot without waiting for the menu it answers.
        let queued = queue.count
        if !keys.isEmpty { queue.removeAll { Self.isOrdinarySpeech($0) } }
        if queue.count < queued { out.append(.transcript(Turn(at: now, from: .system, kind: .event, text: "barge-in"))) }
        // An input they complete is the bot's now: its turn is stamped with the message's end.
        for (key, at) in keys {
            if let input = keypad.key(key, at: at) { out += self.input(.keys(input), now) }
        }
        return out
    }

    /// Caller input for the bot: into the transcript, then to the bot.
    private mutating func input(_ input: BotInput, _ at: Date) -> [Command] {
        silenceSent = false
        lastPromptEndedAt = nil
        let turn: Turn
        switch input {
        case .keys(let keys): turn = Turn(at: at, from: .customer, kind: .dtmf, text: KeypadCollector.value(of: keys))
        case .speech(let text, let confidence):
            var data: [String: JSONValue] = ["confidence": .number(confidence)]
            if text.isEmpty { data["recognized"] = false }
            turn = Turn(at: at, from: .customer, kind: .speech, text: text, data: data)
        case .silence: turn = Turn(at: at, from: .system, kind: .event, text: "silence")
        case .transferResult(let result): turn = Turn(at: at, from: .system, kind: .event, text: "transfer \(result.status.rawValue)")
        }
        return [.transcript(turn), .toBot(input)]
    }

    /// Stops ordinary speech: the prompt playing and the ordinary messages queued behind it.
    private mutating func bargeIn(_ at: Date) -> [Command] {
        guard let p = playing, p.interruptible else { return [] }
        playing = nil
        queue.removeAll { Self.isOrdinarySpeech($0) }
        // What was queued behind the speech (actions, uninterruptible messages) runs now.
        return [.stopSpeaking(id: p.id),
                .transcript(Turn(at: at, from: .system, kind: .event, text: "barge-in"))] + drain(at)
    }

    private static func isOrdinarySpeech(_ activity: Activity) -> Bool {
        activity.type == "message" && activity.inputHint != "ignoringInput"
    }

    /// Runs queued activities until one must wait for its speech to finish.
    private mutating func drain(_ now: Date) -> [Command] {
        var out: [Command] = []
        while playing == nil, !transferring, !queue.isEmpty {
            let activity = queue.removeFirst()
            out += run(activity, now)
        }
        if playing == nil, !transferring, queue.isEmpty, let (outcome, reason) = pendingEnd {
            pendingEnd = nil
            ending = true
            out.append(.hangUp(outcome: outcome, reason: reason))
        }
        return out
    }

    private mutating func run(_ activity: Activity, _ now: Date) -> [Command] {
        switch (activity.type, activity.name) {
        case ("message", _):
            let prompt = Prompt(text: activity.text, speak: activity.speak, attachments: activity.attachments,
                                interruptible: activity.inputHint != "ignoringInput")
            return speak(prompt, turnText: activity.text ?? activity.speak ?? "", speakMarkup: activity.text == nil ? nil : activity.speak, now)
        case ("event", "UninterruptibleMessage"):
            let text = activity.value.flatMap { value -> String? in
                if case .object(let o) = value { return o["UninterruptibleMessage"]?.stringValue }
                return value.stringValue
            } ?? ""
            return speak(Prompt(text: text, interruptible: false), turnText: text, now)
        case ("event", "TransferToPhoneNumber"):
            let target = activity.value.flatMap { value -> String? in
                if case .object(let o) = value { return o["TargetPhoneNumber"]?.stringValue }
                return nil
            } ?? ""
            transferring = true
            keypad.discard()
            return [action(activity, now), .transfer(target: target)]
        case ("event", "HangUp"):
            pendingEnd = pendingEnd ?? (.resolved, "botHangUp")
            return [action(activity, now)]
        case ("event", "handoff.initiate"):
            var queueName: String?
            if case .object(let o)? = activity.value { queueName = o["queue"]?.stringValue }
            return [action(activity, now), .handoff(queue: queueName)]
        case ("event", "SetVariables"):
            guard case .object(let values)? = activity.value else { return [note("SetVariables without an object value", now)] }
            if values[ContextVariable.closeConversation] == .bool(true) || values[ContextVariable.closeConversation] == .string("true") {
                pendingEnd = pendingEnd ?? (.resolved, "closed")
            }
            return [action(activity, now), .setVariables(values)]
        case ("endOfConversation", _):
            pendingEnd = pendingEnd ?? (.resolved, "botEnded")
            return [action(activity, now)]
        case ("trace", let name):
            return [.transcript(Turn(at: now, from: .bot, kind: .note, text: name ?? "trace", data: activity.value.map { ["value": $0] } ?? [:]))]
        default:
            return [note("ignored activity: type \(activity.type)\(activity.name.map { ", name \($0)" } ?? "")", now)]
        }
    }

    private mutating func speak(_ prompt: Prompt, turnText: String, speakMarkup: String? = nil, _ now: Date) -> [Command] {
        let id = nextPromptID
        nextPromptID += 1
        playing = (id, prompt.interruptible)
        var out: [Command] = []
        if !prompt.interruptible, !keypad.pending.isEmpty {
            out += uninterruptible.started(pending: keypad.pending, at: now).map(Command.transcript)
            keypad.discard()
        }
        var data: [String: JSONValue] = [:]
        if !prompt.interruptible { data["uninterruptible"] = true }
        if let speakMarkup { data["speak"] = .string(speakMarkup) }
        return out + [.transcript(Turn(at: now, from: .bot, kind: .message, text: turnText, data: data)), .speak(prompt, id: id)]
    }

    private func action(_ activity: Activity, _ now: Date) -> Command {
        var data: [String: JSONValue] = [:]
        if let value = activity.value { data["value"] = value }
        return .transcript(Turn(at: now, from: .bot, kind: .action, text: activity.name ?? activity.type, data: data))
    }

    private func note(_ text: String, _ now: Date) -> Command {
        .transcript(Turn(at: now, from: .system, kind: .note, text: text))
    }
}

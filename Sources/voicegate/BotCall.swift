import Foundation
import VoiceGateCore
import VoiceGateTelephony
import VoiceGateStore
import VoiceGateBots
import VoiceGateRecognition

/// What a speaking bot's call needs from the SIP side; `SIPEndpoint` in the gateway.
protocol CallControl: AnyObject, Sendable {
    func play(_ samples: [Int16], promptID: Int, conversation: String)
    func stopPlaying(conversation: String)
    func hangUp(conversation: String, reason: String)
    func listen(conversation: String, heard: @escaping @Sendable ([Int16]) -> Void)
    func transfer(conversation: String, plan: TransferPlan, done: @escaping @Sendable (TransferResult) -> Void)
    func playThenHangUp(conversation: String, samples: [Int16], reason: String)
}

extension SIPEndpoint: CallControl {}
extension SIPEndpoint: AgentLines {}

/// Speech out for every call: the synthesizer and the cache of its prompts.
struct SpeechOut: Sendable {
    let synthesizer: any SpeechSynthesizer
    let cache: PromptCache
    static let sampleRate = 8000

    /// A plain-text prompt (hold text, announcements, closing messages) at 8 kHz, synthesized
    /// once and cached; nil when there is nothing to say or synthesis failed.
    func samples(of text: String) -> [Int16]? {
        guard let spoken = SpokenText.from(speak: nil, text: text, attachments: nil) else { return nil }
        return try? cache.audio(for: spoken, sampleRate: Self.sampleRate, using: synthesizer).samples
    }
}

/// One call with a speaking bot (a topic bot or an external one): its `VoiceChannel`, its bot,
/// and the commands between them, carried out on the call's own serial queue so nothing about
/// one call ever runs twice at once. Speech is synthesized there too (flite holds a process-wide
/// lock, so prompts of different calls take turns).
final class BotCall: @unchecked Sendable {
    enum Driver {
        case topics(EmbeddedBotRuntime)
        case external(BotConversation)
    }

    let conversationID: String
    let settings: BotSettings
    private let queue: DispatchQueue
    private let control: CallControl
    private let store: ConversationStore
    private let speech: SpeechOut
    private let log: LogSink
    private var channel: VoiceChannel                // queue only
    private var driver: Driver                       // queue only
    private var mediaUp = false                      // queue only
    private var waitingForMedia: [VoiceChannel.Event] = []   // queue only
    private var timer: DispatchSourceTimer?
    /// Hears the caller, on its own queue: recognition is the heaviest work of a call and must
    /// not hold up prompts, keys or the bot.
    private let listener: CallListener?              // listenQueue only
    private var listening = true                     // listenQueue only
    private let listenQueue: DispatchQueue
    /// How the conversation ends when the bot (not the caller) ended it.
    private(set) var requestedEnd: (Conversation.Outcome, String)?   // queue only
    private var over = false                         // queue only
    /// The bot's part ended before the call did (a transfer completed): the bot has had its
    /// endOfConversation.
    private var botReleased = false                  // queue only
    private let transfers: TransferDesk
    private let transferContext: TransferDesk.Context
    private let hooks: Hooks
    private let inactivityMessage: String

    /// What the bot's call tells the rest of the gateway.
    struct Hooks: Sendable {
        /// The bot hands off (to the queue named, or by the routing rules): true when a queue
        /// takes the caller, and the bot's part ends; false leaves the hand-off refused.
        var handoff: @Sendable (_ queue: String?) -> Bool = { _ in false }
        /// The bot set variables (routing rules read them).
        var variablesChanged: @Sendable ([String: JSONValue]) -> Void = { _ in }
    }

    init(conversation: Conversation, settings: BotSettings, driver: Driver, channel options: VoiceChannel.Options,
         listener: CallListener?, control: CallControl, store: ConversationStore, speech: SpeechOut, log: LogSink,
         transfers: TransferDesk, transferContext: TransferDesk.Context, hooks: Hooks = Hooks(), inactivityMessage: String = "") {
        self.hooks = hooks
        self.inactivityMessage = inactivityMessage
        self.transfers = transfers
        self.transferContext = transferContext
        self.conversationID = conversation.id
        self.settings = settings
        self.driver = driver
        self.control = control
        self.store = store
        self.speech = speech
        self.log = log
        self.queue = DispatchQueue(label: "voicegate.call.\(conversation.id)")
        self.listener = listener
        self.listenQueue = DispatchQueue(label: "voicegate.listen.\(conversation.id)")
        self.channel = VoiceChannel(options: options)
    }

    /// The bot starts: a topic bot's greeting; an external bot's conversationUpdate and SetContext.
    func start(_ conversation: Conversation) {
        queue.async { [self] in
            switch driver {
            case .topics(var runtime):
                let activities = runtime.start()
                driver = .topics(runtime)
                deliver(.botActivities(activities))
            case .external(let bot):
                bot.start(conversation: conversation) { [self] replies, failure in
                    queue.async { self.botAnswered(replies, failure) }
                }
            }
            let timer = DispatchSource.makeTimerSource(queue: queue)
            timer.schedule(deadline: .now() + .milliseconds(200), repeating: .milliseconds(200))
            timer.setEventHandler { [weak self] in self?.deliver(.tick(Date())) }
            timer.resume()
            self.timer = timer
        }
    }

    func mediaStarted() {
        if listener != nil {
            control.listen(conversation: conversationID) { [weak self] samples in
                guard let self else { return }
                self.listenQueue.async { self.heard(samples) }
            }
        }
        queue.async { [self] in
            mediaUp = true
            let held = waitingForMedia
            waitingForMedia = []
            for event in held { deliver(event) }
        }
    }

    func keyDown(at: Date) { queue.async { self.deliver(.keyDown(at: at)) } }
    func key(_ key: Character, at: Date) { queue.async { self.deliver(.key(key, at: at)) } }
    func promptFinished(_ id: Int) { queue.async { self.deliver(.playbackFinished(id: id)) } }

    /// An external bot's activities that came through the callback path.
    func botActivities(_ activities: [Activity]) { queue.async { self.deliver(.botActivities(activities)) } }

    /// The call is over: the bot hears why (external), timers stop. Returns how the bot wanted it
    /// to end, if it ended it.
    func ended(reason: String) -> (Conversation.Outcome, String)? {
        queue.sync {
            over = true
            timer?.cancel()
            timer = nil
            // What the caller was saying as they hung up is still a turn.
            listenQueue.async { [self] in
                listening = false
                if let listener { report(listener.finish()) }
            }
            if case .external(let bot) = driver, !botReleased {
                bot.end(reason: EndOfConversationReason(callEndReason: reason)) { [log, conversationID] _, failure in
                    if let failure { log.write(LogLine(.warning, "bot.failed", [("conversation", conversationID), ("during", "endOfConversation"), ("error", failure.description)])) }
                }
            }
            return requestedEnd
        }
    }

    // MARK: - listenQueue only

    private func heard(_ samples: [Int16]) {
        // Audio the feeder hands over between the hang-up and the call's removal starts nothing.
        guard listening, let listener else { return }
        report(listener.feed(samples))
    }

    private func report(_ heard: [CallListener.Heard]) {
        for item in heard {
            switch item {
            case .speechStarted:
                queue.async { self.deliver(.speechStarted(at: Date())) }
            case .utterance(let recognition, let segment):
                log.write(LogLine(.info, "speech.heard", [("conversation", conversationID), ("words", "\(recognition.text.split(separator: " ").count)"),
                                                          ("confidence", String(format: "%.2f", recognition.confidence)),
                                                          ("seconds", String(format: "%.2f", segment.end - segment.start))]))
                queue.async { self.deliver(.utterance(recognition.text, confidence: recognition.confidence, at: Date())) }
            case .failed(let why, _):
                log.write(LogLine(.error, "speech.recognition_failed", [("conversation", conversationID), ("error", why)]))
                queue.async {
                    self.store.appendTurn(Turn(at: Date(), from: .system, kind: .note, text: "speech not recognized: recognizer failed",
                                               data: ["error": .string(why)]), to: self.conversationID)
                }
            }
        }
    }

    // MARK: - queue only

    private func deliver(_ event: VoiceChannel.Event) {
        guard !over else {
            // A reply that comes after the caller left is still part of the conversation, and so
            // are the caller's last words.
            if case .utterance(let text, let confidence, let at) = event {
                store.appendTurn(Turn(at: at, from: .customer, kind: .speech, text: text,
                                      data: ["confidence": .number(confidence), "afterCallEnded": true]), to: conversationID)
            }
            if case .botActivities(let activities) = event {
                for activity in activities where activity.type == "message" {
                    store.appendTurn(Turn(at: Date(), from: .bot, kind: .message, text: activity.text ?? activity.speak ?? "",
                                          data: ["afterCallEnded": true]), to: conversationID)
                }
            }
            return
        }
        // Speech before media would be lost: hold the bot's first words until the call has audio.
        if !mediaUp, case .botActivities = event {
            waitingForMedia.append(event)
            return
        }
        // A reply's prompts play back to back: synthesize them all before the first plays, so
        // no prompt waits on the synthesizer in the middle (dead air between sentences).
        if case .botActivities(let activities) = event { prepare(activities) }
        for command in channel.handle(event) { carryOut(command) }
    }

    /// Puts the reply's spoken texts in the prompt cache.
    private func prepare(_ activities: [Activity]) {
        for activity in activities {
            var text: SpokenText?
            if activity.type == "message" {
                text = SpokenText.from(speak: activity.speak, text: activity.text, attachments: activity.attachments)
            } else if activity.type == "event", activity.name == "UninterruptibleMessage", case .object(let o)? = activity.value {
                text = SpokenText.from(speak: nil, text: o["UninterruptibleMessage"]?.stringValue, attachments: nil)
            }
            if let text { _ = try? speech.cache.audio(for: text, sampleRate: SpeechOut.sampleRate, using: speech.synthesizer) }
        }
    }

    private func botAnswered(_ replies: [Activity], _ failure: BotFailure?) {
        if !replies.isEmpty { deliver(.botActivities(replies)) }
        guard let failure else { return }
        log.write(LogLine(.warning, "bot.failed", [("conversation", conversationID), ("bot", settings.id), ("error", failure.description)]))
        deliver(.botFailed(failure.description))
        // Never dead air: the apology, then the configured failure action.
        var next: [Activity] = [Activity(type: "message", text: settings.apology, inputHint: "ignoringInput")]
        switch settings.onFailure {
        case .hangUp: next.append(Activity(type: "event", name: "HangUp"))
        case .handoff: next.append(Activity(type: "event", name: "handoff.initiate", value: settings.failureQueue.map { .object(["queue": .string($0)]) }))
        }
        // Handed to an agent, the caller is served after all: escalated, and the reason says why.
        requestedEnd = (settings.onFailure == .handoff ? .escalated : .failed, "botFailure")
        deliver(.botActivities(next))
    }

    private func carryOut(_ command: VoiceChannel.Command) {
        switch command {
        case .speak(let prompt, let id):
            guard let text = SpokenText.from(speak: prompt.speak, text: prompt.text, attachments: prompt.attachments) else {
                deliver(.playbackFinished(id: id))        // nothing to say: done at once
                return
            }
            do {
                let audio = try speech.cache.audio(for: text, sampleRate: SpeechOut.sampleRate, using: speech.synthesizer)
                logPrompt(id, audio.samples, uninterruptible: !prompt.interruptible)
                control.play(audio.samples, promptID: id, conversation: conversationID)
            } catch {
                log.write(LogLine(.error, "speech.failed", [("conversation", conversationID), ("error", "\(error)")]))
                deliver(.playbackFinished(id: id))
            }
        case .stopSpeaking:
            control.stopPlaying(conversation: conversationID)
        case .toBot(let input):
            send(input)
        case .transcript(let turn):
            store.appendTurn(turn, to: conversationID)
        case .setVariables(let values):
            store.setVariables(values, of: conversationID)
            hooks.variablesChanged(values)
        case .transfer(let target):
            switch transfers.decide(target, for: transferContext) {
            case .refused(let result):
                // No SIP at all; the result comes back like any other event, after this command.
                queue.async { self.transferDone(result) }
            case .allowed(let plan, let attempt):
                let number = transferContext.number.number
                control.transfer(conversation: conversationID, plan: plan) { [self] result in
                    transfers.finished(attempt: attempt, number: number, result: result)
                    // sync: a completed REFER hangs the caller's leg up next, and the bot must
                    // hear TransferResult before the call's end is handled.
                    queue.sync { self.transferDone(result) }
                }
            }
        case .handoff(let queueName):
            if hooks.handoff(queueName) {
                release()
                return
            }
            // No queue takes it (none named that exists, no rule matches, no default): the
            // caller is not left in silence; the conversation ends as failed, with the reason.
            store.appendTurn(Turn(at: Date(), from: .system, kind: .note, text: "hand-off refused: no queue",
                                  data: queueName.map { ["queue": .string($0)] } ?? [:]), to: conversationID)
            log.write(LogLine(.warning, "routing.handoff_refused", [("conversation", conversationID), ("queue", queueName ?? ""), ("why", "no_queue")]))
            requestedEnd = requestedEnd ?? (.failed, "noQueue")
            control.hangUp(conversation: conversationID, reason: "no_queue")
        case .hangUp(let outcome, let reason):
            requestedEnd = requestedEnd ?? (outcome, reason)
            // An idle line is told why it is being closed before it is.
            if reason == "inactivity", let samples = speech.samples(of: inactivityMessage) {
                store.appendTurn(Turn(at: Date(), from: .system, kind: .message, text: inactivityMessage), to: conversationID)
                control.playThenHangUp(conversation: conversationID, samples: samples, reason: reason)
                return
            }
            control.hangUp(conversation: conversationID, reason: reason)
        }
    }

    /// The bot's part is over while the call goes on (a queue has the caller): it hears
    /// endOfConversation (handedOff), stops hearing the caller, and asks for nothing more.
    private func release() {
        botReleased = true
        over = true
        requestedEnd = nil
        timer?.cancel()
        timer = nil
        listenQueue.async { self.listening = false }
        if case .external(let bot) = driver {
            bot.end(reason: .handedOff) { [log, conversationID] _, failure in
                if let failure { log.write(LogLine(.warning, "bot.failed", [("conversation", conversationID), ("during", "endOfConversation"), ("error", failure.description)])) }
            }
        }
    }

    /// A trunk's REFER asks to move this call to `target`: decided like the bot's own transfer.
    /// Returns the audit row's id when allowed. Any thread (it takes no queue: the REFER waits).
    func referRequested(_ target: String) -> String? {
        if case .allowed(_, let attempt) = transfers.decide(target, for: transferContext, requestedBy: "trunk") { return attempt }
        return nil
    }

    /// Whose transfer limits this call counts against.
    var transferSlot: String { transferContext.number.number }

    /// A transfer's result: to the channel (transcript, then the bot); a completed one ends the
    /// bot's part of the conversation, whatever the call does next.
    private func transferDone(_ result: TransferResult) {
        if result.status == .completed { requestedEnd = (.transferred, "transferred") }
        if over {
            // The call ended first (the caller hung up mid-transfer): still a turn, and the bot
            // still hears what became of its request.
            store.appendTurn(Turn(at: Date(), from: .system, kind: .event, text: "transfer \(result.status.rawValue)",
                                  data: ["target": .string(result.target), "reason": result.reason.map(JSONValue.string) ?? .null,
                                         "afterCallEnded": true]), to: conversationID)
            if case .external(let bot) = driver { bot.send(Activity.transferResult(result, address: bot.address)) { _, _ in } }
            return
        }
        deliver(.transferResult(result, at: Date()))
        guard result.status == .completed else { return }
        listenQueue.async { self.listening = false }
        if case .external(let bot) = driver {
            botReleased = true
            bot.end(reason: .transferred) { [log, conversationID] _, failure in
                if let failure { log.write(LogLine(.warning, "bot.failed", [("conversation", conversationID), ("during", "endOfConversation"), ("error", failure.description)])) }
            }
        }
    }

    /// One line per prompt played, with its length and the length of the speech in it (the
    /// synthesizer's silence before and after left out): what a caller's phone can be checked
    /// against. One pass over the samples, on the call's queue.
    private func logPrompt(_ id: Int, _ samples: [Int16], uninterruptible: Bool) {
        let rate = Double(SpeechOut.sampleRate)
        let speech = SpeechSegmenter.speechSpan(of: samples, settings: .init(sampleRate: SpeechOut.sampleRate)).map { $0.end - $0.start } ?? 0
        log.write(LogLine(.info, "speech.prompt", [("conversation", conversationID), ("prompt", "\(id)"),
                                                   ("seconds", String(format: "%.3f", Double(samples.count) / rate)),
                                                   ("speech_seconds", String(format: "%.3f", speech)),
                                                   ("uninterruptible", uninterruptible ? "true" : "false")]))
    }

    private func send(_ input: BotInput) {
        switch driver {
        case .topics(var runtime):
            let activities = runtime.receive(input)
            driver = .topics(runtime)
            deliver(.botActivities(activities))
        case .external(let bot):
            let activity: Activity
            switch input {
            case .keys(let keys): activity = Activity.message(text: keys, inputMode: .dtmf, address: bot.address)
            case .speech(let text, _) where text.isEmpty: return    // nothing recognized: nothing to tell the bot
            case .speech(let text, let confidence): activity = Activity.message(text: text, inputMode: .speech(confidence: confidence), address: bot.address)
            case .silence: return          // the protocol has no silence for external bots
            case .transferResult(let result): activity = Activity.transferResult(result, address: bot.address)
            }
            bot.send(activity) { [self] replies, failure in queue.async { self.botAnswered(replies, failure) } }
        }
    }
}

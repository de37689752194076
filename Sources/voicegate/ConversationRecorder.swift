import Foundation
import Synchronization
import VoiceGateCore
import VoiceGateTelephony
import VoiceGateStore
import VoiceGateBots
import VoiceGateRecognition

/// Keeps every call's conversation: written before the call is answered, every turn as it
/// happens, the end with its outcome. A speaking bot's call (topics or external) gets a `BotCall`
/// once its conversation is committed.
///
/// Called on the pj control thread (and the playout queue, the HTTP threads); hands everything
/// to the store's writer thread or the call's own queue and returns at once.
final class ConversationRecorder: CallObserver {
    private let store: ConversationStore
    private let log: LogSink
    private let speech: SpeechOut
    private let heard: SpeechIn
    private let inactivity: TimeInterval
    /// Said before an inactive conversation is hung up.
    private let inactivityMessage: String
    private let definitions: [String: BotDefinition]
    private let transfers: TransferDesk
    private let botSettings: [String: BotSettings]
    /// Each live call's route, for bots started in the middle of it (queues, hand-backs).
    private let routes = Mutex<[String: CallRoute]>([:])
    /// Calls whose media is up: a bot started now may speak at once.
    private let mediaUp = Mutex<Set<String>>([])
    private let deskBox = Mutex<AgentDesk?>(nil)

    /// Speaking bots by conversation. A start waits for the conversation's commit; the call may
    /// end before it, and then the bot must not be started at all.
    private enum BotState {
        case starting
        /// With the bot's secret, which its asynchronous replies must carry.
        case running(BotCall, secret: String?)
        case callEnded
    }
    private let bots = Mutex<[String: BotState]>([:])
    /// One HTTP client (one URLSession, its connections kept alive) per external bot, not per call.
    private let clients = Mutex<[String: ExternalBotClient]>([:])
    /// Where the bot clients count each exchange (latency, failures).
    private let metrics: GatewayMetrics?
    private let baseURL = Mutex("")
    private let controlBox = Mutex<CallControl?>(nil)

    init(store: ConversationStore, log: LogSink, speech: SpeechOut, heard: SpeechIn, inactivity: TimeInterval,
         definitions: [String: BotDefinition], transfers: TransferDesk, bots: [BotSettings] = [], inactivityMessage: String = "",
         metrics: GatewayMetrics? = nil) {
        self.metrics = metrics
        // Every outcome shows from the start at 0, so rates over them work before the first.
        for outcome in Conversation.Outcome.allCases {
            metrics?.increment("voicegate_conversations_total", labels: PrometheusText.labels(["outcome": outcome.rawValue]), by: 0)
        }
        self.inactivityMessage = inactivityMessage
        self.transfers = transfers
        self.botSettings = Dictionary(bots.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        self.inactivity = inactivity
        self.store = store
        self.log = log
        self.speech = speech
        self.heard = heard
        self.definitions = definitions
    }

    /// Where bots send asynchronous replies (the bot protocol's serviceUrl): known once the
    /// HTTP listener is bound.
    var serviceUrl: String {
        get { baseURL.withLock { $0 } }
        set { baseURL.withLock { $0 = newValue } }
    }

    /// The SIP side that plays prompts and hangs up: the endpoint, set once it exists.
    var control: CallControl? {
        get { controlBox.withLock { $0 } }
        set { controlBox.withLock { $0 = newValue } }
    }

    /// The agent desk: queues, agents, hand-offs. Set once, before calls arrive.
    var desk: AgentDesk? {
        get { deskBox.withLock { $0 } }
        set { deskBox.withLock { $0 = newValue } }
    }

    func callArrived(_ call: InboundCall, ready: @escaping @Sendable (Bool) -> Void) {
        let started = Turn(at: call.arrivedAt, from: .system, kind: .event, text: "call started", data: [
            "source": .string(call.source), "transport": .string(call.transport),
            "callerIdFrom": .string(call.route.identity.callerSource), "trunk": .string(call.route.trunk.name)])
        let conversation = Conversation(id: call.conversationID, startedAt: call.arrivedAt,
                                        bot: call.route.queue == nil ? call.route.bot.id : nil,
                                        trunk: call.route.trunk.name, sipCallId: call.sipCallID,
                                        callerWithheld: call.route.identity.callerWithheld, variables: call.variables,
                                        transcript: [started])
        if call.route.queue == nil && call.route.bot.speaks { bots.withLock { $0[call.conversationID] = .starting } }
        routes.withLock { $0[call.conversationID] = call.route }
        store.create(conversation) { [self] result in
            switch result {
            case .success:
                let desk = self.desk
                desk?.callStarted(call.conversationID, callerNumber: call.route.identity.customerNumber, variables: call.variables,
                                  bot: call.route.queue == nil ? call.route.bot.id : nil)
                if let named = call.route.queue {
                    // A queue's number: its bot members or agents take the call (hold audio until then).
                    ready(true)
                    if let desk, let queue = desk.route(call.conversationID, named: named) {
                        desk.enqueue(call.conversationID, queue: queue, why: "call")
                    } else {
                        log.write(LogLine(.warning, "routing.no_queue", [("conversation", call.conversationID), ("queue", named)]))
                        control?.playThenHangUp(conversation: call.conversationID, samples: [], reason: "no_queue")
                    }
                    return
                }
                // The bot's call exists before the answer, so the media that follows finds it.
                startBot(conversation, call.route, settings: call.route.bot)
                ready(true)
            case .failure(let error):
                log.write(LogLine(.error, "conversation.store_failed", [("conversation", call.conversationID),
                                                                        ("operation", "create"), ("error", error.description)]))
                _ = bots.withLock { $0.removeValue(forKey: call.conversationID) }
                ready(false)
            }
        }
    }

    func callTurn(_ conversationID: String, _ turn: Turn) {
        store.appendTurn(turn, to: conversationID)
    }

    func callReferRefused(_ conversationID: String, target: String, fromNumber: String, reason: String, detail: String) {
        transfers.referRefused(conversationID: conversationID, target: target, fromNumber: fromNumber, reason: reason, detail: detail)
        store.appendTurn(Turn(at: Date(), from: .system, kind: .note, text: "REFER from the trunk refused",
                              data: ["status": .number(403), "target": .string(target), "reason": .string(reason)]), to: conversationID)
    }

    func callReferRequested(_ conversationID: String, target: String) -> String? {
        // Only a speaking bot's call knows its number and trunk; a prompt bot's call is refused.
        guard let call = botCall(conversationID) else { return nil }
        let attempt = call.referRequested(target)
        store.appendTurn(Turn(at: Date(), from: .system, kind: .note,
                              text: attempt == nil ? "REFER from the trunk refused" : "REFER from the trunk accepted",
                              data: ["target": .string(TransferDecision.loggable(target))]), to: conversationID)
        return attempt
    }

    func callReferFollowed(_ conversationID: String, attempt: String, result: TransferResult) {
        transfers.finished(attempt: attempt, number: botCall(conversationID)?.transferSlot ?? "", result: result)
        store.appendTurn(Turn(at: Date(), from: .system, kind: .event,
                              text: result.status == .completed ? "call moved to the REFER's target" : "REFER's target not reached",
                              data: result.reason.map { ["reason": .string($0)] } ?? [:]), to: conversationID)
    }

    func callMediaStarted(_ conversationID: String) {
        mediaUp.withLock { _ = $0.insert(conversationID) }
        botCall(conversationID)?.mediaStarted()
    }
    func callKeyDown(_ conversationID: String, at: Date) { botCall(conversationID)?.keyDown(at: at) }
    func callKey(_ conversationID: String, _ key: Character, at: Date) { botCall(conversationID)?.key(key, at: at) }
    func callPromptFinished(_ conversationID: String, id: Int) { botCall(conversationID)?.promptFinished(id) }

    func callEnded(_ conversationID: String, outcome: Conversation.Outcome, reason: String) {
        let state: BotState? = bots.withLock { table in
            let state = table.removeValue(forKey: conversationID)
            if case .starting? = state { table[conversationID] = .callEnded }
            return state
        }
        routes.withLock { _ = $0.removeValue(forKey: conversationID) }
        mediaUp.withLock { _ = $0.remove(conversationID) }
        var (finalOutcome, finalReason) = (outcome, reason)
        var data: [String: JSONValue] = [:]
        let botRequested: (Conversation.Outcome, String)?
        if case .running(let call, _)? = state { botRequested = call.ended(reason: reason) } else { botRequested = nil }
        // Waiting (abandoned, with the wait) or with an agent (escalated): the desk knows.
        let deskEnd = desk?.callEnded(conversationID)
        if let requested = botRequested {
            // The bot ended it (goodbye, its failure, a transfer): its outcome, not "the gateway hung up".
            (finalOutcome, finalReason) = requested
        } else if let (o, r, extra) = deskEnd {
            (finalOutcome, finalReason, data) = (o, r, extra)
        }
        let now = Date()
        data["reason"] = .string(finalReason)
        store.appendTurn(Turn(at: now, from: .system, kind: .event, text: "call ended", data: data), to: conversationID)
        store.close(conversationID, outcome: finalOutcome, reason: finalReason, at: now)
        metrics?.increment("voicegate_conversations_total", labels: PrometheusText.labels(["outcome": finalOutcome.rawValue]))
    }

    /// The one HTTP client of an external bot (nil for an embedded one). Any thread.
    func client(for settings: BotSettings) -> ExternalBotClient? {
        let url = serviceUrl
        return clients.withLock { table in
            if let existing = table[settings.id] { return existing }
            let client = ExternalBotClient(settings: settings, serviceUrl: url, metrics: metrics)
            table[settings.id] = client
            return client
        }
    }

    private func botCall(_ conversationID: String) -> BotCall? {
        if case .running(let call, _)? = bots.withLock({ $0[conversationID] }) { return call }
        return nil
    }

    /// A speaking bot's call begins: a topic bot greets; an external bot hears conversationUpdate
    /// and SetContext.
    private func startBot(_ conversation: Conversation, _ route: CallRoute, settings: BotSettings, midCall: Bool = false) {
        guard settings.speaks, let control else { return }
        let driver: BotCall.Driver
        var secret: String?
        var silence: TimeInterval?
        switch settings.kind {
        case .external(_, let s):
            secret = s
            let made = client(for: settings)
            guard let client = made else {
                bots.withLock { _ = $0.removeValue(forKey: conversation.id) }
                return
            }
            driver = .external(BotConversation(client: client, conversation: conversation, botId: settings.id))
        case .embedded:
            guard let definition = definitions[settings.id] else { return }
            driver = .topics(EmbeddedBotRuntime(definition: definition, variables: conversation.variables))
            silence = definition.settings.silenceSeconds
        }
        var listener: CallListener?
        do {
            listener = try heard.listener(for: settings.id)
        } catch {
            // Keys still work: the call goes on without speech input, and says so.
            log.write(LogLine(.error, "speech.listener_failed", [("conversation", conversation.id), ("error", "\(error)")]))
            store.appendTurn(Turn(at: Date(), from: .system, kind: .note, text: "speech input unavailable: keys only",
                                  data: ["error": .string("\(error)")]), to: conversation.id)
        }
        let options = VoiceChannel.Options(silenceTimeout: silence, inactivityTimeout: inactivity,
                                           bufferKeysDuringUninterruptible: settings.keysDuringUninterruptible == .buffer)
        let call = BotCall(conversation: conversation, settings: settings, driver: driver, channel: options,
                           listener: listener, control: control, store: store, speech: speech, log: log,
                           transfers: transfers,
                           transferContext: TransferDesk.Context(conversationID: conversation.id, organizationNumber: route.organizationNumber,
                                                                 customerNumber: route.identity.customerNumber, number: route.number,
                                                                 trunk: route.trunk),
                           hooks: hooks(conversation.id), inactivityMessage: inactivityMessage)
        let callGoesOn: Bool = bots.withLock { table in
            if midCall {
                guard routes.withLock({ $0[conversation.id] != nil }) else { return false }
                table[conversation.id] = .running(call, secret: secret)
                return true
            }
            guard case .starting? = table[conversation.id] else {
                table.removeValue(forKey: conversation.id)
                return false
            }
            table[conversation.id] = .running(call, secret: secret)
            return true
        }
        guard callGoesOn else { return }
        call.start(conversation)
        if midCall && mediaUp.withLock({ $0.contains(conversation.id) }) { call.mediaStarted() }
    }

    private func hooks(_ conversationID: String) -> BotCall.Hooks {
        BotCall.Hooks(
            handoff: { [weak self] named in
                guard let self, let desk = self.desk, let queue = desk.route(conversationID, named: named) else { return false }
                desk.enqueue(conversationID, queue: queue, why: "handoff")
                return true
            },
            variablesChanged: { [weak self] values in self?.desk?.variablesChanged(conversationID, values) })
    }


    /// The answer to a bot's asynchronous reply (bot-protocol.md: `POST {serviceUrl}/v1/
    /// conversations/{id}/activities`).
    enum CallbackResult: Equatable {
        case accepted(Int)
        case malformed(String)
        case unauthorized
        case unknownConversation
    }

    /// A bot's asynchronous reply: checked against the conversation's bot secret (constant time),
    /// parsed leniently, carried out like an inline reply. Runs on the HTTP threads.
    func botCallback(conversationID: String, authorization: String?, body: [UInt8]) -> CallbackResult {
        guard case .running(let call, let secret)? = bots.withLock({ $0[conversationID] }),
              case .external = call.settings.kind else { return .unknownConversation }
        if let secret {
            guard AdminAccess(token: secret).allows(authorization) else { return .unauthorized }
        }
        let activities: [Activity]
        do {
            activities = try ActivityPayload.activities(from: Data(body))
        } catch {
            return .malformed("\(error)")
        }
        call.botActivities(activities)
        return .accepted(activities.count)
    }
}

/// The agent desk's hold on conversations: bots started mid-call, transfers, hang-ups.
extension ConversationRecorder: ConversationHandler {
    func startBot(_ conversationID: String, botID: String) {
        guard let route = routes.withLock({ $0[conversationID] }), let settings = botSettings[botID] else {
            log.write(LogLine(.error, "routing.bot_unavailable", [("conversation", conversationID), ("bot", botID)]))
            hangUp(conversationID, reason: "bot_unavailable")
            return
        }
        // SetContext carries the transcript so far: every turn written before now must be in it.
        store.flush { [self] in
            let conversation: Conversation
            do {
                guard let stored = try store.conversation(id: conversationID) else { return }
                conversation = stored
            } catch {
                log.write(LogLine(.error, "conversation.store_failed", [("conversation", conversationID), ("operation", "read"),
                                                                        ("error", "\(error)")]))
                return
            }
            // The previous bot's call (handed off) is replaced; it has had its endOfConversation.
            bots.withLock { table in
                if case .running? = table[conversationID] { table.removeValue(forKey: conversationID) }
            }
            var started = conversation
            started.bot = botID
            startBot(started, route, settings: settings, midCall: true)
        }
    }

    func transferCaller(_ conversationID: String, to number: String, done: @escaping @Sendable (Bool) -> Void) {
        guard let route = routes.withLock({ $0[conversationID] }), let control else { return done(false) }
        let context = TransferDesk.Context(conversationID: conversationID, organizationNumber: route.organizationNumber,
                                           customerNumber: route.identity.customerNumber, number: route.number, trunk: route.trunk)
        switch transfers.decide(number, for: context, requestedBy: "queue") {
        case .refused: done(false)
        case .allowed(let plan, let attempt):
            control.transfer(conversation: conversationID, plan: plan) { [transfers] result in
                transfers.finished(attempt: attempt, number: route.number.number, result: result)
                done(result.status == .completed)
            }
        }
    }

    func hangUp(_ conversationID: String, reason: String) {
        control?.hangUp(conversation: conversationID, reason: reason)
    }
}

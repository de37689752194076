import Foundation
import VoiceGateCore
import VoiceGateTelephony
import VoiceGateStore

/// What the agent desk needs from the SIP side; `SIPEndpoint` in the gateway.
protocol AgentLines: AnyObject, Sendable {
    func ringAgent(conversation: String, offer: AgentOffer, events: @escaping @Sendable (AgentLegEvent) -> Void)
    func releaseAgent(conversation: String, agentID: String?, reason: String)
    func hold(conversation: String, loop: [Int16], first: [Int16]?)
    func stopHold(conversation: String)
    func playThenHangUp(conversation: String, samples: [Int16], reason: String)
    func agentContact(_ agentID: String) -> String?
}

/// What the agent desk needs from the conversations' side: bots to start and stop, calls to
/// end or transfer. `ConversationRecorder` in the gateway.
protocol ConversationHandler: AnyObject, Sendable {
    /// A bot takes the conversation now (a queue's bot member, an agent's hand-back, an
    /// overflow): conversationUpdate, SetContext with the transcript so far, its greeting.
    func startBot(_ conversationID: String, botID: String)
    /// Transfers the caller to a number as a bot's transfer would (privilege and policy);
    /// `done` says whether the caller left.
    func transferCaller(_ conversationID: String, to number: String, done: @escaping @Sendable (Bool) -> Void)
    func hangUp(_ conversationID: String, reason: String)
}

/// Runs the queues: holds the `RoutingBoard`, feeds it the calls' events in order on one serial
/// queue, and carries out what it decides (ring agents, hold audio and announcements, bots,
/// overflow). Keeps the store's records of queue entries, presence and segments.
/// Any thread; the work runs on `queue`.
final class AgentDesk: @unchecked Sendable {
    let settings: RoutingSettings
    private let queue = DispatchQueue(label: "voicegate.routing")
    private var board: RoutingBoard                              // queue only
    private var live: [String: LiveConversation] = [:]           // queue only
    /// The ring under way per conversation: a late event of a withdrawn ring (the same agent
    /// may be rung again at once) must not be taken for the new one's.
    private var rings: [String: Int] = [:]                       // queue only
    private var ringCount = 0                                    // queue only
    private var timer: DispatchSourceTimer?
    private let store: ConversationStore
    /// Queue entries, presence, segments and the conversation's routing columns: behind the
    /// protocol a shared (PostgreSQL) store for several gateways would implement.
    private let routingState: any RoutingStateStore
    private let log: LogSink
    private let speech: SpeechOut
    private let holdAudio: [String: [Int16]]
    private var baseLink = ""                                    // queue only
    /// Where agents read a conversation: `conversationLinkBase`, else the admin API's address
    /// (known once the HTTP listener is bound) and the conversation path.
    var linkBase: String {
        get { queue.sync { settings.conversationLinkBase ?? baseLink } }
        set { queue.sync { baseLink = newValue } }
    }
    /// Queue depth, longest wait and agents by presence go here every second.
    var metrics: GatewayMetrics?
    private var lastMetrics = Date.distantPast                   // queue only
    weak var lines: (any AgentLines)?
    weak var conversations: (any ConversationHandler)?

    /// What the desk knows of a conversation it has seen: enough to ring agents for it and to
    /// say how it ended.
    struct LiveConversation {
        var callerNumber: String
        var variables: [String: JSONValue]
        /// The last bot that had it (an agent's keypad code hands it back there by default).
        var lastBot: String?
        var reachedAgent = false
        var agent: String?
        /// Keys the agent pressed, for the hand-back code.
        var agentKeys = ""
        var waitingSince: Date?
        var waitedSeconds = 0.0
    }

    init(settings: RoutingSettings, store: ConversationStore, log: LogSink, speech: SpeechOut) {
        self.settings = settings
        self.store = store
        self.routingState = store
        self.log = log
        self.speech = speech
        var saved: [String: Presence] = [:]
        do { saved = try routingState.savedPresence() } catch {
            log.write(LogLine(.error, "routing.presence_unreadable", [("error", "\(error)")]))
        }
        self.board = RoutingBoard(settings: settings, presence: saved, now: Date())
        var audio: [String: [Int16]] = [:]
        for q in settings.queues {
            switch q.hold {
            case .wav(let path):
                do {
                    guard let data = FileManager.default.contents(atPath: path) else { throw CocoaError(.fileReadNoSuchFile) }
                    audio[q.name] = try PCMAudio(wav: Array(data)).resampled(to: SpeechOut.sampleRate).samples
                } catch {
                    log.write(LogLine(.error, "routing.hold_audio_failed", [("queue", q.name), ("path", path), ("error", "\(error)")]))
                }
            case .text(let text):
                if let samples = speech.samples(of: text) {
                    // A breath between repeats, so the loop does not run words together.
                    audio[q.name] = samples + [Int16](repeating: 0, count: SpeechOut.sampleRate * 2)
                }
            }
        }
        self.holdAudio = audio
        for (agent, presence) in saved where settings.agent(agent) != nil {
            log.write(LogLine(.info, "agent.presence_restored", [("agent", agent), ("presence", presence.rawValue)]))
        }
    }

    func start() {
        queue.async { [self] in
            let timer = DispatchSource.makeTimerSource(queue: queue)
            timer.schedule(deadline: .now() + .milliseconds(250), repeating: .milliseconds(250))
            timer.setEventHandler { [weak self] in
                guard let self else { return }
                let now = Date()
                self.carryOut(self.board.tick(at: now))
                if now.timeIntervalSince(self.lastMetrics) >= 1 { self.publishMetrics(at: now) }
            }
            timer.resume()
            self.timer = timer
        }
    }

    func stop() { queue.sync { timer?.cancel(); timer = nil } }

    // MARK: - Events from the conversations

    /// A call arrived (or a bot took it up) with these variables: known for routing later.
    func callStarted(_ conversationID: String, callerNumber: String, variables: [String: JSONValue], bot: String?) {
        queue.async { [self] in
            live[conversationID] = LiveConversation(callerNumber: callerNumber, variables: variables, lastBot: bot)
            if let bot {
                board.botStarted(conversationID, bot: bot)
                routingState.segmentStarted(conversationID: conversationID, kind: .bot, party: bot, at: Date())
            }
        }
    }

    func variablesChanged(_ conversationID: String, _ values: [String: JSONValue]) {
        queue.async { [self] in live[conversationID]?.variables.merge(values) { $1 } }
    }

    /// The queue a hand-off goes to: the one named, else the routing rules on the variables.
    /// nil when neither gives one that exists.
    func route(_ conversationID: String, named: String?) -> String? {
        queue.sync {
            if let named, !named.isEmpty { return settings.queue(named: named) != nil ? named : nil }
            return settings.queue(for: live[conversationID]?.variables ?? [:])
        }
    }

    /// The conversation enters `queueName` (a bot's hand-off, a call to a queue's number, an
    /// agent's or supervisor's transfer).
    func enqueue(_ conversationID: String, queue queueName: String, why: String) {
        queue.async { [self] in
            let now = Date()
            log.write(LogLine(.info, "routing.enqueue", [("conversation", conversationID), ("queue", queueName), ("why", why)]))
            routingState.setRouting(conversationID: conversationID, RoutingUpdate(state: .waiting, queue: .some(queueName)))
            carryOut(board.enqueue(conversationID, queue: queueName, at: now))
        }
    }

    /// The call is over. Returns how the desk saw it end, when the caller was waiting or had
    /// reached an agent (abandoned with the wait, or escalated); nil when a bot had it.
    func callEnded(_ conversationID: String) -> (Conversation.Outcome, String, [String: JSONValue])? {
        queue.sync {
            let now = Date()
            let waiting = board.position(of: conversationID) != nil
            let withAgent: Bool
            if case .agent? = board.placement[conversationID] { withAgent = true } else { withAgent = false }
            // Read before the board's `left` clears it.
            let waited = live[conversationID]?.waitingSince.map { now.timeIntervalSince($0) } ?? 0
            carryOut(board.callEnded(conversationID, at: now))
            rings[conversationID] = nil
            routingState.segmentEnded(conversationID: conversationID, at: now)
            guard let state = live.removeValue(forKey: conversationID) else { return nil }
            if waiting {
                return (.abandoned, "customerHangUp", ["waitSeconds": .number((waited * 1000).rounded() / 1000)])
            }
            if withAgent || state.reachedAgent { return (.escalated, withAgent ? "agentCallEnded" : "handedOff", [:]) }
            return nil
        }
    }

    // MARK: - Agents

    /// Sets an agent's presence (admin API). False for an unknown agent.
    func setPresence(_ agentID: String, _ presence: Presence, reason: String = "api") -> Bool {
        queue.sync {
            guard settings.agent(agentID) != nil else { return false }
            let now = Date()
            let commands = board.setPresence(agentID, presence, at: now)
            routingState.presenceChanged(agentID: agentID, to: presence, at: now, reason: reason)
            log.write(LogLine(.info, "agent.presence", [("agent", agentID), ("presence", presence.rawValue), ("reason", reason)]))
            carryOut(commands)
            return true
        }
    }

    /// The agent's phone registered (or its last registration went).
    func registrationChanged(_ agentID: String, registered: Bool) {
        queue.async { [self] in carryOut(board.setReachable(agentID, registered, at: Date())) }
    }

    /// Moves the conversation to a bot or a queue (admin API, an agent's keypad code). Returns
    /// nil when done, else why not.
    enum Move: Sendable { case bot(String), queue(String) }
    func move(_ conversationID: String, to target: Move, by who: String) -> String? {
        queue.sync { moveNow(conversationID, to: target, by: who) }
    }

    private func moveNow(_ conversationID: String, to target: Move, by who: String) -> String? {
        guard live[conversationID] != nil else { return "unknown_conversation" }
        let now = Date()
        var agent: String?
        if case .agent(let id)? = board.placement[conversationID] { agent = id }
        let waiting = board.position(of: conversationID) != nil
        guard agent != nil || waiting else { return "not_with_an_agent" }
        if let agent {
            lines?.releaseAgent(conversation: conversationID, agentID: agent, reason: "transferred by the agent")
            carryOut(board.agentLeft(conversationID, at: now))
            store.turn(Turn(at: now, from: .agent, kind: .action, text: "agent \(agent) transferred the conversation",
                            data: target.data.merging(["by": .string(who)]) { $1 }), conversationID)
        } else {
            carryOut(board.leave(conversationID, result: .moved, at: now))
        }
        live[conversationID]?.agent = nil
        switch target {
        case .bot(let bot):
            toBot(conversationID, bot: bot, queue: nil, at: now)
        case .queue(let name):
            log.write(LogLine(.info, "routing.enqueue", [("conversation", conversationID), ("queue", name), ("why", "transfer")]))
            routingState.setRouting(conversationID: conversationID, RoutingUpdate(state: .waiting, queue: .some(name), agent: .some(nil)))
            carryOut(board.enqueue(conversationID, queue: name, at: now))
        }
        return nil
    }

    // MARK: - Reading (admin API)

    struct QueueView: Sendable {
        let name: String
        let waiting: [(conversation: String, position: Int, waitSeconds: Double, ringing: String?)]
        let agents: [String]
        let bots: [String]
    }

    func queues() -> [QueueView] {
        queue.sync {
            let now = Date()
            return settings.queues.map { q in
                let list = board.waiting[q.name] ?? []
                return QueueView(name: q.name,
                                 waiting: list.enumerated().map { i, w in (w.conversationID, i + 1, now.timeIntervalSince(w.enteredAt), w.offer?.agent) },
                                 agents: settings.agents.filter { $0.queues.contains(q.name) }.map(\.id),
                                 bots: q.bots.map(\.bot))
            }
        }
    }

    func agents() -> [(RoutingBoard.AgentState, Presence)] {
        queue.sync {
            let now = Date()
            return settings.agents.compactMap { a in board.agents[a.id].map { ($0, $0.shownPresence(at: now)) } }
        }
    }

    private func publishMetrics(at now: Date) {
        lastMetrics = now
        guard let metrics else { return }
        for q in settings.queues {
            let list = board.waiting[q.name] ?? []
            // Queue names come from the configuration: escaped, they cannot break the exposition.
            let labels = PrometheusText.labels(["queue": q.name])
            metrics.gauge("voicegate_queue_waiting", labels: labels, Double(list.count))
            let longest = list.map { now.timeIntervalSince($0.enteredAt) }.max() ?? 0
            metrics.gauge("voicegate_queue_longest_wait_seconds", labels: labels, (longest * 1000).rounded() / 1000)
        }
        var counts: [Presence: Int] = [:]
        for agent in board.agents.values { counts[agent.shownPresence(at: now), default: 0] += 1 }
        for presence in Presence.allCases {
            metrics.gauge("voicegate_agents", labels: PrometheusText.labels(["presence": presence.rawValue]), Double(counts[presence] ?? 0))
        }
    }

    // MARK: - Carrying out (queue only)

    private func carryOut(_ commands: [RoutingBoard.Command]) {
        for command in commands { carryOut(command) }
    }

    private func carryOut(_ command: RoutingBoard.Command) {
        let now = Date()
        switch command {
        case .entered(let entry):
            live[entry.conversationID]?.waitingSince = entry.enteredAt
            routingState.queueEntered(QueueEntryRecord(id: entry.entryID, conversationID: entry.conversationID, queue: entry.queue,
                                                enteredAt: entry.enteredAt, initialPosition: entry.initialPosition))
            routingState.segmentStarted(conversationID: entry.conversationID, kind: .waiting, party: entry.queue, at: now)
            store.turn(Turn(at: now, from: .system, kind: .event, text: "waiting in queue \(entry.queue)",
                            data: ["queue": .string(entry.queue), "position": .number(Double(entry.initialPosition))]), entry.conversationID)
            log.write(LogLine(.info, "queue.entered", [("conversation", entry.conversationID), ("queue", entry.queue),
                                                       ("position", String(entry.initialPosition))]))
            lines?.hold(conversation: entry.conversationID, loop: holdAudio[entry.queue] ?? [], first: nil)
        case .left(let entryID, let conversationID, let queueName, let result, let by, let wait):
            live[conversationID]?.waitingSince = nil
            routingState.queueLeft(entryID: entryID, at: now, result: QueueEntryRecord.Result(rawValue: result.rawValue) ?? .interrupted, by: by, waitSeconds: wait)
            log.write(LogLine(.info, "queue.left", [("conversation", conversationID), ("queue", queueName), ("result", result.rawValue),
                                                    ("by", by ?? ""), ("wait_seconds", String(format: "%.1f", wait))]))
        case .ring(let conversationID, let agent, let queueName, _):
            ring(conversationID, agent: agent, queue: queueName)
        case .cancelRing(let conversationID, let agent):
            rings[conversationID] = nil
            log.write(LogLine(.info, "agent.ring_cancelled", [("conversation", conversationID), ("agent", agent)]))
            lines?.releaseAgent(conversation: conversationID, agentID: agent, reason: "offer withdrawn")
        case .toBot(let conversationID, let bot, let queueName):
            toBot(conversationID, bot: bot, queue: queueName, at: now)
        case .overflow(let conversationID, let queueName, let action, let reason):
            overflow(conversationID, from: queueName, action, reason: reason, at: now)
        case .announce(let conversationID, let position, let wait):
            announce(conversationID, position: position, wait: wait, at: now)
        case .presence(let agent, let presence, let reason):
            routingState.presenceChanged(agentID: agent, to: presence, at: now, reason: reason)
            log.write(LogLine(.warning, "agent.presence", [("agent", agent), ("presence", presence.rawValue), ("reason", reason)]))
        }
    }

    private func ring(_ conversationID: String, agent: String, queue queueName: String) {
        guard let lines, let state = live[conversationID] else { return }
        guard let contact = lines.agentContact(agent) else {
            log.write(LogLine(.warning, "agent.unreachable", [("conversation", conversationID), ("agent", agent)]))
            queue.async { [self] in carryOut(board.offerFailed(conversationID, agent: agent, .unreachable, at: Date())) }
            return
        }
        let offer = AgentOffer(agentID: agent, contact: contact, callerNumber: state.callerNumber,
                               conversationLink: (settings.conversationLinkBase ?? baseLink) + conversationID)
        log.write(LogLine(.info, "agent.offer", [("conversation", conversationID), ("agent", agent), ("queue", queueName)]))
        ringCount += 1
        let ring = ringCount
        rings[conversationID] = ring
        lines.ringAgent(conversation: conversationID, offer: offer) { [weak self] event in
            guard let self else { return }
            self.queue.async {
                // Only the answer or failure of the ring under way counts; a withdrawn one's is noise.
                if case .failed = event, self.rings[conversationID] != ring { return }
                if case .answered = event, self.rings[conversationID] != ring {
                    self.lines?.releaseAgent(conversation: conversationID, agentID: agent, reason: "offer withdrawn")
                    return
                }
                self.agentEvent(conversationID, agent: agent, event)
            }
        }
    }

    private func agentEvent(_ conversationID: String, agent: String, _ event: AgentLegEvent) {
        let now = Date()
        switch event {
        case .answered:
            let commands = board.answered(conversationID, agent: agent, at: now)
            guard !commands.isEmpty || board.placement[conversationID] == .agent(agent) else {
                // Answered after the offer was withdrawn (rang out a moment ago): not this agent's call.
                lines?.releaseAgent(conversation: conversationID, agentID: agent, reason: "offer withdrawn")
                return
            }
            live[conversationID]?.reachedAgent = true
            live[conversationID]?.agent = agent
            live[conversationID]?.agentKeys = ""
            routingState.setRouting(conversationID: conversationID, RoutingUpdate(state: .active, agent: .some(agent)))
            routingState.segmentStarted(conversationID: conversationID, kind: .agent, party: agent, at: now)
            store.turn(Turn(at: now, from: .system, kind: .event, text: "agent \(agent) answered", data: ["agent": .string(agent)]), conversationID)
            log.write(LogLine(.info, "agent.answered", [("conversation", conversationID), ("agent", agent)]))
            carryOut(commands)
        case .failed(let status, let reason):
            let why: RoutingBoard.OfferFailure
            switch status {
            case 486, 600, 603: why = .declined
            case 408, 480, 487: why = .noAnswer
            default: why = .unreachable
            }
            log.write(LogLine(.info, "agent.offer_failed", [("conversation", conversationID), ("agent", agent),
                                                            ("sip_status", String(status)), ("sip_reason", reason)]))
            carryOut(board.offerFailed(conversationID, agent: agent, why, at: now))
        case .ended(let byAgent):
            guard board.placement[conversationID] == .agent(agent) else { return }
            store.turn(Turn(at: now, from: .agent, kind: .event, text: "agent \(agent) left the call", data: [:]), conversationID)
            carryOut(board.agentLeft(conversationID, at: now))
            if byAgent { conversations?.hangUp(conversationID, reason: "agent_hung_up") }
        case .key(let digit):
            guard var state = live[conversationID], state.agent == agent else { return }
            state.agentKeys = String((state.agentKeys + String(digit)).suffix(16))
            live[conversationID] = state
            guard state.agentKeys.hasSuffix(settings.agentToBotCode) else { return }
            live[conversationID]?.agentKeys = ""
            let bot = settings.agentToBotTarget ?? state.lastBot
            guard let bot else {
                log.write(LogLine(.warning, "agent.hand_back_refused", [("conversation", conversationID), ("agent", agent), ("why", "no_bot")]))
                return
            }
            log.write(LogLine(.info, "agent.hand_back", [("conversation", conversationID), ("agent", agent), ("bot", bot), ("by", "keypad")]))
            _ = moveNow(conversationID, to: .bot(bot), by: "agent keypad")
        }
    }

    private func toBot(_ conversationID: String, bot: String, queue queueName: String?, at now: Date) {
        if queueName == nil { board.botStarted(conversationID, bot: bot) }
        live[conversationID]?.lastBot = bot
        lines?.stopHold(conversation: conversationID)
        routingState.setRouting(conversationID: conversationID, RoutingUpdate(state: .active, queue: queueName.map { .some($0) } ?? nil, bot: .some(bot)))
        routingState.segmentStarted(conversationID: conversationID, kind: .bot, party: bot, at: now)
        store.turn(Turn(at: now, from: .system, kind: .event, text: "bot \(bot) takes the conversation",
                        data: ["bot": .string(bot)].merging(queueName.map { ["queue": .string($0)] } ?? [:]) { $1 }), conversationID)
        log.write(LogLine(.info, "routing.to_bot", [("conversation", conversationID), ("bot", bot), ("queue", queueName ?? "")]))
        conversations?.startBot(conversationID, botID: bot)
    }

    private func overflow(_ conversationID: String, from queueName: String, _ action: OverflowAction, reason: String, at now: Date) {
        log.write(LogLine(.info, "queue.overflow", [("conversation", conversationID), ("queue", queueName), ("reason", reason),
                                                    ("action", action.name)]))
        store.turn(Turn(at: now, from: .system, kind: .event, text: "overflow from queue \(queueName)",
                        data: ["queue": .string(queueName), "reason": .string(reason), "action": .string(action.name)]), conversationID)
        switch action {
        case .queue(let next):
            routingState.setRouting(conversationID: conversationID, RoutingUpdate(state: .waiting, queue: .some(next)))
            carryOut(board.enqueue(conversationID, queue: next, at: now))
        case .bot(let bot):
            toBot(conversationID, bot: bot, queue: nil, at: now)
        case .message(let text):
            lines?.stopHold(conversation: conversationID)
            let samples = speech.samples(of: text) ?? []
            store.turn(Turn(at: now, from: .system, kind: .message, text: text), conversationID)
            lines?.playThenHangUp(conversation: conversationID, samples: samples, reason: "queue_overflow")
        case .transfer(let number):
            conversations?.transferCaller(conversationID, to: number) { [weak self] left in
                guard let self, !left else { return }
                // The transfer did not take the caller: they hear the default message and the call ends.
                self.queue.async { self.overflow(conversationID, from: queueName, RoutingBoard.defaultOverflow, reason: "transferFailed", at: Date()) }
            }
        }
    }

    private func announce(_ conversationID: String, position: Int, wait: Double?, at now: Date) {
        guard let queueName = board.queue(of: conversationID) else { return }
        var text = position == 1 ? "You are next in line." : "You are number \(position) in the queue."
        if let wait {
            let minutes = Int((wait / 60).rounded(.up))
            text += minutes <= 1 ? " Your estimated wait is about a minute." : " Your estimated wait is about \(minutes) minutes."
        }
        let samples = speech.samples(of: text)
        var data: [String: JSONValue] = ["queue": .string(queueName), "position": .number(Double(position))]
        if let wait { data["estimatedWaitSeconds"] = .number(wait.rounded()) }
        store.turn(Turn(at: now, from: .system, kind: .message, text: text, data: data), conversationID)
        log.write(LogLine(.info, "queue.announce", [("conversation", conversationID), ("queue", queueName), ("position", String(position)),
                                                    ("estimated_wait_seconds", wait.map { String(Int($0)) } ?? "")]))
        lines?.hold(conversation: conversationID, loop: holdAudio[queueName] ?? [], first: samples)
    }
}

extension AgentDesk.Move {
    var data: [String: JSONValue] {
        switch self {
        case .bot(let b): return ["toBot": .string(b)]
        case .queue(let q): return ["toQueue": .string(q)]
        }
    }
}

extension OverflowAction {
    /// The action's name in logs and the transcript.
    var name: String {
        switch self {
        case .queue: return "queue"
        case .transfer: return "transfer"
        case .bot: return "bot"
        case .message: return "message"
        }
    }
}

extension ConversationStore {
    /// A turn, written in order with the conversation's others.
    func turn(_ turn: Turn, _ conversationID: String) { appendTurn(turn, to: conversationID) }
}

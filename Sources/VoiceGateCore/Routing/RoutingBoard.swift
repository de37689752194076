import Foundation

/// Who is waiting in which queue, which agent's phone rings for whom, and who talks to whom:
/// the state of every queue of one gateway, and the rules that move conversations through them.
///
/// A value type without I/O or clocks: every event comes in with its time and gives back the
/// commands to carry out (ring an agent, cancel a ringing offer, give a caller to a bot, overflow,
/// announce, change a presence). Whoever holds it (the gateway's `AgentDesk`) serializes the
/// events and carries the commands out; a store keeps what must survive a restart.
public struct RoutingBoard: Sendable {
    /// A queue member: a human agent (rung on their phone) or a bot (takes the caller at once).
    public enum Member: Hashable, Sendable, CustomStringConvertible {
        case agent(String)
        case bot(String)
        public var description: String {
            switch self {
            case .agent(let id): return "agent:\(id)"
            case .bot(let id): return "bot:\(id)"
            }
        }
    }

    public struct AgentState: Sendable, Equatable {
        public let settings: AgentSettings
        /// What the agent (or a supervisor) chose; the presence shown adds busy while on a call
        /// or writing up (`shownPresence`).
        public var presence: Presence
        /// Registered now, or has a fixed contact: the gateway can ring the phone.
        public var reachable: Bool
        /// The conversation the agent is talking in, or ringing for.
        public var conversation: String?
        public var ringing: Bool
        /// Capacity units in use.
        public var usedUnits: Int
        /// Writing up the last call until then.
        public var wrapUpUntil: Date?
        /// Since when the agent has had nothing (the last call's end, the board's start).
        public var idleSince: Date
        /// Offers in a row that rang out unanswered.
        public var missedInARow: Int
        public var callsToday: Int

        public var freeUnits: Int { settings.capacity - usedUnits }

        public func shownPresence(at now: Date) -> Presence {
            guard presence == .available else { return presence }
            if conversation != nil || (wrapUpUntil.map { now < $0 } ?? false) { return .busy }
            return .available
        }
    }

    public struct BotMemberState: Sendable, Equatable {
        public let bot: String
        public var capacity: Int
        public var used: Int
        public var idleSince: Date
    }

    /// A caller waiting in a queue.
    public struct Waiting: Sendable, Equatable {
        public let entryID: String
        public let conversationID: String
        public let queue: String
        public let enteredAt: Date
        public let initialPosition: Int
        /// The agent whose phone rings for this caller, and until when.
        public var offer: (agent: String, deadline: Date)? {
            get { offerAgent.map { ($0, offerDeadline!) } }
            set { offerAgent = newValue?.agent; offerDeadline = newValue?.deadline }
        }
        var offerAgent: String?
        var offerDeadline: Date?
        /// Agents who let this caller's offer ring out or declined it: tried after the others.
        public var passedBy: Set<String>
        /// The last position announced (announcements never go up).
        public var announcedPosition: Int?
        public var nextAnnouncement: Date?
    }

    /// What the holder must do.
    public enum Command: Sendable, Equatable {
        /// Ring the agent's phone for the conversation, until `deadline`.
        case ring(conversationID: String, agent: String, queue: String, deadline: Date)
        /// Stop ringing (rang out, the caller left, or overflowed).
        case cancelRing(conversationID: String, agent: String)
        /// A bot member takes the caller now: its part of the conversation starts.
        case toBot(conversationID: String, bot: String, queue: String)
        /// The caller leaves the queue by its overflow action.
        case overflow(conversationID: String, queue: String, action: OverflowAction, reason: String)
        /// Tell the caller where they stand.
        case announce(conversationID: String, position: Int, estimatedWaitSeconds: Double?)
        /// An agent's chosen presence changed by the board's own rules (missed offers).
        case presence(agent: String, presence: Presence, reason: String)
        /// A queue entry began (store it).
        case entered(Waiting)
        /// A queue entry ended.
        case left(entryID: String, conversationID: String, queue: String, result: QueueEntryResult, by: String?, waitSeconds: Double)
    }

    public let settings: RoutingSettings
    public private(set) var agents: [String: AgentState] = [:]
    public private(set) var bots: [String: [String: BotMemberState]] = [:]   // queue -> bot -> state
    /// Waiting callers per queue, in the order they entered it.
    public private(set) var waiting: [String: [Waiting]] = [:]
    /// Who had each live conversation before (agents and bots): a member does not get a
    /// conversation back that it handed on (the seed's bot A -> agent -> bot B order).
    private var history: [String: Set<Member>] = [:]
    /// Where each live conversation is now.
    public private(set) var placement: [String: Member] = [:]
    private var lastOffered: [String: Member] = [:]   // queue -> member, for round robin
    /// The queue whose bot member took each conversation: a bot's capacity is counted per queue.
    private var botQueue: [String: String] = [:]   // conversation -> queue
    /// Recent agent conversation lengths per queue, for the estimated wait.
    private var handleTimes: [String: [Double]] = [:]
    private var agentStartedAt: [String: (queue: String, at: Date)] = [:]   // conversation -> ...
    private var nextEntry = 0
    private let entryPrefix: String

    /// `presence`: what agents had chosen before a restart (else available).
    public init(settings: RoutingSettings, presence: [String: Presence] = [:], now: Date, entryPrefix: String = UUID().uuidString.lowercased()) {
        self.settings = settings
        self.entryPrefix = entryPrefix
        for agent in settings.agents {
            agents[agent.id] = AgentState(settings: agent, presence: presence[agent.id] ?? .available,
                                          reachable: agent.contact != nil, conversation: nil, ringing: false, usedUnits: 0,
                                          wrapUpUntil: nil, idleSince: now, missedInARow: 0, callsToday: 0)
        }
        for queue in settings.queues {
            waiting[queue.name] = []
            var table: [String: BotMemberState] = [:]
            for member in queue.bots { table[member.bot] = BotMemberState(bot: member.bot, capacity: member.capacity, used: 0, idleSince: now) }
            bots[queue.name] = table
        }
    }

    // MARK: - Events

    /// A conversation enters a queue: a bot member with room takes it at once, or it waits (and
    /// an agent's phone rings when one is free). A full queue overflows it at once.
    ///
    /// A conversation waits in one queue at a time: enqueued again into the queue it waits in,
    /// nothing happens; into another, it leaves the first (`moved`). Whatever it leaves (a bot, an
    /// agent) goes first to the callers already waiting.
    public mutating func enqueue(_ conversationID: String, queue name: String, at now: Date) -> [Command] {
        guard let queue = settings.queue(named: name) else { return [] }
        var out: [Command] = []
        if let (current, index) = locate(conversationID) {
            if current == name { return [] }
            out += endEntry(queue: current, index: index, result: .moved, at: now)
        }
        release(conversationID, at: now)
        out += dispatch(at: now)
        let count = waiting[name]?.count ?? 0
        if let max = queue.maxLength, count >= max, !hasFreeBot(queue, conversationID) {
            return out + [.overflow(conversationID: conversationID, queue: name, action: queue.overflow ?? Self.defaultOverflow, reason: "queueFull")]
        }
        nextEntry += 1
        let entry = Waiting(entryID: "\(entryPrefix)-\(nextEntry)", conversationID: conversationID, queue: name, enteredAt: now,
                            initialPosition: count + 1, offerAgent: nil, offerDeadline: nil, passedBy: [],
                            announcedPosition: nil, nextAnnouncement: nil)
        waiting[name, default: []].append(entry)
        out.append(.entered(entry))
        out += dispatch(at: now)
        // Still waiting: the first announcement now, the next ones on the queue's period.
        if let index = waiting[name]?.firstIndex(where: { $0.conversationID == conversationID }) {
            out += announce(queue: name, index: index, at: now, force: true)
        }
        return out
    }

    /// The agent answered: caller and agent talk now; the entry is over.
    public mutating func answered(_ conversationID: String, agent: String, at now: Date) -> [Command] {
        guard let (queue, index) = locate(conversationID), waiting[queue]![index].offerAgent == agent else { return [] }
        let entry = waiting[queue]!.remove(at: index)
        agents[agent]?.ringing = false
        agents[agent]?.missedInARow = 0
        agents[agent]?.callsToday += 1
        placement[conversationID] = .agent(agent)
        history[conversationID, default: []].insert(.agent(agent))
        agentStartedAt[conversationID] = (queue, now)
        return [.left(entryID: entry.entryID, conversationID: conversationID, queue: queue, result: .served, by: agent,
                      waitSeconds: now.timeIntervalSince(entry.enteredAt))] + dispatch(at: now)
    }

    public enum OfferFailure: Sendable, Equatable {
        /// Rang out, or the phone did not answer in time.
        case noAnswer
        /// The agent declined (busy here, 486/603): tried after the others, not held against them.
        case declined
        /// The phone could not be reached (no contact, 404, 408, 503).
        case unreachable
    }

    /// The agent's phone did not take the caller: the next agent is tried at once.
    public mutating func offerFailed(_ conversationID: String, agent: String, _ why: OfferFailure, at now: Date) -> [Command] {
        guard let (queue, index) = locate(conversationID), waiting[queue]![index].offerAgent == agent else { return [] }
        return offerEnded(queue: queue, index: index, agent: agent, why, at: now) + dispatch(at: now)
    }

    /// The conversation with an agent ended (the caller hung up, the agent hung up, or it moved
    /// on): the agent's capacity is free after the wrap-up time.
    public mutating func agentLeft(_ conversationID: String, at now: Date) -> [Command] {
        guard case .agent(let id)? = placement[conversationID] else { return [] }
        placement[conversationID] = nil
        freeAgent(id, conversationID, at: now)
        return dispatch(at: now)
    }

    /// A bot's part of the conversation ended (it handed off, or the call ended).
    public mutating func botLeft(_ conversationID: String, at now: Date) -> [Command] {
        guard case .bot(let id)? = placement[conversationID] else { return [] }
        placement[conversationID] = nil
        freeBot(id, conversationID, at: now)
        return dispatch(at: now)
    }

    /// A bot took the conversation outside any queue (the number's own bot, an agent's hand-back):
    /// it counts in the history, so a queue does not hand it straight back.
    public mutating func botStarted(_ conversationID: String, bot: String) {
        history[conversationID, default: []].insert(.bot(bot))
    }

    /// The call is over: a waiting caller abandoned (with the wait), a ringing phone stops, an
    /// agent is freed. Nothing of the conversation is kept.
    public mutating func callEnded(_ conversationID: String, at now: Date) -> [Command] {
        var out: [Command] = []
        if let (queue, index) = locate(conversationID) {
            out += endEntry(queue: queue, index: index, result: .abandoned, at: now)
        }
        out += agentLeft(conversationID, at: now)
        out += botLeft(conversationID, at: now)
        history[conversationID] = nil
        agentStartedAt[conversationID] = nil
        return out + dispatch(at: now)
    }

    /// The caller leaves the queue for somewhere else (an agent's transfer to a bot, an overflow
    /// carried out): `result` says which.
    public mutating func leave(_ conversationID: String, result: QueueEntryResult, at now: Date) -> [Command] {
        guard let (queue, index) = locate(conversationID) else { return [] }
        return endEntry(queue: queue, index: index, result: result, at: now) + dispatch(at: now)
    }

    /// The agent (or a supervisor) chose a presence. Anything but available stops a phone that
    /// rings for a caller (the next agent is tried at once; not a missed offer). `idleSince`
    /// stays: it is the end of the last conversation, whatever the agent did since.
    public mutating func setPresence(_ agent: String, _ presence: Presence, at now: Date) -> [Command] {
        guard agents[agent] != nil else { return [] }
        agents[agent]!.presence = presence
        var out: [Command] = []
        if presence == .available {
            agents[agent]!.missedInARow = 0
        } else {
            out += withdrawOffer(of: agent)
        }
        return out + dispatch(at: now)
    }

    /// The agent's phone registered or went away. One that can no longer be reached stops ringing
    /// (the next agent is tried at once; not a missed offer).
    public mutating func setReachable(_ agent: String, _ reachable: Bool, at now: Date) -> [Command] {
        guard agents[agent] != nil else { return [] }
        agents[agent]!.reachable = reachable || agents[agent]!.settings.contact != nil
        let out = agents[agent]!.reachable ? [] : withdrawOffer(of: agent)
        return out + dispatch(at: now)
    }

    /// Time passes: ringing offers run out, waits hit their maximum, wrap-ups end,
    /// announcements fall due.
    public mutating func tick(at now: Date) -> [Command] {
        var out: [Command] = []
        for name in waiting.keys.sorted() {
            guard let queue = settings.queue(named: name) else { continue }
            var i = 0
            while i < (waiting[name]?.count ?? 0) {
                let entry = waiting[name]![i]
                if let max = queue.maxWaitSeconds, now.timeIntervalSince(entry.enteredAt) >= max {
                    out += endEntry(queue: name, index: i, result: .overflowed, at: now)
                    out.append(.overflow(conversationID: entry.conversationID, queue: name, action: queue.overflow ?? Self.defaultOverflow,
                                         reason: "maxWait"))
                    continue
                }
                if let agent = entry.offerAgent, let deadline = entry.offerDeadline, now >= deadline {
                    out.append(.cancelRing(conversationID: entry.conversationID, agent: agent))
                    out += offerEnded(queue: name, index: i, agent: agent, .noAnswer, at: now)
                }
                i += 1
            }
        }
        for (id, agent) in agents where agent.wrapUpUntil.map({ now >= $0 }) ?? false {
            agents[id]!.wrapUpUntil = nil
        }
        out += dispatch(at: now)
        for name in waiting.keys.sorted() {
            for index in (waiting[name] ?? []).indices { out += announce(queue: name, index: index, at: now, force: false) }
        }
        return out
    }

    // MARK: - Reading

    /// 1-based place of a waiting caller in their queue.
    public func position(of conversationID: String) -> Int? {
        guard let (_, index) = locate(conversationID) else { return nil }
        return index + 1
    }

    public func queue(of conversationID: String) -> String? { locate(conversationID)?.0 }

    /// The estimated wait of the caller at `position` in the queue: the callers ahead, shared
    /// among the agents staffing the queue, times the queue's recent agent conversation length
    /// (120 s until there is one). nil when no agent staffs the queue.
    public func estimatedWait(queue: String, position: Int) -> Double? {
        let staffed = agents.values.filter { $0.settings.queues.contains(queue) && $0.presence == .available && $0.reachable }.count
        guard staffed > 0 else { return nil }
        let recent = handleTimes[queue] ?? []
        let handle = recent.isEmpty ? 120 : recent.reduce(0, +) / Double(recent.count)
        let rounds = (Double(position) / Double(staffed)).rounded(.up)
        return rounds * handle
    }

    /// The members of a queue that could take a conversation now, best first by the queue's method.
    public func candidates(for conversationID: String, in queueName: String, at now: Date) -> [Member] {
        guard let queue = settings.queue(named: queueName) else { return [] }
        let had = history[conversationID] ?? []
        var members: [(member: Member, free: Int, idle: Date, active: Int, order: Int)] = []
        var order = 0
        for bot in queue.bots {
            order += 1
            guard let state = bots[queueName]?[bot.bot], state.used < state.capacity, !had.contains(.bot(bot.bot)) else { continue }
            members.append((.bot(bot.bot), state.capacity - state.used, state.idleSince, state.used, order))
        }
        let passed = locate(conversationID).map { waiting[$0.0]![$0.1].passedBy } ?? []
        for agent in settings.agents where agent.queues.contains(queueName) {
            order += 1
            guard let state = agents[agent.id], state.presence == .available, state.reachable, state.conversation == nil,
                  !(state.wrapUpUntil.map { now < $0 } ?? false), state.freeUnits >= queue.unitsPerCall,
                  !had.contains(.agent(agent.id)) else { continue }
            members.append((.agent(agent.id), state.freeUnits, state.idleSince, state.usedUnits > 0 ? 1 : 0, order))
        }
        var sorted: [Member]
        switch queue.assignment {
        case .highestCapacity:
            sorted = members.sorted { ($0.free, -$0.order) > ($1.free, -$1.order) }.map(\.member)
        case .longestIdle:
            sorted = members.sorted { ($0.idle, $0.order) < ($1.idle, $1.order) }.map(\.member)
        case .leastActive:
            sorted = members.sorted { ($0.active, $0.idle, $0.order) < ($1.active, $1.idle, $1.order) }.map(\.member)
        case .roundRobin:
            let ordered = members.sorted { $0.order < $1.order }
            let all = ordered.map(\.member)
            if let last = lastOffered[queueName], let lastOrder = memberOrder(last, in: queue),
               let cut = ordered.firstIndex(where: { $0.order > lastOrder }) {
                sorted = Array(all[cut...] + all[..<cut])
            } else {
                sorted = all
            }
        }
        // Agents who let this caller ring out go last: the others are tried first.
        return sorted.filter { if case .agent(let id) = $0 { return !passed.contains(id) } else { return true } }
            + sorted.filter { if case .agent(let id) = $0 { return passed.contains(id) } else { return false } }
    }

    // MARK: - Inside

    public static let defaultOverflow = OverflowAction.message("We're sorry, no one can take your call right now. Please call again later.")

    private func locate(_ conversationID: String) -> (String, Int)? {
        for (name, list) in waiting {
            if let index = list.firstIndex(where: { $0.conversationID == conversationID }) { return (name, index) }
        }
        return nil
    }

    private func hasFreeBot(_ queue: QueueSettings, _ conversationID: String) -> Bool {
        let had = history[conversationID] ?? []
        return queue.bots.contains { b in
            guard let s = bots[queue.name]?[b.bot] else { return false }
            return s.used < s.capacity && !had.contains(.bot(b.bot))
        }
    }

    private func memberOrder(_ member: Member, in queue: QueueSettings) -> Int? {
        var order = 0
        for bot in queue.bots {
            order += 1
            if member == .bot(bot.bot) { return order }
        }
        for agent in settings.agents where agent.queues.contains(queue.name) {
            order += 1
            if member == .agent(agent.id) { return order }
        }
        return nil
    }

    /// Moves a conversation out of wherever it was (a bot, an agent) before it enters a queue.
    private mutating func release(_ conversationID: String, at now: Date) {
        if case .agent(let id)? = placement[conversationID] { freeAgent(id, conversationID, at: now) }
        if case .bot(let id)? = placement[conversationID] { freeBot(id, conversationID, at: now) }
        placement[conversationID] = nil
    }

    /// The bot member's place in the queue it took the conversation from is free again.
    private mutating func freeBot(_ bot: String, _ conversationID: String, at now: Date) {
        guard let queue = botQueue.removeValue(forKey: conversationID), let state = bots[queue]?[bot], state.used > 0 else { return }
        bots[queue]![bot]!.used = state.used - 1
        bots[queue]![bot]!.idleSince = now
    }

    /// Takes a waiting caller's entry out of its queue: a phone ringing for them stops, and the
    /// entry ends with `result`. No dispatch (the caller decides when).
    private mutating func endEntry(queue: String, index: Int, result: QueueEntryResult, at now: Date) -> [Command] {
        let entry = waiting[queue]!.remove(at: index)
        var out: [Command] = []
        if let agent = entry.offerAgent {
            agents[agent]?.ringing = false
            agents[agent]?.conversation = nil
            agents[agent]?.usedUnits = 0
            out.append(.cancelRing(conversationID: entry.conversationID, agent: agent))
        }
        out.append(.left(entryID: entry.entryID, conversationID: entry.conversationID, queue: queue, result: result, by: nil,
                         waitSeconds: now.timeIntervalSince(entry.enteredAt)))
        return out
    }

    /// Stops the agent's phone ringing for a caller when the agent can no longer take them
    /// (presence, registration): the caller tries the others first, the agent is not held to it.
    private mutating func withdrawOffer(of agent: String) -> [Command] {
        guard agents[agent]?.ringing == true, let conversationID = agents[agent]?.conversation,
              let (queue, index) = locate(conversationID), waiting[queue]![index].offerAgent == agent else { return [] }
        waiting[queue]![index].offer = nil
        waiting[queue]![index].passedBy.insert(agent)
        agents[agent]!.ringing = false
        agents[agent]!.conversation = nil
        agents[agent]!.usedUnits = 0
        return [.cancelRing(conversationID: conversationID, agent: agent)]
    }

    private mutating func freeAgent(_ id: String, _ conversationID: String, at now: Date) {
        guard var agent = agents[id], agent.conversation == conversationID else { return }
        agent.conversation = nil
        agent.ringing = false
        agent.usedUnits = 0
        agent.idleSince = now
        if agent.settings.wrapUpSeconds > 0 { agent.wrapUpUntil = now.addingTimeInterval(agent.settings.wrapUpSeconds) }
        agents[id] = agent
        if let started = agentStartedAt.removeValue(forKey: conversationID) {
            var list = handleTimes[started.queue] ?? []
            list.append(now.timeIntervalSince(started.at))
            handleTimes[started.queue] = Array(list.suffix(20))
        }
    }

    private mutating func offerEnded(queue: String, index: Int, agent: String, _ why: OfferFailure, at now: Date) -> [Command] {
        var out: [Command] = []
        waiting[queue]![index].offer = nil
        waiting[queue]![index].passedBy.insert(agent)
        guard var state = agents[agent] else { return out }
        state.ringing = false
        state.conversation = nil
        state.usedUnits = 0
        if why != .declined {
            state.missedInARow += 1
            let limit = settings.queue(named: queue)?.missedOffersBeforeAway ?? 3
            if state.missedInARow >= limit, state.presence == .available {
                state.presence = .away
                out.append(.presence(agent: agent, presence: .away, reason: why == .noAnswer ? "missedOffers" : "unreachable"))
            }
        }
        agents[agent] = state
        return out
    }

    /// Gives waiting callers, oldest first across queues, to the best free member of their queue.
    private mutating func dispatch(at now: Date) -> [Command] {
        var out: [Command] = []
        let order = waiting.flatMap { name, list in list.map { (name, $0.conversationID, $0.enteredAt, $0.offerAgent != nil) } }
            .sorted { ($0.2, $0.1) < ($1.2, $1.1) }
        for (name, conversationID, _, ringing) in order where !ringing {
            guard let queue = settings.queue(named: name), let member = candidates(for: conversationID, in: name, at: now).first,
                  let (_, index) = locate(conversationID) else { continue }
            lastOffered[name] = member
            switch member {
            case .bot(let bot):
                let entry = waiting[name]!.remove(at: index)
                bots[name]![bot]!.used += 1
                placement[conversationID] = .bot(bot)
                botQueue[conversationID] = name
                history[conversationID, default: []].insert(.bot(bot))
                out.append(.left(entryID: entry.entryID, conversationID: conversationID, queue: name, result: .tookByBot, by: bot,
                                 waitSeconds: now.timeIntervalSince(entry.enteredAt)))
                out.append(.toBot(conversationID: conversationID, bot: bot, queue: name))
            case .agent(let agent):
                let deadline = now.addingTimeInterval(queue.ringTimeoutSeconds)
                waiting[name]![index].offer = (agent, deadline)
                agents[agent]!.ringing = true
                agents[agent]!.conversation = conversationID
                agents[agent]!.usedUnits = queue.unitsPerCall
                out.append(.ring(conversationID: conversationID, agent: agent, queue: name, deadline: deadline))
            }
        }
        return out
    }

    /// The caller's position and wait, when due: at entry, then every `announceEverySeconds`,
    /// never a higher position than the last one announced.
    private mutating func announce(queue name: String, index: Int, at now: Date, force: Bool) -> [Command] {
        guard let queue = settings.queue(named: name), let period = queue.announceEverySeconds, period > 0 else { return [] }
        var entry = waiting[name]![index]
        guard force || (entry.nextAnnouncement.map { now >= $0 } ?? true) else { return [] }
        let position = min(index + 1, entry.announcedPosition ?? Int.max)
        entry.announcedPosition = position
        entry.nextAnnouncement = now.addingTimeInterval(period)
        waiting[name]![index] = entry
        return [.announce(conversationID: entry.conversationID, position: position,
                          estimatedWaitSeconds: estimatedWait(queue: name, position: position))]
    }
}

/// How a queue entry ended.
public enum QueueEntryResult: String, Sendable, Equatable, Codable, CaseIterable {
    /// An agent answered.
    case served
    /// The caller hung up while waiting.
    case abandoned
    /// Waited too long, or the queue was full: the overflow action took over.
    case overflowed
    /// Moved elsewhere while waiting (a supervisor's transfer).
    case moved
    /// A bot member took the caller.
    case tookByBot
    /// The gateway stopped while the caller waited.
    case interrupted
}

import Foundation
import Testing
@testable import VoiceGateCore

/// The routing state machine: which member a queue picks, who may ring, rollover, missed offers,
/// overflow, bots as members, abandons, positions and the estimated wait. Times are a fixed base
/// plus seconds; entry ids are "t-1", "t-2", ...
@Suite struct RoutingBoardTests {
    typealias Command = RoutingBoard.Command
    let t0 = Date(timeIntervalSince1970: 1_700_000_000)

    func at(_ seconds: Double) -> Date { t0.addingTimeInterval(seconds) }

    /// An agent with a fixed contact (reachable from the start) serving `queues`.
    func agent(_ id: String, capacity: Int = 1, queues: [String] = ["Q"], wrapUp: Double = 0) -> AgentSettings {
        AgentSettings(id: id, name: id.uppercased(), contact: "sip:\(id)@192.0.2.10", capacity: capacity, queues: queues,
                      wrapUpSeconds: wrapUp)
    }

    func board(_ agents: [AgentSettings], _ queues: [QueueSettings], presence: [String: Presence] = [:]) -> RoutingBoard {
        RoutingBoard(settings: RoutingSettings(agents: agents, queues: queues), presence: presence, now: t0, entryPrefix: "t")
    }

    func queue(_ name: String = "Q", _ assignment: AssignmentMethod = .highestCapacity, bots: [QueueBotMember] = [],
               ring: Double = 10, maxWait: Double? = nil, maxLength: Int? = nil, overflow: OverflowAction? = nil,
               announce: Double? = nil, missed: Int = 3) -> QueueSettings {
        QueueSettings(name: name, assignment: assignment, bots: bots, ringTimeoutSeconds: ring, maxWaitSeconds: maxWait,
                      maxLength: maxLength, overflow: overflow, announceEverySeconds: announce, missedOffersBeforeAway: missed)
    }

    // MARK: reading commands

    /// "conversation>agent" for every ring.
    func rings(_ out: [Command]) -> [String] {
        out.compactMap { command -> String? in
            if case .ring(let conversation, let agent, _, _) = command { return "\(conversation)>\(agent)" }
            return nil
        }
    }

    func cancels(_ out: [Command]) -> [String] {
        out.compactMap { command -> String? in
            if case .cancelRing(let conversation, let agent) = command { return "\(conversation)>\(agent)" }
            return nil
        }
    }

    func toBots(_ out: [Command]) -> [String] {
        out.compactMap { command -> String? in
            if case .toBot(let conversation, let bot, _) = command { return "\(conversation)>\(bot)" }
            return nil
        }
    }

    func lefts(_ out: [Command]) -> [(conversation: String, result: QueueEntryResult, by: String?, wait: Double)] {
        out.compactMap { command in
            if case .left(_, let conversation, _, let result, let by, let wait) = command { return (conversation, result, by, wait) }
            return nil
        }
    }

    func entered(_ out: [Command]) -> [String] {
        out.compactMap { command -> String? in
            if case .entered(let entry) = command { return entry.conversationID }
            return nil
        }
    }

    func overflows(_ out: [Command]) -> [(conversation: String, action: OverflowAction, reason: String)] {
        out.compactMap { command in
            if case .overflow(let conversation, _, let action, let reason) = command { return (conversation, action, reason) }
            return nil
        }
    }

    func announcements(_ out: [Command]) -> [String: Int] {
        var positions: [String: Int] = [:]
        for command in out {
            if case .announce(let conversation, let position, _) = command { positions[conversation] = position }
        }
        return positions
    }

    /// Answers a ringing offer and ends the conversation again at once (no wrap-up unless configured).
    func serve(_ board: inout RoutingBoard, _ conversation: String, by agent: String, at time: Double, end: Double? = nil) {
        let answered = board.answered(conversation, agent: agent, at: at(time))
        #expect(lefts(answered).map(\.result) == [.served], "\(agent) answers \(conversation)")
        _ = board.agentLeft(conversation, at: at(end ?? time))
    }

    struct Snapshot: Equatable {
        var agents: [String: RoutingBoard.AgentState]
        var bots: [String: [String: RoutingBoard.BotMemberState]]
        var waiting: [String: [RoutingBoard.Waiting]]
        var placement: [String: RoutingBoard.Member]
        init(_ board: RoutingBoard) {
            agents = board.agents
            bots = board.bots
            waiting = board.waiting
            placement = board.placement
        }
    }

    // MARK: 1. assignment methods

    @Test("highestCapacity: the member with the most free units, ties in configuration order")
    func highestCapacity() {
        var b = board([agent("a", capacity: 1), agent("b", capacity: 3), agent("c", capacity: 3)], [queue()])
        #expect(rings(b.enqueue("c1", queue: "Q", at: at(0))) == ["c1>b"], "b and c tie on 3: b comes first")
        #expect(rings(b.enqueue("c2", queue: "Q", at: at(1))) == ["c2>c"], "b rings: c has the most left")
        #expect(rings(b.enqueue("c3", queue: "Q", at: at(2))) == ["c3>a"])
        #expect(b.candidates(for: "c4", in: "Q", at: at(3)).isEmpty)
    }

    @Test("roundRobin: each conversation goes to the member after the one offered the last")
    func roundRobin() {
        var b = board([agent("a"), agent("b"), agent("c")], [queue("Q", .roundRobin)])
        var order: [String] = []
        for n in 1...5 {
            let out = b.enqueue("c\(n)", queue: "Q", at: at(Double(n * 10)))
            order += rings(out)
            let agent = String(rings(out).first?.split(separator: ">").last ?? "")
            serve(&b, "c\(n)", by: agent, at: Double(n * 10 + 1), end: Double(n * 10 + 5))
        }
        #expect(order == ["c1>a", "c2>b", "c3>c", "c4>a", "c5>b"])

        // It is c's turn, but c is busy: a; then the turn goes on after a.
        _ = b.setPresence("c", .busy, at: at(100))
        #expect(rings(b.enqueue("c6", queue: "Q", at: at(101))) == ["c6>a"])
        _ = b.setPresence("c", .available, at: at(102))
        #expect(rings(b.enqueue("c7", queue: "Q", at: at(103))) == ["c7>b"], "after a comes b")
        #expect(rings(b.enqueue("c8", queue: "Q", at: at(104))) == ["c8>c"])
    }

    @Test("longestIdle: the oldest idleSince (the board's start, or the end of the last conversation)")
    func longestIdle() {
        var b = board([agent("a"), agent("b"), agent("c")], [queue("Q", .longestIdle)])
        #expect(rings(b.enqueue("c1", queue: "Q", at: at(1))) == ["c1>a"], "all idle since the start: configuration order")
        #expect(rings(b.enqueue("c2", queue: "Q", at: at(2))) == ["c2>b"])
        #expect(rings(b.enqueue("c3", queue: "Q", at: at(3))) == ["c3>c"])
        _ = b.answered("c1", agent: "a", at: at(4))
        _ = b.answered("c2", agent: "b", at: at(4))
        _ = b.answered("c3", agent: "c", at: at(4))
        _ = b.agentLeft("c2", at: at(5))    // b idle since 5
        _ = b.agentLeft("c1", at: at(10))   // a idle since 10
        _ = b.agentLeft("c3", at: at(20))   // c idle since 20
        #expect(b.agents["b"]?.idleSince == at(5))
        var order: [String] = []
        for (n, time) in [(4, 30.0), (5, 31.0), (6, 32.0)] {
            order += rings(b.enqueue("c\(n)", queue: "Q", at: at(time)))
        }
        #expect(order == ["c4>b", "c5>a", "c6>c"])
    }

    @Test("longestIdle: a presence change is not the end of a conversation")
    func longestIdleIgnoresPresence() {
        var b = board([agent("a"), agent("b")], [queue("Q", .longestIdle)])
        _ = b.enqueue("c1", queue: "Q", at: at(1))
        _ = b.enqueue("c2", queue: "Q", at: at(1))
        _ = b.answered("c1", agent: "a", at: at(2))
        _ = b.answered("c2", agent: "b", at: at(2))
        _ = b.agentLeft("c1", at: at(10))   // a idle since 10
        _ = b.agentLeft("c2", at: at(20))   // b idle since 20
        _ = b.setPresence("b", .available, at: at(25))        // already available: nothing changes
        _ = b.setPresence("a", .busy, at: at(26))
        _ = b.setPresence("a", .available, at: at(27))
        #expect(b.agents["a"]?.idleSince == at(10))
        #expect(b.agents["b"]?.idleSince == at(20))
        #expect(rings(b.enqueue("c3", queue: "Q", at: at(30))) == ["c3>a"])
    }

    @Test("leastActive: the member with the fewest conversations now, ties idle longest")
    func leastActive() {
        let bots = [QueueBotMember(bot: "X", capacity: 5)]
        var least = board([agent("a")], [queue("Q", .leastActive, bots: bots)])
        #expect(toBots(least.enqueue("c1", queue: "Q", at: at(1))) == ["c1>X"], "both idle since the start: configuration order")
        #expect(rings(least.enqueue("c2", queue: "Q", at: at(2))) == ["c2>a"], "X has one, a none")
        #expect(least.bots["Q"]?["X"]?.used == 1)

        // The same queue by highest capacity keeps giving to X (4 free against 1).
        var highest = board([agent("a")], [queue("Q", .highestCapacity, bots: bots)])
        _ = highest.enqueue("c1", queue: "Q", at: at(1))
        #expect(toBots(highest.enqueue("c2", queue: "Q", at: at(2))) == ["c2>X"])

        // Bots only: the fewest now, then the idle longest.
        var two = board([], [queue("Q", .leastActive, bots: [QueueBotMember(bot: "X", capacity: 5), QueueBotMember(bot: "Y", capacity: 5)])])
        var order: [String] = []
        for n in 1...4 { order += toBots(two.enqueue("c\(n)", queue: "Q", at: at(Double(n)))) }
        #expect(order == ["c1>X", "c2>Y", "c3>X", "c4>Y"])
        _ = two.botLeft("c2", at: at(10))   // Y: 1 now, idle since 10
        _ = two.botLeft("c1", at: at(11))   // X: 1 now, idle since 11
        #expect(toBots(two.enqueue("c5", queue: "Q", at: at(12))) == ["c5>Y"], "both 1: Y idle longer")
        #expect(toBots(two.enqueue("c6", queue: "Q", at: at(13))) == ["c6>X"], "X has fewer")
    }

    // MARK: 2. eligibility

    @Test("only an available, reachable, free agent of the queue rings")
    func eligibility() {
        let registered = AgentSettings(id: "r", credentials: DigestCredentials(username: "r", password: "pw"), queues: ["Q"])
        var b = board([agent("away"), agent("other", queues: ["Other"]), registered, agent("a", wrapUp: 30)], [queue(), queue("Other")],
                      presence: ["away": .away])
        #expect(b.agents["r"]?.reachable == false, "registers before it can ring")
        #expect(rings(b.enqueue("c1", queue: "Q", at: at(0))) == ["c1>a"])
        #expect(rings(b.enqueue("c2", queue: "Q", at: at(1))).isEmpty, "a rings for c1; away, other and r cannot")
        _ = b.answered("c1", agent: "a", at: at(2))
        #expect(b.agents["a"]?.shownPresence(at: at(2)) == .busy)

        // r registers: c2 rings it at once.
        #expect(rings(b.setReachable("r", true, at: at(3))) == ["c2>r"])
        _ = b.answered("c2", agent: "r", at: at(4))

        // a ends c1 at 10 and writes up until 40.
        #expect(rings(b.agentLeft("c1", at: at(10))).isEmpty)
        #expect(rings(b.enqueue("c3", queue: "Q", at: at(11))).isEmpty, "a writes up, r talks")
        #expect(b.agents["a"]?.shownPresence(at: at(20)) == .busy)
        #expect(rings(b.tick(at: at(39))).isEmpty)
        #expect(rings(b.tick(at: at(40))) == ["c3>a"])
        #expect(b.agents["a"]?.wrapUpUntil == nil)

        // A fixed contact stays reachable whatever the registrar says.
        _ = b.setReachable("a", false, at: at(41))
        #expect(b.agents["a"]?.reachable == true)
        _ = b.setReachable("r", false, at: at(41))
        #expect(b.agents["r"]?.reachable == false)
    }

    @Test("busy, away or offline stops offers; available again rings a waiting caller at once")
    func presenceStopsOffers() {
        for presence in [Presence.busy, .away, .offline] {
            var b = board([agent("a")], [queue()])
            #expect(b.setPresence("a", presence, at: at(0)).isEmpty)
            let out = b.enqueue("c1", queue: "Q", at: at(1))
            #expect(rings(out).isEmpty, "\(presence)")
            #expect(entered(out) == ["c1"])
            #expect(rings(b.tick(at: at(30))).isEmpty)
            let back = b.setPresence("a", .available, at: at(31))
            #expect(back.contains(.ring(conversationID: "c1", agent: "a", queue: "Q", deadline: at(41))), "\(presence)")
        }
    }

    @Test("an agent who goes away or unregisters while ringing stops ringing; the next agent rings at once")
    func leavingWhileRinging() {
        var b = board([agent("a"), agent("b")], [queue()])
        #expect(rings(b.enqueue("c1", queue: "Q", at: at(0))) == ["c1>a"])
        let away = b.setPresence("a", .away, at: at(2))
        #expect(cancels(away) == ["c1>a"])
        #expect(rings(away) == ["c1>b"])
        #expect(b.agents["a"]?.conversation == nil && b.agents["a"]?.ringing == false)
        #expect(b.agents["a"]?.missedInARow == 0, "not a missed offer")

        let registered = AgentSettings(id: "r", credentials: DigestCredentials(username: "r", password: "pw"), queues: ["Q"])
        var r = board([registered, agent("b")], [queue()], presence: ["b": .busy])
        _ = r.setReachable("r", true, at: at(0))
        #expect(rings(r.enqueue("c1", queue: "Q", at: at(1))) == ["c1>r"])
        let gone = r.setReachable("r", false, at: at(2))
        #expect(cancels(gone) == ["c1>r"])
        #expect(r.waiting["Q"]?.first?.offer == nil)
        #expect(rings(r.setPresence("b", .available, at: at(3))) == ["c1>b"])
    }

    // MARK: 3. rollover and missed offers

    @Test("a ring that runs out is cancelled and the next agent rings in the same tick")
    func rolloverOnTimeout() {
        var b = board([agent("a"), agent("b")], [queue(ring: 10)])
        #expect(b.enqueue("c1", queue: "Q", at: at(0)).contains(.ring(conversationID: "c1", agent: "a", queue: "Q", deadline: at(10))))
        #expect(b.tick(at: at(9.9)).isEmpty)
        let out = b.tick(at: at(10))
        #expect(cancels(out) == ["c1>a"])
        #expect(out.contains(.ring(conversationID: "c1", agent: "b", queue: "Q", deadline: at(20))))
        #expect(out.firstIndex(of: .cancelRing(conversationID: "c1", agent: "a"))! < out.firstIndex { if case .ring = $0 { return true } else { return false } }!)
        #expect(b.agents["a"]?.missedInARow == 1 && b.agents["a"]?.conversation == nil)
        // Both passed: the first again.
        let again = b.tick(at: at(20))
        #expect(cancels(again) == ["c1>b"] && rings(again) == ["c1>a"])
    }

    @Test("a decline rolls over at once, is not a missed offer, and the agent who passed comes last")
    func declineRollsOver() {
        var b = board([agent("a"), agent("b"), agent("c")], [queue(ring: 10)])
        #expect(rings(b.enqueue("c1", queue: "Q", at: at(0))) == ["c1>a"])
        let declined = b.offerFailed("c1", agent: "a", .declined, at: at(2))
        #expect(rings(declined) == ["c1>b"])
        #expect(cancels(declined).isEmpty, "the phone already said no")
        #expect(b.agents["a"]?.missedInARow == 0)
        #expect(b.candidates(for: "c1", in: "Q", at: at(3)) == [.agent("c"), .agent("a")], "b rings; a is free but passed")
        let rangOut = b.tick(at: at(12))
        #expect(rings(rangOut) == ["c1>c"], "c has not passed yet: before a")
        #expect(rings(b.offerFailed("c1", agent: "c", .noAnswer, at: at(13))) == ["c1>a"])
    }

    @Test("N missed offers in a row set the agent away; declines do not count; an answer resets the count")
    func missedOffers() {
        var b = board([agent("a")], [queue(ring: 10, missed: 2)])
        _ = b.enqueue("c1", queue: "Q", at: at(0))
        let first = b.tick(at: at(10))
        #expect(cancels(first) == ["c1>a"] && rings(first) == ["c1>a"], "no one else: a again")
        #expect(b.agents["a"]?.missedInARow == 1)
        let second = b.tick(at: at(20))
        #expect(cancels(second) == ["c1>a"])
        #expect(second.contains(.presence(agent: "a", presence: .away, reason: "missedOffers")))
        #expect(rings(second).isEmpty)
        #expect(b.agents["a"]?.presence == .away)

        // Back: the count starts again; a miss, then an answer, then a miss keeps a available.
        #expect(rings(b.setPresence("a", .available, at: at(30))) == ["c1>a"])
        #expect(b.agents["a"]?.missedInARow == 0)
        _ = b.tick(at: at(40))
        #expect(b.agents["a"]?.missedInARow == 1)
        _ = b.answered("c1", agent: "a", at: at(41))
        #expect(b.agents["a"]?.missedInARow == 0)
        _ = b.agentLeft("c1", at: at(50))
        _ = b.enqueue("c2", queue: "Q", at: at(51))
        let miss = b.tick(at: at(61))
        #expect(!miss.contains { if case .presence = $0 { return true } else { return false } })
        #expect(b.agents["a"]?.presence == .available)

        // Declines, any number of them, are not held against the agent.
        var d = board([agent("a")], [queue(ring: 10, missed: 2)])
        _ = d.enqueue("c1", queue: "Q", at: at(0))
        for n in 1...5 {
            let out = d.offerFailed("c1", agent: "a", .declined, at: at(Double(n)))
            #expect(rings(out) == ["c1>a"])
        }
        #expect(d.agents["a"]?.presence == .available && d.agents["a"]?.missedInARow == 0)
    }

    // MARK: 4. overflow

    @Test("a full queue overflows the newcomer at once, without an entry")
    func queueFull() {
        var b = board([agent("a")], [queue(maxLength: 2)], presence: ["a": .away])
        #expect(entered(b.enqueue("c1", queue: "Q", at: at(0))) == ["c1"])
        #expect(entered(b.enqueue("c2", queue: "Q", at: at(1))) == ["c2"])
        #expect(b.enqueue("c3", queue: "Q", at: at(2)) == [.overflow(conversationID: "c3", queue: "Q", action: RoutingBoard.defaultOverflow, reason: "queueFull")])
        #expect(b.waiting["Q"]?.count == 2 && b.queue(of: "c3") == nil)

        var t = board([agent("a")], [queue(maxLength: 1, overflow: .transfer("+14155550123"))], presence: ["a": .away])
        _ = t.enqueue("c1", queue: "Q", at: at(0))
        #expect(t.enqueue("c2", queue: "Q", at: at(1)) == [.overflow(conversationID: "c2", queue: "Q", action: .transfer("+14155550123"), reason: "queueFull")])
    }

    @Test("the maximum wait overflows the caller and cancels a ringing offer")
    func maxWait() {
        var b = board([agent("a")], [queue(ring: 100, maxWait: 60, overflow: .queue("Other")), queue("Other")])
        #expect(rings(b.enqueue("c1", queue: "Q", at: at(0))) == ["c1>a"])
        #expect(b.tick(at: at(59)).isEmpty)
        let out = b.tick(at: at(60))
        #expect(cancels(out) == ["c1>a"])
        #expect(lefts(out).map(\.conversation) == ["c1"] && lefts(out).map(\.result) == [.overflowed] && lefts(out).map(\.wait) == [60])
        #expect(overflows(out).map(\.reason) == ["maxWait"] && overflows(out).map(\.action) == [.queue("Other")])
        #expect(b.agents["a"]?.conversation == nil && b.agents["a"]?.ringing == false)
        #expect(rings(b.enqueue("c2", queue: "Q", at: at(61))) == ["c2>a"], "a is free again")

        var d = board([], [queue(maxWait: 30)])
        _ = d.enqueue("c1", queue: "Q", at: at(0))
        #expect(overflows(d.tick(at: at(31))).map(\.action) == [RoutingBoard.defaultOverflow])
        #expect(d.waiting["Q"]?.isEmpty == true)
        #expect(d.tick(at: at(32)).isEmpty, "once")
    }

    // MARK: 5. bots as members

    @Test("two bots in one queue: bot A, then the agent, then bot B")
    func twoBotsInOneQueue() {
        var b = board([agent("agent", capacity: 10)], [queue("Q", bots: [QueueBotMember(bot: "A", capacity: 100), QueueBotMember(bot: "B", capacity: 1)])])
        let first = b.enqueue("c1", queue: "Q", at: at(0))
        #expect(toBots(first) == ["c1>A"])
        #expect(lefts(first).map(\.result) == [.tookByBot] && lefts(first).map(\.by) == ["A"])
        #expect(b.placement["c1"] == .bot("A"))
        b.botStarted("c1", bot: "A")
        #expect(b.bots["Q"]?["A"]?.used == 1)

        // Bot A hands off.
        let second = b.enqueue("c1", queue: "Q", at: at(5))
        #expect(rings(second) == ["c1>agent"])
        #expect(toBots(second).isEmpty, "A is not offered again")
        #expect(b.bots["Q"]?["A"]?.used == 0)
        #expect(lefts(b.answered("c1", agent: "agent", at: at(7))).map(\.by) == ["agent"])
        #expect(b.placement["c1"] == .agent("agent"))

        // The agent hands back to the queue.
        let third = b.enqueue("c1", queue: "Q", at: at(20))
        #expect(toBots(third) == ["c1>B"])
        #expect(rings(third).isEmpty)
        #expect(b.agents["agent"]?.conversation == nil)
        #expect(b.placement["c1"] == .bot("B"))

        // Another conversation still starts at A.
        #expect(toBots(b.enqueue("c2", queue: "Q", at: at(21))) == ["c2>A"])
    }

    @Test("two bots in two queues: Q1 bot A then the agent, Q2 bot B")
    func twoBotsInTwoQueues() {
        var b = board([agent("agent", capacity: 10, queues: ["Q1"])],
                      [queue("Q1", bots: [QueueBotMember(bot: "A", capacity: 100)]), queue("Q2", bots: [QueueBotMember(bot: "B", capacity: 100)])])
        #expect(toBots(b.enqueue("c1", queue: "Q1", at: at(0))) == ["c1>A"])
        let handOff = b.enqueue("c1", queue: "Q1", at: at(3))
        #expect(rings(handOff) == ["c1>agent"] && toBots(handOff).isEmpty)
        _ = b.answered("c1", agent: "agent", at: at(4))
        let toQ2 = b.enqueue("c1", queue: "Q2", at: at(30))
        #expect(toBots(toQ2) == ["c1>B"])
        #expect(b.agents["agent"]?.conversation == nil)
    }

    @Test("a bot's capacity is respected: a full bot is skipped")
    func botCapacity() {
        var b = board([agent("a")], [queue("Q", bots: [QueueBotMember(bot: "X", capacity: 1), QueueBotMember(bot: "Y", capacity: 1)])])
        #expect(toBots(b.enqueue("c1", queue: "Q", at: at(0))) == ["c1>X"])
        #expect(toBots(b.enqueue("c2", queue: "Q", at: at(1))) == ["c2>Y"])
        #expect(rings(b.enqueue("c3", queue: "Q", at: at(2))) == ["c3>a"])
        #expect(entered(b.enqueue("c4", queue: "Q", at: at(3))) == ["c4"])
        // X's conversation ends: the waiting caller goes to X.
        #expect(toBots(b.botLeft("c1", at: at(4))) == ["c4>X"])
    }

    @Test("a bot in two queues has its capacity in each: one queue's conversation frees its own")
    func botInTwoQueues() {
        for (first, second) in [("Q1", "Q2"), ("Q2", "Q1")] {
            let member = [QueueBotMember(bot: "X", capacity: 1)]
            var b = board([], [queue("Q1", bots: member), queue("Q2", bots: member)])
            #expect(toBots(b.enqueue("c1", queue: first, at: at(0))) == ["c1>X"])
            #expect(toBots(b.enqueue("c2", queue: second, at: at(1))) == ["c2>X"])
            _ = b.botLeft("c1", at: at(2))
            #expect(b.bots[first]?["X"]?.used == 0, "\(first)")
            #expect(b.bots[second]?["X"]?.used == 1, "\(second)")
            #expect(toBots(b.enqueue("c3", queue: first, at: at(3))) == ["c3>X"])
            // And by a hand-off into another queue.
            _ = b.enqueue("c3", queue: second, at: at(4))
            #expect(b.bots[first]?["X"]?.used == 0 && b.bots[second]?["X"]?.used == 1, "\(first): c2 still there")
        }
    }

    @Test("a member a conversation leaves is free for the callers already waiting before a full queue refuses the newcomer")
    func handOffFreesBeforeFull() {
        var b = board([agent("a")], [queue("Q", bots: [QueueBotMember(bot: "X", capacity: 1)], maxLength: 1)], presence: ["a": .away])
        #expect(toBots(b.enqueue("c1", queue: "Q", at: at(0))) == ["c1>X"])
        #expect(entered(b.enqueue("w", queue: "Q", at: at(1))) == ["w"])
        // X hands c1 off: w (older) takes X, then c1 has room to wait.
        let out = b.enqueue("c1", queue: "Q", at: at(5))
        #expect(toBots(out) == ["w>X"])
        #expect(entered(out) == ["c1"])
        #expect(overflows(out).isEmpty)
    }

    @Test("a conversation waits in one queue at a time: again in the same one is nothing, another moves it")
    func enqueueTwice() {
        var b = board([agent("a")], [queue(), queue("Other")], presence: ["a": .away])
        #expect(entered(b.enqueue("c1", queue: "Q", at: at(0))) == ["c1"])
        #expect(b.enqueue("c1", queue: "Q", at: at(1)).isEmpty)
        #expect(b.waiting["Q"]?.count == 1)
        let moved = b.enqueue("c1", queue: "Other", at: at(4))
        #expect(lefts(moved).map(\.result) == [.moved] && lefts(moved).map(\.wait) == [4])
        #expect(entered(moved) == ["c1"])
        #expect(b.waiting["Q"]?.isEmpty == true && b.queue(of: "c1") == "Other")

        // A ringing offer in the old queue stops.
        var r = board([agent("a")], [queue(), queue("Other")])
        _ = r.enqueue("c1", queue: "Q", at: at(0))
        let ringingMove = r.enqueue("c1", queue: "Other", at: at(1))
        #expect(cancels(ringingMove) == ["c1>a"])
        #expect(r.agents["a"]?.conversation == nil)
    }

    // MARK: 6. abandon

    @Test("a waiting caller who hangs up abandons with their wait; a ringing offer stops and the agent is free")
    func abandon() {
        var b = board([agent("a")], [queue(ring: 30)])
        _ = b.enqueue("c1", queue: "Q", at: at(0))
        _ = b.enqueue("c2", queue: "Q", at: at(5))
        let out = b.callEnded("c2", at: at(42))
        #expect(lefts(out).count == 1)
        #expect(lefts(out).first?.result == .abandoned && lefts(out).first?.wait == 37)
        #expect(cancels(out).isEmpty, "c2 was not ringing anyone")

        let ringing = b.callEnded("c1", at: at(43))
        #expect(cancels(ringing) == ["c1>a"])
        #expect(lefts(ringing).map(\.result) == [.abandoned] && lefts(ringing).map(\.wait) == [43])
        #expect(b.agents["a"]?.conversation == nil && b.agents["a"]?.ringing == false)
        #expect(rings(b.enqueue("c3", queue: "Q", at: at(44))) == ["c3>a"])
        #expect(b.callEnded("c3", at: at(45)).count == 2)
        #expect(b.callEnded("c3", at: at(46)).isEmpty, "once")
    }

    @Test("a caller talking to an agent hangs up: the agent is free after the wrap-up")
    func endWhileTalking() {
        var b = board([agent("a", wrapUp: 15)], [queue()])
        _ = b.enqueue("c1", queue: "Q", at: at(0))
        _ = b.answered("c1", agent: "a", at: at(2))
        _ = b.enqueue("c2", queue: "Q", at: at(3))
        let out = b.callEnded("c1", at: at(62))
        #expect(lefts(out).isEmpty, "the entry ended when a answered")
        #expect(rings(out).isEmpty)
        #expect(b.agents["a"]?.conversation == nil && b.agents["a"]?.wrapUpUntil == at(77))
        #expect(b.placement["c1"] == nil)
        #expect(rings(b.tick(at: at(76))).isEmpty)
        #expect(rings(b.tick(at: at(77))) == ["c2>a"])
        #expect(b.estimatedWait(queue: "Q", position: 1) == 60, "the 60 s call is the handle time")
    }

    // MARK: 7. positions under load

    /// SplitMix64: the same numbers on every run.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < p }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    @Test("50 callers, 5 agents: positions never go up, everyone leaves once, no agent rings twice or while busy",
          arguments: [UInt64(1), 7, 2024])
    func positionsUnderLoad(seed: UInt64) {
        let ids = (1...5).map { "a\($0)" }
        var b = board(ids.map { agent($0, wrapUp: 3) },
                      [QueueSettings(name: "Q", ringTimeoutSeconds: 10, maxWaitSeconds: 180, announceEverySeconds: 5, missedOffersBeforeAway: 2)])
        var rng = SeededGenerator(state: seed)
        var arrivals: [Int: [String]] = [:]
        for n in 1...50 { arrivals[rng.below(60), default: []].append("c\(n)") }

        var entries: [String: String] = [:]          // entry -> conversation
        var leftCount: [String: Int] = [:]           // entry -> lefts
        var result: [String: QueueEntryResult] = [:] // conversation -> how it left
        var announced: [String: [Int]] = [:]
        var ringing: [String: String] = [:]          // agent -> conversation
        var talking: [String: String] = [:]
        var writingUntil: [String: Date] = [:]
        var awaySince: [String: Date] = [:]
        var rangOut = 0, setAway = 0

        func apply(_ out: [Command], _ now: Date) {
            for command in out {
                switch command {
                case .entered(let entry):
                    #expect(entries[entry.entryID] == nil && !entries.values.contains(entry.conversationID))
                    entries[entry.entryID] = entry.conversationID
                case .left(let entry, let conversation, _, let how, _, _):
                    #expect(entries[entry] == conversation)
                    leftCount[entry, default: 0] += 1
                    result[conversation] = how
                case .ring(let conversation, let agent, _, let deadline):
                    #expect(ringing[agent] == nil, "\(agent) rings for \(ringing[agent] ?? "") and \(conversation)")
                    #expect(talking[agent] == nil, "\(agent) rung while on a call")
                    #expect(!ringing.values.contains(conversation), "\(conversation) rings two agents")
                    #expect(writingUntil[agent].map { now >= $0 } ?? true, "\(agent) rung while writing up")
                    #expect(deadline == now.addingTimeInterval(10))
                    ringing[agent] = conversation
                case .cancelRing(let conversation, let agent):
                    #expect(ringing[agent] == conversation)
                    rangOut += 1
                    ringing[agent] = nil
                case .announce(let conversation, let position, _):
                    if let last = announced[conversation]?.last { #expect(position <= last, "\(conversation): \(last) then \(position)") }
                    announced[conversation, default: []].append(position)
                case .presence(let agent, let presence, let reason):
                    #expect(presence == .away && reason == "missedOffers")
                    awaySince[agent] = now
                    setAway += 1
                case .overflow(_, _, _, let reason):
                    #expect(reason == "maxWait")
                case .toBot:
                    Issue.record("no bots here")
                }
            }
        }

        var second = 0
        while second < 5_000 {
            let now = at(Double(second))
            for conversation in arrivals[second] ?? [] { apply(b.enqueue(conversation, queue: "Q", at: now), now) }
            var order = ids
            order.shuffle(using: &rng)
            for id in order {
                if let conversation = ringing[id] {
                    if rng.chance(0.08) {
                        let out = b.answered(conversation, agent: id, at: now)
                        #expect(lefts(out).map(\.result) == [.served])
                        ringing[id] = nil
                        talking[id] = conversation
                        apply(out, now)
                    } else if rng.chance(0.05) {
                        ringing[id] = nil
                        apply(b.offerFailed(conversation, agent: id, .declined, at: now), now)
                    }
                } else if let conversation = talking[id], rng.chance(0.04) {
                    talking[id] = nil
                    writingUntil[id] = now.addingTimeInterval(3)
                    apply(rng.chance(0.5) ? b.callEnded(conversation, at: now) : b.agentLeft(conversation, at: now), now)
                }
                if let since = awaySince[id], now.timeIntervalSince(since) >= 20 {
                    awaySince[id] = nil
                    apply(b.setPresence(id, .available, at: now), now)
                }
            }
            for entry in b.waiting["Q"] ?? [] where rng.chance(0.002) {
                apply(b.callEnded(entry.conversationID, at: now), now)
            }
            apply(b.tick(at: now), now)

            for id in ids {
                let state = b.agents[id]!
                #expect(state.ringing == (ringing[id] != nil), "\(id) at \(second)")
                #expect(state.conversation == (ringing[id] ?? talking[id]), "\(id) at \(second)")
            }
            if second > 60, b.waiting["Q"]?.isEmpty == true, talking.isEmpty { break }
            second += 1
        }

        #expect(second < 5_000, "the simulation ends")
        #expect(entries.count == 50)
        #expect(entries.keys.allSatisfy { leftCount[$0] == 1 }, "every entry left exactly once")
        #expect(result.count == 50)
        #expect(result.values.allSatisfy { [.served, .overflowed, .abandoned].contains($0) })
        for how in [QueueEntryResult.served, .overflowed, .abandoned] {
            #expect(result.values.contains(how), "the seeds are chosen so that every ending happens: \(how)")
        }
        #expect(rangOut > 10 && setAway > 0, "rollovers and missed offers happen")
        #expect(announced.count == 50, "every caller heard a position")
        #expect(announced.values.contains { Set($0).count > 1 }, "positions did move")
        #expect(ringing.isEmpty)
    }

    // MARK: 8. estimated wait

    @Test("the estimated wait: nil unstaffed, grows with the position, learns from recent calls")
    func estimatedWait() {
        let none = board([agent("x", queues: ["Other"])], [queue(), queue("Other")])
        #expect(none.estimatedWait(queue: "Q", position: 1) == nil, "no agent serves Q")
        var away = board([agent("a")], [queue()], presence: ["a": .away])
        #expect(away.estimatedWait(queue: "Q", position: 1) == nil)
        _ = away.setPresence("a", .available, at: at(0))
        #expect(away.estimatedWait(queue: "Q", position: 1) == 120, "120 s until there is a call")
        let unregistered = AgentSettings(id: "r", credentials: DigestCredentials(username: "r", password: "pw"), queues: ["Q"])
        #expect(board([unregistered], [queue()]).estimatedWait(queue: "Q", position: 1) == nil)

        var b = board([agent("a"), agent("b")], [queue(announce: 30)])
        let waits = (1...8).map { b.estimatedWait(queue: "Q", position: $0)! }
        #expect(waits == [120, 120, 240, 240, 360, 360, 480, 480])
        #expect(zip(waits, waits.dropFirst()).allSatisfy { $0 <= $1 } && waits.last! > waits.first!)

        // Calls of 60 s and 30 s: 45 s a round.
        _ = b.enqueue("c1", queue: "Q", at: at(0))
        _ = b.enqueue("c2", queue: "Q", at: at(0))
        _ = b.answered("c1", agent: "a", at: at(10))
        _ = b.answered("c2", agent: "b", at: at(10))
        _ = b.agentLeft("c1", at: at(70))
        _ = b.callEnded("c2", at: at(40))
        #expect(b.estimatedWait(queue: "Q", position: 1) == 45)
        #expect(b.estimatedWait(queue: "Q", position: 3) == 90)

        // The announcement carries it.
        _ = b.setPresence("a", .busy, at: at(80))
        _ = b.setPresence("b", .busy, at: at(80))
        #expect(b.estimatedWait(queue: "Q", position: 1) == nil)
        _ = b.setPresence("b", .available, at: at(81))
        let c3 = b.enqueue("c3", queue: "Q", at: at(82))
        _ = b.answered("c3", agent: "b", at: at(83))
        let c4 = b.enqueue("c4", queue: "Q", at: at(84))
        #expect(rings(c3) == ["c3>b"])
        #expect(c4.contains(.announce(conversationID: "c4", position: 1, estimatedWaitSeconds: 45)))
    }

    @Test("announcements: at entry, then every period, with the position going down as callers ahead leave")
    func announcements() {
        var b = board([agent("a")], [queue(announce: 30)], presence: ["a": .away])
        #expect(announcements(b.enqueue("c1", queue: "Q", at: at(0))) == ["c1": 1])
        #expect(announcements(b.enqueue("c2", queue: "Q", at: at(10))) == ["c2": 2])
        #expect(announcements(b.enqueue("c3", queue: "Q", at: at(20))) == ["c3": 3])
        #expect(announcements(b.tick(at: at(29))).isEmpty)
        #expect(announcements(b.tick(at: at(30))) == ["c1": 1])
        _ = b.callEnded("c1", at: at(35))
        #expect(announcements(b.tick(at: at(40))) == ["c2": 1])
        #expect(announcements(b.tick(at: at(50))) == ["c3": 2])
        #expect(b.waiting["Q"]?.map(\.announcedPosition) == [1, 2])
        #expect(b.position(of: "c3") == 2 && b.position(of: "c1") == nil)
        #expect(b.waiting["Q"]?.map(\.initialPosition) == [2, 3])

        var quiet = board([agent("a")], [queue(announce: nil)], presence: ["a": .away])
        #expect(announcements(quiet.enqueue("c1", queue: "Q", at: at(0))).isEmpty)
        #expect(quiet.tick(at: at(300)).isEmpty)
    }

    // MARK: 9. stray events

    @Test("an answer from an agent who is not ringing is ignored")
    func strayAnswer() {
        var b = board([agent("a"), agent("b")], [queue()])
        _ = b.enqueue("c1", queue: "Q", at: at(0))
        _ = b.enqueue("c2", queue: "Q", at: at(0))
        let before = Snapshot(b)
        #expect(b.answered("c1", agent: "b", at: at(1)).isEmpty, "b rings for c2")
        #expect(b.answered("c1", agent: "nobody", at: at(1)).isEmpty)
        #expect(b.offerFailed("c1", agent: "b", .noAnswer, at: at(1)).isEmpty)
        #expect(Snapshot(b) == before)
        #expect(lefts(b.answered("c1", agent: "a", at: at(2))).map(\.by) == ["a"])
        #expect(b.answered("c1", agent: "a", at: at(3)).isEmpty, "already answered")
    }

    @Test("events for unknown conversations, agents and queues change nothing")
    func unknowns() {
        var b = board([agent("a"), agent("b")], [queue("Q", bots: [QueueBotMember(bot: "X", capacity: 1)])])
        _ = b.enqueue("c1", queue: "Q", at: at(0))   // X
        _ = b.enqueue("c2", queue: "Q", at: at(0))   // rings a
        _ = b.enqueue("c3", queue: "Q", at: at(0))   // rings b
        _ = b.answered("c3", agent: "b", at: at(1))
        let before = Snapshot(b)
        #expect(b.answered("ghost", agent: "a", at: at(2)).isEmpty)
        #expect(b.offerFailed("ghost", agent: "a", .declined, at: at(2)).isEmpty)
        #expect(b.agentLeft("ghost", at: at(2)).isEmpty)
        #expect(b.botLeft("ghost", at: at(2)).isEmpty)
        #expect(b.callEnded("ghost", at: at(2)).isEmpty)
        #expect(b.leave("ghost", result: .moved, at: at(2)).isEmpty)
        #expect(b.enqueue("ghost", queue: "NoSuchQueue", at: at(2)).isEmpty)
        #expect(b.setPresence("nobody", .away, at: at(2)).isEmpty)
        #expect(b.setReachable("nobody", true, at: at(2)).isEmpty)
        #expect(b.agentLeft("c1", at: at(2)).isEmpty, "c1 is with a bot")
        #expect(b.botLeft("c3", at: at(2)).isEmpty, "c3 is with an agent")
        #expect(b.position(of: "ghost") == nil && b.queue(of: "ghost") == nil)
        #expect(Snapshot(b) == before)
    }

    @Test("leave: the entry ends with the given result and a ringing offer stops")
    func leave() {
        var b = board([agent("a")], [queue()])
        _ = b.enqueue("c1", queue: "Q", at: at(0))
        let out = b.leave("c1", result: .moved, at: at(8))
        #expect(cancels(out) == ["c1>a"])
        #expect(lefts(out).map(\.result) == [.moved] && lefts(out).map(\.wait) == [8])
        #expect(b.agents["a"]?.conversation == nil)
    }
}

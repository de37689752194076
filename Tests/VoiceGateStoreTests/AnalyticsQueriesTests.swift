import Foundation
import Testing
import VoiceGateCore
@testable import VoiceGateStore

/// The figures' SQL against conversations with hand-set times, so every average is known to the
/// millisecond (the integration test checks the same figures from real calls).
final class AnalyticsQueriesTests {
    let folder: TemporaryFolder
    init() throws { folder = try TemporaryFolder() }

    /// A scorer that gives each test sentence a known score.
    static let scores: [String: Double] = ["terrible": -0.8, "great": 0.6, "fine": 0.2, "angry": -0.5]
    static func score(_ text: String) -> Double { scores[text] ?? 0 }

    func conversation(_ store: ConversationStore, _ id: String, at start: Int64, number: String = "+4930999000") throws {
        var c = sampleConversation(id, startedAt: start)
        c.variables[ContextVariable.organizationPhoneNumber] = .string(number)
        let done = DispatchSemaphore(value: 0)
        store.create(c) { _ in done.signal() }
        done.wait()
    }

    func say(_ store: ConversationStore, _ id: String, _ text: String, at ms: Int64) {
        store.appendTurn(Turn(at: time(ms), from: .customer, kind: .speech, text: text), to: id)
    }

    /// The five conversations of the range (and one before it):
    /// - r1: bot `front` 0–10 s, resolved; the customer said "terrible" then "great".
    /// - r2: bot `front` 0–20 s, resolved; "fine".
    /// - e1: bot `front` 0–4 s, waits in `support` 4–10 s, agent `alice` 10–40 s, escalated; "angry".
    /// - a1: bot `sales` 0–2 s, waits in `support` 2–5 s, abandoned.
    /// - h1: bot `front` 0–3 s, waits 3–4 s, agent 4–10 s, bot `billing` 10–12 s, resolved (handed back).
    /// - old: before the range, resolved: counted nowhere.
    func fill(_ store: ConversationStore) throws {
        let base = t0
        try conversation(store, "old", at: base - 3_600_000)
        store.close("old", outcome: .resolved, reason: "botEnded", at: time(base - 3_590_000))

        try conversation(store, "r1", at: base)
        store.segmentStarted(conversationID: "r1", kind: .bot, party: "front", at: time(base))
        say(store, "r1", "terrible", at: base + 2000)
        say(store, "r1", "great", at: base + 5000)
        store.segmentEnded(conversationID: "r1", at: time(base + 10_000))
        store.close("r1", outcome: .resolved, reason: "botEnded", at: time(base + 10_000))

        try conversation(store, "r2", at: base + 1000, number: "+4930999111")
        store.segmentStarted(conversationID: "r2", kind: .bot, party: "front", at: time(base + 1000))
        say(store, "r2", "fine", at: base + 3000)
        store.segmentEnded(conversationID: "r2", at: time(base + 21_000))
        store.close("r2", outcome: .resolved, reason: "botEnded", at: time(base + 21_000))

        let e = base + 2000
        try conversation(store, "e1", at: e)
        store.segmentStarted(conversationID: "e1", kind: .bot, party: "front", at: time(e))
        say(store, "e1", "angry", at: e + 1000)
        store.segmentStarted(conversationID: "e1", kind: .waiting, party: "support", at: time(e + 4000))
        store.queueEntered(QueueEntryRecord(id: "qe1", conversationID: "e1", queue: "support", enteredAt: time(e + 4000), initialPosition: 1))
        store.queueLeft(entryID: "qe1", at: time(e + 10_000), result: .served, by: "alice", waitSeconds: 6)
        store.segmentStarted(conversationID: "e1", kind: .agent, party: "alice", at: time(e + 10_000))
        store.segmentEnded(conversationID: "e1", at: time(e + 40_000))
        store.close("e1", outcome: .escalated, reason: "customerHangUp", at: time(e + 40_000))

        let a = base + 3000
        try conversation(store, "a1", at: a)
        store.segmentStarted(conversationID: "a1", kind: .bot, party: "sales", at: time(a))
        store.segmentStarted(conversationID: "a1", kind: .waiting, party: "support", at: time(a + 2000))
        store.queueEntered(QueueEntryRecord(id: "qa1", conversationID: "a1", queue: "support", enteredAt: time(a + 2000), initialPosition: 1))
        store.queueLeft(entryID: "qa1", at: time(a + 5000), result: .abandoned, by: nil, waitSeconds: 3)
        store.segmentEnded(conversationID: "a1", at: time(a + 5000))
        store.close("a1", outcome: .abandoned, reason: "customerHangUp", at: time(a + 5000))

        let h = base + 4000
        try conversation(store, "h1", at: h)
        store.segmentStarted(conversationID: "h1", kind: .bot, party: "front", at: time(h))
        store.segmentStarted(conversationID: "h1", kind: .waiting, party: "support", at: time(h + 3000))
        store.queueEntered(QueueEntryRecord(id: "qh1", conversationID: "h1", queue: "support", enteredAt: time(h + 3000), initialPosition: 1))
        store.queueLeft(entryID: "qh1", at: time(h + 4000), result: .served, by: "alice", waitSeconds: 1)
        store.segmentStarted(conversationID: "h1", kind: .agent, party: "alice", at: time(h + 4000))
        store.segmentStarted(conversationID: "h1", kind: .bot, party: "billing", at: time(h + 10_000))
        store.segmentEnded(conversationID: "h1", at: time(h + 12_000))
        store.close("h1", outcome: .resolved, reason: "botEnded", at: time(h + 12_000))
        store.flush()
    }

    @Test("overall figures: counts, rates of the closed, resolution and escalation times, waits and sentiment, exactly")
    func overall() throws {
        let store = try ConversationStore(path: folder.path(), sentiment: Self.score)
        defer { store.close() }
        try fill(store)
        let report = try store.analytics(AnalyticsRange(from: time(t0), to: time(t0 + 3_600_000)), now: time(t0 + 60_000))
        let f = report.overall
        #expect(f.conversations == 5 && f.closed == 5)
        #expect(f.resolved == 3 && f.escalated == 1 && f.abandoned == 1 && f.transferred == 0 && f.failed == 0)
        #expect(f.resolutionRate == 0.6 && f.escalationRate == 0.2 && f.abandonRate == 0.2 && f.transferRate == 0)
        // r1 10 s, r2 20 s, h1 12 s.
        #expect(f.averageResolutionSeconds == 14)
        // e1 after 4 s, a1 after 2 s, h1 after 3 s.
        #expect(f.averageEscalationSeconds == 3)
        // e1 6 s, a1 3 s, h1 1 s.
        #expect(f.averageWaitSeconds == 10.0 / 3)
        // r1 mean of -0.8 and 0.6 = -0.1; r2 0.2; e1 -0.5; the others unscored.
        let sentiment = try #require(f.averageSentiment)
        #expect(abs(sentiment - (-0.1 + 0.2 - 0.5) / 3) < 1e-9)
    }

    @Test("bot and human parts, per bot, per queue, per dialed number, and the series with its empty buckets")
    func breakdowns() throws {
        let store = try ConversationStore(path: folder.path(), sentiment: Self.score)
        defer { store.close() }
        try fill(store)
        let report = try store.analytics(AnalyticsRange(from: time(t0), to: time(t0 + 3 * 3_600_000)), now: time(t0 + 60_000))
        // Bots had all five; resolved themselves r1, r2 and h1 (billing, after the hand-back);
        // handed e1, a1 and h1 to a queue. Bot time: 10 + 20 + 4 + 2 + (3 + 2) = 41 s over 5.
        #expect(report.bot.conversations == 5 && report.bot.resolved == 3 && report.bot.escalated == 3)
        #expect(report.bot.averageHandleSeconds == 41.0 / 5)
        // Customers' sentiment in bot parts: r1 -0.1, r2 0.2, e1 -0.5 (said while the bot had it).
        #expect(abs((report.bot.averageSentiment ?? 9) - (-0.4 / 3)) < 1e-9)
        // Agents had e1 (30 s, ended with alice) and h1 (6 s, handed back).
        #expect(report.human.conversations == 2 && report.human.resolved == 1 && report.human.handedBack == 1)
        #expect(report.human.averageHandleSeconds == 18)
        #expect(report.human.averageSentiment == nil)

        let byBot = Dictionary(uniqueKeysWithValues: report.byBot.map { ($0.key, $0.figures) })
        #expect(report.byBot.map(\.key) == ["front", "billing", "sales"], "most conversations first, then by name")
        #expect(byBot["front"]?.conversations == 4 && byBot["front"]?.resolved == 3 && byBot["front"]?.escalated == 1)
        #expect(byBot["sales"]?.abandoned == 1 && byBot["billing"]?.conversations == 1)
        let support = try #require(report.byQueue.first { $0.key == "support" }?.figures)
        #expect(report.byQueue.count == 1 && support.conversations == 3 && support.abandoned == 1)
        #expect(support.averageWaitSeconds == 10.0 / 3 && support.abandonRate.map { abs($0 - 1.0 / 3) < 1e-9 } == true)
        #expect(report.byPhoneNumber.map(\.key) == ["+4930999000", "+4930999111"])
        #expect(report.byPhoneNumber[0].figures.conversations == 4 && report.byPhoneNumber[1].figures.resolved == 1)

        // Three hours, hourly: all five in the first bucket, the others empty but present.
        #expect(report.range.bucketSeconds == 3600 && report.series.count == 3)
        #expect(report.series.map(\.conversations) == [5, 0, 0] && report.series[0].resolved == 3 && report.series[0].abandoned == 1)
        #expect(report.series[1].start == time(t0 + 3_600_000))
    }

    @Test("an empty range has zero counts and null rates and averages; a conversation still open counts but has no outcome")
    func emptyAndOpen() throws {
        let store = try ConversationStore(path: folder.path(), sentiment: Self.score)
        defer { store.close() }
        let empty = try store.analytics(AnalyticsRange(from: time(t0), to: time(t0 + 1000)))
        #expect(empty.overall.conversations == 0 && empty.overall.resolutionRate == nil && empty.overall.averageSentiment == nil)
        #expect(empty.bot.conversations == 0 && empty.byBot.isEmpty && empty.series.count == 1)
        guard case .object(let json) = empty.json else { Issue.record("not an object"); return }
        #expect(json["resolutionRate"] == .null && json["conversations"] == .number(0))

        try conversation(store, "live", at: t0)
        store.segmentStarted(conversationID: "live", kind: .bot, party: "front", at: time(t0))
        say(store, "live", "great", at: t0 + 500)
        store.flush()
        let open = try store.analytics(AnalyticsRange(from: time(t0), to: time(t0 + 60_000)), now: time(t0 + 7000))
        #expect(open.overall.conversations == 1 && open.overall.closed == 0 && open.overall.resolutionRate == nil)
        #expect(open.bot.averageHandleSeconds == 7, "an open part counts up to now")
        #expect(open.overall.averageSentiment == 0.6)
    }

    @Test("the live view: who has each open conversation now, the caller, the dialed number and the recent sentiment")
    func live() throws {
        let store = try ConversationStore(path: folder.path(), sentiment: Self.score)
        defer { store.close() }
        try conversation(store, "b", at: t0)
        store.segmentStarted(conversationID: "b", kind: .bot, party: "front", at: time(t0))
        say(store, "b", "terrible", at: t0 + 100)
        say(store, "b", "great", at: t0 + 200)
        try conversation(store, "w", at: t0 + 1000)
        store.segmentStarted(conversationID: "w", kind: .bot, party: "front", at: time(t0 + 1000))
        store.segmentStarted(conversationID: "w", kind: .waiting, party: "support", at: time(t0 + 2000))
        store.setRouting(conversationID: "w", RoutingUpdate(state: .waiting, queue: .some("support")))
        try conversation(store, "g", at: t0 + 2000)
        store.segmentStarted(conversationID: "g", kind: .agent, party: "alice", at: time(t0 + 3000))
        try conversation(store, "done", at: t0 + 3000)
        store.close("done", outcome: .resolved, reason: "botEnded", at: time(t0 + 4000))
        store.flush()

        let live = Dictionary(uniqueKeysWithValues: try store.liveConversations().map { ($0.id, $0) })
        #expect(Set(live.keys) == ["b", "w", "g"])
        #expect(live["b"]?.state == .bot && live["b"]?.bot == "front" && live["b"]?.caller == "+4930123456" && live["b"]?.dialed == "+4930999000")
        // Recent: -0.8, then (-0.8 + 0.6) / 2; the mean is the same here, and the turn text is the latest.
        #expect(abs((live["b"]?.sentiment ?? 9) - (-0.1)) < 1e-9 && live["b"]?.lastCustomerText == "great")
        #expect(live["w"]?.state == .waiting && live["w"]?.queue == "support" && live["w"]?.sentiment == nil)
        #expect(live["g"]?.state == .agent && live["g"]?.agent == "alice")
        let stored = try #require(try store.conversation(id: "b"))
        #expect(stored.transcript.map(\.sentiment) == [-0.8, 0.6] && stored.sentiment.map { abs($0 - (-0.1)) < 1e-9 } == true)
    }

    @Test("a version-3 file is migrated to 4: the dialed number is filled from the variables, old turns stay unscored")
    func migrationFromVersion3() throws {
        let path = folder.path()
        do {
            let db = try SQLiteConnection(path: path, create: true)
            _ = try db.pragma("journal_mode", set: "WAL")
            try db.execute("BEGIN IMMEDIATE", "create a v3 file")
            for script in Schema.migrations.prefix(3) { try db.executeScript(script, "create a v3 file") }
            _ = try db.pragma("user_version", set: "3")
            try db.executeScript("""
                INSERT INTO conversations (id, state, outcome, started_at, ended_at, bot, trunk, sip_call_id, caller_withheld, variables)
                VALUES ('old', 'closed', 'resolved', \(t0), \(t0 + 5000), 'demo', 'main', 'c@h', 0,
                        '{"bot.OrganizationPhoneNumber":"+4930999000","bot.CustomerPhoneNumber":"+4930123456"}');
                INSERT INTO turns (conversation_id, seq, at, from_party, kind, text, data)
                VALUES ('old', 1, \(t0 + 10), 'customer', 'speech', 'terrible', '{}');
                """, "fill the v3 file")
            try db.execute("COMMIT", "create a v3 file")
            db.close()
        }
        let store = try ConversationStore(path: path, sentiment: Self.score)
        defer { store.close() }
        let report = try store.analytics(AnalyticsRange(from: time(t0), to: time(t0 + 60_000)))
        #expect(report.byPhoneNumber.map(\.key) == ["+4930999000"] && report.overall.resolved == 1)
        #expect(report.overall.averageSentiment == nil, "turns written before scoring existed are not re-scored")
        #expect(try store.conversation(id: "old")?.transcript.first?.sentiment == nil)
    }
}

import Foundation

/// Where the routing state is kept durably: queue entries, agents' presence, the segments of a
/// conversation (bot, waiting, agent) and the conversation's own routing columns. The SQLite
/// `ConversationStore` implements it; a PostgreSQL store can implement the same.
///
/// Writes are fire-and-forget: queued in order (the writes of one conversation apply in the
/// order they were made) and never block the caller; a write that fails is reported by the
/// store itself (the SQLite store's `onError`), not here. Reads are synchronous, see what has
/// been committed, and throw when the store cannot answer. Every method may be called from any
/// thread.
public protocol RoutingStateStore: Sendable {
    /// A caller joined a queue: `entry` with its id, conversation, queue, `enteredAt` and
    /// `initialPosition` (its `leftAt`, `result`, `by` and `waitSeconds` are normally nil; given,
    /// they are kept).
    func queueEntered(_ entry: QueueEntryRecord)

    /// The caller left the queue at `at`, how (`result`), taken by whom (`by`: the agent or bot
    /// id, nil when nobody took it) and after how long (`waitSeconds`, which the router knows:
    /// it is not recomputed from `enteredAt`). The first leave of an entry wins; a later one
    /// changes nothing.
    func queueLeft(entryID: String, at: Date, result: QueueEntryRecord.Result, by: String?, waitSeconds: Double)

    /// The agent's presence is now `presence`, since `at`, because of `reason` (`api`,
    /// `missedOffers`, `wrapUp`, ...). One row per agent: the last write queued wins.
    func presenceChanged(agentID: String, to presence: Presence, at: Date, reason: String)

    /// Each agent's last stored presence, for start-up: agents keep their presence across restarts.
    func savedPresence() throws -> [String: Presence]

    /// A new segment of the conversation starts at `at`: with the bot (`party` its bot id),
    /// waiting (the queue name) or with an agent (the agent id). A conversation has at most one
    /// open segment: one still open ends at `at` first.
    func segmentStarted(conversationID: String, kind: ConversationSegment.Kind, party: String, at: Date)

    /// Ends the conversation's open segment at `at`, if it has one.
    func segmentEnded(conversationID: String, at: Date)

    /// The conversation's segments, in the order they started; the last may be open.
    func segments(conversationID: String) throws -> [ConversationSegment]

    /// Every queue entry of the conversation, oldest first (a caller may wait in several queues,
    /// one after the other, after an overflow or a move).
    func queueEntries(conversationID: String) throws -> [QueueEntryRecord]

    /// Who is waiting now: the entries not yet left, in `queue` or in every queue (nil), oldest first.
    func openQueueEntries(queue: String?) throws -> [QueueEntryRecord]

    /// The entries the last start-up recovery closed as `interrupted`: who was waiting when the
    /// previous gateway died. Empty until recovery ran in this process, and when nobody waited.
    func interruptedAtLastStart() -> [QueueEntryRecord]

    /// Changes the conversation's routing columns (`state`, `queue`, `agent`, `bot`) as
    /// `update` says; the conversation reads (and the admin API) show them.
    func setRouting(conversationID: String, _ update: RoutingUpdate)
}

extension RoutingStateStore {
    /// Who is waiting now, in every queue, oldest first.
    public func openQueueEntries() throws -> [QueueEntryRecord] {
        try openQueueEntries(queue: nil)
    }

    /// Seconds spent per kind of segment: every kind is a key (0 when the conversation had none
    /// of it). An open segment counts up to `now`.
    public func segmentSeconds(conversationID: String, now: Date = Date()) throws -> [ConversationSegment.Kind: Double] {
        ConversationSegment.seconds(of: try segments(conversationID: conversationID), now: now)
    }
}

/// A change of a conversation's routing columns. Each field: nil leaves the column as it is;
/// `.some(nil)` clears it (`RoutingUpdate(agent: .some(nil))`); a value sets it. `state` cannot
/// be cleared, only left or set.
public struct RoutingUpdate: Sendable, Equatable {
    public var state: Conversation.State?
    public var queue: String??
    public var agent: String??
    public var bot: String??

    public init(state: Conversation.State? = nil, queue: String?? = nil, agent: String?? = nil, bot: String?? = nil) {
        self.state = state
        self.queue = queue
        self.agent = agent
        self.bot = bot
    }

    /// Changes nothing.
    public var isEmpty: Bool { state == nil && queue == nil && agent == nil && bot == nil }
}

/// One wait of a conversation in one queue: when it entered, at which position, and when and
/// how it left. The admin API's JSON: `{"id", "conversationId", "queue", "enteredAt", "leftAt",
/// "result", "by", "waitSeconds", "initialPosition"}`, unset fields as `null`.
public struct QueueEntryRecord: Sendable, Equatable, Codable {
    public enum Result: String, Sendable, Equatable, Codable, CaseIterable {
        /// An agent took the call.
        case served
        /// The caller hung up while waiting.
        case abandoned
        /// Waited too long or the queue was full: the queue's overflow action took over.
        case overflowed
        /// Moved to another queue (an admin or a rule), where a new entry starts.
        case moved
        /// A bot member of the queue took the call.
        case tookByBot
        /// The gateway died while the caller waited (closed at the next start).
        case interrupted
    }

    public var id: String
    public var conversationID: String
    public var queue: String
    public var enteredAt: Date
    /// nil while the caller waits.
    public var leftAt: Date?
    public var result: Result?
    /// The agent or bot id that took the call (`served`, `tookByBot`).
    public var by: String?
    /// How long the caller waited, once they left.
    public var waitSeconds: Double?
    /// The caller's position on entering, from 1 (first in line).
    public var initialPosition: Int

    public init(id: String = UUID().uuidString.lowercased(), conversationID: String, queue: String, enteredAt: Date,
                initialPosition: Int, leftAt: Date? = nil, result: Result? = nil, by: String? = nil,
                waitSeconds: Double? = nil) {
        self.id = id
        self.conversationID = conversationID
        self.queue = queue
        self.enteredAt = enteredAt
        self.initialPosition = initialPosition
        self.leftAt = leftAt
        self.result = result
        self.by = by
        self.waitSeconds = waitSeconds
    }

    /// The caller is still waiting.
    public var isOpen: Bool { leftAt == nil }

    enum CodingKeys: String, CodingKey {
        case id, conversationID = "conversationId", queue, enteredAt, leftAt, result, by, waitSeconds, initialPosition
    }

    /// By hand, so that unset fields are `null` rather than missing (as in `Conversation`).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(conversationID, forKey: .conversationID)
        try c.encode(queue, forKey: .queue)
        try c.encode(enteredAt, forKey: .enteredAt)
        try c.encodeValueOrNull(leftAt, forKey: .leftAt)
        try c.encodeValueOrNull(result, forKey: .result)
        try c.encodeValueOrNull(by, forKey: .by)
        try c.encodeValueOrNull(waitSeconds, forKey: .waitSeconds)
        try c.encode(initialPosition, forKey: .initialPosition)
    }
}

/// A stretch of a conversation with one party: a bot, a queue (waiting) or an agent. The admin
/// API's JSON: `{"kind", "party", "startedAt", "endedAt", "seconds"}`, with `endedAt` and
/// `seconds` null while the segment is open.
public struct ConversationSegment: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Equatable, Codable, CaseIterable {
        case bot, waiting, agent
    }

    public var kind: Kind
    /// The bot id, the queue name or the agent id.
    public var party: String
    public var startedAt: Date
    /// nil while the segment goes on.
    public var endedAt: Date?

    public init(kind: Kind, party: String, startedAt: Date, endedAt: Date? = nil) {
        self.kind = kind
        self.party = party
        self.startedAt = startedAt
        self.endedAt = endedAt
    }

    /// Its length once ended, to the millisecond; nil while open.
    public var seconds: Double? { endedAt.map { Self.length(from: startedAt, to: $0) } }

    /// Its length to the millisecond, an open segment counted up to `now` (never below 0).
    public func seconds(until now: Date) -> Double {
        Self.length(from: startedAt, to: endedAt ?? now)
    }

    /// Rounded to the millisecond, the precision of the stored times: two times a whole number
    /// of seconds apart are that many seconds apart, not 0.99999976 (Date's Double).
    private static func length(from start: Date, to end: Date) -> Double {
        max(0, (end.timeIntervalSince(start) * 1000).rounded() / 1000)
    }

    /// The seconds of `segments` summed per kind; every kind is a key, open segments count up to `now`.
    public static func seconds(of segments: [ConversationSegment], now: Date) -> [Kind: Double] {
        var sums = Dictionary(uniqueKeysWithValues: Kind.allCases.map { ($0, 0.0) })
        for segment in segments { sums[segment.kind, default: 0] += segment.seconds(until: now) }
        return sums
    }

    enum CodingKeys: String, CodingKey {
        case kind, party, startedAt, endedAt, seconds
    }

    /// `seconds` is derived: written for the API, ignored when read.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decode(Kind.self, forKey: .kind)
        party = try c.decode(String.self, forKey: .party)
        startedAt = try c.decode(Date.self, forKey: .startedAt)
        endedAt = try c.decodeIfPresent(Date.self, forKey: .endedAt)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(party, forKey: .party)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encodeValueOrNull(endedAt, forKey: .endedAt)
        try c.encodeValueOrNull(seconds, forKey: .seconds)
    }
}

private extension KeyedEncodingContainer {
    mutating func encodeValueOrNull<T: Encodable>(_ value: T?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
}

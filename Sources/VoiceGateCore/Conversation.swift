import Foundation

/// One call's conversation, from the INVITE to its end: who called which number, the variables
/// the bot sees, every turn, and how it ended. The store keeps it durably; the admin API shows it
/// in the shape of ../shared/spec/admin-api.md.
public struct Conversation: Sendable, Equatable, Codable {
    public enum State: String, Sendable, Codable, CaseIterable {
        case active, waiting, closed
    }

    public enum Outcome: String, Sendable, Codable, CaseIterable {
        case resolved, escalated, abandoned, transferred, failed
    }

    /// Lower-case UUID.
    public var id: String
    public var state: State
    public var outcome: Outcome?
    /// Why it ended, in bot-protocol words where they exist (`customerHangUp`, `closed`, ...) and
    /// gateway words otherwise (`gatewayRestart`, `shutdown`, `maxDuration`, `mediaFailure`).
    public var endReason: String?
    public var startedAt: Date
    public var endedAt: Date?
    /// The bot id that answers (or answered) the call.
    public var bot: String?
    public var queue: String?
    public var agent: String?
    /// The trunk the call came in on.
    public var trunk: String
    public var sipCallId: String
    /// The caller withheld their number (Privacy: id, an anonymous URI, or no number at all).
    public var callerWithheld: Bool
    /// Context variables: `bot.CustomerPhoneNumber`, `bot.OrganizationPhoneNumber`, the mapped SIP
    /// headers, `SipCallId`, `TrunkName`, and what bots set later.
    public var variables: [String: JSONValue]
    /// Every turn, in order. The store gives it whole, in lists too (the admin API lists
    /// conversations with their transcripts).
    public var transcript: [Turn]
    /// The mean sentiment (VADER compound, −1…1) of the customer's scored turns; nil before the
    /// first. The store keeps it as turns arrive.
    public var sentiment: Double?
    /// How the customer sounds now: a mean weighted towards the latest turns (the newest weighs
    /// half); what a supervisor's live view shows. nil before the first scored turn.
    public var recentSentiment: Double?

    public init(id: String, state: State = .active, outcome: Outcome? = nil, endReason: String? = nil,
                startedAt: Date, endedAt: Date? = nil, bot: String? = nil, queue: String? = nil, agent: String? = nil,
                trunk: String, sipCallId: String, callerWithheld: Bool, variables: [String: JSONValue],
                transcript: [Turn] = [], sentiment: Double? = nil, recentSentiment: Double? = nil) {
        self.id = id
        self.state = state
        self.outcome = outcome
        self.endReason = endReason
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.bot = bot
        self.queue = queue
        self.agent = agent
        self.trunk = trunk
        self.sipCallId = sipCallId
        self.callerWithheld = callerWithheld
        self.variables = variables
        self.transcript = transcript
        self.sentiment = sentiment
        self.recentSentiment = recentSentiment
    }

    enum CodingKeys: String, CodingKey {
        case id, state, outcome, endReason, startedAt, endedAt, bot, queue, agent
        case trunk, sipCallId, callerWithheld, variables, transcript, sentiment, recentSentiment
    }

    /// Written by hand because the synthesized encoding leaves nil optionals out, and the admin
    /// API contract has `"outcome": null` (and the same for the other unset fields) instead.
    /// Decoding stays synthesized: it takes null and absent alike.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(state, forKey: .state)
        try c.encodeOrNull(outcome, forKey: .outcome)
        try c.encodeOrNull(endReason, forKey: .endReason)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encodeOrNull(endedAt, forKey: .endedAt)
        try c.encodeOrNull(bot, forKey: .bot)
        try c.encodeOrNull(queue, forKey: .queue)
        try c.encodeOrNull(agent, forKey: .agent)
        try c.encode(trunk, forKey: .trunk)
        try c.encode(sipCallId, forKey: .sipCallId)
        try c.encode(callerWithheld, forKey: .callerWithheld)
        try c.encode(variables, forKey: .variables)
        try c.encode(transcript, forKey: .transcript)
        try c.encodeOrNull(sentiment, forKey: .sentiment)
        try c.encodeOrNull(recentSentiment, forKey: .recentSentiment)
    }
}

private extension KeyedEncodingContainer {
    mutating func encodeOrNull<T: Encodable>(_ value: T?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
}

/// One entry of a transcript.
public struct Turn: Sendable, Equatable, Codable {
    public enum Party: String, Sendable, Codable, CaseIterable {
        case customer, bot, agent, system
    }

    public enum Kind: String, Sendable, Codable, CaseIterable {
        case speech, dtmf, message, action, event, note
    }

    public var at: Date
    public var from: Party
    public var kind: Kind
    public var text: String
    public var data: [String: JSONValue]
    /// The sentiment of a customer's words (VADER compound, −1…1), set by the store as the turn
    /// is written; nil for every other turn, and when no lexicon is installed.
    public var sentiment: Double?

    public init(at: Date, from: Party, kind: Kind, text: String, data: [String: JSONValue] = [:], sentiment: Double? = nil) {
        self.at = at
        self.from = from
        self.kind = kind
        self.text = text
        self.data = data
        self.sentiment = sentiment
    }

    /// Whether the turn is the customer's own words, the turns that carry sentiment: speech
    /// (recognized) and typed messages. Keys do not.
    public var isCustomerWords: Bool {
        from == .customer && (kind == .speech || kind == .message) && !text.isEmpty
    }
}

/// The names of the variables the gateway itself sets.
public enum ContextVariable {
    public static let customerPhoneNumber = "bot.CustomerPhoneNumber"
    public static let organizationPhoneNumber = "bot.OrganizationPhoneNumber"
    public static let sipCallId = "SipCallId"
    public static let trunkName = "TrunkName"
    public static let closeConversation = "CloseOmnichannelConversation"
}

import Foundation

/// A conversation in progress as the supervisor's live view shows it (GET /api/v1/live).
public struct LiveConversation: Sendable, Equatable {
    /// Who has the conversation now.
    public enum State: String, Sendable, CaseIterable {
        case bot, waiting, agent
    }

    public var id: String
    public var state: State
    public var startedAt: Date
    /// The caller's number, or `anonymous` when withheld.
    public var caller: String
    /// The number the caller dialed.
    public var dialed: String?
    public var bot: String?
    public var queue: String?
    public var agent: String?
    /// How the customer sounds now (`Conversation.recentSentiment`).
    public var sentiment: Double?
    /// The customer's latest words.
    public var lastCustomerText: String?

    public init(id: String, state: State, startedAt: Date, caller: String, dialed: String?, bot: String?, queue: String?,
                agent: String?, sentiment: Double?, lastCustomerText: String?) {
        self.id = id
        self.state = state
        self.startedAt = startedAt
        self.caller = caller
        self.dialed = dialed
        self.bot = bot
        self.queue = queue
        self.agent = agent
        self.sentiment = sentiment
        self.lastCustomerText = lastCustomerText
    }

    public var json: JSONValue {
        func optional(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
        return .object([
            "id": .string(id), "state": .string(state.rawValue),
            "startedAt": .string(ISO8601Milliseconds.string(from: startedAt)),
            "caller": .string(caller), "dialed": optional(dialed), "bot": optional(bot), "queue": optional(queue),
            "agent": optional(agent), "sentiment": .figure(sentiment),
            "lastCustomerText": optional(lastCustomerText),
        ])
    }
}

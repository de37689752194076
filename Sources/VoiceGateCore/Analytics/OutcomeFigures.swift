import Foundation

/// How a set of conversations went: counts by outcome and the averages supervisors watch. The
/// store counts and averages in SQL; the rates follow from the counts here.
///
/// Rates are shares of the closed conversations (the outcome of a live one is not known yet),
/// so resolution, escalation, abandon, transfer and failure rates add up to 1. nil when there is
/// nothing to divide: no closed conversation, no resolved one for the resolution time, and so on.
public struct OutcomeFigures: Sendable, Equatable {
    public var conversations = 0
    public var closed = 0
    public var resolved = 0
    /// Ended with an agent.
    public var escalated = 0
    /// The caller hung up while waiting for an agent.
    public var abandoned = 0
    /// Transferred to another number (REFER or bridge).
    public var transferred = 0
    public var failed = 0
    /// From the start to the end of a resolved conversation.
    public var averageResolutionSeconds: Double?
    /// From the start to the bot's hand-off (the first wait in a queue after a bot), over the
    /// conversations a bot handed off, whatever their outcome.
    public var averageEscalationSeconds: Double?
    /// The time a conversation spent waiting in queues, over the conversations that waited.
    public var averageWaitSeconds: Double?
    /// The mean over conversations of their customers' mean sentiment (VADER compound, −1…1),
    /// over the conversations with at least one scored turn.
    public var averageSentiment: Double?

    public init() {}

    public var resolutionRate: Double? { share(resolved) }
    public var escalationRate: Double? { share(escalated) }
    public var abandonRate: Double? { share(abandoned) }
    public var transferRate: Double? { share(transferred) }

    private func share(_ count: Int) -> Double? { closed > 0 ? Double(count) / Double(closed) : nil }

    /// The admin API's fields, rates included, unset averages as null.
    public var jsonFields: [String: JSONValue] {
        func number(_ value: Double?) -> JSONValue { .figure(value) }
        return [
            "conversations": .number(Double(conversations)), "closed": .number(Double(closed)),
            "resolved": .number(Double(resolved)), "escalated": .number(Double(escalated)),
            "abandoned": .number(Double(abandoned)), "transferred": .number(Double(transferred)),
            "failed": .number(Double(failed)),
            "resolutionRate": number(resolutionRate), "escalationRate": number(escalationRate),
            "abandonRate": number(abandonRate), "transferRate": number(transferRate),
            "averageResolutionSeconds": number(averageResolutionSeconds),
            "averageEscalationSeconds": number(averageEscalationSeconds),
            "averageWaitSeconds": number(averageWaitSeconds), "averageSentiment": number(averageSentiment),
        ]
    }
}

extension JSONValue {
    /// A figure as the admin API shows it: rounded to `places` decimals (rates and sentiment 4,
    /// seconds 3, enough for a dashboard and stable in tests); nil is null.
    static func figure(_ value: Double?, places: Int = 4) -> JSONValue {
        guard let value else { return .null }
        let scale = pow(10, Double(places))
        return .number((value * scale).rounded() / scale)
    }

    /// `part` of `whole` as a figure; null when the whole is 0.
    static func share(_ part: Int, of whole: Int) -> JSONValue {
        whole > 0 ? figure(Double(part) / Double(whole)) : .null
    }
}

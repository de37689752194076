/// The running sentiment of one conversation's customer turns, from each turn's compound score
/// (`SentimentScore.compound`, −1 ... 1).
///
/// Every scored turn counts, including neutral ones ("i want to check my order status" scores
/// 0 and pulls both figures toward 0): deciding which turns "really" carry sentiment would be a
/// second model, and a caller who calms down to plain requests is worth seeing as calmer.
///
/// A value: one per conversation, updated by whoever owns the conversation.
public struct ConversationSentiment: Sendable, Equatable {
    /// Customer turns scored so far.
    public private(set) var turns = 0
    /// The sum of their compound scores.
    public private(set) var sum = 0.0
    /// How the caller feels now, for a live view: an exponentially weighted mean in which the
    /// newest turn weighs 0.5, the one before 0.25, and so on. The first turn's score as it is;
    /// nil before any turn.
    public private(set) var recent: Double?

    /// A conversation without scored turns.
    public init() {}

    /// How the conversation went as a whole: the plain mean of all turns; nil before any turn.
    public var average: Double? { turns == 0 ? nil : sum / Double(turns) }

    /// Counts one customer turn's compound score.
    public mutating func add(_ compound: Double) {
        turns += 1
        sum += compound
        recent = recent.map { 0.5 * compound + 0.5 * $0 } ?? compound
    }
}

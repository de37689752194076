/// What came back from sending a bot one activity. A plain value: use it from any thread.
public enum BotReply: Sendable, Equatable {
    /// The bot's reply activities, in order. Empty when it answered that it will reply later
    /// (202, or 200 with an empty list), or had nothing to say.
    case activities([Activity])
    case failure(BotFailure)
}

/// A bot that did not answer usably: the gateway records it, apologizes to the caller and
/// follows the bot's failure action (bot-protocol.md). A plain value: use it from any thread.
public struct BotFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// No complete answer within the bot's timeout.
        case timeout
        /// A non-2xx answer (a redirect included: the bearer secret is not sent on).
        case httpStatus(Int)
        /// A 2xx answer that is not activities; what was wrong with it, in structural terms.
        case malformed(String)
        /// No HTTP answer at all: connection refused, name unknown, TLS failure, ...
        case unreachable(String)
    }

    public let kind: Kind
    /// One line for logs and the transcript. Whoever builds a failure keeps secrets, headers,
    /// endpoint query strings and body content out of it: they must never reach a log.
    public let description: String

    public init(_ kind: Kind, description: String) {
        self.kind = kind
        self.description = description
    }
}

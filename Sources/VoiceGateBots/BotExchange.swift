import VoiceGateCore

/// What a `BotConversation` call brought back: the bot's reply activities in order, and the
/// failure that stopped it, if any (activities after a failure are not sent).
public struct BotExchange: Sendable, Equatable {
    public var activities: [Activity]
    public var failure: BotFailure?

    public init(activities: [Activity], failure: BotFailure?) {
        self.activities = activities
        self.failure = failure
    }
}

/// The same calls for async code: each waits for its completion. Calls from concurrent tasks are
/// still delivered one at a time, in the order they reached the conversation.
extension BotConversation {
    /// `start(conversation:completion:)`, awaited.
    public func start(conversation: Conversation) async -> BotExchange {
        await withCheckedContinuation { continuation in
            start(conversation: conversation) { continuation.resume(returning: BotExchange(activities: $0, failure: $1)) }
        }
    }

    /// `send(_:completion:)`, awaited.
    public func send(_ activity: Activity) async -> BotExchange {
        await withCheckedContinuation { continuation in
            send(activity) { continuation.resume(returning: BotExchange(activities: $0, failure: $1)) }
        }
    }

    /// `end(reason:completion:)`, awaited.
    public func end(reason: EndOfConversationReason) async -> BotExchange {
        await withCheckedContinuation { continuation in
            end(reason: reason) { continuation.resume(returning: BotExchange(activities: $0, failure: $1)) }
        }
    }
}

import VoiceGateCore

/// Delivers single activities to one bot and hands back its reply. `BotConversation` builds on it
/// to keep a conversation's activities in order.
public protocol BotClient: Sendable {
    /// Sends `activity` and returns at once. `completion` runs exactly once, later, on a thread of
    /// the client's (never inside this call): it must only hand work on.
    func send(_ activity: Activity, completion: @escaping @Sendable (BotReply) -> Void)
}

extension BotClient {
    /// Sends `activity` and waits for the reply. Callable from any task; the wait ends within the
    /// bot's timeout, and cancelling the calling task does not end it sooner.
    public func send(_ activity: Activity) async -> BotReply {
        await withCheckedContinuation { continuation in
            send(activity) { continuation.resume(returning: $0) }
        }
    }
}

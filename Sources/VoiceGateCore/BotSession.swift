/// One conversation with one bot, as the voice channel drives it. Lives in the core so the
/// telephony layer can hold a session without knowing whether the bot is embedded or external.
///
/// Implementations deliver activities to the bot one at a time, in the order of the calls, and
/// never block the caller: each method returns at once and `completion` runs later on a thread
/// of the implementation's choosing (not the caller's), so it must only hand work on.
/// `completion` gets the bot's reply activities in order, and the first failure, if any; an
/// activity after a failure in the same call is not sent.
public protocol BotSession: Sendable {
    /// Sends `conversationUpdate` (the bot joins) and then `SetContext` with the conversation's
    /// variables and transcript; the replies to both, concatenated, normally hold the greeting.
    func start(conversation: Conversation, completion: @escaping @Sendable ([Activity], BotFailure?) -> Void)

    /// Sends one activity (caller input, a `TransferResult`, ...).
    func send(_ activity: Activity, completion: @escaping @Sendable ([Activity], BotFailure?) -> Void)

    /// Sends `endOfConversation` with `reason`; nothing is sent after it.
    func end(reason: EndOfConversationReason, completion: @escaping @Sendable ([Activity], BotFailure?) -> Void)
}

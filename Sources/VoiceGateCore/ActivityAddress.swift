/// Who the gateway's activities of one conversation are from and to: the caller (`from`) and the
/// bot (`recipient`), in the conversation both share. A plain value: use it from any thread.
public struct ActivityAddress: Sendable, Equatable {
    public var conversationId: String
    /// The caller: their E.164 number, or `anonymous`; role `user`.
    public var caller: Activity.ChannelAccount
    /// The bot: its configured id; role `bot`.
    public var bot: Activity.ChannelAccount

    public init(conversationId: String, caller: Activity.ChannelAccount, bot: Activity.ChannelAccount) {
        self.conversationId = conversationId
        self.caller = caller
        self.bot = bot
    }

    /// The caller from `bot.CustomerPhoneNumber`: the protocol names a withheld number (`""`, or
    /// no variable at all) `anonymous`, since an empty id is no id for a bot framework.
    public init(conversation: Conversation, botId: String) {
        let number = conversation.variables[ContextVariable.customerPhoneNumber]?.stringValue ?? ""
        self.init(conversationId: conversation.id,
                  caller: .user(number.isEmpty ? "anonymous" : number),
                  bot: .bot(botId))
    }
}

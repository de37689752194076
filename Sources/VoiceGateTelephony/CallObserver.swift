import Foundation
import VoiceGateCore

/// A call admission let through and routed, about to be answered.
public struct InboundCall: Sendable {
    /// The conversation's id (a new UUID).
    public let conversationID: String
    public let route: CallRoute
    public let sipCallID: String
    /// `address:port` the INVITE came from, and over which transport.
    public let source: String
    public let transport: String
    /// The context variables the bot starts with.
    public let variables: [String: JSONValue]
    public let arrivedAt: Date
}

/// What the telephony layer tells the rest of the gateway about calls: the conversation store
/// and the bots behind it. Methods are called on the pj control thread (PJExecutor) and must not
/// block it: they queue work and return.
public protocol CallObserver: AnyObject, Sendable {
    /// The call is about to be answered. Call `ready(true)` (from any thread) once its
    /// conversation is durable, `ready(false)` when it cannot be recorded: the call is then
    /// refused with 503 rather than answered with nothing written.
    func callArrived(_ call: InboundCall, ready: @escaping @Sendable (Bool) -> Void)
    /// Something happened in the call: a key, a prompt played.
    func callTurn(_ conversationID: String, _ turn: Turn)
    /// The call is over (answered or not).
    func callEnded(_ conversationID: String, outcome: Conversation.Outcome, reason: String)
    /// Media flows: a speaking bot may start talking (`SIPEndpoint.play`).
    func callMediaStarted(_ conversationID: String)
    /// A key went down (the first packet of an RFC 4733 event, or a SIP INFO key), for a speaking
    /// bot's call: barge-in, before the digit is known to be complete.
    func callKeyDown(_ conversationID: String, at: Date)
    /// A key ended (RFC 4733 or SIP INFO), for a speaking bot's call.
    func callKey(_ conversationID: String, _ key: Character, at: Date)
    /// The prompt given to `SIPEndpoint.play` with this id has been played to its end.
    /// Called on the playout queue.
    func callPromptFinished(_ conversationID: String, id: Int)
    /// The trunk sent a REFER on the call (asking the gateway to call `target`), and it was
    /// refused before the policy was asked (`reason`, `detail`): for the audit and the transcript.
    func callReferRefused(_ conversationID: String, target: String, fromNumber: String, reason: String, detail: String)
    /// A REFER from a trunk that accepts REFER asks to call `target` (the Refer-To's user part, at
    /// the trunk's own host): the same privilege and policy as a bot's transfer decide. Returns
    /// the audit row's id when allowed, nil when refused (audited already). Called on a pj worker
    /// thread inside the REFER's processing: must not block.
    func callReferRequested(_ conversationID: String, target: String) -> String?
    /// What became of a REFER that was followed.
    func callReferFollowed(_ conversationID: String, attempt: String, result: TransferResult)
}

extension CallObserver {
    public func callMediaStarted(_ conversationID: String) {}
    public func callKeyDown(_ conversationID: String, at: Date) {}
    public func callKey(_ conversationID: String, _ key: Character, at: Date) {}
    public func callPromptFinished(_ conversationID: String, id: Int) {}
    public func callReferRefused(_ conversationID: String, target: String, fromNumber: String, reason: String, detail: String) {}
    public func callReferRequested(_ conversationID: String, target: String) -> String? { nil }
    public func callReferFollowed(_ conversationID: String, attempt: String, result: TransferResult) {}
}

/// Answers at once and keeps nothing: for an endpoint without a store.
public final class NoCallObserver: CallObserver {
    public init() {}
    public func callArrived(_ call: InboundCall, ready: @escaping @Sendable (Bool) -> Void) { ready(true) }
    public func callTurn(_ conversationID: String, _ turn: Turn) {}
    public func callEnded(_ conversationID: String, outcome: Conversation.Outcome, reason: String) {}
}

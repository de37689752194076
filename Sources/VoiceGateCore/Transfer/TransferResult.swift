/// What became of a bot's `TransferToPhoneNumber`: the value of the `TransferResult` event the
/// bot always gets (bot-protocol.md).
public struct TransferResult: Sendable, Equatable {
    public enum Status: String, Sendable, Equatable {
        /// The call went to the target: the caller left the bot.
        case completed
        /// It did not; the caller is still with the bot.
        case failed
    }

    public var status: Status
    /// The target as the bot gave it (E.164 once it parsed).
    public var target: String
    /// Why it failed: a policy refusal (`make_calls_privilege_missing`, `destination_not_allowed`,
    /// `invalid_number`...) or what the far end said (`rejected`, `busy`, `no_answer`, `timeout`).
    public var reason: String?
    /// How it was carried out: "refer" or "bridge"; nil when refused before any SIP.
    public var method: String?

    public init(status: Status, target: String, reason: String? = nil, method: String? = nil) {
        self.status = status
        self.target = target
        self.reason = reason
        self.method = method
    }

    public static func failed(_ target: String, _ reason: String, method: String? = nil) -> TransferResult {
        TransferResult(status: .failed, target: target, reason: reason, method: method)
    }

    /// The event's `value`.
    public var json: JSONValue {
        var o: [String: JSONValue] = ["status": .string(status.rawValue), "target": .string(target)]
        if let reason { o["reason"] = .string(reason) }
        return .object(o)
    }

    /// A failure reason for a final SIP status of the far end (a NOTIFY's sipfrag, the answer to
    /// a REFER or to the gateway's own INVITE).
    public static func reason(forSIPStatus code: Int) -> String {
        switch code {
        case 486, 600: return "busy"
        case 408, 480, 487: return "no_answer"
        case 404, 484, 485, 604: return "invalid_number"
        default: return "rejected"
        }
    }
}

import Foundation

/// One audit row: a transfer a bot (or a trunk's REFER) asked for, what the policy decided, and,
/// for an allowed one, what became of it. Every attempt gets one, refused or not: toll fraud is
/// found afterwards by reading these.
public struct TransferAttempt: Sendable, Equatable {
    public enum Decision: String, Sendable, Equatable {
        case allowed, refused
    }

    public var id: String
    public var at: Date
    public var conversationID: String
    /// The organization number the caller dialed: whose privilege and limits applied.
    public var fromNumber: String
    /// The target as it was given (cut and cleaned: it is untrusted text).
    public var target: String
    /// The E.164 number it parsed to, if it did.
    public var normalized: String?
    public var decision: Decision
    /// A refusal's reason (`TransferRefusal` raw value); nil when allowed.
    public var reason: String?
    /// What exactly was wrong, or what was allowed.
    public var detail: String
    /// Who asked: "bot", or "trunk" for a REFER that arrived.
    public var requestedBy: String
    /// For an allowed attempt, once known: the result, and when it came.
    public var result: TransferResult?
    public var finishedAt: Date?

    public init(id: String = UUID().uuidString.lowercased(), at: Date, conversationID: String, fromNumber: String,
                target: String, normalized: String?, decision: Decision, reason: String?, detail: String,
                requestedBy: String = "bot", result: TransferResult? = nil, finishedAt: Date? = nil) {
        self.id = id
        self.at = at
        self.conversationID = conversationID
        self.fromNumber = fromNumber
        self.target = target
        self.normalized = normalized
        self.decision = decision
        self.reason = reason
        self.detail = detail
        self.requestedBy = requestedBy
        self.result = result
        self.finishedAt = finishedAt
    }

    /// The admin API's shape.
    public var json: JSONValue {
        var o: [String: JSONValue] = [
            "id": .string(id), "at": .string(ISO8601Milliseconds.string(from: at)), "conversation": .string(conversationID),
            "fromNumber": .string(fromNumber), "target": .string(target), "decision": .string(decision.rawValue),
            "detail": .string(detail), "requestedBy": .string(requestedBy),
            "normalized": normalized.map(JSONValue.string) ?? .null, "reason": reason.map(JSONValue.string) ?? .null,
        ]
        if let result {
            o["result"] = .string(result.status.rawValue)
            o["resultReason"] = result.reason.map(JSONValue.string) ?? .null
            o["method"] = result.method.map(JSONValue.string) ?? .null
        }
        if let finishedAt { o["finishedAt"] = .string(ISO8601Milliseconds.string(from: finishedAt)) }
        return .object(o)
    }
}

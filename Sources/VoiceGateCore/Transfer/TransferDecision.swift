/// Why a transfer was refused (before any SIP); raw values are the TransferResult reasons bots get.
public enum TransferRefusal: String, Sendable, Equatable, CaseIterable {
    case makeCallsPrivilegeMissing = "make_calls_privilege_missing"
    case invalidNumber = "invalid_number"
    case emergencyNumber = "emergency_number"
    /// A blocked prefix: premium rate, satellite, international network, high-risk destination.
    case destinationBlocked = "destination_blocked"
    /// Outside the allowed prefixes.
    case destinationNotAllowed = "destination_not_allowed"
    case concurrentLimit = "transfer_limit_concurrent"
    case hourlyLimit = "transfer_limit_hourly"
}

/// A target refused by `TransferTarget.normalize`: `.invalidNumber` or `.emergencyNumber`, and
/// what exactly is wrong. The detail never quotes the input (it may hold anything a caller
/// said); only fixed words, the scheme's letters, one offending ASCII character, or digits.
public struct TransferRejection: Error, Sendable, Equatable {
    public var refusal: TransferRefusal
    public var detail: String
    public init(_ refusal: TransferRefusal, _ detail: String) {
        self.refusal = refusal
        self.detail = detail
    }
}

/// The outcome of one transfer attempt, as audit rows, logs and the bot's TransferResult see it.
public struct TransferDecision: Sendable, Equatable {
    /// The raw input, cut to 64 characters, control characters replaced by '?': it goes into
    /// audit rows and logs, where a CR/LF could forge a line.
    public var target: String
    /// E.164 once it parsed.
    public var normalized: String?
    /// nil: allowed.
    public var refusal: TransferRefusal?
    /// Specific and human: "separator '&'", "blocked prefix +1900 (premium rate)", ...
    public var detail: String
    public var allowed: Bool { refusal == nil }

    /// `target` is stored as given: pass it through `loggable` first (`TransferPolicy` does).
    public init(target: String, normalized: String?, refusal: TransferRefusal?, detail: String) {
        self.target = target
        self.normalized = normalized
        self.refusal = refusal
        self.detail = detail
    }

    /// How much of an untrusted input is kept for the record.
    public static let maxTargetLength = 64

    /// `raw` made safe to log: at most 64 Unicode scalars (a bot may send megabytes, and one
    /// `Character` can hold any number of combining scalars), each control character '?'.
    public static func loggable(_ raw: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in raw.unicodeScalars.prefix(maxTargetLength) {
            out.append(scalar.properties.generalCategory == .control ? "?" : scalar)
        }
        return String(out)
    }
}

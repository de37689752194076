import Foundation

/// Gathers a caller's keys into one input: ended by '#', by a pause longer than the inter-digit
/// timeout, or by reaching the most digits expected. A bot then gets "12345" once, not five
/// messages. An input is returned as keyed, with the '#' that ended it ("12345#"), because
/// bot-protocol.md hands bots the keys as keyed (`channelData.digits`) beside their value
/// (`value(of:)`, the message's text). A value: the caller passes the time in (no clocks
/// inside), so it is tested exactly.
public struct KeypadCollector: Sendable, Equatable {
    /// How long after a key the input counts as finished.
    public var interDigitTimeout: TimeInterval
    /// Input ends as soon as this many digits arrived (nil: only '#' or the timeout end it).
    public var maxDigits: Int?

    public private(set) var pending: String = ""
    private var lastKeyAt: Date?

    public init(interDigitTimeout: TimeInterval = 3, maxDigits: Int? = nil) {
        self.interDigitTimeout = interDigitTimeout
        self.maxDigits = maxDigits
    }

    /// A key ended at `time`. Returns the finished input, if this key finished one: '#' ends it
    /// and stays on it ("12#"; a lone '#' is an input of its own: "#"), so does the last
    /// expected digit.
    public mutating func key(_ key: Character, at time: Date) -> String? {
        var finished: String?
        if let last = lastKeyAt, time.timeIntervalSince(last) > interDigitTimeout, !pending.isEmpty {
            finished = pending      // the earlier keys timed out before this one came
            pending = ""
        }
        lastKeyAt = time
        if key == "#" {
            let input = pending + "#"
            pending = ""
            lastKeyAt = nil
            return finished.map { $0 } ?? input
        }
        pending.append(key)
        if let max = maxDigits, pending.count >= max, finished == nil {
            let input = pending
            pending = ""
            lastKeyAt = nil
            return input
        }
        return finished
    }

    /// Called as time passes: the input, once the caller has paused long enough.
    public mutating func tick(at time: Date) -> String? {
        guard let last = lastKeyAt, !pending.isEmpty, time.timeIntervalSince(last) > interDigitTimeout else { return nil }
        let input = pending
        pending = ""
        lastKeyAt = nil
        return input
    }

    /// What an input means, without the '#' that ended it: "12#" means "12". A lone "#" is itself.
    public static func value(of input: String) -> String {
        input.count > 1 && input.hasSuffix("#") ? String(input.dropLast()) : input
    }

    /// Forget partial input (an uninterruptible prompt discards keys, it does not buffer them).
    public mutating func discard() {
        pending = ""
        lastKeyAt = nil
    }
}

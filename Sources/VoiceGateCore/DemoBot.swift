/// The bot that answers until real bots are configured: it greets the caller, and answers each
/// keypad digit with a short spoken reply, cutting off whatever it was saying (barge-in). Enough
/// to hear a call work end to end and to measure turn latency.
public struct DemoBot: Sendable {
    public enum Action: Sendable, Equatable {
        /// Drop what is still queued, then play this.
        case interruptAndPlay(PCMAudio)
    }

    public let greeting: PCMAudio
    public let keyReply: PCMAudio

    public init(greeting: PCMAudio, keyReply: PCMAudio) {
        self.greeting = greeting
        self.keyReply = keyReply
    }

    /// Both prompts at `rate`.
    public func resampled(to rate: Int) -> DemoBot {
        DemoBot(greeting: greeting.resampled(to: rate), keyReply: keyReply.resampled(to: rate))
    }

    /// What to do when a digit ends. The digit itself is not logged or kept: callers key in PINs.
    public func onDigit(_ digit: Character) -> Action { .interruptAndPlay(keyReply) }
}

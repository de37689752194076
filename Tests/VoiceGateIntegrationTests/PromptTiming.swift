import Foundation

/// What the gateway played against what the caller heard: the synthesized length of each prompt
/// (the gateway's `speech.prompt` lines) and the stretches of speech in the softphone's report.
enum PromptTiming {
    /// A prompt the gateway played: its synthesized length, and the length of the speech in it
    /// (from its first voiced frame to its last: the synthesizer's silence around it, and sounds
    /// too faint for a segmenter, left out), in seconds.
    struct Prompt: CustomStringConvertible {
        var seconds: Double
        var speechSeconds: Double
        var uninterruptible: Bool
        var description: String { "\(seconds) s (speech \(speechSeconds) s)" }
    }

    /// The gateway's prompts so far, in the order it started them.
    static func prompts(_ gateway: GatewayProcess) -> [Prompt] {
        gateway.events("speech.prompt").compactMap { line in
            guard let seconds = line["seconds"].flatMap(Double.init), let speech = line["speech_seconds"].flatMap(Double.init) else { return nil }
            return Prompt(seconds: seconds, speechSeconds: speech, uninterruptible: line["uninterruptible"] == "true")
        }
    }

    /// Waits for the gateway to have started `count` prompts; those prompts.
    static func waitForPrompts(_ gateway: GatewayProcess, count: Int, timeout: TimeInterval = 30) -> [Prompt]? {
        guard gateway.waitFor(event: "speech.prompt", skipping: count - 1, timeout: timeout) != nil else { return nil }
        return Array(prompts(gateway).prefix(count))
    }

    /// How long the speech in `segments` (ms) lasted: from the first one's start to the last one's
    /// end, the pauses between them included (a prompt's pauses are part of it).
    static func span(_ segments: [(start: Double, end: Double)]) -> Double {
        guard let first = segments.first, let last = segments.last else { return 0 }
        return (last.end - first.start) / 1000
    }

    /// Whether `heard` is `expected` within `tolerance` (a fraction of `expected`).
    static func matches(_ heard: Double, _ expected: Double, tolerance: Double = 0.05) -> Bool {
        abs(heard - expected) <= expected * tolerance
    }

    /// A timestamp of the bot protocol or the transcript (ISO 8601, milliseconds).
    static func date(_ text: Any?) -> Date? {
        guard let text = text as? String else { return nil }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text) ?? ISO8601DateFormatter().date(from: text)
    }
}

import Foundation
import VoiceGateCore
import VoiceGateRecognition
import VoiceGateTelephony

/// Speech in for every call: the recognizer each speaking bot's calls use, and how callers'
/// utterances are found. Without a recognizer (configured off, or its model missing) callers
/// use keys only.
struct SpeechIn: Sendable {
    /// By bot id; a bot missing here gets `shared`.
    let recognizers: [String: any SpeechRecognizer]
    let shared: (any SpeechRecognizer)?
    let listening: CallListener.Settings

    init(recognizers: [String: any SpeechRecognizer] = [:], shared: (any SpeechRecognizer)?, settings: SpeechSettings) {
        self.recognizers = recognizers
        self.shared = shared
        listening = CallListener.Settings(
            detector: UtteranceDetector.Settings(trailingSilenceSeconds: settings.endOfUtteranceSeconds,
                                                 maximumSeconds: settings.maxUtteranceSeconds),
            bargeInSeconds: settings.bargeInSeconds)
    }

    /// No speech input at all.
    static let keysOnly = SpeechIn(shared: nil, settings: SpeechSettings())

    /// A listener for one call to `bot`, or nil when callers of that bot cannot be heard. Any thread.
    func listener(for bot: String) throws -> CallListener? {
        guard let recognizer = recognizers[bot] ?? shared else { return nil }
        return try CallListener(recognizer: recognizer, settings: listening)
    }
}

extension SpeechIn {
    /// The configured recognizer, with a couple of decoders loaded in the background so the first
    /// callers do not wait for a model. A missing model is logged, not fatal: keys still work.
    static func make(_ settings: SpeechSettings, bots: [BotSettings], log: LogSink) -> SpeechIn {
        // A model costs seconds to load and ~90 MB a decoder: only for bots that listen.
        guard bots.contains(where: \.speaks) else { return SpeechIn(shared: nil, settings: settings) }
        guard settings.recognizer == .pocketsphinx else {
            log.write(LogLine(.info, "speech.recognizer", [("engine", "none"), ("input", "keys only")]))
            return SpeechIn(shared: nil, settings: settings)
        }
        let recognizer: PocketSphinxRecognizer
        do {
            recognizer = try PocketSphinxRecognizer()
        } catch {
            log.write(LogLine(.warning, "speech.recognizer_unavailable", [("engine", "pocketsphinx"), ("error", "\(error)"), ("input", "keys only")]))
            return SpeechIn(shared: nil, settings: settings)
        }
        Thread.detachNewThread { [log] in
            let started = Date()
            do {
                try recognizer.prepare(decoders: 2)
                log.write(LogLine(.info, "speech.recognizer_ready", [("engine", "pocketsphinx"), ("decoders", String(recognizer.idleDecoders)),
                                                                     ("ms", String(Int(Date().timeIntervalSince(started) * 1000)))]))
            } catch {
                log.write(LogLine(.error, "speech.recognizer_failed", [("engine", "pocketsphinx"), ("error", "\(error)")]))
            }
        }
        return SpeechIn(shared: recognizer, settings: settings)
    }
}

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
    /// The configured recognizers: a topic bot's biased towards what it expects to hear (its
    /// triggers, choices and answers, mixed with the general model), an external bot's the open
    /// vocabulary one. Each loads a decoder in the background, so the first callers do not wait
    /// for a model. A missing model is logged, not fatal: keys still work.
    static func make(_ settings: SpeechSettings, bots: [BotSettings], definitions: [String: BotDefinition], log: LogSink) -> SpeechIn {
        // A model costs a third of a second to load and ~95 MB a decoder: only for bots that listen.
        let listening = bots.filter(\.speaks)
        guard !listening.isEmpty else { return SpeechIn(shared: nil, settings: settings) }
        guard settings.recognizer == .pocketsphinx else {
            log.write(LogLine(.info, "speech.recognizer", [("engine", "none"), ("input", "keys only")]))
            return SpeechIn(shared: nil, settings: settings)
        }
        var recognizers: [String: PocketSphinxRecognizer] = [:]
        var shared: PocketSphinxRecognizer?
        do {
            for bot in listening {
                if let definition = definitions[bot.id] {
                    let recognizer = try PocketSphinxRecognizer(settings: PocketSphinxRecognizer.Settings().biased(towards: BotVocabulary(definition)))
                    recognizers[bot.id] = recognizer
                } else if shared == nil {
                    shared = try PocketSphinxRecognizer()
                }
            }
        } catch {
            log.write(LogLine(.warning, "speech.recognizer_unavailable", [("engine", "pocketsphinx"), ("error", "\(error)"), ("input", "keys only")]))
            return SpeechIn(shared: nil, settings: settings)
        }
        let all = recognizers.map { ($0.key, $0.value) } + (shared.map { [("*", $0)] } ?? [])
        Thread.detachNewThread { [log] in
            for (bot, recognizer) in all {
                let started = Date()
                do {
                    try recognizer.prepare(decoders: 1)
                    var fields = [("engine", "pocketsphinx"), ("bot", bot), ("phrases", String(recognizer.settings.phrases.count)),
                                  ("ms", String(Int(Date().timeIntervalSince(started) * 1000)))]
                    // A trigger word the dictionary lacks can never be heard: the bot's author should know.
                    let missing = (try? recognizer.wordsMissingFromDictionary()) ?? []
                    if !missing.isEmpty { fields.append(("words_not_in_dictionary", missing.joined(separator: ","))) }
                    log.write(LogLine(missing.isEmpty ? .info : .warning, "speech.recognizer_ready", fields))
                } catch {
                    log.write(LogLine(.error, "speech.recognizer_failed", [("engine", "pocketsphinx"), ("bot", bot), ("error", "\(error)")]))
                }
            }
        }
        return SpeechIn(recognizers: recognizers, shared: shared, settings: settings)
    }
}

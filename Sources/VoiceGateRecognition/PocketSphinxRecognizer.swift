import VoiceGateCore

/// The embedded offline recognizer: PocketSphinx 5 with its US English model (deploy/setup.sh
/// installs both), for 8 kHz call audio.
///
/// With `settings.phrases` it listens for one bot (`Settings.biased(towards:)`): create one
/// recognizer per bot, whose decoders all carry that bot's phrase model.
///
/// Each session borrows a loaded decoder from a pool and gives it back when it finishes (or is
/// dropped); `prepare(decoders:)` loads some ahead so the first callers do not wait for a model.
///
/// Threads: any thread, concurrently. `start()` blocks for about 0.3 s when it must load a decoder.
public final class PocketSphinxRecognizer: SpeechRecognizer {
    public let settings: Settings
    private let pool: DecoderPool

    /// Checks the model files; loads nothing yet.
    public init(settings: Settings = Settings()) throws {
        self.settings = settings
        pool = DecoderPool(settings: settings)
        try PocketSphinxDecoder.checkModel(in: settings.modelDirectory)
    }

    /// Call audio: 8 kHz.
    public var sampleRate: Int { 8000 }

    public func start() throws -> sending any RecognitionSession {
        try PocketSphinxSession(decoder: pool.take(), pool: pool)
    }

    /// Loads decoders until `decoders` are idle (at most `settings.maximumIdleDecoders`). Blocks
    /// about 0.3 s per decoder: call it at start-up, off the SIP and audio threads.
    public func prepare(decoders: Int) throws {
        try pool.fill(to: decoders)
    }

    /// Decoders loaded and idle now.
    public var idleDecoders: Int { pool.idleCount }

    /// The words of `settings.phrases` the pronunciation dictionary lacks, each once: they are left
    /// out of the phrase model (the decoder cannot hear a word it cannot pronounce), and a phrase
    /// with one is recognized only in its other words. Worth logging when a bot is loaded. Loads
    /// a decoder if none is idle.
    public func wordsMissingFromDictionary() throws -> [String] {
        let decoder = try pool.take()
        defer { pool.give(decoder) }
        return PhraseLanguageModel(phrases: settings.phrases, isKnown: decoder.knows).skippedWords
    }
}

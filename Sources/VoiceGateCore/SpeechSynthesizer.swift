/// Turns spoken text into audio: the text-to-speech engine behind a protocol, so the core and
/// the voice channel never see the engine's C API and tests can stand in a fake.
public protocol SpeechSynthesizer: Sendable {
    /// Names the voice (engine and speaker); part of the prompt cache's key.
    var voice: String { get }

    /// Renders `text` at `sampleRate` (8000 for a G.711 call), its pauses as silence. May take
    /// tens of milliseconds per sentence: call it from any thread except a real-time audio
    /// callback. Implementations serialize internally when their engine is not thread-safe.
    func synthesize(_ text: SpokenText, sampleRate: Int) throws -> PCMAudio
}

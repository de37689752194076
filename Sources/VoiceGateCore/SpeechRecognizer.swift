/// What a recognizer heard in one utterance. A value: any thread.
public struct Recognition: Sendable, Equatable {
    /// The words, lower case, separated by single spaces; "" when nothing was recognized.
    public var text: String
    /// How sure the recognizer is of `text`, 0...1 (0 for nothing). Engines compute it
    /// differently: compare it only with thresholds tuned for the same engine.
    public var confidence: Double

    /// Clamps `confidence` into 0...1.
    public init(text: String, confidence: Double) {
        self.text = text
        self.confidence = min(1, max(0, confidence.isNaN ? 0 : confidence))
    }

    /// Nothing recognized.
    public static let nothing = Recognition(text: "", confidence: 0)

    public var isEmpty: Bool { text.isEmpty }
}

/// A speech recognizer: an embedded offline engine today, a streaming cloud engine later.
///
/// Audio is mono 16-bit PCM at `sampleRate` (8000 for calls), streamed in frames as the call
/// delivers them. One session is one utterance: start a session when the caller starts
/// speaking (see `UtteranceEndpointer`), feed it, and finish it when they have stopped.
///
/// Threads: a recognizer is shared. `start()` may be called from any thread, concurrently; it
/// may block (loading a model, opening a connection), so never on a 20 ms audio callback.
public protocol SpeechRecognizer: Sendable {
    /// The sample rate of the audio sessions take, in Hz.
    var sampleRate: Int { get }

    /// Opens a session for one utterance.
    func start() throws -> sending any RecognitionSession
}

/// One utterance being recognized.
///
/// Threads: a session is used from one thread at a time (it may move between threads, as on a
/// serial queue, but calls never overlap). `feed` can do real work (tens of milliseconds per second
/// of audio for an embedded engine), so it belongs on a worker thread, never on the audio callback.
/// A session dropped without `finish()` releases its resources.
public protocol RecognitionSession: AnyObject {
    /// Takes the next samples of the utterance; any count, in order, at the recognizer's rate.
    func feed(_ samples: ArraySlice<Int16>)

    /// Ends the utterance and returns what was heard. Later calls return the same result and
    /// later `feed`s are ignored.
    func finish() throws -> Recognition
}

extension RecognitionSession {
    /// Feeds a whole array.
    public func feed(_ samples: [Int16]) { feed(samples[...]) }
}

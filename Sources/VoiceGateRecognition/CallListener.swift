import VoiceGateCore

/// Hears the caller of one call: finds their utterances in the call audio (`UtteranceDetector`)
/// and has each recognized (`SpeechRecognizer`), telling the voice channel when speech starts
/// (for barge-in) and what was said.
///
/// The recognition session of an utterance gets the audio from `preRollSeconds` before the
/// detected start: the detector needs a few frames to be sure, and the recognizer's noise
/// estimate learns the line from the session's first frames (without it the corpus WER rose from
/// 37 % to 49 %).
///
/// Threads: one at a time (a call's serial queue). `feed` runs the recognizer's search as the
/// caller speaks, tens of milliseconds per second of audio: never on the 20 ms media callback.
public final class CallListener {
    public struct Settings: Sendable, Equatable {
        public var detector: UtteranceDetector.Settings
        /// Speech must last this long before it counts as barge-in: a cough or a click does not
        /// cut a prompt off.
        public var bargeInSeconds: Double
        public var preRollSeconds: Double

        public init(detector: UtteranceDetector.Settings = .init(), bargeInSeconds: Double = 0.2, preRollSeconds: Double = 0.3) {
            self.detector = detector
            self.bargeInSeconds = bargeInSeconds
            self.preRollSeconds = preRollSeconds
        }
    }

    public enum Heard: Sendable, Equatable {
        /// The caller has been speaking for `bargeInSeconds`; the utterance began at `at`
        /// (seconds into the call audio).
        case speechStarted(at: Double)
        /// An utterance ended; `recognition` is empty when nothing was recognized in it.
        case utterance(Recognition, SpeechSegment)
        /// The recognizer failed on an utterance (it is lost; the caller may repeat it).
        case failed(String, SpeechSegment?)
    }

    public let settings: Settings
    private let recognizer: any SpeechRecognizer
    private let detector: UtteranceDetector
    /// The last second of audio or so, for the pre-roll; `historyStart` is the stream position
    /// (in samples) of its first sample.
    private var history: [Int16] = []
    private var historyStart = 0
    private var session: (any RecognitionSession)?
    private var sessionFailure: String?
    private var utteranceStart: Double?
    private var bargeInReported = false
    private static let rate = 8000

    public init(recognizer: any SpeechRecognizer, settings: Settings = Settings()) throws {
        precondition(recognizer.sampleRate == Self.rate, "call audio is 8 kHz")
        self.recognizer = recognizer
        self.settings = settings
        detector = try UtteranceDetector(settings: settings.detector)
        history.reserveCapacity(2 * Self.rate)
    }

    /// Seconds of call audio taken in so far.
    public var position: Double { Double(historyStart + history.count) / Double(Self.rate) }

    /// Takes the next call audio (8 kHz, any count); returns what it made known, in order.
    public func feed(_ samples: [Int16]) -> [Heard] {
        guard !samples.isEmpty else { return [] }
        remember(samples)
        // The session (if any) hears this chunk before the detector's events on it are handled;
        // a session started by them gets it from the history instead.
        session?.feed(samples[...])
        var heard: [Heard] = []
        for event in detector.feed(samples[...]) {
            switch event {
            case .started(let at): begin(at: at)
            case .ended(let segment): heard += end(segment)
            }
        }
        if let start = utteranceStart, !bargeInReported, detector.position - start >= settings.bargeInSeconds {
            bargeInReported = true
            heard.append(.speechStarted(at: start))
        }
        return heard
    }

    /// The call ended: an utterance going on is recognized as it stands.
    public func finish() -> [Heard] {
        guard let event = detector.finish(), case .ended(let segment) = event else { return [] }
        return end(segment)
    }

    private func remember(_ samples: [Int16]) {
        history += samples
        let keep = Int((settings.preRollSeconds + settings.detector.endpointing.onsetSeconds + 0.5) * Double(Self.rate))
        if history.count > keep {
            let drop = history.count - keep
            history.removeFirst(drop)
            historyStart += drop
        }
    }

    private func begin(at start: Double) {
        utteranceStart = start
        bargeInReported = false
        sessionFailure = nil
        do {
            let session = try recognizer.start()
            let from = max(0, Int((start - settings.preRollSeconds) * Double(Self.rate)) - historyStart)
            session.feed(history[min(from, history.count)...])
            self.session = session
        } catch {
            sessionFailure = "\(error)"
        }
    }

    private func end(_ segment: SpeechSegment) -> [Heard] {
        // A short utterance can end before it counted as barge-in; it is still input.
        utteranceStart = nil
        defer { session = nil }
        if let failure = sessionFailure {
            sessionFailure = nil
            return [.failed(failure, segment)]
        }
        guard let session else { return [] }
        do {
            return [.utterance(try session.finish(), segment)]
        } catch {
            return [.failed("\(error)", segment)]
        }
    }
}

/// Decides where a caller's utterances start and end from a stream of frames already classified
/// as voiced or not (by any voice activity detector), so the gateway knows when to start a
/// recognition session and when the caller has finished speaking.
///
/// An utterance starts after `onsetSeconds` of voiced frames in a row (a click or a cough of one
/// frame is not speech) and is dated from the first of them. It ends once `trailingSilenceSeconds`
/// pass without a voiced frame: that silence is the whole end-of-utterance delay, so it is the
/// trade between answering fast and cutting a caller off while they think. It is also ended, by
/// force, after `maximumSeconds`, so a noisy line cannot keep the bot waiting for ever.
///
/// Pure and deterministic; a value type: one owner, any thread.
public struct UtteranceEndpointer: Sendable {
    public struct Settings: Sendable, Equatable {
        public var frameSeconds: Double
        public var onsetSeconds: Double
        public var trailingSilenceSeconds: Double
        public var maximumSeconds: Double

        /// 20 ms frames, 60 ms onset, 700 ms of trailing silence, 30 s at most.
        public init(frameSeconds: Double = 0.02, onsetSeconds: Double = 0.06,
                    trailingSilenceSeconds: Double = 0.7, maximumSeconds: Double = 30) {
            self.frameSeconds = frameSeconds
            self.onsetSeconds = onsetSeconds
            self.trailingSilenceSeconds = trailingSilenceSeconds
            self.maximumSeconds = maximumSeconds
        }
    }

    public enum Event: Sendable, Equatable {
        /// Speech began at this time (seconds from the start of the stream). Reported `onsetSeconds`
        /// later, once the onset is complete.
        case started(at: Double)
        /// The utterance is over: it spans `segment`, from its first voiced frame to the end of its
        /// last. Reported `trailingSilenceSeconds` after the segment's end (at once when forced).
        case ended(SpeechSegment)
    }

    public let settings: Settings
    private let onsetFrames: Int
    private let silenceFrames: Int
    private let maximumFrames: Int
    private var frames = 0
    private var voicedRun = 0
    private var start: Int?
    private var lastVoicedEnd = 0

    public init(settings: Settings = Settings()) {
        self.settings = settings
        func count(_ seconds: Double) -> Int { max(1, Int((seconds / settings.frameSeconds).rounded())) }
        onsetFrames = count(settings.onsetSeconds)
        silenceFrames = count(settings.trailingSilenceSeconds)
        maximumFrames = count(settings.maximumSeconds)
    }

    /// Seconds of audio taken in so far.
    public var position: Double { Double(frames) * settings.frameSeconds }

    /// Whether an utterance has started and not yet ended.
    public var isInUtterance: Bool { start != nil }

    /// Takes the next frame's classification; returns what it changed, if anything.
    public mutating func take(voiced: Bool) -> Event? {
        let index = frames
        frames += 1
        if voiced {
            voicedRun += 1
            lastVoicedEnd = frames
        } else {
            voicedRun = 0
        }
        if let begun = start {
            if frames - begun >= maximumFrames || frames - lastVoicedEnd >= silenceFrames {
                return close(from: begun)
            }
            return nil
        }
        if voicedRun >= onsetFrames {
            let begun = index + 1 - onsetFrames
            start = begun
            return .started(at: Double(begun) * settings.frameSeconds)
        }
        return nil
    }

    /// Ends the stream: ends the utterance going on, if any.
    public mutating func finish() -> Event? {
        guard let begun = start else { return nil }
        return close(from: begun)
    }

    private mutating func close(from begun: Int) -> Event {
        start = nil
        voicedRun = 0
        let end = max(lastVoicedEnd, begun + 1)
        return .ended(SpeechSegment(start: Double(begun) * settings.frameSeconds, end: Double(end) * settings.frameSeconds))
    }
}

/// A stretch of heard audio that holds speech, in seconds from the start of the audio.
public struct SpeechSegment: Sendable, Equatable {
    public var start: Double
    public var end: Double

    public init(start: Double, end: Double) {
        self.start = start
        self.end = end
    }
}

/// Energy-based voice activity detection: splits a stream of 16-bit PCM into speech segments.
///
/// A 20 ms frame is voiced when its mean absolute sample value reaches `threshold`. A segment
/// opens after `onsetFrames` voiced frames in a row (a click is not speech) and starts at the first
/// of them; it closes once `hangoverSeconds` pass without a voiced frame (the pauses between words
/// stay inside it) and ends where its last voiced frame ends. Telephone audio is quiet in silence
/// (G.711 codes digital silence as near-zero), so a fixed threshold is enough here.
public struct SpeechSegmenter: Sendable {
    public struct Settings: Sendable, Equatable {
        public var sampleRate: Int
        public var frameSamples: Int
        public var threshold: Int
        public var onsetFrames: Int
        public var hangoverSeconds: Double

        /// 8 kHz, 20 ms frames, about -44 dBFS, 40 ms onset, 0.5 s hangover.
        public init(sampleRate: Int = 8000, frameMilliseconds: Int = 20, threshold: Int = 200,
                    onsetFrames: Int = 2, hangoverSeconds: Double = 0.5) {
            self.sampleRate = sampleRate
            self.frameSamples = max(1, sampleRate * frameMilliseconds / 1000)
            self.threshold = threshold
            self.onsetFrames = max(1, onsetFrames)
            self.hangoverSeconds = hangoverSeconds
        }
    }

    public let settings: Settings
    /// Segments closed so far, in order.
    public private(set) var segments: [SpeechSegment] = []
    private var pending: [Int16] = []
    private var framesSeen = 0
    private var voicedRun = 0
    private var openStart: Double?
    private var lastVoicedEnd: Double?

    public init(settings: Settings = Settings()) {
        self.settings = settings
        pending.reserveCapacity(settings.frameSamples)
    }

    /// Seconds of audio taken in so far.
    public var position: Double { Double(framesSeen * settings.frameSamples + pending.count) / Double(settings.sampleRate) }

    /// Where the segment being heard now started, if speech is going on.
    public var openSegmentStart: Double? { openStart }

    /// The end of the last voiced frame, in or out of a segment.
    public var lastSpeechEnd: Double? { lastVoicedEnd }

    /// Takes in more audio; returns the segments it closed.
    @discardableResult
    public mutating func append<C: Collection>(_ samples: C) -> [SpeechSegment] where C.Element == Int16 {
        var closed: [SpeechSegment] = []
        for sample in samples {
            pending.append(sample)
            if pending.count == settings.frameSamples {
                if let segment = takeFrame() { closed.append(segment) }
                pending.removeAll(keepingCapacity: true)
            }
        }
        return closed
    }

    /// Ends the stream: closes the open segment, if any, and returns it.
    public mutating func finish() -> SpeechSegment? {
        guard let start = openStart, let end = lastVoicedEnd else { return nil }
        openStart = nil
        voicedRun = 0
        let segment = SpeechSegment(start: start, end: end)
        segments.append(segment)
        return segment
    }

    private mutating func takeFrame() -> SpeechSegment? {
        let frameSeconds = Double(settings.frameSamples) / Double(settings.sampleRate)
        let frameStart = Double(framesSeen) * frameSeconds
        framesSeen += 1
        var sum = 0
        for s in pending { sum += abs(Int(s)) }
        let voiced = sum / pending.count >= settings.threshold
        if voiced {
            voicedRun += 1
            lastVoicedEnd = frameStart + frameSeconds
            if openStart == nil && voicedRun >= settings.onsetFrames {
                openStart = frameStart - Double(settings.onsetFrames - 1) * frameSeconds
            }
            return nil
        }
        voicedRun = 0
        if let start = openStart, let end = lastVoicedEnd, frameStart + frameSeconds - end >= settings.hangoverSeconds {
            openStart = nil
            let segment = SpeechSegment(start: start, end: end)
            segments.append(segment)
            return segment
        }
        return nil
    }
}

extension SpeechSegmenter {
    /// Where the speech in a whole recording is, by this segmenter's measure: from the start of
    /// its first segment to the end of its last, pauses included; nil when it holds none. A
    /// synthesized prompt is longer than its speech (the synthesizer's silence before and after,
    /// sounds too faint to count as voiced): this is the part a listener's segmenter hears.
    public static func speechSpan(of samples: [Int16], settings: Settings = Settings()) -> SpeechSegment? {
        var segmenter = SpeechSegmenter(settings: settings)
        segmenter.append(samples)
        _ = segmenter.finish()
        guard let first = segmenter.segments.first, let last = segmenter.segments.last else { return nil }
        return SpeechSegment(start: first.start, end: last.end)
    }
}

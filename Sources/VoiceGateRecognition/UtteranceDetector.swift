import CPocketSphinx
import VoiceGateCore

/// Tells when a caller starts and stops speaking in 8 kHz call audio: the voice channel starts a
/// recognition session at `.started` and finishes it at `.ended`, `trailingSilenceSeconds` after the
/// caller's last word.
///
/// Each 20 ms frame is speech when PocketSphinx's voice activity detector (WebRTC's: models of
/// speech and noise spectra, which tell speech from steady line noise and tones that an energy
/// rule takes for speech) says so and it is loud enough for the energy rule of `SpeechSegmenter`
/// (mean absolute sample value), which keeps out the faint noise the detector calls speech.
/// `UtteranceEndpointer` turns those frames into utterances.
///
/// Give the recognition session the audio from about 0.3 s before `.started` too (keep that much
/// in a ring buffer): its noise subtraction learns the line from the session's first frames. Fed
/// from the start itself, the corpus WER rose from 37 % to 49 % (Benchmarks/speech.sh --pre-roll).
///
/// Threads: one at a time. `feed` allocates nothing once running, but it is still not meant for
/// the audio callback itself.
public final class UtteranceDetector {
    public struct Settings: Sendable, Equatable {
        public var endpointing: UtteranceEndpointer.Settings
        public var aggressiveness: Aggressiveness
        /// Mean absolute sample value a speech frame must reach: 100 is about -50 dBFS, under
        /// quiet speech and over the near-silence G.711 decodes between words.
        public var energyThreshold: Int

        /// 700 ms of trailing silence, 60 ms onset, 30 s at most; medium-loose detection.
        public init(trailingSilenceSeconds: Double = 0.7, onsetSeconds: Double = 0.06, maximumSeconds: Double = 30,
                    aggressiveness: Aggressiveness = .mediumLoose, energyThreshold: Int = 100) {
            endpointing = UtteranceEndpointer.Settings(frameSeconds: 0.02, onsetSeconds: onsetSeconds,
                                                       trailingSilenceSeconds: trailingSilenceSeconds, maximumSeconds: maximumSeconds)
            self.aggressiveness = aggressiveness
            self.energyThreshold = energyThreshold
        }
    }

    /// How readily the detector calls a frame speech: stricter misses more quiet speech and lets
    /// less noise through.
    public enum Aggressiveness: Int, Sendable {
        case loose = 0, mediumLoose, mediumStrict, strict
    }

    public let settings: Settings
    /// 8 kHz, 20 ms.
    public static let frameSamples = 160
    private let vad: OpaquePointer
    private var endpointer: UtteranceEndpointer
    private var pending: [Int16] = []

    public init(settings: Settings = Settings()) throws {
        guard let vad = ps_vad_init(ps_vad_mode_t(UInt32(settings.aggressiveness.rawValue)), 8000, 0.02) else {
            throw RecognitionError.decoderFailed(operation: "ps_vad_init")
        }
        guard ps_vad_frame_size(vad) == Self.frameSamples else {
            ps_vad_free(vad)
            throw RecognitionError.decoderFailed(operation: "ps_vad_init (20 ms frames at 8 kHz)")
        }
        self.vad = vad
        self.settings = settings
        endpointer = UtteranceEndpointer(settings: settings.endpointing)
        pending.reserveCapacity(Self.frameSamples)
    }

    deinit { ps_vad_free(vad) }

    /// Seconds of audio taken in so far (whole frames).
    public var position: Double { endpointer.position }

    /// Whether the caller is speaking (an utterance started and has not ended).
    public var isInUtterance: Bool { endpointer.isInUtterance }

    /// Takes the next 8 kHz samples, any count; returns the starts and ends they completed.
    public func feed(_ samples: ArraySlice<Int16>) -> [UtteranceEndpointer.Event] {
        var events: [UtteranceEndpointer.Event] = []
        for sample in samples {
            pending.append(sample)
            if pending.count == Self.frameSamples {
                if let event = endpointer.take(voiced: isSpeech(pending)) { events.append(event) }
                pending.removeAll(keepingCapacity: true)
            }
        }
        return events
    }

    /// Feeds a whole array.
    public func feed(_ samples: [Int16]) -> [UtteranceEndpointer.Event] { feed(samples[...]) }

    /// The stream is over (the call ended): ends the utterance going on, if any.
    public func finish() -> UtteranceEndpointer.Event? {
        pending.removeAll(keepingCapacity: true)
        return endpointer.finish()
    }

    private func isSpeech(_ frame: [Int16]) -> Bool {
        // Every frame goes to the detector, quiet ones too: it adapts its noise model on them.
        let voiced = frame.withUnsafeBufferPointer { ps_vad_classify(vad, $0.baseAddress) } == PS_VAD_SPEECH
        var sum = 0
        for s in frame { sum += abs(Int(s)) }
        return voiced && sum / frame.count >= settings.energyThreshold
    }
}

import VoiceGateCore

/// Text to speech with CMU Flite: renders each piece of text at the voice's own rate (16 kHz for
/// slt), tilts it towards the phone band, resamples it band-limited to the call's rate, and puts
/// pauses in as silence at that rate.
///
/// Any thread may call it; calls into flite are serialized process-wide (see FliteEngine), so
/// concurrent callers wait for each other. A sentence takes tens of milliseconds: keep it off
/// real-time audio callbacks, and put a `PromptCache` in front of it.
public struct FliteSynthesizer: SpeechSynthesizer {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case unknownVoice(String)
        case synthesisFailed(String)

        public var description: String {
            switch self {
            case .unknownVoice(let name):
                return "unknown flite voice '\(name)' (known: \(FliteSynthesizer.speakers.joined(separator: ", ")))"
            case .synthesisFailed(let text): return "flite could not synthesize '\(text)'"
            }
        }
    }

    /// The speakers that can be named: slt (the default, a female clustergen voice), kal16, awb,
    /// rms and kal (the only one recorded at 8 kHz).
    public static let speakers = FliteEngine.speakers
    public static let defaultSpeaker = "slt"

    /// "flite/cmu_us_slt": engine and speaker, as the prompt cache keys it.
    public let voice: String
    private let speaker: String

    /// Loads the voice now, so a misspelt name fails at start rather than on a call. Accepts
    /// "slt" or "cmu_us_slt". Any thread.
    public init(speaker: String = FliteSynthesizer.defaultSpeaker) throws(Failure) {
        let name = speaker.hasPrefix("cmu_us_") ? String(speaker.dropFirst(7)) : speaker
        guard FliteEngine.load(name) else { throw .unknownVoice(speaker) }
        self.speaker = name
        voice = "flite/cmu_us_\(name)"
    }

    public func synthesize(_ text: SpokenText, sampleRate: Int) throws -> PCMAudio {
        precondition(sampleRate > 0, "sample rate \(sampleRate)")
        var samples: [Int16] = []
        for segment in text.segments {
            switch segment {
            case .text(let words):
                guard let rendered = FliteEngine.render(FliteText.ascii(words), speaker: speaker), rendered.sampleRate > 0 else {
                    throw Failure.synthesisFailed(words)
                }
                let native = PCMAudio(sampleRate: rendered.sampleRate, samples: PhoneBandEmphasis.apply(rendered.samples))
                samples += native.resampledBandLimited(to: sampleRate).samples
            case .pause(let milliseconds):
                samples += repeatElement(0, count: sampleRate * milliseconds / 1000)
            }
        }
        return PCMAudio(sampleRate: sampleRate, samples: samples)
    }
}

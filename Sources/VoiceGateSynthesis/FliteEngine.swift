import CFlite
import Synchronization

/// Flite, process-wide. Flite keeps global state (its error jump buffer, the voice list, lexicon
/// caches) and documents none of its calls as thread-safe, so every call into it is made holding
/// this one lock; synthesis is serialized across all synthesizers and threads.
enum FliteEngine {
    /// A registered voice. Flite owns it for the life of the process.
    private struct Voice: @unchecked Sendable {
        let pointer: UnsafeMutablePointer<cst_voice>
    }

    private struct State {
        var initialized = false
        var voices: [String: Voice] = [:]
    }

    private static let state = Mutex(State())

    /// The speakers Debian's flite1-dev ships for US English.
    static let speakers = ["slt", "kal16", "awb", "rms", "kal"]

    /// Registers `speaker` (once per process); false when flite has no such voice.
    static func load(_ speaker: String) -> Bool {
        state.withLock { s in voice(speaker, in: &s) != nil }
    }

    /// Renders ASCII text with `speaker` at the voice's own rate. Nil when flite failed.
    static func render(_ text: String, speaker: String) -> (sampleRate: Int, samples: [Int16])? {
        state.withLock { s -> (sampleRate: Int, samples: [Int16])? in
            guard let voice = voice(speaker, in: &s) else { return nil }
            guard let wave = text.withCString({ cflite_text_to_wave($0, voice.pointer) }) else { return nil }
            defer { delete_wave(wave) }
            let w = wave.pointee
            let count = Int(w.num_samples) * Int(max(1, w.num_channels))
            let samples = count > 0 && w.samples != nil ? Array(UnsafeBufferPointer(start: w.samples, count: count)) : []
            return (Int(w.sample_rate), samples)
        }
    }

    private static func voice(_ speaker: String, in s: inout State) -> Voice? {
        if let known = s.voices[speaker] { return known }
        if !s.initialized {
            flite_init()
            s.initialized = true
        }
        let registered: UnsafeMutablePointer<cst_voice>?
        switch speaker {
        case "slt": registered = register_cmu_us_slt(nil)
        case "kal16": registered = register_cmu_us_kal16(nil)
        case "awb": registered = register_cmu_us_awb(nil)
        case "rms": registered = register_cmu_us_rms(nil)
        case "kal": registered = register_cmu_us_kal(nil)
        default: registered = nil
        }
        guard let registered else { return nil }
        let voice = Voice(pointer: registered)
        s.voices[speaker] = voice
        return voice
    }
}

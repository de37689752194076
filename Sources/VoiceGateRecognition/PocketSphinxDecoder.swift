import CPocketSphinx
import Foundation

/// One loaded PocketSphinx decoder and its configuration: the only owner of both C handles.
///
/// A decoder is not thread-safe and holds a whole model (about 0.3 s to load), so decoders are
/// pooled and lent to one session at a time. @unchecked Sendable: it only changes hands through
/// the pool's lock, and its user never shares it.
final class PocketSphinxDecoder: @unchecked Sendable {
    let decoder: OpaquePointer
    let config: OpaquePointer
    /// The rate the decoder's front end takes: 16000 (wideband) or 8000 (narrowband).
    let inputRate: Int

    /// Throws `modelMissing` unless the model's files are there: pocketsphinx itself only says
    /// that initialization failed.
    static func checkModel(in directory: String) throws {
        for file in ["en-us/mdef", "en-us/means", "en-us.lm.bin", "cmudict-en-us.dict"] {
            let path = directory + "/" + file
            guard FileManager.default.isReadableFile(atPath: path) else { throw RecognitionError.modelMissing(path: path) }
        }
    }

    init(settings: PocketSphinxRecognizer.Settings) throws {
        let model = settings.modelDirectory
        try Self.checkModel(in: model)
        guard let config = ps_config_init(nil) else { throw RecognitionError.decoderFailed(operation: "ps_config_init") }
        var owned = true
        defer { if owned { ps_config_free(config) } }

        func set(_ name: String, _ value: String) throws {
            guard ps_config_set_str(config, name, value) != nil else { throw RecognitionError.badParameter(name: name, value: value) }
        }
        // Errors only: pocketsphinx logs every parameter at INFO, and the gateway's stderr is logfmt.
        try set("loglevel", "ERROR")
        try set("hmm", model + "/en-us")
        // With phrases, the general model is loaded into the interpolated set instead (below):
        // loading it here too would build a search that is thrown away (measured: 0.3 s more per
        // decoder).
        if settings.phrases.isEmpty { try set("lm", model + "/en-us.lm.bin") }
        try set("dict", model + "/cmudict-en-us.dict")
        if let mean = settings.cepstralMean { try set("cmninit", mean) }
        for (name, value) in settings.parameters.sorted(by: { $0.key < $1.key }) { try set(name, value) }

        guard let decoder = ps_init(config) else { throw RecognitionError.decoderFailed(operation: "ps_init") }
        // ps_init re-reads the model's feat.params over the configuration, so the front end of
        // another rate (and any front-end parameter given) can only be set after it.
        var frontEnd: [(String, String)] = []
        switch settings.frontEnd {
        case .wideband:
            inputRate = 16000
        case .narrowband(let upperFrequency):
            inputRate = 8000
            frontEnd = [("samprate", "8000"), ("nfft", "256"), ("upperf", String(upperFrequency))]
        }
        frontEnd += settings.parameters.sorted(by: { $0.key < $1.key }).map { ($0.key, $0.value) }
        if !frontEnd.isEmpty {
            do {
                for (name, value) in frontEnd { try set(name, value) }
                guard ps_reinit_feat(decoder, config) >= 0 else { throw RecognitionError.decoderFailed(operation: "ps_reinit_feat") }
            } catch {
                ps_free(decoder)
                throw error
            }
        }
        owned = false
        self.decoder = decoder
        self.config = config
        // Thrown from here, deinit frees both handles.
        if !settings.phrases.isEmpty {
            try searchGeneralModel(model + "/en-us.lm.bin", interpolatedWith: PhraseLanguageModel(phrases: settings.phrases, isKnown: knows),
                                   weight: settings.phraseWeight)
        }
    }

    deinit {
        ps_free(decoder)
        ps_config_free(config)
    }

    /// Starts an utterance from the same state as any other, on a new front end: the old one
    /// carries state over from the last utterance (the noise estimate of spectral subtraction, the
    /// live cepstral mean), which would make a result depend on which call used the decoder before.
    /// The new one starts from the configured cepstral mean. Costs well under a millisecond.
    func startUtterance() throws {
        guard ps_reinit_feat(decoder, nil) >= 0 else { throw RecognitionError.decoderFailed(operation: "ps_reinit_feat") }
        guard ps_start_utt(decoder) >= 0 else { throw RecognitionError.decoderFailed(operation: "ps_start_utt") }
    }
}

import CPocketSphinx
import VoiceGateCore

extension PocketSphinxRecognizer {
    /// How the embedded recognizer is set up. The defaults are the ones measured best on telephone
    /// audio (Benchmarks/speech.sh, Benchmarks/README.md); change them only with a measurement.
    /// A value: any thread.
    public struct Settings: Sendable, Equatable {
        /// The folder holding `en-us/` (acoustic model), `en-us.lm.bin` and `cmudict-en-us.dict`.
        public var modelDirectory: String
        public var frontEnd: FrontEnd
        /// The decoder's starting cepstral mean (13 comma-separated values), where every session
        /// starts. PocketSphinx normalizes features live, from this estimate on; its own default
        /// (40,3,-1) is far from upsampled telephone audio: with it the corpus WER is 74 % instead
        /// of 37 %. nil keeps the model's default.
        public var cepstralMean: String?
        /// More PocketSphinx parameters by name (as `pocketsphinx help-config` lists them, without
        /// the dash), for experiments: `["lw": "7.5"]`.
        public var parameters: [String: String]
        /// Decoders kept loaded between sessions. Loading one takes about 0.3 s of CPU and 90 MB of
        /// memory (the language model and dictionary, not shared between decoders), so the pool
        /// should hold about as many as calls listen at once, and no more.
        public var maximumIdleDecoders: Int
        /// What the callers of the one bot this recognizer listens for are expected to say
        /// (`biased(towards:)` fills it from a `BotVocabulary`). A small language model of these
        /// phrases is interpolated with the general one, so they are recognized far more readily
        /// while other speech still is. Empty: the general model alone (open vocabulary). Words
        /// missing from the pronunciation dictionary are left out (`wordsMissingFromDictionary()`).
        public var phrases: [String]
        /// The phrase model's share of the interpolated probability, 0...1 (the general model has
        /// the rest). Unused without `phrases`.
        public var phraseWeight: Double

        public init(modelDirectory: String = Settings.defaultModelDirectory, frontEnd: FrontEnd = .wideband,
                    cepstralMean: String? = Settings.telephoneCepstralMean, parameters: [String: String] = [:],
                    maximumIdleDecoders: Int = 2, phrases: [String] = [], phraseWeight: Double = Settings.defaultPhraseWeight) {
            self.modelDirectory = modelDirectory
            self.frontEnd = frontEnd
            self.cepstralMean = cepstralMean
            self.parameters = parameters
            self.maximumIdleDecoders = max(0, maximumIdleDecoders)
            self.phrases = phrases
            self.phraseWeight = min(1, max(0, phraseWeight))
        }

        /// These settings, listening for one bot: `phrases` from what its callers are expected to
        /// say (Benchmarks/README.md has what each part brings).
        public func biased(towards vocabulary: BotVocabulary) -> Settings {
            var settings = self
            settings.phrases = vocabulary.answers
            return settings
        }

        /// The largest weight at which speech a bot does not expect is recognized as well as with
        /// the general model alone, measured on other voices (Benchmarks/README.md); more gains a
        /// little on the bot's phrases and loses more on everything else.
        public static let defaultPhraseWeight = 0.3

        /// `en-us` under the folder PocketSphinx was installed with (deploy/setup.sh:
        /// /usr/local/share/pocketsphinx/model), or under $POCKETSPHINX_PATH when set.
        public static var defaultModelDirectory: String {
            let base = ps_default_modeldir().map { String(cString: $0) } ?? "/usr/local/share/pocketsphinx/model"
            return base + "/en-us"
        }

        /// The mean cepstrum of 8 kHz speech upsampled to 16 kHz, through the en-us model's front
        /// end: the batch mean over the speech corpus (`Benchmarks/speech.sh
        /// --estimate-cepstral-mean` prints it). Much of it is the channel, not the talker (the
        /// empty band above 4 kHz shapes the higher coefficients): on three other voices through
        /// G.711, which it was not taken from, it brought WER from 75 % (pocketsphinx's default) to 19 %.
        public static let telephoneCepstralMean = "45.0,23.1,-17.0,46.1,-21.5,13.7,0.9,3.0,4.7,6.5,0.7,8.2,8.3"
    }

    /// How 8 kHz call audio meets the acoustic model.
    public enum FrontEnd: Sendable, Equatable {
        /// Upsample to 16 kHz and keep the model's own front end (130-6800 Hz, 25 filters): right
        /// for the en-us model, which was trained on 16 kHz speech.
        case wideband
        /// Decode at 8 kHz (256-point FFT) with mel filters up to `upperFrequency` Hz: for an
        /// acoustic model trained on 8 kHz speech, with a `cepstralMean` estimated for it. With the
        /// 16 kHz en-us model it recognizes next to nothing (WER over 100 % on the corpus).
        case narrowband(upperFrequency: Double)
    }
}

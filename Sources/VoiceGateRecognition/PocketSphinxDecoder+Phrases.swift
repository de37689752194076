import CPocketSphinx
import Foundation

extension PocketSphinxDecoder {
    /// Whether the pronunciation dictionary has `word` (so a language model may propose it).
    func knows(_ word: String) -> Bool {
        guard let pronunciation = ps_lookup_word(decoder, word) else { return false }
        free(pronunciation)
        return true
    }

    /// Makes the decoder search with the general language model (at `path`) interpolated with
    /// `model`, which gets `weight` of the probability:
    /// P(w | h) = (1 - weight) P_general(w | h) + weight P_phrases(w | h). With an empty `model` (no
    /// phrase had a known word) the general model alone.
    ///
    /// PocketSphinx mixes the models' scores after the language weight `lw` (6.5) has scaled them:
    /// it adds up w_i * P_i^lw, not (w_i * P_i)^lw. Given as they are, weights count for next to
    /// nothing (measured: the same corpus errors from 0.001 to 0.9, as 0.001 still gives the phrase
    /// model a third of 0.5's pull), so each goes in raised to lw as well, which makes `weight` a
    /// share of probability again.
    ///
    /// A search over an interpolated set, not a grammar: a grammar (JSGF) or keyphrase search forces
    /// every utterance into the phrases, and a bot's text questions ("Which day suits you?") need
    /// the whole language.
    func searchGeneralModel(_ path: String, interpolatedWith model: PhraseLanguageModel, weight: Double) throws {
        // Models in one set must share the decoder's log base; each read takes a reference to it.
        guard let general = ngram_model_read(config, path, NGRAM_AUTO, logmath_retain(ps_get_logmath(decoder))) else {
            throw RecognitionError.decoderFailed(operation: "ngram_model_read (\(path))")
        }
        defer { ngram_model_free(general) }
        guard !model.isEmpty else { return try activate(general) }

        // ngram_model_read takes a file: the model lives there only until it is read.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("voicegate-phrases-\(UUID().uuidString).arpa")
        do { try Data(model.arpa.utf8).write(to: file) } catch { throw RecognitionError.decoderFailed(operation: "writing the phrase model to \(file.path)") }
        defer { try? FileManager.default.removeItem(at: file) }
        guard let phrases = ngram_model_read(config, file.path, NGRAM_ARPA, logmath_retain(ps_get_logmath(decoder))) else {
            throw RecognitionError.decoderFailed(operation: "ngram_model_read (phrase model)")
        }
        defer { ngram_model_free(phrases) }

        var models: [OpaquePointer?] = [general, phrases]
        var names: [UnsafeMutablePointer<CChar>?] = [strdup("general"), strdup("phrases")]
        defer { names.forEach { free($0) } }
        let lw = ps_config_float(config, "lw")
        let scaled = [pow(1 - weight, lw), pow(weight, lw)]
        let weights = scaled.map { Float($0 / (scaled[0] + scaled[1])) }
        // The set holds its own references to both models.
        guard let set = ngram_model_set_init(config, &models, &names, weights, 2) else {
            throw RecognitionError.decoderFailed(operation: "ngram_model_set_init")
        }
        defer { ngram_model_free(set) }
        try activate(set)
    }

    /// Adds a search over `model` (the search takes a reference) and makes it the one used.
    private func activate(_ model: OpaquePointer) throws {
        guard ps_add_lm(decoder, Self.searchName, model) >= 0 else { throw RecognitionError.decoderFailed(operation: "ps_add_lm") }
        guard ps_activate_search(decoder, Self.searchName) >= 0 else { throw RecognitionError.decoderFailed(operation: "ps_activate_search") }
    }

    static let searchName = "bot"
}

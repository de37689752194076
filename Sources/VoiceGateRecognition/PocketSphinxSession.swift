import CPocketSphinx
import VoiceGateCore

/// One utterance on a borrowed decoder. Audio goes through the decoder as it comes (the search
/// runs while the caller speaks), so `finish()` has only the last frames and the final passes left.
///
/// Threads: one at a time (see `RecognitionSession`).
final class PocketSphinxSession: RecognitionSession {
    private var decoder: PocketSphinxDecoder?
    private let pool: DecoderPool
    private var upsampler: TelephoneUpsampler?
    /// Reused for each feed's samples at the decoder's rate.
    private var buffer: [Int16] = []
    private var outcome: Result<Recognition, RecognitionError>?

    init(decoder: PocketSphinxDecoder, pool: DecoderPool) throws {
        self.pool = pool
        do {
            try decoder.startUtterance()
        } catch {
            pool.give(decoder)
            throw error
        }
        self.decoder = decoder
        upsampler = decoder.inputRate == 16000 ? TelephoneUpsampler() : nil
        buffer.reserveCapacity(2 * 1600)
    }

    deinit {
        // Dropped mid-utterance (the caller hung up): close it so the decoder can start another.
        if let decoder {
            ps_end_utt(decoder.decoder)
            pool.give(decoder)
        }
    }

    func feed(_ samples: ArraySlice<Int16>) {
        guard outcome == nil, let decoder, !samples.isEmpty else { return }
        if upsampler != nil {
            buffer.removeAll(keepingCapacity: true)
            upsampler!.upsample(samples, into: &buffer)
            process(buffer[...], on: decoder)
        } else {
            process(samples, on: decoder)
        }
    }

    func finish() throws -> Recognition {
        if outcome == nil, let decoder {
            if upsampler != nil {
                buffer.removeAll(keepingCapacity: true)
                upsampler!.flush(into: &buffer)
                process(buffer[...], on: decoder)
            }
            if outcome == nil {
                outcome = ps_end_utt(decoder.decoder) < 0
                    ? .failure(.decoderFailed(operation: "ps_end_utt"))
                    : .success(Self.result(of: decoder.decoder))
            } else {
                ps_end_utt(decoder.decoder)
            }
            self.decoder = nil
            pool.give(decoder)
        }
        return try outcome!.get()
    }

    private func process(_ samples: ArraySlice<Int16>, on decoder: PocketSphinxDecoder) {
        let status = samples.withUnsafeBufferPointer { p in
            ps_process_raw(decoder.decoder, p.baseAddress, p.count, 0, 0)
        }
        if status < 0 { outcome = .failure(.decoderFailed(operation: "ps_process_raw")) }
    }

    /// The best hypothesis, and as confidence the mean posterior probability of its words (from
    /// the word lattice: how much of the probability mass of all paths goes through each word).
    /// Silences and noise fillers are not words and do not count.
    static func result(of decoder: OpaquePointer) -> Recognition {
        var score: Int32 = 0
        guard let hyp = ps_get_hyp(decoder, &score), hyp.pointee != 0 else { return .nothing }
        let text = String(cString: hyp)
        // Computes the lattice posteriors that ps_seg_prob reports.
        _ = ps_get_prob(decoder)
        let logmath = ps_get_logmath(decoder)
        var posteriors: [Double] = []
        var segment = ps_seg_iter(decoder)
        while let seg = segment {
            if let word = ps_seg_word(seg), !isFiller(word) {
                var acoustic: Int32 = 0, language: Int32 = 0, backoff: Int32 = 0
                posteriors.append(logmath_exp(logmath, ps_seg_prob(seg, &acoustic, &language, &backoff)))
            }
            segment = ps_seg_next(seg)
        }
        let confidence = posteriors.isEmpty ? 0 : posteriors.reduce(0, +) / Double(posteriors.count)
        return Recognition(text: text, confidence: confidence)
    }

    /// <s>, </s>, <sil> and [NOISE]-style fillers.
    private static func isFiller(_ word: UnsafePointer<CChar>) -> Bool {
        word.pointee == CChar(UInt8(ascii: "<")) || word.pointee == CChar(UInt8(ascii: "["))
    }
}

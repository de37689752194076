import CPocketSphinx
import Foundation

extension PocketSphinxRecognizer {
    /// The mean cepstrum of `utterances` (8 kHz), for `Settings.cepstralMean`: what to start live
    /// normalization from on a new kind of channel or codec. Each utterance is decoded whole, with
    /// the model's batch normalization, on a decoder of its own (a decoder that has streamed once
    /// normalizes live for good); the means of the utterances are averaged.
    ///
    /// Any thread; takes as long as recognizing the audio, plus loading a decoder.
    public func estimateCepstralMean(of utterances: [[Int16]]) throws -> String {
        let decoder = try PocketSphinxDecoder(settings: settings)
        var sums: [Double] = []
        var count = 0
        for samples in utterances where !samples.isEmpty {
            var audio: [Int16] = []
            if decoder.inputRate == 16000 {
                var upsampler = TelephoneUpsampler()
                upsampler.upsample(samples[...], into: &audio)
                upsampler.flush(into: &audio)
            } else {
                audio = samples
            }
            guard ps_start_utt(decoder.decoder) >= 0 else { throw RecognitionError.decoderFailed(operation: "ps_start_utt") }
            let status = audio.withUnsafeBufferPointer { ps_process_raw(decoder.decoder, $0.baseAddress, $0.count, 0, 1) }
            guard status >= 0, ps_end_utt(decoder.decoder) >= 0 else { throw RecognitionError.decoderFailed(operation: "ps_process_raw") }
            guard let text = ps_get_cmn(decoder.decoder, 0) else { continue }
            let values = String(cString: text).split(separator: ",").compactMap { Double($0) }
            if sums.isEmpty { sums = [Double](repeating: 0, count: values.count) }
            guard values.count == sums.count else { continue }
            for i in values.indices { sums[i] += values[i] }
            count += 1
        }
        guard count > 0 else { return "" }
        return sums.map { String(format: "%.1f", $0 / Double(count)) }.joined(separator: ",")
    }
}

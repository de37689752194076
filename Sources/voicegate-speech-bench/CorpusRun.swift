import Foundation
import VoiceGateCore
import VoiceGateRecognition

/// One recognizer over a whole corpus, as a call feeds it: 8 kHz in `chunk`-sample feeds, one
/// session per file, optionally only from `preRoll` seconds before the utterance detector's start.
struct CorpusRun {
    struct FileResult {
        let item: SpeechCorpus.Item
        let recognition: Recognition
        let wer: WordErrorRate
        /// Seconds from start() to finish()'s result.
        let work: Double
    }

    var files: [FileResult] = []
    var total = WordErrorRate()
    var workSeconds = 0.0
    var audioSeconds = 0.0
    var startLatencies: [Double] = []
    var finishLatencies: [Double] = []

    static let clock = ContinuousClock()
    static func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

    init(recognizer: PocketSphinxRecognizer, corpus: SpeechCorpus, chunk: Int, preRoll: Double?) throws {
        for item in corpus.items {
            var samples = item.audio.samples
            if let preRoll, let start = Self.detectedStart(of: samples) {
                samples = Array(samples[max(0, Int((start - preRoll) * 8000))...])
            }
            let began = Self.clock.now
            let session = try recognizer.start()
            startLatencies.append(Self.seconds(Self.clock.now - began))
            var offset = 0
            while offset < samples.count {
                session.feed(samples[offset..<min(samples.count, offset + chunk)])
                offset += chunk
            }
            let finishing = Self.clock.now
            let recognition = try session.finish()
            finishLatencies.append(Self.seconds(Self.clock.now - finishing))
            let work = Self.seconds(Self.clock.now - began)
            let wer = WordErrorRate(reference: item.reference, hypothesis: recognition.text)
            files.append(FileResult(item: item, recognition: recognition, wer: wer, work: work))
            total += wer
            workSeconds += work
            audioSeconds += item.audio.durationSeconds
        }
    }

    var realTimeFactor: Double { workSeconds / audioSeconds }

    /// Where the utterance detector finds speech (start-end, seconds), as a check on it.
    static func detectedSpans(of samples: [Int16]) -> String {
        events(of: samples).compactMap { event -> String? in
            if case .ended(let s) = event { return String(format: "%.2f-%.2f", s.start, s.end) }
            return nil
        }.joined(separator: ",")
    }

    static func detectedStart(of samples: [Int16]) -> Double? {
        for case .started(let at) in events(of: samples) { return at }
        return nil
    }

    private static func events(of samples: [Int16]) -> [UtteranceEndpointer.Event] {
        guard let detector = try? UtteranceDetector() else { return [] }
        var events = detector.feed(samples)
        if let last = detector.finish() { events.append(last) }
        return events
    }
}

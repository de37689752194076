import Testing
import VoiceGateCore
import VoiceGateRecognition

struct UtteranceDetectorTests {
    /// Feeds in 20 ms chunks; returns each event with the stream position when it was reported.
    func detect(_ samples: [Int16], _ settings: UtteranceDetector.Settings = .init()) throws -> [(Double, UtteranceEndpointer.Event)] {
        let detector = try UtteranceDetector(settings: settings)
        var events: [(Double, UtteranceEndpointer.Event)] = []
        var offset = 0
        while offset < samples.count {
            for e in detector.feed(samples[offset..<min(samples.count, offset + 160)]) { events.append((detector.position, e)) }
            offset += 160
        }
        if let e = detector.finish() { events.append((detector.position, e)) }
        return events
    }

    @Test func findsTheOneUtteranceOfACorpusFile() throws {
        // 01.wav is 1.96 s; its speech runs from about 0.22 s to 1.76 s (frame energies), with a
        // 0.1 s pause between "talk" and "to" that must stay inside.
        let lead = 0.5
        let events = try detect(Corpus.silence(lead) + (try Corpus.samples("01.wav")) + Corpus.silence(1.5))
        #expect(events.count == 2)
        guard events.count == 2, case .started(let start) = events[0].1, case .ended(let segment) = events[1].1 else { return }
        #expect(start > lead + 0.1 && start < lead + 0.35)
        #expect(segment.start == start)
        #expect(segment.end > lead + 1.6 && segment.end < lead + 1.9)
        // Reported once 700 ms of silence followed, not before and not much after.
        #expect(events[1].0 >= segment.end + 0.69 && events[1].0 <= segment.end + 0.75)
    }

    @Test func theTrailingSilenceIsConfigurable() throws {
        let audio = Corpus.silence(0.3) + (try Corpus.samples("24.wav")) + Corpus.silence(2)
        let quick = try detect(audio, .init(trailingSilenceSeconds: 0.3))
        let patient = try detect(audio, .init(trailingSilenceSeconds: 1.2))
        #expect(quick.count == 2 && patient.count == 2)
        guard quick.count == 2, patient.count == 2 else { return }
        #expect(abs((patient[1].0 - quick[1].0) - 0.9) < 0.03)
    }

    @Test func silenceAndHissAreNotSpeech() throws {
        #expect(try detect(Corpus.silence(2)).isEmpty)
        var seed: UInt32 = 7
        let hiss = (0..<16000).map { _ -> Int16 in
            seed = seed &* 1_664_525 &+ 1_013_904_223
            return Int16(Int(seed >> 24) - 128)
        }
        #expect(try detect(hiss).isEmpty)
    }

    @Test func aCallThatEndsMidSentenceEndsTheUtterance() throws {
        let events = try detect(Corpus.silence(0.2) + Array(try Corpus.samples("15.wav").prefix(12000)))
        #expect(events.count == 2)
        if case .ended(let segment) = events.last?.1 { #expect(segment.end > 1.2) }
    }
}

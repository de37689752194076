import Testing
@testable import VoiceGateCore

struct SpeechSegmenterTests {
    /// `seconds` of a 400 Hz tone at `amplitude`, at 8 kHz.
    func tone(_ seconds: Double, amplitude: Double = 8000) -> [Int16] {
        (0..<Int(seconds * 8000)).map { Int16(amplitude * sin(2 * Double.pi * 400 * Double($0) / 8000)) }
    }
    func silence(_ seconds: Double) -> [Int16] { [Int16](repeating: 0, count: Int(seconds * 8000)) }

    @Test func findsEachUtteranceWithItsTimes() {
        var vad = SpeechSegmenter()
        let closed = vad.append(silence(0.5) + tone(1.0) + silence(1.0) + tone(0.6) + silence(0.8))
        #expect(closed.count == 2)
        #expect(abs(closed[0].start - 0.5) < 0.021 && abs(closed[0].end - 1.5) < 0.021)
        #expect(abs(closed[1].start - 2.5) < 0.021 && abs(closed[1].end - 3.1) < 0.021)
        #expect(vad.finish() == nil)
    }

    @Test func keepsShortPausesInsideOneSegment() {
        var vad = SpeechSegmenter()
        vad.append(tone(0.4) + silence(0.3) + tone(0.4) + silence(0.1))
        #expect(vad.segments.isEmpty)
        #expect(vad.openSegmentStart == 0)
        let last = vad.finish()
        #expect(last.map { abs($0.end - 1.1) < 0.021 } == true)
        #expect(vad.segments.count == 1)
    }

    @Test func ignoresClicksAndQuietNoise() {
        var vad = SpeechSegmenter()
        vad.append(silence(0.2) + tone(0.02) + silence(1) + tone(2, amplitude: 100) + silence(1))
        #expect(vad.segments.isEmpty)
        #expect(vad.finish() == nil)
    }

    @Test func worksOnRealSpeech() throws {
        // The gateway's built-in greeting: one spoken sentence.
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/voicegate/Resources/welcome.wav")
        let audio = try PCMAudio(wav: Array(try Data(contentsOf: url))).resampled(to: 8000)
        var vad = SpeechSegmenter()
        vad.append(silence(0.3) + audio.samples + silence(1))
        _ = vad.finish()
        #expect(!vad.segments.isEmpty)
        let speech = vad.segments.reduce(0) { $0 + $1.end - $1.start }
        #expect(speech > audio.durationSeconds * 0.6)
        #expect(vad.segments[0].start >= 0.3)
    }
}

import Foundation

extension SpeechSegmenterTests {
    @Test("a recording's speech span runs from its first segment's start to its last one's end, long pauses included; silence has none")
    func speechSpan() throws {
        let span = try #require(SpeechSegmenter.speechSpan(of: silence(0.3) + tone(1.0) + silence(1.5) + tone(0.5) + silence(0.4)))
        #expect(abs(span.start - 0.3) < 0.021 && abs(span.end - 3.3) < 0.021, "\(span)")
        #expect(SpeechSegmenter.speechSpan(of: silence(2) + tone(1, amplitude: 50)) == nil)
    }
}

import Testing
import VoiceGateCore

struct UtteranceEndpointerTests {
    /// Feeds `pattern` ("x" voiced, "." not, 20 ms each) and returns the events with their frame index.
    func run(_ pattern: String, _ settings: UtteranceEndpointer.Settings = .init(), finish: Bool = false) -> [(Int, UtteranceEndpointer.Event)] {
        var endpointer = UtteranceEndpointer(settings: settings)
        var events: [(Int, UtteranceEndpointer.Event)] = []
        for (i, ch) in pattern.enumerated() {
            if let e = endpointer.take(voiced: ch == "x") { events.append((i, e)) }
        }
        if finish, let e = endpointer.finish() { events.append((pattern.count, e)) }
        return events
    }

    func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) < 1e-9 }

    @Test func startsAfterTheOnsetAndEndsAfterTheTrailingSilence() {
        // 10 silent frames, 50 voiced (1 s), then 40 silent (0.8 s).
        let events = run(String(repeating: ".", count: 10) + String(repeating: "x", count: 50) + String(repeating: ".", count: 40))
        #expect(events.count == 2)
        guard events.count == 2, case .started(let at) = events[0].1, case .ended(let segment) = events[1].1 else { return }
        #expect(events[0].0 == 12)            // reported on the third voiced frame (60 ms onset)
        #expect(close(at, 0.2))               // dated from the first
        #expect(close(segment.start, 0.2) && close(segment.end, 1.2))
        #expect(events[1].0 == 94)            // 35 silent frames = 700 ms after the last voiced frame
    }

    @Test func pausesShorterThanTheTrailingSilenceStayInside() {
        let speech = String(repeating: "x", count: 20)
        let events = run(speech + String(repeating: ".", count: 30) + speech + String(repeating: ".", count: 40))
        #expect(events.count == 2)
        if case .ended(let segment) = events.last?.1 { #expect(close(segment.start, 0) && close(segment.end, 1.4)) }
    }

    @Test func trailingSilenceIsConfigurable() {
        let settings = UtteranceEndpointer.Settings(trailingSilenceSeconds: 0.3)
        let speech = String(repeating: "x", count: 20)
        let events = run(speech + String(repeating: ".", count: 30) + speech + String(repeating: ".", count: 20), settings)
        #expect(events.count == 4)
        #expect(events[1].0 == 34)  // 15 frames of silence
    }

    @Test func clicksAreNotSpeech() {
        #expect(run("..x...xx....x.x.xx......").isEmpty)
    }

    @Test func longSpeechIsCutAtTheMaximum() {
        let settings = UtteranceEndpointer.Settings(maximumSeconds: 1)
        let events = run(String(repeating: "x", count: 51), settings)
        #expect(events.count == 2)
        if case .ended(let segment) = events.last?.1 {
            #expect(close(segment.start, 0) && close(segment.end, 1))
            #expect(events.last?.0 == 49)
        }
    }

    @Test func finishEndsTheOpenUtterance() {
        let events = run("...xxxxxxx..", finish: true)
        #expect(events.count == 2)
        if case .ended(let segment) = events.last?.1 { #expect(close(segment.start, 0.06) && close(segment.end, 0.2)) }
        #expect(run("......", finish: true).isEmpty)
    }
}

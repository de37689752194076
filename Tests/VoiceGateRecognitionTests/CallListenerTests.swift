import Testing
import VoiceGateCore
import VoiceGateRecognition

/// The listener a speaking bot's call uses: the real detector and recognizer on corpus speech,
/// fed in 40 ms chunks as the playout queue hands over call audio.
struct CallListenerTests {
    static let recognizer: PocketSphinxRecognizer? = try? PocketSphinxRecognizer()

    func listen(_ samples: [Int16], _ settings: CallListener.Settings = .init(), finishEarly: Bool = false) throws -> [(Double, CallListener.Heard)] {
        let listener = try CallListener(recognizer: try #require(Self.recognizer), settings: settings)
        var heard: [(Double, CallListener.Heard)] = []
        var offset = 0
        while offset < samples.count {
            for h in listener.feed(Array(samples[offset..<min(samples.count, offset + 320)])) { heard.append((listener.position, h)) }
            offset += 320
        }
        for h in listener.finish() { heard.append((listener.position, h)) }
        return heard
    }

    @Test("an utterance: barge-in once it lasted bargeInSeconds, then the words with their confidence once the caller stopped")
    func utterance() throws {
        let heard = try listen(Corpus.silence(1) + (try Corpus.samples("03.wav")) + Corpus.silence(1.5))
        #expect(heard.count == 2, "\(heard)")
        guard heard.count == 2, case .speechStarted(let start) = heard[0].1,
              case .utterance(let recognition, let segment) = heard[1].1 else { return }
        #expect(heard[0].0 >= start + 0.2 && heard[0].0 <= start + 0.26, "reported bargeInSeconds after the start, give or take a chunk")
        #expect(segment.start == start)
        let words = WordErrorRate(reference: try Corpus.transcript("03.wav"), hypothesis: recognition.text)
        #expect(words.errors <= 2, "\(recognition.text)")
        #expect(recognition.confidence > 0)
    }

    /// Keeps what its one session was fed.
    final class Tape: SpeechRecognizer, @unchecked Sendable {
        final class Session: RecognitionSession {
            var fed: [Int16] = []
            func feed(_ samples: ArraySlice<Int16>) { fed += samples }
            func finish() throws -> Recognition { Recognition(text: "taped", confidence: 1) }
        }
        var sessions: [Session] = []
        var sampleRate: Int { 8000 }
        func start() throws -> sending any RecognitionSession {
            let session = Session()
            sessions.append(session)
            return session
        }
    }

    @Test("the pre-roll: the session hears the call audio from preRollSeconds before the detected start to the end of the utterance")
    func preRoll() throws {
        let speech = try Corpus.samples("18.wav")
        let audio = Corpus.silence(1) + speech + Corpus.silence(1.5)
        let tape = Tape()
        let listener = try CallListener(recognizer: tape)
        var heard: [CallListener.Heard] = []
        for offset in stride(from: 0, to: audio.count, by: 320) { heard += listener.feed(Array(audio[offset..<min(audio.count, offset + 320)])) }
        guard case .speechStarted(let start)? = heard.first, tape.sessions.count == 1 else { Issue.record("\(heard)"); return }
        let from = Int((start - 0.3) * 8000)
        let fed = tape.sessions[0].fed
        #expect(Array(fed.prefix(speech.count)) == Array(audio[from..<(from + speech.count)]), "the session starts 0.3 s before the speech")
        guard case .utterance(let r, let segment)? = heard.last else { Issue.record("\(heard)"); return }
        #expect(r.text == "taped")
        #expect(fed.count >= Int((segment.end - start + 0.3) * 8000), "the whole utterance reached the session")
    }

    @Test("a click is not barge-in and not an utterance; a longer barge-in minimum waits longer")
    func clicksAndMinimum() throws {
        var click = Corpus.silence(1)
        for i in 0..<160 { click.append(i % 2 == 0 ? 12000 : -12000) }   // 20 ms of loud noise
        click += Corpus.silence(1)
        #expect(try listen(click).isEmpty)
        var patient = CallListener.Settings()
        patient.bargeInSeconds = 0.6
        let heard = try listen(Corpus.silence(1) + (try Corpus.samples("01.wav")) + Corpus.silence(1.5), patient)
        guard case .speechStarted(let start)? = heard.first?.1 else { Issue.record("\(heard)"); return }
        #expect(heard[0].0 >= start + 0.6 && heard[0].0 <= start + 0.66)
    }

    @Test("the call ends mid-utterance: what was said so far is still recognized")
    func endsMidUtterance() throws {
        let heard = try listen(Corpus.silence(1) + (try Corpus.samples("16.wav")))
        let utterances = heard.compactMap { if case .utterance(let r, _) = $0.1 { return r } else { return nil } }
        #expect(utterances.count == 1)
        let text = utterances.first?.text ?? ""
        #expect(text.count > 0, "\(heard)")
    }
}

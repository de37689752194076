import Testing
import VoiceGateCore
@testable import VoiceGateSynthesis

/// The real flite voice at a phone call's rate: plausible durations, voiced energy, pauses as
/// silence, markdown costing no audio, the cache in front of it.
struct FliteSynthesizerTests {
    static let sentence = "I want to check my order status"

    /// Mean absolute sample value of each 20 ms frame.
    func frameLevels(_ audio: PCMAudio) -> [Int] {
        let size = audio.sampleRate / 50
        return stride(from: 0, to: audio.samples.count - size + 1, by: size).map { start in
            audio.samples[start..<start + size].reduce(0) { $0 + abs(Int($1)) } / size
        }
    }

    /// The longest run of frames quieter than `level`, in seconds.
    func longestQuiet(_ audio: PCMAudio, below level: Int = 30) -> Double {
        var longest = 0, run = 0
        for l in frameLevels(audio) {
            run = l < level ? run + 1 : 0
            longest = max(longest, run)
        }
        return Double(longest) * 0.02
    }

    @Test func aSentenceAt8kHzSoundsLikeASentence() throws {
        let synth = try FliteSynthesizer()
        #expect(synth.voice == "flite/cmu_us_slt")
        let audio = try synth.synthesize(SpokenText(plain: FliteSynthesizerTests.sentence), sampleRate: 8000)
        #expect(audio.sampleRate == 8000)
        #expect((1.0...4.0).contains(audio.durationSeconds), "\(audio.durationSeconds) s for 7 words")
        let voiced = frameLevels(audio).filter { $0 >= 300 }.count
        #expect(voiced >= 30, "voiced 20 ms frames: \(voiced)")
        #expect(audio.samples.contains { abs(Int($0)) > 4000 }, "speech at a phone prompt's level")
        #expect(!audio.samples.contains { $0 == .max || $0 == .min }, "no clipping")
    }

    @Test func otherRatesAndVoices() throws {
        let text = SpokenText(plain: "Thank you for calling")
        let at8 = try FliteSynthesizer().synthesize(text, sampleRate: 8000)
        let at16 = try FliteSynthesizer(speaker: "cmu_us_slt").synthesize(text, sampleRate: 16000)
        #expect(at16.sampleRate == 16000 && abs(at16.durationSeconds - at8.durationSeconds) < 0.01)
        let kal = try FliteSynthesizer(speaker: "kal")
        #expect(kal.voice == "flite/cmu_us_kal")
        #expect(frameLevels(try kal.synthesize(text, sampleRate: 8000)).filter { $0 >= 300 }.count >= 10)
        #expect(throws: FliteSynthesizer.Failure.unknownVoice("hal9000")) { try FliteSynthesizer(speaker: "hal9000") }
    }

    @Test func aOneSecondBreakIsSilence() throws {
        let synth = try FliteSynthesizer()
        let plain = try synth.synthesize(SpokenText(ssml: "<speak>Please hold. Thank you.</speak>"), sampleRate: 8000)
        let withBreak = try synth.synthesize(SpokenText(ssml: "<speak>Please hold.<break time=\"1s\"/>Thank you.</speak>"), sampleRate: 8000)
        #expect(longestQuiet(withBreak) >= 0.9, "longest near-silence: \(longestQuiet(withBreak)) s")
        #expect(longestQuiet(plain) < 0.9)
        #expect(withBreak.durationSeconds - plain.durationSeconds >= 0.9)
    }

    @Test func markdownCostsNoAudio() throws {
        let synth = try FliteSynthesizer()
        let markdown = SpokenText.from(speak: nil, text: "**Your order** has _shipped_. See [tracking](https://example.com/track/123)", attachments: nil)
        let plain = SpokenText(plain: "Your order has shipped. See tracking")
        let a = try synth.synthesize(try #require(markdown), sampleRate: 8000)
        let b = try synth.synthesize(plain, sampleRate: 8000)
        #expect(abs(a.durationSeconds - b.durationSeconds) <= 0.1 * b.durationSeconds,
                "markdown \(a.durationSeconds) s, plain \(b.durationSeconds) s")
    }

    @Test func digitsTakeLongerThanTheNumber() throws {
        // "four one five five five five" against "four hundred fifteen, five hundred fifty-five".
        let synth = try FliteSynthesizer()
        let asDigits = try synth.synthesize(SpokenText(ssml: "<say-as interpret-as=\"digits\">415555</say-as>"), sampleRate: 8000)
        #expect(asDigits.durationSeconds > 1.5, "\(asDigits.durationSeconds) s")
    }

    @Test func theCacheAnswersWithoutSynthesizingAgain() throws {
        let cache = PromptCache(capacity: 8)
        let synth = try FliteSynthesizer()
        let text = SpokenText(plain: FliteSynthesizerTests.sentence)
        let first = try cache.audio(for: text, sampleRate: 8000, using: synth)
        let second = try cache.audio(for: text, sampleRate: 8000, using: synth)
        #expect(first == second)
        #expect(cache.misses == 1 && cache.hits == 1, "one synthesis, one hit")
        _ = try cache.audio(for: text, sampleRate: 16000, using: synth)
        #expect(cache.misses == 2, "another rate is another prompt")
    }

    @Test func concurrentCallersGetWholePrompts() async throws {
        // Clustergen voices draw noise excitation from rand(), so two renderings of one text differ
        // in their samples but not in their timing or level.
        let synth = try FliteSynthesizer()
        let text = SpokenText(plain: "One moment please")
        let expected = try synth.synthesize(text, sampleRate: 8000)
        let level = frameLevels(expected).reduce(0, +)
        try await withThrowingTaskGroup(of: PCMAudio.self) { group in
            for _ in 0..<6 { group.addTask { try synth.synthesize(text, sampleRate: 8000) } }
            for try await audio in group {
                #expect(audio.samples.count == expected.samples.count)
                let other = frameLevels(audio).reduce(0, +)
                #expect(abs(other - level) <= level / 10, "summed frame levels \(other) against \(level)")
            }
        }
    }

    @Test func textFliteCannotReadIsFolded() throws {
        #expect(FliteText.ascii("Café – don’t “wait”… 👍 Straße") == "Cafe ,  don't \"wait\"...   Strasse")
        let audio = try FliteSynthesizer().synthesize(SpokenText(plain: "👍 ✓ ☎"), sampleRate: 8000)
        #expect(audio.durationSeconds < 1, "symbols alone say nothing much: \(audio.durationSeconds) s")
    }
}

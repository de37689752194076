import Synchronization
import Testing
@testable import VoiceGateCore

/// The prompt cache with a counting stand-in synthesizer: keys, least-recently-used eviction, counters.
struct PromptCacheTests {
    final class CountingSynthesizer: SpeechSynthesizer {
        let voice: String
        let calls = Atomic(0)
        init(voice: String = "fake/a") { self.voice = voice }
        func synthesize(_ text: SpokenText, sampleRate: Int) throws -> PCMAudio {
            calls.add(1, ordering: .relaxed)
            return PCMAudio(sampleRate: sampleRate, samples: [Int16](repeating: 1, count: text.words.count))
        }
    }

    @Test func aSecondRequestIsAHitAndSynthesizesNothing() throws {
        let cache = PromptCache(capacity: 4)
        let synth = CountingSynthesizer()
        let first = try cache.audio(for: SpokenText(plain: "Hello"), sampleRate: 8000, using: synth)
        let second = try cache.audio(for: SpokenText(plain: "Hello"), sampleRate: 8000, using: synth)
        #expect(first == second)
        #expect(synth.calls.load(ordering: .relaxed) == 1)
        #expect((cache.hits, cache.misses, cache.count) == (1, 1, 1))
    }

    @Test func voiceRateAndTextAreAllPartOfTheKey() throws {
        let cache = PromptCache()
        let a = CountingSynthesizer(voice: "fake/a"), b = CountingSynthesizer(voice: "fake/b")
        _ = try cache.audio(for: SpokenText(plain: "Hi"), sampleRate: 8000, using: a)
        _ = try cache.audio(for: SpokenText(plain: "Hi"), sampleRate: 16000, using: a)
        _ = try cache.audio(for: SpokenText(plain: "Hi"), sampleRate: 8000, using: b)
        _ = try cache.audio(for: SpokenText([.text("Hi"), .pause(milliseconds: 100)]), sampleRate: 8000, using: a)
        #expect(cache.misses == 4 && cache.hits == 0 && cache.count == 4)
        // Markdown and its plain equivalent sound the same, so they share an entry.
        _ = try cache.audio(for: SpokenText(markdown: "**Hi**"), sampleRate: 8000, using: a)
        _ = try cache.audio(for: SpokenText(plain: "Hi."), sampleRate: 8000, using: a)
        #expect(cache.hits == 1)
    }

    @Test func theLeastRecentlyUsedPromptIsEvicted() throws {
        let cache = PromptCache(capacity: 2)
        let synth = CountingSynthesizer()
        let one = SpokenText(plain: "one"), two = SpokenText(plain: "two"), three = SpokenText(plain: "three")
        _ = try cache.audio(for: one, sampleRate: 8000, using: synth)
        _ = try cache.audio(for: two, sampleRate: 8000, using: synth)
        _ = try cache.audio(for: one, sampleRate: 8000, using: synth)     // "two" is now the oldest
        _ = try cache.audio(for: three, sampleRate: 8000, using: synth)   // evicts "two"
        #expect(cache.count == 2)
        #expect(cache.lookUp(.init(voice: synth.voice, sampleRate: 8000, text: one)) != nil)
        #expect(cache.lookUp(.init(voice: synth.voice, sampleRate: 8000, text: two)) == nil)
        #expect(cache.lookUp(.init(voice: synth.voice, sampleRate: 8000, text: three)) != nil)
        #expect(synth.calls.load(ordering: .relaxed) == 3)
    }

    @Test func concurrentCallersAllGetTheirPrompt() async throws {
        let cache = PromptCache(capacity: 8)
        let synth = CountingSynthesizer()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<200 {
                group.addTask {
                    let text = SpokenText(plain: "prompt \(i % 10)")
                    let audio = try cache.audio(for: text, sampleRate: 8000, using: synth)
                    #expect(audio.samples.count == text.words.count)
                }
            }
            try await group.waitForAll()
        }
        #expect(cache.hits + cache.misses == 200)
        #expect(cache.count == 8)
    }
}

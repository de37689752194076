import Synchronization

/// Synthesized prompts kept by voice, sample rate and spoken text: bots say the same greetings
/// and menus on every call, and synthesis costs tens of milliseconds a sentence where a lookup
/// costs microseconds. Bounded: the least recently used prompt goes when a new one would exceed
/// the capacity.
///
/// Thread-safe: any thread may call it. Synthesis runs outside the lock, so two calls missing on
/// the same prompt at once may both synthesize it; the second result replaces the first.
public final class PromptCache: Sendable {
    public struct Key: Hashable, Sendable {
        public var voice: String
        public var sampleRate: Int
        public var text: SpokenText

        public init(voice: String, sampleRate: Int, text: SpokenText) {
            self.voice = voice
            self.sampleRate = sampleRate
            self.text = text
        }
    }

    private struct State {
        var entries: [Key: (audio: PCMAudio, lastUse: UInt64)] = [:]
        var clock: UInt64 = 0
        var hits = 0
        var misses = 0
    }

    /// The most prompts kept at once.
    public let capacity: Int
    private let state = Mutex(State())

    /// `capacity` prompts at most (at least 1). A prompt at 8 kHz is 16 kB a second of speech.
    public init(capacity: Int = 256) {
        self.capacity = max(1, capacity)
    }

    /// The prompt from the cache, or synthesized by `synthesizer` and kept.
    public func audio(for text: SpokenText, sampleRate: Int, using synthesizer: some SpeechSynthesizer) throws -> PCMAudio {
        let key = Key(voice: synthesizer.voice, sampleRate: sampleRate, text: text)
        if let cached = lookUp(key) { return cached }
        let audio = try synthesizer.synthesize(text, sampleRate: sampleRate)
        insert(audio, for: key)
        return audio
    }

    /// The cached prompt for `key`, counted as a hit or a miss.
    public func lookUp(_ key: Key) -> PCMAudio? {
        state.withLock { s in
            s.clock += 1
            guard let entry = s.entries[key] else {
                s.misses += 1
                return nil
            }
            s.hits += 1
            s.entries[key] = (entry.audio, s.clock)
            return entry.audio
        }
    }

    /// Keeps `audio` for `key`, evicting the least recently used prompt when full.
    public func insert(_ audio: PCMAudio, for key: Key) {
        state.withLock { s in
            s.clock += 1
            if s.entries[key] == nil, s.entries.count >= capacity {
                // A linear scan: eviction happens only on a miss, which has just paid for a
                // synthesis thousands of times dearer than scanning a few hundred entries.
                if let oldest = s.entries.min(by: { $0.value.lastUse < $1.value.lastUse })?.key {
                    s.entries[oldest] = nil
                }
            }
            s.entries[key] = (audio, s.clock)
        }
    }

    /// Lookups that found their prompt.
    public var hits: Int { state.withLock { $0.hits } }
    /// Lookups that did not (each one a synthesis, when through `audio(for:sampleRate:using:)`).
    public var misses: Int { state.withLock { $0.misses } }
    /// Prompts held now.
    public var count: Int { state.withLock { $0.entries.count } }
}

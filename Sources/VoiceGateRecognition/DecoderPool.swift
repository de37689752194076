import Synchronization

/// Loaded decoders waiting for a session. Loading one costs about 0.3 s of CPU, far too long to
/// do when a caller starts speaking; a decoder that finished an utterance is as good as new.
///
/// Any thread. The lock is held only to push or pop; loading and freeing happen outside it.
final class DecoderPool: Sendable {
    private let settings: PocketSphinxRecognizer.Settings
    private let idle = Mutex<[PocketSphinxDecoder]>([])

    init(settings: PocketSphinxRecognizer.Settings) {
        self.settings = settings
    }

    /// An idle decoder, or a newly loaded one when none is idle.
    func take() throws -> PocketSphinxDecoder {
        if let decoder = idle.withLock({ $0.popLast() }) { return decoder }
        return try PocketSphinxDecoder(settings: settings)
    }

    /// Takes a decoder back for the next session. One not kept (enough are idle already) is
    /// freed when its last reference goes, which is outside the lock.
    func give(_ decoder: PocketSphinxDecoder) {
        idle.withLock { list in
            if list.count < settings.maximumIdleDecoders { list.append(decoder) }
        }
    }

    /// Loads decoders until `count` are idle (at most the pool's limit).
    func fill(to count: Int) throws {
        let target = min(count, settings.maximumIdleDecoders)
        while idle.withLock({ $0.count }) < target {
            let decoder = try PocketSphinxDecoder(settings: settings)
            give(decoder)
        }
    }

    var idleCount: Int { idle.withLock { $0.count } }
}

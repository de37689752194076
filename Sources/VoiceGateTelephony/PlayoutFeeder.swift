import Foundation

/// Tops up each call's small playout ring from the audio queued for it, every 100 ms, on its own
/// serial queue. Keeps per-call buffers at one second however long the speech, and keeps the
/// 20 ms media callbacks to a memcpy. Never calls pjproject.
final class PlayoutFeeder: @unchecked Sendable {
    private struct Entry {
        let audio: CallAudio
        var queue: [ArraySlice<Int16>]
    }

    private let queue = DispatchQueue(label: "voicegate.playout")
    private var entries: [UInt64: Entry] = [:]   // touched on `queue` only
    private var timer: DispatchSourceTimer?

    init() {
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now(), repeating: .milliseconds(100), leeway: .milliseconds(10))
        timer.setEventHandler { [unowned self] in self.topUp() }
        timer.resume()
        self.timer = timer
    }

    /// Starts feeding a call. `samples` (shared, not copied) is queued after anything queued before.
    func play(_ samples: ArraySlice<Int16>, on audio: CallAudio, token: UInt64) {
        queue.async {
            self.entries[token, default: Entry(audio: audio, queue: [])].queue.append(samples)
            self.topUp(token)
        }
    }

    /// Barge-in: drops what is queued for a call and what sits in its ring, then plays `samples`.
    func replace(with samples: ArraySlice<Int16>, on audio: CallAudio, token: UInt64) {
        queue.async {
            audio.flush()
            self.entries[token] = Entry(audio: audio, queue: [samples])
            self.topUp(token)
        }
    }

    /// Forgets a call. Returns once the feeder no longer touches its port, so the port may be
    /// destroyed after.
    func remove(token: UInt64) {
        queue.sync { _ = self.entries.removeValue(forKey: token) }
    }

    /// Samples still queued for a call (not counting what sits in its ring).
    func backlog(token: UInt64) -> Int {
        queue.sync { entries[token]?.queue.reduce(0) { $0 + $1.count } ?? 0 }
    }

    func stop() {
        timer?.cancel()
        timer = nil
    }

    private func topUp() {
        for token in entries.keys { topUp(token) }
    }

    private func topUp(_ token: UInt64) {
        guard var entry = entries[token], !entry.queue.isEmpty else { return }
        while var head = entry.queue.first {
            let written = head.withUnsafeBufferPointer { entry.audio.enqueue($0) }
            head = head.dropFirst(written)
            if head.isEmpty {
                entry.queue.removeFirst()
            } else {
                entry.queue[0] = head
                break
            }
        }
        entries[token] = entry
    }
}

import Foundation

/// Tops up each call's small playout ring from the audio queued for it, every 100 ms, on its own
/// serial queue. Keeps per-call buffers at one second however long the speech, and keeps the
/// 20 ms media callbacks to a memcpy. Never calls pjproject.
final class PlayoutFeeder: @unchecked Sendable {
    private struct Entry {
        let audio: CallAudio
        var queue: [ArraySlice<Int16>]
        /// Samples handed to the port so far; with the port's backlog, how far playback got.
        var enqueuedTotal = 0
        /// Samples queued but not yet handed to the port.
        var queuedTotal = 0
        /// Prompts waiting to be heard to their end: the sample position they end at.
        var marks: [(end: Int, finished: @Sendable () -> Void)] = []
        /// Where what the caller says goes, when someone listens (a speaking bot's recognizer).
        var heard: (@Sendable ([Int16]) -> Void)?

        init(audio: CallAudio, queue: [ArraySlice<Int16>]) {
            self.audio = audio
            self.queue = queue
            self.queuedTotal = queue.reduce(0) { $0 + $1.count }
        }
    }

    private let queue = DispatchQueue(label: "voicegate.playout")
    private var entries: [UInt64: Entry] = [:]   // touched on `queue` only
    private var timer: DispatchSourceTimer?

    init() {
        let timer = DispatchSource.makeTimerSource(queue: queue)
        // 40 ms: a prompt's end is reported within two frames of its last sample playing.
        timer.schedule(deadline: .now(), repeating: .milliseconds(40), leeway: .milliseconds(5))
        timer.setEventHandler { [unowned self] in self.topUp() }
        timer.resume()
        self.timer = timer
    }

    /// Starts feeding a call. `samples` (shared, not copied) is queued after anything queued before.
    /// `finished`, when given, runs on the feeder's queue once the last sample has been played.
    func play(_ samples: ArraySlice<Int16>, on audio: CallAudio, token: UInt64, finished: (@Sendable () -> Void)? = nil) {
        queue.async {
            var entry = self.entries[token, default: Entry(audio: audio, queue: [])]
            entry.queue.append(samples)
            entry.queuedTotal += samples.count
            if let finished { entry.marks.append((end: entry.enqueuedTotal + entry.queuedTotal, finished: finished)) }
            self.entries[token] = entry
            self.topUp(token)
        }
    }

    /// Hands what the caller says to `heard` (on the feeder's queue, every tick, in order) until
    /// the call is removed. The port's capture ring holds 2 s, so nothing is lost between ticks.
    func listen(on audio: CallAudio, token: UInt64, heard: @escaping @Sendable ([Int16]) -> Void) {
        queue.async {
            var entry = self.entries[token, default: Entry(audio: audio, queue: [])]
            entry.heard = heard
            self.entries[token] = entry
        }
    }

    /// Barge-in: drops what is queued and what sits in the port's ring; prompts cut short report
    /// nothing.
    func stop(token: UInt64) {
        queue.async {
            guard var entry = self.entries[token] else { return }
            entry.audio.flush()
            entry.queue = []
            entry.queuedTotal = 0
            entry.marks = []
            self.entries[token] = entry
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
        for token in entries.keys {
            topUp(token)
            capture(token)
        }
    }

    private var captureBuffer = [Int16](repeating: 0, count: 8000)

    private func capture(_ token: UInt64) {
        guard let entry = entries[token], let heard = entry.heard else { return }
        let n = captureBuffer.withUnsafeMutableBufferPointer { entry.audio.read(into: $0) }
        if n > 0 { heard(Array(captureBuffer[0..<n])) }
    }

    private func topUp(_ token: UInt64) {
        guard var entry = entries[token] else { return }
        defer { reportFinished(token) }
        guard !entry.queue.isEmpty else { return }
        while var head = entry.queue.first {
            let written = head.withUnsafeBufferPointer { entry.audio.enqueue($0) }
            entry.enqueuedTotal += written
            entry.queuedTotal -= written
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

    private func reportFinished(_ token: UInt64) {
        guard var entry = entries[token], let first = entry.marks.first else { return }
        let played = entry.enqueuedTotal - entry.audio.pendingSamples
        guard first.end <= played else { return }
        let done = entry.marks.prefix { $0.end <= played }
        entry.marks.removeFirst(done.count)
        entries[token] = entry
        for mark in done { mark.finished() }
    }
}

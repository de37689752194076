import Foundation
import Synchronization
import VoiceGateCore
import VoiceGateTelephony
import VoiceGateRecognition

/// Set by SIGINT/SIGTERM: the softphone hangs up and reports what it has.
final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}

/// Runs one call at a time on a Softphone: places or answers it, carries out the script's steps,
/// listens (recording and segmenting what it hears) and builds the call's report.
///
/// Everything here runs on the thread that called `place` or `answerNext`; the softphone's
/// events arrive from its executor through a locked queue, and its audio is pulled from the
/// capture ring every 10 ms.
final class SoftphoneRunner: @unchecked Sendable {
    private let phone: Softphone
    private let script: CallScript
    private let audio: [String: [Int16]]
    private let spoken: [String: [Int16]]
    private let callTimeout: Double
    private let log: StderrLog
    private let stop: StopFlag
    private let options: Softphone.Options
    private let inbox = NSCondition()
    private var signalSources: [DispatchSourceSignal] = []

    // The call in progress (runner thread only).
    private var report = CallReport(target: "", from: "", transport: "")
    private var t0: UInt64 = 0
    private var answeredAt: Double?
    private var ended: SoftphoneCallEnd?
    private var segmenter = SpeechSegmenter()
    /// When each chunk of heard audio was read: (index of its first sample, ms of that sample).
    /// The media clock of a null sound device drifts from the wall clock (a second per few
    /// minutes here), so heard times come from the wall clock at each read, not from counting
    /// samples since the first one.
    private var heardChunks: [(sample: Int, ms: Double)] = []
    private var heardSamples = 0
    private var lastSendEndMs: Double = 0
    private(set) var lastRecording: [Int16] = []
    private var readBuffer = [Int16](repeating: 0, count: 8000)
    /// Transcribes what the far end says, for `expect text`; nil when the script has none.
    private let recognizer: (any SpeechRecognizer)?
    private var listener: CallListener?
    /// What the far end said, recognized utterance by utterance (ms from t0).
    private var recognized: [(startMs: Double, endMs: Double, text: String)] = []
    /// Outcomes of the account's registrations not yet taken by `awaitRegistration`.
    private var registrations: [SoftphoneRegistration] = []

    init(options: Softphone.Options, script: CallScript, audio: [String: [Int16]], spoken: [String: [Int16]],
         recognizer: (any SpeechRecognizer)?, callTimeout: Double, log: StderrLog, stop: StopFlag) throws {
        self.options = options
        self.recognizer = recognizer
        self.script = script
        self.audio = audio
        self.spoken = spoken
        self.callTimeout = callTimeout
        self.log = log
        self.stop = stop
        let inbox = self.inbox
        let box = EventBox()
        phone = Softphone(options: options, log: log) { event in
            inbox.lock()
            box.events.append(event)
            inbox.broadcast()
            inbox.unlock()
        }
        self.box = box
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [inbox] in
                stop.set()
                inbox.lock(); inbox.broadcast(); inbox.unlock()
            }
            source.resume()
            signalSources.append(source)
        }
    }

    private let box: EventBox
    private var isListening: Bool { options.autoAnswer }

    func start() throws -> Int { try phone.start() }

    func shutdown() { phone.shutdown() }

    // MARK: - Registration

    /// Waits for the outcome of the account's registration (`renew`) or unregistration. Nil when
    /// none came in time, or a signal stopped a registration still waiting. Only registration
    /// events are taken: a call arriving meanwhile stays queued for `answerNext`.
    func awaitRegistration(renew: Bool, timeout: Double) -> SoftphoneRegistration? {
        let deadline = Date().addingTimeInterval(timeout)
        inbox.lock()
        defer { inbox.unlock() }
        while true {
            var rest: [SoftphoneEvent] = []
            for event in box.events {
                if case .registration(let r) = event { registrations.append(r) } else { rest.append(event) }
            }
            box.events = rest
            if let i = registrations.firstIndex(where: { $0.renew == renew }) {
                let found = registrations[i]
                registrations.removeSubrange(...i)
                return found
            }
            if Date() >= deadline || (renew && stop.isSet) { return nil }
            // Woken by the next event, or a signal.
            _ = inbox.wait(until: deadline)
        }
    }

    /// Unregisters the account and waits for the registrar's answer.
    func unregister(timeout: Double) -> SoftphoneRegistration? {
        registrations.removeAll { !$0.renew }
        phone.unregister()
        return awaitRegistration(renew: false, timeout: timeout)
    }

    // MARK: - One call

    /// Calls the target, runs the script, hangs up, and reports.
    func place(_ target: DialTarget) -> CallReport? {
        reset(CallReport(target: target.requestURI, from: target.fromURI, transport: target.transport.rawValue))
        t0 = DispatchTime.now().uptimeNanoseconds
        do {
            try phone.call(target.requestURI)
        } catch {
            report.hangUp = CallReport.HangUp(by: "none", reason: "\(error)", atMs: 0)
            report.failedStep = "dial: \(error)"
            return report
        }
        // Until answered or refused: the INVITE's final response.
        pump(until: callTimeout) { self.answeredAt != nil || self.ended != nil }
        if answeredAt == nil && ended == nil {
            phone.hangUp()   // CANCEL
            pump(until: 5) { self.ended != nil }
        }
        return finishCall()
    }

    /// Waits for an incoming call (auto-answered), runs the script on it, and reports. Nil when
    /// stopped by a signal before a call came.
    func answerNext() -> CallReport? {
        reset(CallReport(target: "", from: "", transport: options.transport.rawValue))
        t0 = 0
        pump(until: .infinity) { self.t0 != 0 }
        guard t0 != 0 else { return nil }
        pump(until: callTimeout) { self.answeredAt != nil || self.ended != nil }
        return finishCall()
    }

    private func reset(_ fresh: CallReport) {
        report = fresh
        answeredAt = nil
        ended = nil
        segmenter = SpeechSegmenter()
        heardChunks = []
        heardSamples = 0
        lastSendEndMs = 0
        lastRecording = []
        recognized = []
        // The far end is a bot reading prompts: the pause between its sentences ends an utterance.
        listener = recognizer.flatMap { try? CallListener(recognizer: $0, settings: .init(detector: .init(trailingSilenceSeconds: 0.25))) }
    }

    private func finishCall() -> CallReport {
        if answeredAt != nil && ended == nil && !stop.isSet {
            runSteps()
        }
        if ended == nil {
            if answeredAt != nil && report.failedStep == nil && isListening {
                // Answering, the softphone stands in for an agent's or a transfer target's phone:
                // it stays on the line until the caller hangs up.
                pump(until: callTimeout) { self.ended != nil }
            } else if answeredAt != nil && report.failedStep == nil {
                // Give the far end its turn: hang up once it has been quiet for 1.5 s after both
                // its last words and what we sent last, so the recording holds whole replies.
                pump(until: 10) {
                    guard self.ended == nil else { return true }
                    guard self.openSegmentStartMs == nil else { return false }
                    let lastSound = max(self.lastSendEndMs, self.report.heard.last?.endMs ?? 0, self.answeredAt ?? 0)
                    return self.nowMs - lastSound >= 1500
                }
            }
            phone.hangUp()
            if ended == nil { report.hangUp = CallReport.HangUp(by: "local", reason: stop.isSet ? "stopped" : "done", atMs: nowMs) }
            pump(until: 10) { self.ended != nil }
        }
        if let last = segmenter.finish() { addHeard(last) }
        if let listener { take(listener.finish()) }
        attachRecognizedText()
        report.durationMs = nowMs
        report.computeReplies()
        return report.rounded()
    }

    // MARK: - Steps

    /// One 20 ms frame: how far off a heard segment's start may be.
    static let frameMs = 20.0
    /// How long the far end stays quiet before `wait` takes its turn to be over. Longer than the
    /// pause between a bot's sentences (its prompts follow each other with about half a second
    /// between their words), which the segmenter's 0.5 s hangover alone splits about half the time.
    static let turnEndQuietMs = 1000.0

    private func runSteps() {
        var previousStepStart = answeredAt ?? 0
        var lastSendEnd = answeredAt ?? 0
        defer { lastSendEndMs = lastSendEnd }
        for line in script.lines {
            if stop.isSet { break }
            let start = nowMs
            // `wait` takes speech from the end of what was sent last (a frame early): the step
            // after it does too, or a reply that began as the wait did would be missed by both.
            var window = start
            if case .wait = line.step { window = min(start, lastSendEnd - Self.frameMs) }
            let (ok, detail) = run(line.step, since: previousStepStart, lastSendEnd: &lastSendEnd)
            report.steps.append(CallReport.Step(step: line.step.text, line: line.number, ok: ok, atMs: start, detail: detail))
            previousStepStart = window
            if !ok {
                report.failedStep = line.name + (detail.map { ": \($0)" } ?? "")
                log.write(LogLine(.warning, "softphone.step_failed", [("step", line.name), ("detail", detail ?? "")]))
                return
            }
            if case .hangUp = line.step { return }
        }
    }

    private func run(_ step: CallScript.Step, since: Double, lastSendEnd: inout Double) -> (Bool, String?) {
        if ended != nil {
            if case .expect(.hangUp) = step { return (ended!.byRemote, ended!.byRemote ? nil : "the softphone hung up") }
            return (false, "the call had already ended")
        }
        switch step {
        case .wait(let timeout):
            let mark = lastSendEnd
            let heard = pump(until: timeout) {
                guard self.segmenter.openSegmentStart == nil, let last = self.report.heard.last else { return false }
                return self.report.heard.contains { $0.startMs >= mark - Self.frameMs } && self.nowMs - last.endMs >= Self.turnEndQuietMs
            }
            return (true, heard ? nil : "nothing heard within \(Int(timeout)) s; went on")
        case .say(let text):
            return send(spoken[text] ?? [], kind: "say", detail: text, lastSendEnd: &lastSendEnd)
        case .play(let path):
            return send(audio[path] ?? [], kind: "play", detail: path, lastSendEnd: &lastSendEnd)
        case .dtmf(let digits):
            let start = nowMs
            do { try phone.sendDTMF(digits) } catch { return (false, "\(error)") }
            let end = start + Double(digits.count) * Softphone.dtmfDigitMilliseconds
            pump(until: (end - nowMs) / 1000) { false }
            lastSendEnd = end
            report.sent.append(CallReport.Sent(kind: "dtmf", detail: digits, startMs: start, endMs: end))
            return (true, nil)
        case .pause(let seconds):
            pump(until: seconds) { false }
            return (true, nil)
        case .expect(.speech(let within)):
            let ok = pump(until: within) {
                self.report.heard.contains { $0.startMs >= since } || (self.openSegmentStartMs.map { $0 >= since } ?? false)
            }
            return ok ? (true, nil) : (false, "no speech heard within \(CallScript.seconds(within)) s")
        case .expect(.text(let words, let within)):
            guard listener != nil else { return (false, "no speech recognizer: PocketSphinx or its model is missing (deploy/setup.sh installs both)") }
            let ok = pump(until: within) {
                self.recognized.contains { $0.endMs >= since && HeardText.contains(words, in: $0.text) }
            }
            if ok { return (true, nil) }
            let heard = recognized.filter { $0.endMs >= since }.map { "\"\($0.text)\"" }
            return (false, "\"\(words)\" not heard within \(CallScript.seconds(within)) s; heard \(heard.isEmpty ? "no words" : heard.joined(separator: ", "))")
        case .expect(.hangUp(let within)):
            let ok = pump(until: within) { self.ended != nil }
            if !ok { return (false, "the far end did not hang up within \(CallScript.seconds(within)) s") }
            return ended!.byRemote ? (true, nil) : (false, "the softphone hung up")
        case .hangUp:
            phone.hangUp()
            report.hangUp = CallReport.HangUp(by: "local", reason: "script", atMs: nowMs)
            pump(until: 10) { self.ended != nil }
            return (true, nil)
        }
    }

    /// Sends audio into the call and waits until it has all gone out.
    private func send(_ samples: [Int16], kind: String, detail: String, lastSendEnd: inout Double) -> (Bool, String?) {
        let start = nowMs
        phone.play(samples)
        let seconds = Double(samples.count) / Double(Softphone.clockRate)
        // The ring drains at the media clock; the margin covers a late feeder tick.
        pump(until: seconds + 5) { !self.phone.isPlaying }
        lastSendEnd = nowMs
        report.sent.append(CallReport.Sent(kind: kind, detail: detail, startMs: start, endMs: lastSendEnd))
        return ended == nil ? (true, nil) : (false, "the call ended while \(kind == "say" ? "speaking" : "playing")")
    }

    // MARK: - Pumping events and audio

    private var nowMs: Double { Double(DispatchTime.now().uptimeNanoseconds &- t0) / 1_000_000 }

    private func ms(_ at: UInt64) -> Double { Double(Int64(bitPattern: at &- t0)) / 1_000_000 }


    private var openSegmentStartMs: Double? {
        segmenter.openSegmentStart.map(heardMs)
    }

    /// Handles events and audio until `done` holds, the call ends, a signal stops us, or `seconds`
    /// pass. Returns whether `done` held.
    @discardableResult
    private func pump(until seconds: Double, _ done: () -> Bool) -> Bool {
        let deadline = seconds.isFinite ? DispatchTime.now().uptimeNanoseconds + UInt64(max(0, seconds) * 1e9) : UInt64.max
        while true {
            drainEvents()
            drainAudio()
            if done() { return true }
            if stop.isSet || DispatchTime.now().uptimeNanoseconds >= deadline { return false }
            if ended != nil { return done() }
            inbox.lock()
            if box.events.isEmpty { _ = inbox.wait(until: Date().addingTimeInterval(0.01)) }
            inbox.unlock()
        }
    }

    private func drainEvents() {
        inbox.lock()
        let batch = box.events
        box.events.removeAll()
        inbox.unlock()
        for event in batch { handle(event) }
    }

    private func handle(_ event: SoftphoneEvent) {
        switch event {
        case .incoming(let from, let to, let at):
            t0 = at
            report.from = from
            report.target = to
            log.write(LogLine(.info, "softphone.incoming", [("from", from)]))
        case .progress(let status, _):
            log.write(LogLine(.debug, "softphone.progress", [("status", String(status))]))
        case .answered(let status, let at):
            answeredAt = ms(at)
            report.answered = true
            report.status = status
            report.reason = "OK"
            report.setupMs = ms(at)
            log.write(LogLine(.info, "softphone.answered", [("setup_ms", String(format: "%.1f", ms(at)))]))
        case .mediaActive(let codec, _):
            report.codec = codec
        case .signal(let method, let detail, let response, let at):
            report.signals.append(CallReport.Signal(method: method, atMs: ms(at), detail: detail, response: response ?? 0))
            log.write(LogLine(.info, "softphone.signal", [("method", method), ("detail", detail)]))
        case .ended(let end):
            drainAudio()
            ended = end
            if !report.answered {
                report.status = end.status
                report.reason = end.statusText
                report.setupMs = ms(end.at)
            }
            report.rtp = CallReport.RTP(rxPackets: end.rtpReceived, txPackets: end.rtpSent)
            if end.byRemote {
                let reason = end.remoteReason ?? (report.answered ? "bye" : "\(end.status) \(end.statusText)")
                report.hangUp = CallReport.HangUp(by: report.answered ? "remote" : "none", reason: reason, atMs: ms(end.at))
            } else if report.hangUp == nil {
                report.hangUp = CallReport.HangUp(by: "local", reason: "done", atMs: ms(end.at))
            }
            log.write(LogLine(.info, "softphone.ended", [("status", String(end.status)), ("by_remote", String(end.byRemote))]))
        case .registration(let registration):
            // A refresh while calls come and go: kept for awaitRegistration, logged when it failed.
            registrations.append(registration)
            log.write(LogLine(registration.succeeded ? .debug : .warning, "softphone.registration", [
                ("renew", String(registration.renew)), ("status", String(registration.status)), ("reason", registration.reason)]))
        }
    }

    private func drainAudio() {
        while true {
            let n = readBuffer.withUnsafeMutableBufferPointer { phone.readHeard(into: $0) }
            if n == 0 { return }
            // The chunk's last sample arrived just now, its first n/8 ms before.
            heardChunks.append((heardSamples, nowMs - Double(n) / Double(Softphone.clockRate) * 1000))
            heardSamples += n
            let chunk = readBuffer[0..<n]
            lastRecording.append(contentsOf: chunk)
            for segment in segmenter.append(chunk) { addHeard(segment) }
            if let listener { take(listener.feed(Array(chunk))) }
        }
    }

    private func take(_ heard: [CallListener.Heard]) {
        for case .utterance(let recognition, let segment) in heard where !recognition.isEmpty {
            recognized.append((heardMs(segment.start), heardMs(segment.end), recognition.text))
        }
    }

    /// Each heard segment gets the words of the utterances that start inside it (the energy
    /// segmenter and the recognizer's detector cut speech in slightly different places).
    private func attachRecognizedText() {
        for utterance in recognized {
            guard let i = report.heard.lastIndex(where: { $0.startMs <= utterance.startMs + 100 }) ?? report.heard.indices.first else { continue }
            report.heard[i].text = [report.heard[i].text, utterance.text].compactMap { $0 }.joined(separator: " ")
        }
    }

    private func addHeard(_ segment: SpeechSegment) {
        report.heard.append(CallReport.Heard(startMs: heardMs(segment.start), endMs: heardMs(segment.end)))
    }

    /// The wall-clock time (ms from t0) of a point in the heard audio, `seconds` from its start.
    private func heardMs(_ seconds: Double) -> Double {
        let sample = Int(seconds * Double(Softphone.clockRate))
        var lo = 0, hi = heardChunks.count - 1
        guard hi >= 0 else { return 0 }
        while lo < hi {   // the last chunk starting at or before `sample`
            let mid = (lo + hi + 1) / 2
            if heardChunks[mid].sample <= sample { lo = mid } else { hi = mid - 1 }
        }
        let chunk = heardChunks[lo]
        return chunk.ms + Double(sample - chunk.sample) / Double(Softphone.clockRate) * 1000
    }
}

/// The softphone's events, handed from its executor to the runner under the runner's lock.
private final class EventBox: @unchecked Sendable {
    var events: [SoftphoneEvent] = []
}

/// What a test call did and heard: the JSON summary `voicegate call` prints when the call is over.
/// Times are milliseconds from the moment the INVITE was sent (or, when answering, received).
public struct CallReport: Codable, Sendable, Equatable {
    /// Something the softphone sent: a WAV, speech, DTMF.
    public struct Sent: Codable, Sendable, Equatable {
        public var kind: String
        public var detail: String
        public var startMs: Double
        public var endMs: Double
        /// From the end of this item to the start of the first speech heard after it: the far
        /// end's turn latency. Nil when nothing was heard after it.
        public var replyMs: Double?

        public init(kind: String, detail: String, startMs: Double, endMs: Double, replyMs: Double? = nil) {
            self.kind = kind
            self.detail = detail
            self.startMs = startMs
            self.endMs = endMs
            self.replyMs = replyMs
        }
    }

    /// A stretch of speech heard from the far end.
    public struct Heard: Codable, Sendable, Equatable {
        public var startMs: Double
        public var endMs: Double
        /// The recognizer's transcript; nil while there is no recognizer.
        public var text: String?

        public init(startMs: Double, endMs: Double, text: String? = nil) {
            self.startMs = startMs
            self.endMs = endMs
            self.text = text
        }
    }

    /// An in-dialog request that matters to a test: REFER (a transfer) or NOTIFY.
    public struct Signal: Codable, Sendable, Equatable {
        public var method: String
        public var atMs: Double
        /// REFER: the Refer-To target. NOTIFY: the Event header and the sipfrag status line.
        public var detail: String
        /// What the softphone answered; 0 when pjsua answered it itself (NOTIFY).
        public var response: Int

        public init(method: String, atMs: Double, detail: String, response: Int) {
            self.method = method
            self.atMs = atMs
            self.detail = detail
            self.response = response
        }
    }

    public struct HangUp: Codable, Sendable, Equatable {
        /// "local" (the softphone), "remote" (the far end) or "none" (never connected).
        public var by: String
        /// The Reason header of the far end's BYE, or why the softphone ended the call.
        public var reason: String
        public var atMs: Double

        public init(by: String, reason: String, atMs: Double) {
            self.by = by
            self.reason = reason
            self.atMs = atMs
        }
    }

    public struct Step: Codable, Sendable, Equatable {
        public var step: String
        public var line: Int
        public var ok: Bool
        public var atMs: Double
        public var detail: String?

        public init(step: String, line: Int, ok: Bool, atMs: Double, detail: String? = nil) {
            self.step = step
            self.line = line
            self.ok = ok
            self.atMs = atMs
            self.detail = detail
        }
    }

    public var target: String
    public var from: String
    public var transport: String
    /// The final SIP status of the INVITE (200 when answered); nil when none came.
    public var status: Int?
    public var reason: String?
    public var answered: Bool
    /// INVITE sent to the final response.
    public var setupMs: Double?
    public var codec: String?
    public var durationMs: Double
    public var sent: [Sent] = []
    public var heard: [Heard] = []
    public var signals: [Signal] = []
    public var hangUp: HangUp?
    public var steps: [Step] = []
    /// The step that failed, named as in the script; nil when every step passed.
    public var failedStep: String?
    public var recording: String?
    public var rtp: RTP?

    public struct RTP: Codable, Sendable, Equatable {
        public var rxPackets: Int
        public var txPackets: Int
        public init(rxPackets: Int, txPackets: Int) {
            self.rxPackets = rxPackets
            self.txPackets = txPackets
        }
    }

    public init(target: String, from: String, transport: String) {
        self.target = target
        self.from = from
        self.transport = transport
        self.answered = false
        self.durationMs = 0
    }

    /// The report with every time rounded to 0.1 ms (finer is noise, and it keeps the JSON readable).
    public func rounded() -> CallReport {
        func r(_ v: Double) -> Double { (v * 10).rounded() / 10 }
        var c = self
        c.setupMs = setupMs.map(r)
        c.durationMs = r(durationMs)
        c.sent = sent.map { Sent(kind: $0.kind, detail: $0.detail, startMs: r($0.startMs), endMs: r($0.endMs), replyMs: $0.replyMs.map(r)) }
        c.heard = heard.map { Heard(startMs: r($0.startMs), endMs: r($0.endMs), text: $0.text) }
        c.signals = signals.map { Signal(method: $0.method, atMs: r($0.atMs), detail: $0.detail, response: $0.response) }
        c.hangUp = hangUp.map { HangUp(by: $0.by, reason: $0.reason, atMs: r($0.atMs)) }
        c.steps = steps.map { Step(step: $0.step, line: $0.line, ok: $0.ok, atMs: r($0.atMs), detail: $0.detail) }
        return c
    }

    /// Fills each sent item's replyMs from the heard segments.
    public mutating func computeReplies() {
        for i in sent.indices {
            let end = sent[i].endMs
            if let first = heard.first(where: { $0.startMs >= sent[i].startMs && $0.startMs >= end - 20 }) {
                sent[i].replyMs = max(0, first.startMs - end)
            } else {
                sent[i].replyMs = nil
            }
        }
    }
}

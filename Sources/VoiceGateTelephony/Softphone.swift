import Foundation
import Synchronization
import CPJProject
import CVoiceGateSupport
import VoiceGateCore

/// What happens to the softphone's call, as it happens. `at` is `DispatchTime` uptime in
/// nanoseconds, taken in the pj callback, so the times are those of the SIP and RTP traffic rather
/// than of whoever reads the event later.
public enum SoftphoneEvent: Sendable {
    /// An INVITE arrived and is being answered (listen mode).
    case incoming(from: String, to: String, at: UInt64)
    /// A provisional response to our INVITE.
    case progress(status: Int, at: UInt64)
    /// The call is up (200 OK sent or received and ACKed).
    case answered(status: Int, at: UInt64)
    /// Audio flows; `codec` is what was negotiated.
    case mediaActive(codec: String, at: UInt64)
    /// REFER or NOTIFY received in the call's dialog.
    case signal(method: String, detail: String, response: Int?, at: UInt64)
    case ended(SoftphoneCallEnd)
    /// The registrar answered the account's REGISTER (or its unregistration) for good.
    case registration(SoftphoneRegistration)
}

/// The outcome of one registration of the softphone's account with a registrar (a gateway that
/// takes agents' phones).
public struct SoftphoneRegistration: Sendable {
    /// true for a registration or its refresh, false for the unregistration.
    public let renew: Bool
    /// The final status (pjsip's own code when no response came: 408 for a timeout, 503 when the
    /// request could not be sent).
    public let status: Int
    public let reason: String
    /// Seconds the registrar granted; 0 when unregistered or refused.
    public let expires: Int
    public let at: UInt64
    public var succeeded: Bool { (200..<300).contains(status) }
}

/// How the softphone's call ended.
public struct SoftphoneCallEnd: Sendable {
    /// The INVITE's final status (or 200 once it was answered), and its reason phrase.
    public let status: Int
    public let statusText: String
    /// Whether the far end ended it (BYE, or a refusal of our INVITE).
    public let byRemote: Bool
    /// The Reason header of the far end's BYE, if it sent one.
    public let remoteReason: String?
    public let rtpReceived: Int
    public let rtpSent: Int
    public let at: UInt64
}

/// A SIP user agent with one call at a time, for testing: it places a call (or auto-answers one),
/// sends audio and RFC 4733 digits, and hands over what it hears. It runs in its own process
/// (pjsua is one per process), on the same pjsua set-up as the gateway.
///
/// Threads: pjsua work runs on `executor`; callbacks only enqueue. `play`, `isPlaying` and
/// `readHeard` may be called from any one other thread.
public final class Softphone: @unchecked Sendable {
    public struct Options: Sendable {
        public var transport: DialTarget.Transport
        /// Address SIP and RTP bind to and advertise.
        public var bindAddress: String
        /// SIP port; 0 picks a free one.
        public var port: Int
        /// The From of calls placed, and the account's identity.
        public var fromURI: String
        /// Extra headers for the INVITE.
        public var headers: [(String, String)]
        /// Answer incoming calls with 200 (listen mode) instead of refusing them.
        public var autoAnswer: Bool
        /// pjproject's own log level, 0 to 4.
        public var sipLogLevel: Int
        /// Digest username and password for a gateway that challenges (any realm).
        public var credentials: (username: String, password: String)?
        /// A registrar's SIP URI (`sip:gateway.example.net:5060`): the account, `fromURI`,
        /// registers there once started (`.registration` events tell how it went) until
        /// `unregister`. nil: no registration.
        public var registrar: String?

        public init(transport: DialTarget.Transport = .udp, bindAddress: String = "127.0.0.1", port: Int = 0,
                    fromURI: String, headers: [(String, String)] = [], autoAnswer: Bool = false, sipLogLevel: Int = 1) {
            self.transport = transport
            self.bindAddress = bindAddress
            self.port = port
            self.fromURI = fromURI
            self.headers = headers
            self.autoAnswer = autoAnswer
            self.sipLogLevel = sipLogLevel
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static let clockRate: UInt32 = 8000
    /// Milliseconds each RFC 4733 digit lasts when sent (pjmedia's PJMEDIA_DTMF_DURATION, 1600
    /// samples at 8 kHz); digits follow each other without a gap.
    public static let dtmfDigitMilliseconds = 200.0

    public let executor = PJExecutor()
    private let options: Options
    private let log: LogSink
    private let onEvent: @Sendable (SoftphoneEvent) -> Void
    private let feeder = PlayoutFeeder()
    private let nextToken = Atomic<UInt64>(1)

    // Executor only.
    private var accountID = pjsua_acc_id(PJSUA_INVALID_ID.rawValue)
    private var callID = pjsua_call_id(PJSUA_INVALID_ID.rawValue)
    private var token: UInt64 = 0
    private var hungUpLocally = false
    private var rtp = (rx: 0, tx: 0)

    /// The call's audio port and the call's token (the feeder's key), shared with the thread that
    /// plays and reads; the lock keeps the port alive while it is used.
    private let audio = Mutex<(port: CallAudio, token: UInt64)?>(nil)

    public init(options: Options, log: LogSink, onEvent: @escaping @Sendable (SoftphoneEvent) -> Void) {
        self.options = options
        self.log = log
        self.onEvent = onEvent
    }

    /// Creates pjsua, binds the transport and returns its SIP port. Call once.
    public func start() throws -> Int {
        try executor.sync { try self.startOnExecutor() }
    }

    private func startOnExecutor() throws -> Int {
        // pjlib logs to stdout from pjsua_create on, before our log callback exists; the softphone
        // prints its JSON report there.
        pj_log_set_level(0)
        try check(pjsua_create(), "pjsua_create")
        PJLibState.initialized = true
        _ = vg_thread_register("pj-control")
        Softphone.current = self
        PJSUASetup.logSink = log

        let arena = CStringArena()
        var ua = pjsua_config()
        pjsua_config_default(&ua)
        ua.max_calls = 4
        ua.thread_cnt = 1
        ua.user_agent = arena.pj("VoiceGate-softphone/\(VoiceGateVersion.string)")
        ua.cb.on_incoming_call = { _, callID, rdata in Softphone.current?.onIncomingCall(callID, rdata) }
        ua.cb.on_call_state = { callID, event in Softphone.current?.onCallState(callID, event) }
        ua.cb.on_call_media_state = { callID in Softphone.current?.onCallMediaState(callID) }
        ua.cb.on_stream_destroyed = { callID, stream, _ in Softphone.current?.onStreamDestroyed(callID, stream) }
        ua.cb.on_call_transfer_request2 = { callID, dst, code, _ in Softphone.current?.onRefer(callID, dst, code) }
        ua.cb.on_call_tsx_state = { callID, tsx, event in Softphone.current?.onTransaction(callID, tsx, event) }
        ua.cb.on_reg_state2 = { _, info in Softphone.current?.onRegistrationState(info) }

        var logCfg = PJSUASetup.logging(level: options.sipLogLevel)
        var media = PJSUASetup.media(clockRate: Softphone.clockRate, maxPorts: 16)
        // RTP on the SIP ioqueue, which pjsua's worker polls every 10 ms. pjmedia's own media
        // worker polls with a 500 ms timeout, and the call's RTP socket, started at the answer,
        // was not read until that poll returned: the first half second of the far end's audio
        // came in one burst, the jitter buffer then held 500 ms, and its progressive discard
        // dropped a 10 ms frame every ~180 ms for seconds to work it off (a 6.82 s prompt was
        // heard as 6.50 s, half a second late). One call's media needs no thread of its own.
        media.has_ioqueue = pj_bool_t(PJ_FALSE.rawValue)
        media.thread_cnt = 0
        try check(pjsua_init(&ua, &logCfg, &media), "pjsua_init")

        var cfg = pjsua_transport_config()
        pjsua_transport_config_default(&cfg)
        cfg.port = UInt32(options.port)
        cfg.bound_addr = arena.pj(options.bindAddress)
        cfg.public_addr = arena.pj(options.bindAddress)
        let v6 = options.bindAddress.contains(":")
        let type: pjsip_transport_type_e
        switch options.transport {
        case .udp: type = v6 ? PJSIP_TRANSPORT_UDP6 : PJSIP_TRANSPORT_UDP
        case .tcp: type = v6 ? PJSIP_TRANSPORT_TCP6 : PJSIP_TRANSPORT_TCP
        case .tls: type = v6 ? PJSIP_TRANSPORT_TLS6 : PJSIP_TRANSPORT_TLS
        }
        var transportID = pjsua_transport_id(0)
        try check(pjsua_transport_create(type, &cfg, &transportID),
                  "bind SIP \(options.transport.rawValue) on \(options.bindAddress):\(options.port)")
        var info = pjsua_transport_info()
        try check(pjsua_transport_get_info(transportID, &info), "pjsua_transport_get_info")
        let port = Int(info.local_name.port)

        var acc = pjsua_acc_config()
        pjsua_acc_config_default(&acc)
        acc.id = arena.pj("<\(options.fromURI)>")
        acc.transport_id = transportID
        // A registration starts once pjsua has started (below).
        acc.register_on_acc_add = pj_bool_t(PJ_FALSE.rawValue)
        if let registrar = options.registrar {
            guard pjsua_verify_sip_url(registrar) == PJ_SUCCESS.rawValue else {
                throw Failure(description: "'\(registrar)' is not a valid SIP URI to register with")
            }
            acc.reg_uri = arena.pj(registrar)
        }
        acc.rtp_cfg.port = 0                       // any free port: tests run many peers side by side
        acc.rtp_cfg.bound_addr = arena.pj(options.bindAddress)
        acc.rtp_cfg.public_addr = arena.pj(options.bindAddress)
        acc.ipv6_media_use = v6 ? PJSUA_IPV6_ENABLED : PJSUA_IPV6_DISABLED
        if let credentials = options.credentials {
            acc.cred_count = 1
            acc.cred_info.0.realm = arena.pj("*")
            acc.cred_info.0.scheme = arena.pj("Digest")
            acc.cred_info.0.username = arena.pj(credentials.username)
            acc.cred_info.0.data_type = Int32(PJSIP_CRED_DATA_PLAIN_PASSWD.rawValue)
            acc.cred_info.0.data = arena.pj(credentials.password)
        }
        var id = pjsua_acc_id(0)
        try check(pjsua_acc_add(&acc, pj_bool_t(PJ_TRUE.rawValue), &id), "pjsua_acc_add")
        accountID = id

        try PJSUASetup.configureCodecs()
        try check(pjsua_start(), "pjsua_start")
        try check(pjsua_set_null_snd_dev(), "pjsua_set_null_snd_dev")
        if options.registrar != nil {
            try check(pjsua_acc_set_registration(id, pj_bool_t(PJ_TRUE.rawValue)), "send REGISTER to \(options.registrar!)")
        }
        return port
    }

    /// Sends the account's unregistration (REGISTER with Expires: 0); a `.registration` event with
    /// `renew` false follows. Returns at once; nothing happens without a registrar.
    public func unregister() {
        executor.async { [self] in
            guard options.registrar != nil, accountID != PJSUA_INVALID_ID.rawValue else { return }
            if pjsua_acc_set_registration(accountID, pj_bool_t(PJ_FALSE.rawValue)) != PJ_SUCCESS.rawValue {
                onEvent(.registration(SoftphoneRegistration(renew: false, status: 500, reason: "the unregistration could not be sent",
                                                            expires: 0, at: Softphone.now())))
            }
        }
    }

    /// Places the call. Returns once the INVITE is on its way; what follows arrives as events.
    public func call(_ requestURI: String) throws {
        try executor.sync {
            guard self.callID == PJSUA_INVALID_ID.rawValue else { throw Failure(description: "a call is already in progress") }
            let arena = CStringArena()
            var uri = arena.pj(requestURI)
            guard pjsua_verify_sip_url(requestURI) == PJ_SUCCESS.rawValue else {
                throw Failure(description: "'\(requestURI)' is not a valid SIP URI")
            }
            let token = self.nextToken.wrappingAdd(1, ordering: .relaxed).oldValue
            var id = pjsua_call_id(PJSUA_INVALID_ID.rawValue)
            let status = PJSUASetup.withHeaders(self.options.headers) { msg in
                pjsua_call_make_call(self.accountID, &uri, nil, UnsafeMutableRawPointer(bitPattern: UInt(token)), msg, &id)
            }
            try check(status, "pjsua_call_make_call(\(requestURI))")
            self.callID = id
            self.token = token
            self.hungUpLocally = false
        }
    }

    /// Sends RFC 4733 digits on the call's RTP stream, back to back.
    public func sendDTMF(_ digits: String) throws {
        try executor.sync {
            guard self.callID != PJSUA_INVALID_ID.rawValue else { throw Failure(description: "no call to send digits on") }
            let arena = CStringArena()
            var d = arena.pj(digits)
            try check(pjsua_call_dial_dtmf(self.callID, &d), "send DTMF (RFC 4733)")
        }
    }

    /// Queues 8 kHz audio to send after whatever is queued.
    public func play(_ samples: [Int16]) {
        audio.withLock { current in
            guard let current else { return }
            feeder.play(samples[...], on: current.port, token: current.token)
        }
    }

    /// Whether queued audio is still being sent.
    public var isPlaying: Bool {
        audio.withLock { current in
            guard let current else { return false }
            return current.port.pendingSamples > 0 || feeder.backlog(token: current.token) > 0
        }
    }

    /// Takes what was heard since the last call: 8 kHz samples, silence included. The media clock
    /// drifts from the wall clock, so time what is read by when it is read. Returns 0 before media
    /// starts and after the call ends.
    public func readHeard(into buffer: UnsafeMutableBufferPointer<Int16>) -> Int {
        audio.withLock { current in current?.port.read(into: buffer) ?? 0 }
    }

    /// Ends the call: BYE when answered, CANCEL before that.
    public func hangUp() {
        executor.async { [self] in
            guard callID != PJSUA_INVALID_ID.rawValue, !hungUpLocally else { return }
            hungUpLocally = true
            pjsua_call_hangup(callID, 0, nil, nil)
        }
    }

    /// Hangs up anything left and destroys pjsua. Any thread but the executor.
    public func shutdown() {
        feeder.stop()
        try? executor.sync {
            self.releaseAudio()
            // The call is over by now; without network teardown pjsua skips its presence and
            // unregistration waits (a second per run).
            if PJLibState.initialized { pjsua_destroy2(UInt32(PJSUA_DESTROY_NO_NETWORK.rawValue)) }
            Softphone.current = nil
        }
        executor.stop()
    }

    // MARK: - Callbacks (pj worker threads: read what is valid now, then enqueue)

    nonisolated(unsafe) static var current: Softphone?

    private static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    private func onIncomingCall(_ id: pjsua_call_id, _ rdata: UnsafeMutablePointer<pjsip_rx_data>?) {
        let at = Softphone.now()
        var info = pjsua_call_info()
        let known = pjsua_call_get_info(id, &info) == PJ_SUCCESS.rawValue
        let from = known ? String(pjString: info.remote_info) : "?"
        let to = known ? String(pjString: info.local_info) : "?"
        executor.async { [self] in
            guard options.autoAnswer, callID == PJSUA_INVALID_ID.rawValue else {
                pjsua_call_answer(id, options.autoAnswer ? 486 : 603, nil, nil)
                log.write(LogLine(.info, "softphone.refused", [("from", from), ("status", options.autoAnswer ? "486" : "603")]))
                return
            }
            let token = nextToken.wrappingAdd(1, ordering: .relaxed).oldValue
            pjsua_call_set_user_data(id, UnsafeMutableRawPointer(bitPattern: UInt(token)))
            callID = id
            self.token = token
            hungUpLocally = false
            onEvent(.incoming(from: from, to: to, at: at))
            try? check(pjsua_call_answer(id, 200, nil, nil), "pjsua_call_answer")
        }
    }

    private func onCallState(_ id: pjsua_call_id, _ event: UnsafeMutablePointer<pjsip_event>?) {
        let at = Softphone.now()
        var info = pjsua_call_info()
        guard pjsua_call_get_info(id, &info) == PJ_SUCCESS.rawValue else { return }
        let status = Int(info.last_status.rawValue)
        let text = String(pjString: info.last_status_text)
        switch info.state {
        case PJSIP_INV_STATE_EARLY:
            executor.async { [self] in if id == callID { onEvent(.progress(status: status, at: at)) } }
        case PJSIP_INV_STATE_CONFIRMED:
            executor.async { [self] in if id == callID { onEvent(.answered(status: status, at: at)) } }
        case PJSIP_INV_STATE_DISCONNECTED:
            let byeReason = Softphone.reasonOfReceivedBye(event)
            let receivedBye = byeReason != nil
            executor.async { [self] in
                guard id == callID else { return }
                let byRemote = receivedBye || !hungUpLocally
                releaseAudio()
                callID = pjsua_call_id(PJSUA_INVALID_ID.rawValue)
                let end = SoftphoneCallEnd(status: status, statusText: text, byRemote: byRemote,
                                           remoteReason: byeReason.flatMap { $0.isEmpty ? nil : $0 },
                                           rtpReceived: rtp.rx, rtpSent: rtp.tx, at: at)
                rtp = (0, 0)
                onEvent(.ended(end))
            }
        default:
            break
        }
    }

    /// "" when the event is a received BYE without a Reason header, its value when it has one,
    /// nil when the event is not a received BYE.
    private static func reasonOfReceivedBye(_ event: UnsafeMutablePointer<pjsip_event>?) -> String? {
        guard let e = event?.pointee, e.type == PJSIP_EVENT_TSX_STATE,
              e.body.tsx_state.type == PJSIP_EVENT_RX_MSG,
              let rdata = e.body.tsx_state.src.rdata, let msg = rdata.pointee.msg_info.msg,
              msg.pointee.type == PJSIP_REQUEST_MSG,
              msg.pointee.line.req.method.id == PJSIP_BYE_METHOD else { return nil }
        return header(msg, "Reason") ?? ""
    }

    private static func header(_ msg: UnsafeMutablePointer<pjsip_msg>, _ name: String) -> String? {
        let arena = CStringArena()
        var n = arena.pj(name)
        guard let raw = pjsip_msg_find_hdr_by_name(msg, &n, nil) else { return nil }
        let hdr = raw.assumingMemoryBound(to: pjsip_generic_string_hdr.self)
        return String(pjString: hdr.pointee.hvalue)
    }

    /// A registration's (or unregistration's) final outcome.
    private func onRegistrationState(_ info: UnsafeMutablePointer<pjsua_reg_info>?) {
        let at = Softphone.now()
        guard let info, let param = info.pointee.cbparam?.pointee else { return }
        let renew = info.pointee.renew != 0
        var status = Int(param.code)
        var reason = String(pjString: param.reason)
        if status == 0 {   // no response at all: say why in SIP's terms
            status = 503
            reason = PJError("register", param.status).message
        }
        let granted = param.expiration == UInt32.max ? 0 : Int(param.expiration)
        let registration = SoftphoneRegistration(renew: renew, status: status, reason: reason,
                                                 expires: renew && (200..<300).contains(status) ? granted : 0, at: at)
        executor.async { [self] in onEvent(.registration(registration)) }
    }

    private func onCallMediaState(_ id: pjsua_call_id) {
        let at = Softphone.now()
        let media = PJSUASetup.mediaSnapshot(id)
        guard media.active else { return }
        executor.async { [self] in
            guard id == callID, PJSUASetup.stillOn(id, token: token, slot: media.confSlot) else { return }
            do {
                let existing = audio.withLock { $0?.port }
                let port = try existing ?? CallAudio(name: "softphone", clockRate: Softphone.clockRate)
                if existing == nil { audio.withLock { [token] in $0 = (port, token) } }
                try port.connect(to: media.confSlot)
                if existing == nil { onEvent(.mediaActive(codec: media.codec, at: at)) }
            } catch {
                guard PJSUASetup.stillOn(id, token: token, slot: media.confSlot) else { return }
                log.write(LogLine(.error, "softphone.media_failed", [("error", "\(error)")]))
                hungUpLocally = true
                pjsua_call_hangup(id, 500, nil, nil)
            }
        }
    }

    private func onStreamDestroyed(_ id: pjsua_call_id, _ stream: OpaquePointer?) {
        guard let stream else { return }
        var stat = pjmedia_rtcp_stat()
        guard pjmedia_stream_get_stat(stream, &stat) == PJ_SUCCESS.rawValue else { return }
        let rx = Int(stat.rx.pkt), tx = Int(stat.tx.pkt)
        executor.async { [self] in
            guard id == callID else { return }
            rtp = (rtp.rx + rx, rtp.tx + tx)
        }
    }

    /// A REFER: recorded, then declined with 603. Following a transfer means a second call, which
    /// this one-call softphone does not place.
    private func onRefer(_ id: pjsua_call_id, _ dst: UnsafePointer<pj_str_t>?, _ code: UnsafeMutablePointer<pjsip_status_code>?) {
        let at = Softphone.now()
        let target = dst.map { String(pjString: $0.pointee) } ?? "?"
        code?.pointee = PJSIP_SC_DECLINE
        executor.async { [self] in
            if id == callID { onEvent(.signal(method: "REFER", detail: target, response: 603, at: at)) }
        }
    }

    /// In-dialog NOTIFYs (progress of a transfer we asked for): recorded with their Event header and
    /// the status line of their message/sipfrag body.
    private func onTransaction(_ id: pjsua_call_id, _ tsx: UnsafeMutablePointer<pjsip_transaction>?,
                               _ event: UnsafeMutablePointer<pjsip_event>?) {
        guard let tsx, tsx.pointee.role == PJSIP_ROLE_UAS, tsx.pointee.state == PJSIP_TSX_STATE_TRYING,
              String(pjString: tsx.pointee.method.name) == "NOTIFY",
              let e = event?.pointee, e.type == PJSIP_EVENT_TSX_STATE, e.body.tsx_state.type == PJSIP_EVENT_RX_MSG,
              let rdata = e.body.tsx_state.src.rdata, let msg = rdata.pointee.msg_info.msg else { return }
        let at = Softphone.now()
        var detail = "Event: " + (Softphone.header(msg, "Event") ?? "?")
        if let body = msg.pointee.body, let data = body.pointee.data, body.pointee.len > 0 {
            let text = String(decoding: UnsafeRawBufferPointer(start: data, count: Int(body.pointee.len)), as: UTF8.self)
            if let first = text.split(whereSeparator: \.isNewline).first { detail += "; " + first }
        }
        executor.async { [self, detail] in
            if id == callID { onEvent(.signal(method: "NOTIFY", detail: detail, response: nil, at: at)) }
        }
    }

    // MARK: - Executor

    /// Lets go of the audio port: the reader first, then the feeder, then pjmedia.
    private func releaseAudio() {
        guard let (port, token) = audio.withLock({ current -> (port: CallAudio, token: UInt64)? in
            let old = current
            current = nil
            return old
        }) else { return }
        feeder.remove(token: token)
        port.destroy()
    }
}

import Foundation
import Synchronization
import CPJProject
import CVoiceGateSupport
import VoiceGateCore

/// A SIP transport the gateway listens on, as actually bound.
public struct ListeningTransport: Sendable, Equatable, CustomStringConvertible {
    public let kind: SIPTransportKind
    public let host: String
    public let port: Int
    public var description: String { host.contains(":") ? "\(kind.rawValue)://[\(host)]:\(port)" : "\(kind.rawValue)://\(host):\(port)" }
}

/// The gateway's SIP user agent over pjsua: transports, admission of new requests, and the calls.
///
/// Threads: every pjsua control call runs on `executor`. pjsua callbacks arrive on pj worker
/// threads and only enqueue onto it (and read what is valid only inside the callback). The call
/// table is touched on the executor only.
public final class SIPEndpoint: @unchecked Sendable {
    public let executor: PJExecutor
    public let metrics: GatewayMetrics
    public let limits = CompiledLimits.current
    public let callCapacity: Int

    let config: GatewayConfiguration
    private let bot: DemoBot
    let observer: CallObserver
    let log: LogSink
    private let gate: AdmissionGate
    /// REGISTERs of configured agents and their bindings (SIPEndpoint+Agents.swift).
    let registrar: AgentRegistrar
    let feeder = PlayoutFeeder()
    let nextToken = Atomic<UInt64>(1)
    private let running = Atomic<Bool>(false)
    private let liveCalls = LiveCallCounter()

    var calls: [pjsua_call_id: CallSession] = [:]   // executor only
    var byConversation: [String: pjsua_call_id] = [:]   // executor only
    /// Calls the gateway placed to transfer targets (bridge transfers), by pjsua call id.
    var outboundLegs: [pjsua_call_id: OutboundLeg] = [:]   // executor only
    /// Calls the gateway placed to agents' phones, by pjsua call id.
    var agentLegs: [pjsua_call_id: AgentLeg] = [:]   // executor only
    var accountID = pjsua_acc_id(PJSUA_INVALID_ID.rawValue)
    /// Calls whose trunk may send REFER, by token, with where that trunk takes calls (read on pj
    /// worker threads, in the REFER callback).
    let referAccepted = Mutex<[UInt64: ReferRoute]>([:])

    /// The audio of the bridge and of calls: 8 kHz, so G.711 calls need no resampling.
    static let clockRate: UInt32 = 8000

    public init(config: GatewayConfiguration, bot: DemoBot, observer: CallObserver = NoCallObserver(), log: LogSink, metrics: GatewayMetrics) {
        self.config = config
        self.bot = bot.resampled(to: Int(SIPEndpoint.clockRate))
        self.observer = observer
        self.log = log
        self.metrics = metrics
        let limits = CompiledLimits.current
        self.callCapacity = AdmissionPolicy.effectiveLimit(configured: config.calls.maxConcurrent, compiledMaxCalls: limits.maxCalls,
                                                           rtpPortCount: config.sip.rtpPortCount)
        self.gate = AdmissionGate(policy: AdmissionPolicy(trunks: config.trunks, maxConcurrentCalls: callCapacity,
                                                          phoneNumbers: config.phoneNumbers, bots: config.bots, realm: config.sip.realm),
                                  retryAfter: config.calls.retryAfterSeconds, log: log, metrics: metrics)
        self.executor = PJExecutor()
        self.registrar = AgentRegistrar(policy: AgentRegistrationPolicy(agents: config.routing.agents, realm: config.sip.realm),
                                        executor: executor, log: log, metrics: metrics)
        executor.setTick { [weak self] in self?.tick() }
        metrics.gauge("voicegate_call_capacity", Double(callCapacity))
        metrics.gauge("voicegate_active_calls", 0)
        metrics.gauge("voicegate_draining", 0)
    }

    /// Whether the SIP stack is up (for /healthz).
    public var isRunning: Bool { running.load(ordering: .acquiring) }

    /// Calls the gateway holds now.
    public var activeCalls: Int { liveCalls.count }

    /// Creates pjsua, binds the transports, installs admission and starts serving.
    /// Blocks the caller until done; runs the work on the executor.
    public func start() throws -> [ListeningTransport] {
        try executor.sync { try self.startOnExecutor() }
    }

    private func startOnExecutor() throws -> [ListeningTransport] {
        // pjlib logs to stdout from pjsua_create on, before our log callback exists; the softphone
        // prints its JSON report there.
        pj_log_set_level(0)
        try check(pjsua_create(), "pjsua_create")
        PJLibState.initialized = true
        _ = vg_thread_register("pj-control")
        SIPEndpoint.current = self

        let arena = CStringArena()
        var ua = pjsua_config()
        pjsua_config_default(&ua)
        ua.max_calls = UInt32(limits.maxCalls)
        ua.thread_cnt = UInt32(max(1, min(4, ProcessInfo.processInfo.activeProcessorCount)))
        ua.user_agent = arena.pj("VoiceGate/\(VoiceGateVersion.string)")
        ua.cb.on_incoming_call = { _, callID, rdata in SIPEndpoint.current?.onIncomingCall(callID, rdata) }
        ua.cb.on_call_state = { callID, _ in SIPEndpoint.current?.onCallState(callID) }
        ua.cb.on_call_media_state = { callID in SIPEndpoint.current?.onCallMediaState(callID) }
        ua.cb.on_stream_destroyed = { callID, stream, _ in SIPEndpoint.current?.onStreamDestroyed(callID, stream) }
        ua.cb.on_dtmf_event = { callID, event in
            guard let event else { return }
            SIPEndpoint.current?.onDTMF(callID, event.pointee)
        }
        ua.cb.on_call_transfer_status = { callID, code, _, final, cont in
            SIPEndpoint.current?.onTransferStatus(callID, code: Int(code), final: final != 0, cont: cont)
        }
        ua.cb.on_call_transfer_request2 = { callID, dst, code, _ in
            SIPEndpoint.current?.onReferReceived(callID, target: dst.map { String(pjString: $0.pointee) } ?? "", code: code)
        }

        PJSUASetup.logSink = log
        var logCfg = PJSUASetup.logging(level: config.log.sipLevel)
        var media = PJSUASetup.media(clockRate: SIPEndpoint.clockRate, maxPorts: limits.conferencePorts)

        try check(pjsua_init(&ua, &logCfg, &media), "pjsua_init")

        let transports = try createTransports(arena)
        try addAccount(arena, transports: transports)
        try PJSUASetup.configureCodecs()
        try check(pjsua_start(), "pjsua_start")
        try check(pjsua_set_null_snd_dev(), "pjsua_set_null_snd_dev")
        try check(vg_admission_install(pjsua_get_pjsip_endpt(), admissionCallback, Unmanaged.passUnretained(gate).toOpaque(),
                                       config.sip.realm),
                  "install admission module")
        try check(vg_request_checks_install(pjsua_get_pjsip_endpt()), "install request checks module")
        // After the request checks (see vg_registrar.h); without an agent who can register, a
        // REGISTER stays what it was: refused by admission or answered 405.
        if registrar.policy.acceptsRegistrations {
            try check(vg_registrar_install(pjsua_get_pjsip_endpt(), registrarCallback, Unmanaged.passUnretained(registrar).toOpaque()),
                      "install the registrar module")
        }
        try check(vg_parse_errors_install(pjsua_get_pjsip_endpt()), "install the parse-error answer")
        try check(vg_outbound_identity_install(pjsua_get_pjsip_endpt()), "install the outbound identity module")
        running.store(true, ordering: .releasing)
        return transports
    }

    private func createTransports(_ arena: CStringArena) throws -> [ListeningTransport] {
        let listen = config.sip.listen
        let isIPv6 = listen.contains(":")
        let anyAddress = listen == "0.0.0.0" || listen == "::"
        var result: [ListeningTransport] = []
        var port = UInt32(config.sip.port)
        for kind in config.sip.transports {
            var cfg = pjsua_transport_config()
            pjsua_transport_config_default(&cfg)
            cfg.port = port
            if !anyAddress { cfg.bound_addr = arena.pj(listen) }
            if let advertise = config.sip.advertise { cfg.public_addr = arena.pj(advertise) }
            else if !anyAddress { cfg.public_addr = arena.pj(listen) }
            let type: pjsip_transport_type_e
            switch kind {
            case .udp: type = isIPv6 ? PJSIP_TRANSPORT_UDP6 : PJSIP_TRANSPORT_UDP
            case .tcp: type = isIPv6 ? PJSIP_TRANSPORT_TCP6 : PJSIP_TRANSPORT_TCP
            case .tls: continue   // configured by sip.tls, on its own port (below)
            }
            var id = pjsua_transport_id(0)
            try check(pjsua_transport_create(type, &cfg, &id), "bind SIP \(kind.rawValue) on \(listen):\(port)")
            var info = pjsua_transport_info()
            try check(pjsua_transport_get_info(id, &info), "pjsua_transport_get_info")
            let boundPort = Int(info.local_name.port)
            // Port 0 asks for a free port: every later transport then takes the same one.
            if port == 0 { port = UInt32(boundPort) }
            result.append(ListeningTransport(kind: kind, host: String(pjString: info.local_name.host), port: boundPort))
        }
        if let tls = config.sip.tls {
            var cfg = pjsua_transport_config()
            pjsua_transport_config_default(&cfg)
            cfg.port = UInt32(tls.port)
            if !anyAddress { cfg.bound_addr = arena.pj(listen) }
            if let advertise = config.sip.advertise { cfg.public_addr = arena.pj(advertise) }
            else if !anyAddress { cfg.public_addr = arena.pj(listen) }
            cfg.tls_setting.cert_file = arena.pj(tls.certificateFile)
            cfg.tls_setting.privkey_file = arena.pj(tls.privateKeyFile)
            // TLS 1.2 and 1.3 only; trunks authenticate by source and Digest, not client certificates.
            cfg.tls_setting.proto = UInt32(PJ_SSL_SOCK_PROTO_TLS1_2.rawValue | PJ_SSL_SOCK_PROTO_TLS1_3.rawValue)
            cfg.tls_setting.verify_client = pj_bool_t(PJ_FALSE.rawValue)
            cfg.tls_setting.require_client_cert = pj_bool_t(PJ_FALSE.rawValue)
            var id = pjsua_transport_id(0)
            try check(pjsua_transport_create(isIPv6 ? PJSIP_TRANSPORT_TLS6 : PJSIP_TRANSPORT_TLS, &cfg, &id),
                      "bind SIP tls on \(listen):\(tls.port) with \(tls.certificateFile)")
            var info = pjsua_transport_info()
            try check(pjsua_transport_get_info(id, &info), "pjsua_transport_get_info")
            result.append(ListeningTransport(kind: .tls, host: String(pjString: info.local_name.host), port: Int(info.local_name.port)))
        }
        return result
    }

    private func addAccount(_ arena: CStringArena, transports: [ListeningTransport]) throws {
        var acc = pjsua_acc_config()
        pjsua_acc_config_default(&acc)
        let host = config.sip.advertise ?? transports.first?.host ?? "127.0.0.1"
        let uriHost = host.contains(":") ? "[\(host)]" : host
        acc.id = arena.pj("<sip:voicegate@\(uriHost):\(transports.first?.port ?? 5060)>")
        let anyAddress = config.sip.listen == "0.0.0.0" || config.sip.listen == "::"
        acc.rtp_cfg.port = UInt32(config.sip.rtpPortStart)
        acc.rtp_cfg.port_range = UInt32(config.sip.rtpPortCount)
        if !anyAddress { acc.rtp_cfg.bound_addr = arena.pj(config.sip.listen) }
        if let advertise = config.sip.advertise { acc.rtp_cfg.public_addr = arena.pj(advertise) }
        else if !anyAddress { acc.rtp_cfg.public_addr = arena.pj(config.sip.listen) }
        acc.ipv6_media_use = config.sip.listen.contains(":") ? PJSUA_IPV6_ENABLED : PJSUA_IPV6_DISABLED
        acc.register_on_acc_add = pj_bool_t(PJ_FALSE.rawValue)
        var id = pjsua_acc_id(0)
        try check(pjsua_acc_add(&acc, pj_bool_t(PJ_TRUE.rawValue), &id), "pjsua_acc_add")
        accountID = id
    }

    // MARK: - Callbacks (pj worker threads: read what is only valid now, then enqueue)

    nonisolated(unsafe) static var current: SIPEndpoint?

    private func onIncomingCall(_ callID: pjsua_call_id, _ rdata: UnsafeMutablePointer<pjsip_rx_data>?) {
        let token = nextToken.wrappingAdd(1, ordering: .relaxed).oldValue
        pjsua_call_set_user_data(callID, UnsafeMutableRawPointer(bitPattern: UInt(token)))
        guard let rdata else {
            // Never seen; without the request there is nothing to route by, so refuse, never leave it ringing.
            executor.async { [self] in incoming(callID, token: token, source: "?", transport: "?", route: nil, sipCallID: "", mapped: [:]) }
            return
        }
        let address = withUnsafeBytes(of: rdata.pointee.pkt_info.src_name) { raw in
            String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
        }
        let source = "\(address):\(rdata.pointee.pkt_info.src_port)"
        let transport = rdata.pointee.tp_info.transport.map { String(cString: $0.pointee.type_name) } ?? "?"
        let route = gate.route(rdata, source: address, transport: transport)
        let sipCallID = InboundRequest.callID(rdata)
        var mapped: [String: JSONValue] = [:]
        for mapping in config.sipHeaders {
            // Header values are the caller's (or their carrier's) words: bounded, never parsed here.
            if let value = InboundRequest.values(rdata, mapping.header, limit: 1).first {
                mapped[mapping.variable] = .string(String(value.prefix(512)))
            }
        }
        let headerVariables = mapped
        executor.async { [self] in
            incoming(callID, token: token, source: source, transport: transport, route: route, sipCallID: sipCallID, mapped: headerVariables)
        }
    }

    private func onCallState(_ callID: pjsua_call_id) {
        var info = pjsua_call_info()
        guard pjsua_call_get_info(callID, &info) == PJ_SUCCESS.rawValue else { return }
        let token = UInt64(UInt(bitPattern: pjsua_call_get_user_data(callID)))
        if info.state == PJSIP_INV_STATE_CONFIRMED {
            executor.async { [self] in
                legAnswered(callID, token: token)
                agentLegAnswered(callID, token: token)
            }
            return
        }
        guard info.state == PJSIP_INV_STATE_DISCONNECTED else { return }
        let status = Int(info.last_status.rawValue)
        let reason = String(pjString: info.last_status_text)
        executor.async { [self] in disconnected(callID, token: token, status: status, reason: reason) }
    }

    /// pjsua destroys a call's stream before reporting DISCONNECTED, so its RTP counters are read
    /// here, the last moment they exist.
    private func onStreamDestroyed(_ callID: pjsua_call_id, _ stream: OpaquePointer?) {
        guard let stream else { return }
        let token = UInt64(UInt(bitPattern: pjsua_call_get_user_data(callID)))
        var stat = pjmedia_rtcp_stat()
        guard pjmedia_stream_get_stat(stream, &stat) == PJ_SUCCESS.rawValue else { return }
        let rx = Int(stat.rx.pkt), tx = Int(stat.tx.pkt)
        executor.async { [self] in
            guard let session = calls[callID], session.token == token else { return }
            session.rtpPackets = (session.rtpPackets.rx + rx, session.rtpPackets.tx + tx)
        }
    }

    /// RFC 4733 events. A new event (the first packet of a key, flags without IS_UPDATE) barges in
    /// at once: waiting for its end would let the prompt run on for as long as the key is held.
    /// The bot gets the digit when it ends (the caller has let go of the key), which is where turn
    /// latency is measured from; pjmedia reports each end once, retransmissions aside. A SIP INFO
    /// key comes as an end alone, so it is both.
    private func onDTMF(_ callID: pjsua_call_id, _ event: pjsua_dtmf_event) {
        let isNew = event.flags & UInt32(PJMEDIA_STREAM_DTMF_IS_UPDATE.rawValue) == 0
        let isEnd = event.flags & UInt32(PJMEDIA_STREAM_DTMF_IS_END.rawValue) != 0
        guard isNew || isEnd else { return }
        let token = UInt64(UInt(bitPattern: pjsua_call_get_user_data(callID)))
        let digit = Character(UnicodeScalar(UInt8(truncatingIfNeeded: event.digit)))
        let duration = Int(event.duration)
        executor.async { [self] in
            if isNew { keyDown(callID, token: token) }
            if isEnd { keyPressed(callID, token: token, digit: digit, durationMs: duration) }
        }
    }

    private func onCallMediaState(_ callID: pjsua_call_id) {
        let token = UInt64(UInt(bitPattern: pjsua_call_get_user_data(callID)))
        let media = PJSUASetup.mediaSnapshot(callID)
        guard media.active else { return }
        executor.async { [self] in mediaChanged(callID, token: token, media: media) }
    }

    // MARK: - Call handling (executor)

    private func tokenMatches(_ callID: pjsua_call_id, _ token: UInt64) -> Bool {
        UInt64(UInt(bitPattern: pjsua_call_get_user_data(callID))) == token
    }

    private func incoming(_ callID: pjsua_call_id, token: UInt64, source: String, transport: String, route: CallRoute?,
                          sipCallID: String, mapped: [String: JSONValue]) {
        // The caller may have given up between the callback and now; pjsua has then reset the slot.
        guard tokenMatches(callID, token) else { return }
        guard let route else {
            // Admission let it through but it no longer routes (the nonce aged in between): refuse.
            log.write(LogLine(.warning, "call.unroutable", [("source", source), ("sip_call_id", sipCallID)]))
            PJSUASetup.withHeaders([]) { msg in _ = pjsua_call_hangup(callID, 403, nil, msg) }
            return
        }
        let session = CallSession(token: token, callID: callID, sipCallID: sipCallID, route: route, source: source,
                                  conversationID: UUID().uuidString.lowercased())
        calls[callID] = session
        byConversation[session.conversationID] = callID
        if route.trunk.transfer.acceptRefer, let outbound = route.trunk.outbound {
            referAccepted.withLock { $0[token] = ReferRoute(conversationID: session.conversationID, host: outbound.host, port: outbound.port) }
        }
        liveCalls.set(calls.count)
        metrics.gauge("voicegate_active_calls", Double(calls.count))

        var variables = mapped
        variables[ContextVariable.customerPhoneNumber] = .string(route.identity.customerNumber)
        variables[ContextVariable.organizationPhoneNumber] = .string(route.organizationNumber)
        variables[ContextVariable.sipCallId] = .string(sipCallID)
        variables[ContextVariable.trunkName] = .string(route.trunk.name)
        let call = InboundCall(conversationID: session.conversationID, route: route, sipCallID: sipCallID, source: source,
                               transport: transport, variables: variables, arrivedAt: session.started)
        // Answer only once the conversation is durable: a call nobody can find afterwards is the
        // one loss a gateway must not have.
        observer.callArrived(call) { [self] stored in
            executor.async { [self] in answer(callID, token: token, stored: stored) }
        }
    }

    private func answer(_ callID: pjsua_call_id, token: UInt64, stored: Bool) {
        guard let session = calls[callID], session.token == token, session.hangUpReason == nil else { return }
        guard stored else {
            log.write(LogLine(.error, "call.refused", session.logFields + [("status", "503"), ("reason", "store_unavailable")]))
            session.hangUpReason = "store_unavailable"
            PJSUASetup.withHeaders([("Retry-After", String(config.calls.retryAfterSeconds))]) { msg in
                _ = pjsua_call_hangup(callID, 503, nil, msg)
            }
            return
        }
        let status = pjsua_call_answer(callID, 200, nil, nil)
        if status != PJ_SUCCESS.rawValue {
            log.write(LogLine(.error, "call.answer_failed", session.logFields + [("error", PJError("pjsua_call_answer", status).message)]))
            hangUp(session, code: 500, reason: "answer_failed")
            return
        }
        log.write(LogLine(.info, "call.answered", session.logFields))
    }

    private func mediaChanged(_ callID: pjsua_call_id, token: UInt64, media: PJSUASetup.MediaSnapshot) {
        if outboundLegs[callID]?.token == token { return legMedia(callID, token: token, slot: media.confSlot) }
        if agentLegs[callID]?.token == token { return agentLegMedia(callID, token: token, slot: media.confSlot) }
        if calls[callID] == nil, let session = sessionFollowingRefer(token: token) { return adopt(callID, into: session, slot: media.confSlot) }
        guard let session = calls[callID], session.token == token else { return }
        // The caller may have hung up since the callback: then there is nothing to connect, and
        // call.ended follows.
        guard PJSUASetup.stillOn(callID, token: token, slot: media.confSlot) else { return }
        do {
            let firstTime = session.audio == nil
            if firstTime { session.audio = try CallAudio(name: "call\(callID)", clockRate: SIPEndpoint.clockRate) }
            try session.audio!.connect(to: media.confSlot)
            session.confSlot = media.confSlot
            if firstTime {
                if session.route.answersWithChannel {
                    if session.hold != nil { playHold(session) }
                    observer.callMediaStarted(session.conversationID)
                } else {
                    feeder.play(bot.greeting.samples[...], on: session.audio!, token: token)
                    observer.callTurn(session.conversationID, Turn(at: Date(), from: .bot, kind: .message, text: "(greeting prompt)",
                                                                   data: ["audio": "greeting", "seconds": .number(bot.greeting.durationSeconds)]))
                }
                log.write(LogLine(.info, "call.media_started", session.logFields + [
                    ("codec", media.codec), ("prompt_seconds", String(format: "%.2f", bot.greeting.durationSeconds))]))
            }
        } catch {
            // Lost the race with a hang-up between the check and the connect: not an error.
            guard PJSUASetup.stillOn(callID, token: token, slot: media.confSlot) else { return }
            log.write(LogLine(.error, "call.media_failed", session.logFields + [("error", "\(error)")]))
            hangUp(session, code: 500, reason: "media_failed")
        }
    }

    /// A key went down: a speaking bot's channel barges in now; the digit follows at its end.
    private func keyDown(_ callID: pjsua_call_id, token: UInt64) {
        guard let session = calls[callID], session.token == token, session.route.answersWithChannel else { return }
        observer.callKeyDown(session.conversationID, at: Date())
    }

    private func keyPressed(_ callID: pjsua_call_id, token: UInt64, digit: Character, durationMs: Int) {
        if agentLegs[callID]?.token == token { return agentKey(callID, token: token, digit: digit) }
        guard let session = calls[callID], session.token == token, let audio = session.audio else { return }
        // The transcript keeps the digit (a bot needs it); logs never do, callers key in PINs.
        if session.route.answersWithChannel {
            observer.callKey(session.conversationID, digit, at: Date())
            log.write(LogLine(.info, "call.dtmf", session.logFields + [("duration_ms", String(durationMs)), ("action", "to_channel")]))
            return
        }
        observer.callTurn(session.conversationID, Turn(at: Date(), from: .customer, kind: .dtmf, text: String(digit),
                                                       data: ["durationMs": .number(Double(durationMs))]))
        var action = "recorded"
        if case .embedded = session.route.bot.kind {
            switch bot.onDigit(digit) {
            case .interruptAndPlay(let prompt):
                feeder.replace(with: prompt.samples[...], on: audio, token: token)
                observer.callTurn(session.conversationID, Turn(at: Date(), from: .bot, kind: .message, text: "(key reply prompt)",
                                                               data: ["audio": "keyReply", "bargeIn": true]))
                action = "reply"
            }
        }
        log.write(LogLine(.info, "call.dtmf", session.logFields + [("duration_ms", String(durationMs)), ("action", action)]))
    }

    private func disconnected(_ callID: pjsua_call_id, token: UInt64, status: Int, reason: String) {
        if outboundLegs[callID]?.token == token { return legEnded(callID, status: status, reason: reason) }
        if agentLegs[callID]?.token == token { return agentLegEnded(callID, status: status, reason: reason) }
        if calls[callID] == nil, let session = sessionFollowingRefer(token: token) { return referLegFailed(session, status: status) }
        guard let session = calls[callID], session.token == token else { return }
        // The trunk's leg of a call that followed its REFER: the conversation goes on on the new one.
        if session.callID != callID { return legReplaced(callID, session, status: status) }
        // A trunk leg still up after its call moved on ends with the call.
        for (other, s) in calls where s === session && other != callID {
            calls.removeValue(forKey: other)
            PJSUASetup.withHeaders([]) { msg in _ = pjsua_call_hangup(other, 0, nil, msg) }
        }
        callerLeft(session)
        callerLeftAgent(session)
        referAccepted.withLock { _ = $0.removeValue(forKey: token) }
        calls.removeValue(forKey: callID)
        byConversation.removeValue(forKey: session.conversationID)
        feeder.remove(token: token)
        var fields = session.logFields
        fields += [("hangup_by", session.hangUpReason == nil ? "caller" : "gateway"),
                   ("reason", session.hangUpReason ?? "bye"),
                   ("sip_status", String(status)), ("sip_reason", reason),
                   ("duration_ms", String(Int(session.elapsed * 1000))),
                   ("rtp_rx_packets", String(session.rtpPackets.rx)), ("rtp_tx_packets", String(session.rtpPackets.tx))]
        if let audio = session.audio {
            let s = audio.stats
            fields += [("frames_played", String(s.frames_played)), ("frames_received", String(s.frames_received)),
                       ("voiced_frames", String(s.voiced_frames)),
                       ("mean_level", String(s.frames_received > 0 ? s.energy_sum / s.frames_received : 0))]
            audio.destroy()
            session.audio = nil
        }
        liveCalls.set(calls.count)
        metrics.gauge("voicegate_active_calls", Double(calls.count))
        metrics.increment("voicegate_calls_total", labels: "outcome=\"\(session.hangUpReason == nil ? "caller_hangup" : "gateway_hangup")\"")
        log.write(LogLine(.info, "call.ended", fields))
        let (outcome, why) = Self.conversationEnd(session.hangUpReason)
        observer.callEnded(session.conversationID, outcome: outcome, reason: why)
    }

    /// The conversation's outcome and end reason for a gateway hang-up reason (nil: the caller
    /// hung up). Bot-protocol words where they exist.
    static func conversationEnd(_ hangUpReason: String?) -> (Conversation.Outcome, String) {
        switch hangUpReason {
        case nil: return (.abandoned, "customerHangUp")
        case "shutdown": return (.failed, "shutdown")
        case "max_duration": return (.failed, "maxDuration")
        case "store_unavailable": return (.failed, "storeUnavailable")
        case let other?: return (.failed, other)
        }
    }

    /// Ends a call from the gateway's side: BYE when answered, else the given final response.
    /// Must run on the executor.
    func hangUp(_ session: CallSession, code: UInt32 = 0, reason: String) {
        guard session.hangUpReason == nil else { return }
        session.hangUpReason = reason
        // RFC 3326: tell the trunk why, so its CDRs say the gateway ended the call on purpose.
        let cause = reason == "shutdown" ? "Q.850;cause=16;text=\"gateway shutting down\"" : "Q.850;cause=16;text=\"\(reason)\""
        PJSUASetup.withHeaders([("Reason", cause)]) { msg in _ = pjsua_call_hangup(session.callID, code, nil, msg) }
    }

    /// Runs on the executor every tick: duration limits, agents' registrations that lapsed.
    private func tick() {
        transferDeadlines()
        registrar.expire()
        let limit = config.calls.maxDurationSeconds
        guard limit > 0 else { return }
        for session in calls.values where session.hangUpReason == nil && session.elapsed >= Double(limit) {
            log.write(LogLine(.info, "call.max_duration", session.logFields + [("limit_seconds", String(limit))]))
            hangUp(session, reason: "max_duration")
        }
    }

    // MARK: - Shutdown

    /// New INVITEs get 503 with Retry-After from now on; calls in progress go on. Any thread.
    public func beginDrain() {
        gate.draining.store(true, ordering: .releasing)
        metrics.gauge("voicegate_draining", 1)
    }

    /// Waits until no call is left, or the timeout passes. Returns whether none is left. Any thread
    /// but the executor.
    public func waitForIdle(timeout: TimeInterval) -> Bool {
        liveCalls.waitForZero(until: Date().addingTimeInterval(timeout))
    }

    /// Hangs up every call (BYE with a Reason header). Any thread but the executor.
    public func hangUpAll(reason: String) {
        try? executor.sync {
            for session in self.calls.values { self.hangUp(session, reason: reason) }
        }
    }

    /// Destroys pjsua (sending what is left to send) and stops the executor. Any thread but the
    /// executor; the endpoint is unusable after.
    public func shutdown() {
        running.store(false, ordering: .releasing)
        feeder.stop()
        try? executor.sync {
            for session in self.calls.values {
                self.feeder.remove(token: session.token)
                session.audio?.destroy()
                session.audio = nil
            }
            self.calls.removeAll()
            if PJLibState.initialized { pjsua_destroy() }
            SIPEndpoint.current = nil
        }
        executor.stop()
    }

    // MARK: - A speaking bot's call (the voice channel drives these)

    /// Queues `samples` (8 kHz) after what the call is already playing; `callPromptFinished` with
    /// `promptID` follows once its last sample has played. Any thread; a call that has ended
    /// meanwhile is skipped.
    public func play(_ samples: [Int16], promptID: Int, conversation: String) {
        executor.async { [self] in
            guard let callID = byConversation[conversation], let session = calls[callID], let audio = session.audio else { return }
            let observer = self.observer
            feeder.play(samples[...], on: audio, token: session.token) { observer.callPromptFinished(conversation, id: promptID) }
        }
    }

    /// What the caller says, 8 kHz, in order, every 40 ms or so, on the playout queue, until the
    /// call ends. Any thread.
    public func listen(conversation: String, heard: @escaping @Sendable ([Int16]) -> Void) {
        executor.async { [self] in
            guard let callID = byConversation[conversation], let session = calls[callID], let audio = session.audio else { return }
            feeder.listen(on: audio, token: session.token, heard: heard)
        }
    }

    /// Barge-in: stops what the call is playing, at once. Any thread.
    public func stopPlaying(conversation: String) {
        executor.async { [self] in
            guard let callID = byConversation[conversation], let session = calls[callID] else { return }
            feeder.stop(token: session.token)
        }
    }

    /// Ends the call from the gateway's side (BYE with a Reason header). Any thread.
    public func hangUp(conversation: String, reason: String) {
        executor.async { [self] in
            guard let callID = byConversation[conversation], let session = calls[callID] else { return }
            hangUp(session, reason: reason)
        }
    }

    /// Whether each bot takes new calls now. Any thread.
    public var botAvailability: [String: BotAvailability] { gate.availability.withLock { $0 } }

    /// Changes whether a bot takes new calls; calls in progress go on. Returns the new state, or
    /// nil for an unknown bot. Any thread.
    @discardableResult
    public func updateBot(_ id: String, _ change: (inout BotAvailability) -> Void) -> BotAvailability? {
        gate.availability.withLock { table in
            guard var state = table[id] else { return nil }
            change(&state)
            table[id] = state
            return state
        }
    }

    /// How many responses with this status the endpoint has sent.
    public func responsesSent(_ code: Int) -> Int { Int(vg_responses_sent(Int32(code))) }
}

/// The C entry point of the admission module: finds the gate and lets it decide.
private let admissionCallback: vg_admission_fn = { request, user in
    guard let request, let user else { return vg_admission_decision(status: 0, retry_after_seconds: 0, reason: nil, challenge: (0, 0), stale: 0) }
    let gate = Unmanaged<AdmissionGate>.fromOpaque(user).takeUnretainedValue()
    return gate.decide(request.pointee)
}

/// The C entry point of the registrar module: finds the registrar and lets it answer.
private let registrarCallback: vg_registrar_fn = { request, answer, user in
    guard let request, let answer, let user else { return }
    Unmanaged<AgentRegistrar>.fromOpaque(user).takeUnretainedValue().answer(request.pointee, into: answer)
}

/// A count of live calls that another thread can wait to reach zero.
final class LiveCallCounter: @unchecked Sendable {
    private let condition = NSCondition()
    private var value = 0

    var count: Int { condition.lock(); defer { condition.unlock() }; return value }

    func set(_ n: Int) {
        condition.lock()
        value = n
        condition.broadcast()
        condition.unlock()
    }

    func waitForZero(until deadline: Date) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while value > 0 {
            if !condition.wait(until: deadline) { return value == 0 }
        }
        return true
    }
}

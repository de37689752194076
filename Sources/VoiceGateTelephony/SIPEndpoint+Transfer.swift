import Foundation
import Synchronization
import CPJProject
import CVoiceGateSupport
import VoiceGateCore

/// A transfer of one call under way: what to do, whom to tell, and how far it got.
/// Executor only.
final class TransferInProgress {
    enum Phase {
        /// A REFER went out on the caller's leg; its NOTIFYs say how the far end is doing.
        case referring
        /// The gateway is calling the target; the caller hears ringback.
        case ringing(leg: pjsua_call_id)
        /// The target answered and the two legs are bridged: the transfer is done.
        case bridged(leg: pjsua_call_id)
    }
    let plan: TransferPlan
    let done: @Sendable (TransferResult) -> Void
    let deadline: Date
    var phase: Phase
    /// Whether `done` was called (exactly once).
    var reported = false

    init(plan: TransferPlan, phase: Phase, done: @escaping @Sendable (TransferResult) -> Void) {
        self.plan = plan
        self.done = done
        self.phase = phase
        self.deadline = Date().addingTimeInterval(plan.timeout)
    }
}

/// A call the gateway placed to a transfer target. Executor only.
struct OutboundLeg {
    let token: UInt64
    /// The caller's call it is for.
    let callID: pjsua_call_id
    let callerToken: UInt64
    var answered = false
    var slot: pjsua_conf_port_id?
}

extension SIPEndpoint {
    /// Carries out an allowed transfer of the conversation's call: REFER first when the plan has
    /// one, the gateway's own bridged call when there is none or it fails and the plan allows it.
    /// `done` is called once, with the result, on the executor: completed when the REFER's NOTIFY
    /// reports 2xx (the caller's leg is then hung up) or the bridged target answers; failed with
    /// a reason otherwise, the caller still on the line with the bot. Any thread.
    public func transfer(conversation: String, plan: TransferPlan, done: @escaping @Sendable (TransferResult) -> Void) {
        executor.async { [self] in
            guard let callID = byConversation[conversation], let session = calls[callID], session.hangUpReason == nil,
                  session.transfer == nil else {
                done(.failed(plan.target, session(conversation) == nil ? "call_ended" : "transfer_in_progress"))
                return
            }
            if let referTo = plan.referTo {
                session.transfer = TransferInProgress(plan: plan, phase: .referring, done: done)
                startRefer(session, referTo: referTo)
            } else if let bridge = plan.bridge {
                session.transfer = TransferInProgress(plan: plan, phase: .referring, done: done)
                startBridge(session, bridge)
            } else {
                done(.failed(plan.target, "no_route"))
            }
        }
    }

    private func session(_ conversation: String) -> CallSession? {
        byConversation[conversation].flatMap { calls[$0] }
    }

    // MARK: - Callbacks (pj worker threads)

    /// Progress of a REFER the gateway sent: its own final response, then the NOTIFYs' sipfrag.
    /// Only a final status decides anything; provisional ones stay on the SIP thread.
    func onTransferStatus(_ callID: pjsua_call_id, code: Int, final: Bool, cont: UnsafeMutablePointer<pj_bool_t>?) {
        guard final else { return }
        // After a final status there is nothing left to hear.
        cont?.pointee = pj_bool_t(PJ_FALSE.rawValue)
        let token = UInt64(UInt(bitPattern: pjsua_call_get_user_data(callID)))
        executor.async { [self] in referFinished(callID, token: token, code: code) }
    }

    // MARK: - REFER (executor)

    private func startRefer(_ session: CallSession, referTo: String) {
        guard let transfer = session.transfer else { return }
        let arena = CStringArena()
        var uri = arena.pj(referTo)
        let status = PJSUASetup.withHeaders([("X-VoiceGate-Referred-By", transfer.plan.referredBy)]) { msg in
            pjsua_call_xfer(session.callID, &uri, msg)
        }
        guard status == PJ_SUCCESS.rawValue else {
            log.write(LogLine(.error, "transfer.refer_failed", session.logFields + [("error", PJError("pjsua_call_xfer", status).message)]))
            return referFailed(session, code: 500)
        }
        log.write(LogLine(.info, "transfer.refer_sent", session.logFields + [("target", transfer.plan.target)]))
    }

    private func referFinished(_ callID: pjsua_call_id, token: UInt64, code: Int) {
        guard let session = calls[callID], session.token == token, let transfer = session.transfer,
              case .referring = transfer.phase else { return }
        log.write(LogLine(.info, "transfer.refer_status", session.logFields + [("target", transfer.plan.target), ("status", String(code)),
                                                                              ("final", "true")]))
        guard (200..<300).contains(code) else { return referFailed(session, code: code) }
        // RFC 5589: the transferor ends its dialog with the transferee once the transfer succeeded.
        report(session, TransferResult(status: .completed, target: transfer.plan.target, method: "refer"))
        session.transfer = nil
        hangUp(session, reason: "transferred")
    }

    /// The REFER was refused or the far end reported failure: bridge if the plan says so.
    private func referFailed(_ session: CallSession, code: Int) {
        guard let transfer = session.transfer else { return }
        if let bridge = transfer.plan.bridge {
            log.write(LogLine(.info, "transfer.fallback", session.logFields + [("target", transfer.plan.target), ("refer_status", String(code)),
                                                                              ("to", "bridge")]))
            return startBridge(session, bridge)
        }
        finish(session, .failed(transfer.plan.target, TransferResult.reason(forSIPStatus: code), method: "refer"))
    }

    // MARK: - Bridging (executor)

    private func startBridge(_ session: CallSession, _ bridge: BridgeCall) {
        guard let transfer = session.transfer else { return }
        let (status, leg, legToken) = placeCall(to: bridge.requestURI, headers: [("X-VoiceGate-From", bridge.callerID),
                                                                                  ("P-Asserted-Identity", bridge.assertedIdentity)])
        guard status == PJ_SUCCESS.rawValue else {
            log.write(LogLine(.error, "transfer.bridge_failed", session.logFields + [("error", PJError("pjsua_call_make_call", status).message)]))
            return finish(session, .failed(transfer.plan.target, "rejected", method: "bridge"))
        }
        outboundLegs[leg] = OutboundLeg(token: legToken, callID: session.callID, callerToken: session.token)
        transfer.phase = .ringing(leg: leg)
        log.write(LogLine(.info, "transfer.bridge_dialing", session.logFields + [("target", transfer.plan.target), ("leg", String(legToken)),
                                                                                ("caller_id", bridge.callerID)]))
        playRingback(session)
    }

    /// Places an audio-only call from the gateway's account with a fresh token as its user data
    /// (how its callbacks are told apart from the callers' calls). Executor only.
    func placeCall(to uri: String, headers: [(String, String)]) -> (pj_status_t, pjsua_call_id, UInt64) {
        let legToken = nextToken.wrappingAdd(1, ordering: .relaxed).oldValue
        var setting = pjsua_call_setting()
        pjsua_call_setting_default(&setting)
        setting.aud_cnt = 1
        setting.vid_cnt = 0
        let arena = CStringArena()
        var target = arena.pj(uri)
        var leg = pjsua_call_id(PJSUA_INVALID_ID.rawValue)
        let status = PJSUASetup.withHeaders(headers) { msg in
            pjsua_call_make_call(accountID, &target, &setting, UnsafeMutableRawPointer(bitPattern: UInt(legToken)), msg, &leg)
        }
        return (status, leg, legToken)
    }

    /// Ringback, cycle after cycle, for as long as the target rings.
    private func playRingback(_ session: CallSession) {
        guard let audio = session.audio, let transfer = session.transfer, case .ringing = transfer.phase else { return }
        let token = session.token, callID = session.callID
        feeder.play(Self.ringback[...], on: audio, token: token) { [weak self] in
            self?.executor.async { [weak self] in
                guard let self, let session = self.calls[callID], session.token == token else { return }
                self.playRingback(session)
            }
        }
    }

    static let ringback = Ringback.cycle(sampleRate: Int(clockRate))

    func legAnswered(_ leg: pjsua_call_id, token: UInt64) {
        guard var state = outboundLegs[leg], state.token == token else { return }
        state.answered = true
        outboundLegs[leg] = state
        bridgeIfReady(leg)
    }

    func legMedia(_ leg: pjsua_call_id, token: UInt64, slot: pjsua_conf_port_id) {
        guard var state = outboundLegs[leg], state.token == token else { return }
        state.slot = slot
        outboundLegs[leg] = state
        bridgeIfReady(leg)
    }

    /// Once the target has answered and both legs have audio: caller and target hear each other,
    /// and the bot's port hears and says nothing more.
    private func bridgeIfReady(_ leg: pjsua_call_id) {
        guard let state = outboundLegs[leg], state.answered, let legSlot = state.slot,
              let session = calls[state.callID], session.token == state.callerToken,
              let transfer = session.transfer, case .ringing = transfer.phase, let callerSlot = session.confSlot else { return }
        feeder.stop(token: session.token)
        if let audio = session.audio, audio.slot != PJSUA_INVALID_ID.rawValue {
            pjsua_conf_disconnect(audio.slot, callerSlot)
            pjsua_conf_disconnect(callerSlot, audio.slot)
        }
        let a = pjsua_conf_connect(callerSlot, legSlot), b = pjsua_conf_connect(legSlot, callerSlot)
        guard a == PJ_SUCCESS.rawValue, b == PJ_SUCCESS.rawValue else {
            log.write(LogLine(.error, "transfer.bridge_failed", session.logFields + [("error", PJError("pjsua_conf_connect", a != PJ_SUCCESS.rawValue ? a : b).message)]))
            PJSUASetup.withHeaders([]) { msg in _ = pjsua_call_hangup(leg, 0, nil, msg) }
            return finish(session, .failed(transfer.plan.target, "rejected", method: "bridge"))
        }
        transfer.phase = .bridged(leg: leg)
        log.write(LogLine(.info, "transfer.bridged", session.logFields + [("target", transfer.plan.target), ("leg", String(state.token))]))
        report(session, TransferResult(status: .completed, target: transfer.plan.target, method: "bridge"))
    }

    /// The target's leg ended: before the answer, the transfer failed and the caller is back
    /// with the bot; after it, the caller's call ends too.
    func legEnded(_ leg: pjsua_call_id, status: Int, reason: String) {
        guard let state = outboundLegs.removeValue(forKey: leg) else { return }
        guard let session = calls[state.callID], session.token == state.callerToken, let transfer = session.transfer else { return }
        log.write(LogLine(.info, "transfer.leg_ended", session.logFields + [("leg", String(state.token)), ("sip_status", String(status)),
                                                                           ("sip_reason", reason)]))
        switch transfer.phase {
        case .bridged:
            hangUp(session, reason: "transferred")
        case .ringing:
            finish(session, .failed(transfer.plan.target, TransferResult.reason(forSIPStatus: status), method: "bridge"))
        case .referring:
            break
        }
    }

    /// The caller's call ended: a leg placed for it is hung up (cancelled while ringing), and a
    /// transfer not yet decided fails.
    func callerLeft(_ session: CallSession) {
        guard let transfer = session.transfer else { return }
        session.transfer = nil
        switch transfer.phase {
        case .ringing(let leg), .bridged(let leg):
            if outboundLegs[leg] != nil {
                PJSUASetup.withHeaders([("Reason", "Q.850;cause=16;text=\"caller hung up\"")]) { msg in _ = pjsua_call_hangup(leg, 0, nil, msg) }
            }
        case .referring:
            break
        }
        if !transfer.reported {
            transfer.reported = true
            transfer.done(.failed(transfer.plan.target, "caller_hung_up", method: transfer.plan.referTo == nil ? "bridge" : "refer"))
        }
    }

    /// Transfers past their time: a REFER without a final NOTIFY fails; a target that does not
    /// answer is cancelled.
    func transferDeadlines() {
        let now = Date()
        for session in calls.values {
            guard let transfer = session.transfer, !transfer.reported, now >= transfer.deadline else { continue }
            log.write(LogLine(.info, "transfer.timeout", session.logFields + [("target", transfer.plan.target)]))
            switch transfer.phase {
            case .referring:
                finish(session, .failed(transfer.plan.target, "timeout", method: "refer"))
            case .ringing(let leg):
                outboundLegs.removeValue(forKey: leg)
                PJSUASetup.withHeaders([]) { msg in _ = pjsua_call_hangup(leg, 0, nil, msg) }
                finish(session, .failed(transfer.plan.target, "no_answer", method: "bridge"))
            case .bridged:
                break
            }
        }
    }

    /// A transfer that ended without moving the caller: they are back with the bot.
    private func finish(_ session: CallSession, _ result: TransferResult) {
        guard let transfer = session.transfer else { return }
        feeder.stop(token: session.token)
        log.write(LogLine(.info, "transfer.failed", session.logFields + [("target", transfer.plan.target), ("reason", result.reason ?? "")]))
        report(session, result)
        session.transfer = nil
    }

    private func report(_ session: CallSession, _ result: TransferResult) {
        guard let transfer = session.transfer, !transfer.reported else { return }
        transfer.reported = true
        if result.status == .completed {
            log.write(LogLine(.info, "transfer.completed", session.logFields + [("target", transfer.plan.target), ("method", result.method ?? "")]))
        }
        transfer.done(result)
    }
}

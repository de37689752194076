import Foundation
import Synchronization
import CPJProject
import CVoiceGateSupport
import VoiceGateCore

/// Where a trunk that accepts REFER takes calls: a REFER it sends must point there.
struct ReferRoute: Sendable {
    let conversationID: String
    let host: String
    let port: Int
}

/// A REFER from the trunk: the trunk asking the gateway to call someone else and carry the
/// conversation over to that call (the gateway is the transferee). Refused with 403 unless the
/// trunk accepts REFER; then the Refer-To must be a sip: URI at the trunk's own outbound host (the
/// gateway dials nowhere else) and its number must pass the same privilege and outbound policy as
/// a bot's transfer. pjsua then answers 202, places the new call with the old call's token and
/// reports its progress to the trunk in NOTIFYs; the conversation moves to the new leg when it
/// has media, and the trunk's BYE of the old leg does not end it.
extension SIPEndpoint {
    /// pj worker thread, inside the REFER's processing: decides without waiting.
    func onReferReceived(_ callID: pjsua_call_id, target: String, code: UnsafeMutablePointer<pjsip_status_code>?) {
        let token = UInt64(UInt(bitPattern: pjsua_call_get_user_data(callID)))
        code?.pointee = PJSIP_SC_FORBIDDEN
        let shown = TransferDecision.loggable(target)
        guard let route = referAccepted.withLock({ $0[token] }) else {
            return referRefused(callID, token: token, target: shown, reason: "refer_not_accepted",
                                detail: "REFER from the trunk refused (403): the trunk does not accept REFER")
        }
        var user = [CChar](repeating: 0, count: 128), host = [CChar](repeating: 0, count: 256)
        var port: Int32 = 0
        guard vg_refer_target(target, &user, user.count, &host, host.count, &port) == PJ_SUCCESS.rawValue,
              String(cString: host).lowercased() == route.host.lowercased(), port == 0 || Int(port) == route.port else {
            return referRefused(callID, token: token, target: shown, reason: "refer_to_other_host",
                                detail: "REFER refused (403): Refer-To must be a sip: URI at the trunk's own host \(route.host)")
        }
        guard let attempt = observer.callReferRequested(route.conversationID, target: String(cString: user)) else {
            log.write(LogLine(.warning, "transfer.refer_refused", [("conversation", route.conversationID), ("status", "403"), ("reason", "policy")]))
            return
        }
        code?.pointee = PJSIP_SC_ACCEPTED
        executor.async { [self] in
            guard let session = calls[callID], session.token == token else { return }
            session.followingRefer = attempt
            log.write(LogLine(.info, "transfer.refer_accepted", session.logFields + [("status", "202")]))
        }
    }

    private func referRefused(_ callID: pjsua_call_id, token: UInt64, target: String, reason: String, detail: String) {
        executor.async { [self] in
            guard let session = calls[callID], session.token == token else { return }
            log.write(LogLine(.warning, "transfer.refer_refused", session.logFields + [("status", "403"), ("reason", reason)]))
            observer.callReferRefused(session.conversationID, target: target, fromNumber: session.route.organizationNumber,
                                      reason: reason, detail: detail)
        }
    }

    // MARK: - The new leg (executor)

    /// The session whose REFER pjsua is following with a new call carrying `token`.
    func sessionFollowingRefer(token: UInt64) -> CallSession? {
        calls.values.first { $0.token == token && $0.followingRefer != nil }
    }

    /// The new leg has media: the call's audio port moves to it, and with it the bot.
    func adopt(_ newCall: pjsua_call_id, into session: CallSession, slot: pjsua_conf_port_id) {
        guard let attempt = session.followingRefer, let audio = session.audio else { return }
        if let old = session.confSlot, audio.slot != PJSUA_INVALID_ID.rawValue {
            pjsua_conf_disconnect(audio.slot, old)
            pjsua_conf_disconnect(old, audio.slot)
        }
        do {
            try audio.connect(to: slot)
        } catch {
            log.write(LogLine(.error, "transfer.refer_media_failed", session.logFields + [("error", "\(error)")]))
            return
        }
        let old = session.callID
        session.callID = newCall
        session.confSlot = slot
        session.followingRefer = nil
        calls[newCall] = session
        byConversation[session.conversationID] = newCall
        log.write(LogLine(.info, "transfer.refer_followed", session.logFields + [("old_leg", String(old))]))
        observer.callReferFollowed(session.conversationID, attempt: attempt,
                                   result: TransferResult(status: .completed, target: "", method: "refer_received"))
    }

    /// The new leg failed before it had media: the trunk hears it in a NOTIFY; the call stays.
    func referLegFailed(_ session: CallSession, status: Int) {
        guard let attempt = session.followingRefer else { return }
        session.followingRefer = nil
        log.write(LogLine(.info, "transfer.refer_leg_failed", session.logFields + [("sip_status", String(status))]))
        observer.callReferFollowed(session.conversationID, attempt: attempt,
                                   result: .failed("", TransferResult.reason(forSIPStatus: status), method: "refer_received"))
    }

    /// The old leg of a call that moved ended (the trunk's BYE after its transfer): only the leg.
    func legReplaced(_ oldCall: pjsua_call_id, _ session: CallSession, status: Int) {
        calls.removeValue(forKey: oldCall)
        log.write(LogLine(.info, "call.leg_replaced", session.logFields + [("old_leg", String(oldCall)), ("sip_status", String(status))]))
    }
}

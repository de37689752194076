import Foundation
import CPJProject
import CVoiceGateSupport
import VoiceGateCore

/// Ringing an agent for a waiting caller: who, where, and what the agent's phone shows.
public struct AgentOffer: Sendable, Equatable {
    public let agentID: String
    /// The agent's SIP URI (registered contact or fixed one).
    public let contact: String
    /// What the agent's phone shows as the caller: the caller's number (E.164), or "anonymous".
    public let callerNumber: String
    /// Where the agent reads the conversation (transcript and variables).
    public let conversationLink: String
    public init(agentID: String, contact: String, callerNumber: String, conversationLink: String) {
        self.agentID = agentID
        self.contact = contact
        self.callerNumber = callerNumber
        self.conversationLink = conversationLink
    }
}

/// What happens to an agent's leg. Delivered on the pj executor: hop off before doing work.
public enum AgentLegEvent: Sendable, Equatable {
    /// The agent answered and hears the caller (the legs are bridged).
    case answered
    /// The agent's phone did not take the call (busy, declined, unreachable; or cancelled).
    case failed(status: Int, reason: String)
    /// The answered leg ended: `byAgent` when the agent hung up, false when the gateway did.
    case ended(byAgent: Bool)
    /// A key the agent pressed (RFC 4733 or SIP INFO).
    case key(Character)
}

/// A call the gateway placed to an agent's phone for a caller. Executor only.
final class AgentLeg {
    let token: UInt64
    let agentID: String
    let conversationID: String
    let events: @Sendable (AgentLegEvent) -> Void
    var answered = false
    var slot: pjsua_conf_port_id?
    var bridged = false
    /// The gateway hung it up (cancel, hand-back): its end is not the agent's doing.
    var endedByGateway = false

    init(token: UInt64, agentID: String, conversationID: String, events: @escaping @Sendable (AgentLegEvent) -> Void) {
        self.token = token
        self.agentID = agentID
        self.conversationID = conversationID
        self.events = events
    }
}

/// What a caller waiting for an agent hears: an optional announcement, then the hold loop.
/// Executor only.
final class HoldPlayback {
    var loop: [Int16]
    var first: [Int16]?
    /// Bumped on every change, so a loop's finished callback from before a change stops.
    var generation = 0
    init(loop: [Int16], first: [Int16]?) {
        self.loop = loop
        self.first = first
    }
}

extension SIPEndpoint {
    /// Rings the agent's phone for the conversation's caller. The INVITE's From shows the
    /// caller's number; `X-VoiceGate-Conversation-Id`, `X-VoiceGate-Conversation-Link` and a
    /// Call-Info header carry the conversation. Once the agent answers and both legs have audio,
    /// caller and agent hear each other (hold audio stops, the caller's own port is out of the
    /// path) and `events` gets `.answered`. Any thread.
    public func ringAgent(conversation: String, offer: AgentOffer, events: @escaping @Sendable (AgentLegEvent) -> Void) {
        executor.async { [self] in
            guard let callID = byConversation[conversation], let session = calls[callID], session.hangUpReason == nil else {
                events(.failed(status: 487, reason: "caller gone"))
                return
            }
            let user = offer.callerNumber.isEmpty ? "anonymous" : offer.callerNumber
            let (status, leg, legToken) = placeCall(to: offer.contact, headers: [
                ("X-VoiceGate-From", user), ("X-VoiceGate-Display", user), ("X-VoiceGate-Conversation-Id", conversation),
                ("X-VoiceGate-Conversation-Link", offer.conversationLink), ("Call-Info", "<\(offer.conversationLink)>;purpose=info")])
            guard status == PJ_SUCCESS.rawValue else {
                log.write(LogLine(.warning, "agent.ring_failed", session.logFields + [("agent", offer.agentID),
                                                                                     ("error", PJError("pjsua_call_make_call", status).message)]))
                events(.failed(status: 500, reason: "cannot call \(offer.contact)"))
                return
            }
            agentLegs[leg] = AgentLeg(token: legToken, agentID: offer.agentID, conversationID: conversation, events: events)
            session.agentLeg = leg
            log.write(LogLine(.info, "agent.ringing", session.logFields + [("agent", offer.agentID), ("leg", String(legToken))]))
        }
    }

    /// Ends the conversation's agent leg (cancels it while it rings): the caller is back on
    /// their own port (hold audio or a bot). Any thread.
    /// `agentID`: only that agent's leg (a stale cancel must not hang up the next agent's).
    public func releaseAgent(conversation: String, agentID: String?, reason: String) {
        executor.async { [self] in
            guard let callID = byConversation[conversation], let session = calls[callID], let leg = session.agentLeg,
                  let state = agentLegs[leg], agentID == nil || state.agentID == agentID else { return }
            state.endedByGateway = true
            unbridgeAgent(session, leg: leg, state: state)
            PJSUASetup.withHeaders([("Reason", "Q.850;cause=16;text=\"\(reason)\"")]) { msg in _ = pjsua_call_hangup(leg, 0, nil, msg) }
        }
    }

    /// Plays `first` (an announcement), if given, then `loop` over and over, to the caller
    /// until `stopHold` or an agent answers. Replaces what the caller was hearing. Any thread.
    public func hold(conversation: String, loop: [Int16], first: [Int16]?) {
        executor.async { [self] in
            guard let callID = byConversation[conversation], let session = calls[callID] else { return }
            let playback = session.hold ?? HoldPlayback(loop: loop, first: nil)
            playback.loop = loop
            playback.first = first
            playback.generation += 1
            session.hold = playback
            feeder.stop(token: session.token)
            playHold(session)
        }
    }

    /// The caller's hold audio ends (a bot takes over). Any thread.
    public func stopHold(conversation: String) {
        executor.async { [self] in
            guard let callID = byConversation[conversation], let session = calls[callID], session.hold != nil else { return }
            session.hold = nil
            feeder.stop(token: session.token)
        }
    }

    /// Plays `samples` to the caller (nothing else: hold audio stops), then ends the call with
    /// `reason`. Any thread.
    public func playThenHangUp(conversation: String, samples: [Int16], reason: String) {
        executor.async { [self] in
            guard let callID = byConversation[conversation], let session = calls[callID] else { return }
            session.hold = nil
            feeder.stop(token: session.token)
            let token = session.token
            guard let audio = session.audio, !samples.isEmpty else { return hangUp(session, reason: reason) }
            feeder.play(samples[...], on: audio, token: token) { [weak self] in
                self?.executor.async { [weak self] in
                    guard let self, let session = self.calls[callID], session.token == token else { return }
                    self.hangUp(session, reason: reason)
                }
            }
        }
    }

    /// Whether the conversation's call is still up. Any thread but the executor.
    public func hasConversation(_ conversation: String) -> Bool {
        (try? executor.sync { self.byConversation[conversation] != nil }) ?? false
    }

    /// Starts or goes on with the hold audio once the call has its port. Executor only.
    func playHold(_ session: CallSession) {
        guard let hold = session.hold, let audio = session.audio, session.agentLeg.flatMap({ agentLegs[$0]?.bridged }) != true else { return }
        let generation = hold.generation, token = session.token, callID = session.callID
        let next: [Int16]
        if let first = hold.first {
            next = first
            hold.first = nil
        } else {
            next = hold.loop
        }
        guard !next.isEmpty else { return }
        feeder.play(next[...], on: audio, token: token) { [weak self] in
            self?.executor.async { [weak self] in
                guard let self, let session = self.calls[callID], session.token == token,
                      let hold = session.hold, hold.generation == generation else { return }
                self.playHold(session)
            }
        }
    }

    // MARK: - The agent's leg (executor)

    func agentLegAnswered(_ leg: pjsua_call_id, token: UInt64) {
        guard let state = agentLegs[leg], state.token == token else { return }
        state.answered = true
        bridgeAgentIfReady(leg)
    }

    func agentLegMedia(_ leg: pjsua_call_id, token: UInt64, slot: pjsua_conf_port_id) {
        guard let state = agentLegs[leg], state.token == token else { return }
        state.slot = slot
        bridgeAgentIfReady(leg)
    }

    private func bridgeAgentIfReady(_ leg: pjsua_call_id) {
        guard let state = agentLegs[leg], state.answered, !state.bridged, let legSlot = state.slot,
              let callID = byConversation[state.conversationID], let session = calls[callID], session.agentLeg == leg,
              let callerSlot = session.confSlot else { return }
        feeder.stop(token: session.token)
        if let audio = session.audio, audio.slot != PJSUA_INVALID_ID.rawValue {
            pjsua_conf_disconnect(audio.slot, callerSlot)
            pjsua_conf_disconnect(callerSlot, audio.slot)
        }
        let a = pjsua_conf_connect(callerSlot, legSlot), b = pjsua_conf_connect(legSlot, callerSlot)
        guard a == PJ_SUCCESS.rawValue, b == PJ_SUCCESS.rawValue else {
            log.write(LogLine(.error, "agent.bridge_failed", session.logFields + [("agent", state.agentID),
                                                                                 ("error", PJError("pjsua_conf_connect", a != PJ_SUCCESS.rawValue ? a : b).message)]))
            state.endedByGateway = true
            reconnectCaller(session)
            PJSUASetup.withHeaders([]) { msg in _ = pjsua_call_hangup(leg, 0, nil, msg) }
            return
        }
        state.bridged = true
        log.write(LogLine(.info, "agent.bridged", session.logFields + [("agent", state.agentID), ("leg", String(state.token))]))
        state.events(.answered)
    }

    /// Caller and agent no longer hear each other; the caller hears their own port again.
    private func unbridgeAgent(_ session: CallSession, leg: pjsua_call_id, state: AgentLeg) {
        guard state.bridged else { return }
        state.bridged = false
        if let legSlot = state.slot, let callerSlot = session.confSlot {
            pjsua_conf_disconnect(callerSlot, legSlot)
            pjsua_conf_disconnect(legSlot, callerSlot)
        }
        reconnectCaller(session)
    }

    private func reconnectCaller(_ session: CallSession) {
        guard let audio = session.audio, let slot = session.confSlot else { return }
        do { try audio.connect(to: slot) } catch {
            log.write(LogLine(.error, "call.media_failed", session.logFields + [("error", "\(error)")]))
        }
    }

    func agentLegEnded(_ leg: pjsua_call_id, status: Int, reason: String) {
        guard let state = agentLegs.removeValue(forKey: leg) else { return }
        var session: CallSession?
        if let callID = byConversation[state.conversationID], let s = calls[callID], s.agentLeg == leg {
            session = s
            s.agentLeg = nil
            unbridgeAgent(s, leg: leg, state: state)
            if s.hold != nil { playHold(s) }
        }
        log.write(LogLine(.info, "agent.leg_ended", (session?.logFields ?? [("conversation", state.conversationID)]) + [
            ("agent", state.agentID), ("leg", String(state.token)), ("answered", state.answered ? "true" : "false"),
            ("by", state.endedByGateway ? "gateway" : "agent"), ("sip_status", String(status)), ("sip_reason", reason)]))
        if state.answered {
            state.events(.ended(byAgent: !state.endedByGateway))
        } else {
            state.events(.failed(status: status, reason: reason))
        }
    }

    func agentKey(_ leg: pjsua_call_id, token: UInt64, digit: Character) {
        guard let state = agentLegs[leg], state.token == token, state.bridged else { return }
        state.events(.key(digit))
    }

    /// The caller's call ended: the agent's leg goes with it.
    func callerLeftAgent(_ session: CallSession) {
        session.hold = nil
        guard let leg = session.agentLeg, let state = agentLegs[leg] else { return }
        state.endedByGateway = true
        PJSUASetup.withHeaders([("Reason", "Q.850;cause=16;text=\"caller hung up\"")]) { msg in _ = pjsua_call_hangup(leg, 0, nil, msg) }
    }
}

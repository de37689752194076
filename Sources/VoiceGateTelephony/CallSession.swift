import Foundation
import CPJProject
import VoiceGateCore

/// One call the gateway holds, from answer to hang-up. Lives in the endpoint's call table and is
/// touched on the PJExecutor thread only.
final class CallSession {
    /// Unique per call for the life of the process; pjsua reuses call ids, tokens tell them apart.
    let token: UInt64
    /// The call's pjsua id; it changes when the call follows a trunk's REFER to a new leg.
    var callID: pjsua_call_id
    let sipCallID: String
    let route: CallRoute
    let source: String
    let conversationID: String
    let started = Date()
    var audio: CallAudio?
    /// RTP packets received and sent, summed over the call's streams as each is destroyed.
    var rtpPackets = (rx: 0, tx: 0)
    /// Set when the gateway decided to end the call (why); nil while only the caller may end it.
    var hangUpReason: String?
    /// The call's slot in the conference bridge, once its media is up.
    var confSlot: pjsua_conf_port_id?
    /// A transfer under way (or done by bridging: then the leg it is bridged to).
    var transfer: TransferInProgress?
    /// The trunk's REFER was accepted: pjsua is placing the new leg (same token) and the
    /// conversation moves to it once it has media. The audit row's id.
    var followingRefer: String?
    /// The call the gateway placed to an agent for this caller (ringing or answered).
    var agentLeg: pjsua_call_id?
    /// What the caller hears while waiting for an agent.
    var hold: HoldPlayback?

    init(token: UInt64, callID: pjsua_call_id, sipCallID: String, route: CallRoute, source: String, conversationID: String) {
        self.token = token
        self.callID = callID
        self.sipCallID = sipCallID
        self.route = route
        self.source = source
        self.conversationID = conversationID
    }

    var elapsed: TimeInterval { Date().timeIntervalSince(started) }

    var logFields: [(String, String)] {
        // Caller numbers are personal data but an operator needs them to trace a call; withheld
        // numbers stay withheld here too.
        [("call", String(token)), ("conversation", conversationID), ("sip_call_id", sipCallID),
         ("caller", route.identity.customerNumber), ("dialed", route.organizationNumber), ("bot", route.bot.id),
         ("source", source), ("trunk", route.trunk.name)]
    }
}

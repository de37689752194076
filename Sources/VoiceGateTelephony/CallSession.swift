import Foundation
import CPJProject

/// One call the gateway holds, from answer to hang-up. Lives in the endpoint's call table and is
/// touched on the PJExecutor thread only.
final class CallSession {
    /// Unique per call for the life of the process; pjsua reuses call ids, tokens tell them apart.
    let token: UInt64
    let callID: pjsua_call_id
    let sipCallID: String
    let from: String
    let to: String
    let source: String
    let trunk: String
    let started = Date()
    var audio: CallAudio?
    /// RTP packets received and sent, summed over the call's streams as each is destroyed.
    var rtpPackets = (rx: 0, tx: 0)
    /// Set when the gateway decided to end the call (why); nil while only the caller may end it.
    var hangUpReason: String?

    init(token: UInt64, callID: pjsua_call_id, sipCallID: String, from: String, to: String, source: String, trunk: String) {
        self.token = token
        self.callID = callID
        self.sipCallID = sipCallID
        self.from = from
        self.to = to
        self.source = source
        self.trunk = trunk
    }

    var elapsed: TimeInterval { Date().timeIntervalSince(started) }

    var logFields: [(String, String)] {
        [("call", String(token)), ("sip_call_id", sipCallID), ("from", from), ("to", to), ("source", source), ("trunk", trunk)]
    }
}

import Synchronization
import CPJProject
import CVoiceGateSupport
import VoiceGateCore

/// Decides on every request that would start something new, on the SIP worker thread that
/// received it, before pjsua sees it: untrusted sources get 403, INVITEs over capacity or during
/// shutdown get 503 with Retry-After. One log line and one counter per refusal.
final class AdmissionGate: Sendable {
    let policy: AdmissionPolicy
    let retryAfter: Int
    let draining = Atomic<Bool>(false)
    private let log: LogSink
    private let metrics: GatewayMetrics

    init(policy: AdmissionPolicy, retryAfter: Int, log: LogSink, metrics: GatewayMetrics) {
        self.policy = policy
        self.retryAfter = retryAfter
        self.log = log
        self.metrics = metrics
    }

    /// Runs on a pj worker thread (registered by pjlib itself).
    func decide(_ raw: vg_admission_request) -> vg_admission_decision {
        let request = AdmissionRequest(method: String(cString: raw.method), sourceAddress: String(cString: raw.source_ip),
                                       transport: String(cString: raw.transport))
        let decision = policy.decide(request, activeCalls: Int(pjsua_call_get_count()),
                                     draining: draining.load(ordering: .acquiring))
        guard let status = decision.sipStatus else { return vg_admission_decision(status: 0, retry_after_seconds: 0, reason: nil) }
        metrics.increment("voicegate_sip_refusals_total", labels: "reason=\"\(decision.outcome.rawValue)\"")
        // One line per refusal, with a fixed shape fail2ban can match:
        //   event=sip.refused method=INVITE source=203.0.113.9:5060 transport=UDP status=403 reason=untrusted_source
        log.write(LogLine(decision.outcome == .untrustedSource ? .warning : .info, "sip.refused", [
            ("method", request.method), ("source", "\(request.sourceAddress):\(raw.source_port)"),
            ("transport", request.transport), ("status", String(status)), ("reason", decision.outcome.rawValue),
            ("trunk", decision.trunk ?? "")]))
        let retry = decision.sipStatus == 503 ? Int32(retryAfter) : 0
        return vg_admission_decision(status: Int32(status), retry_after_seconds: retry, reason: AdmissionGate.phrase(status))
    }

    /// Reason phrases as static C strings: the C module keeps the pointer past this call.
    private static func phrase(_ status: Int) -> UnsafePointer<CChar> {
        switch status {
        case 403: return forbidden
        default: return unavailable
        }
    }
    nonisolated(unsafe) private static let forbidden = UnsafePointer(strdup("Forbidden")!)
    nonisolated(unsafe) private static let unavailable = UnsafePointer(strdup("Service Unavailable")!)
}

import Foundation
import Synchronization
import CPJProject
import CVoiceGateSupport
import VoiceGateCore

/// Decides on every request that would start something new, on the SIP worker thread that
/// received it, before pjsua sees it: untrusted sources get 403, trunks with credentials a Digest
/// challenge (401), unknown numbers 404, disabled ones 480, INVITEs over capacity or during
/// shutdown 503 with Retry-After. One log line and one counter per refusal. REGISTERs never get
/// here when agents can register: the registrar (AgentRegistrar) answers them first, from any
/// source.
final class AdmissionGate: Sendable {
    let policy: AdmissionPolicy
    let retryAfter: Int
    let draining = Atomic<Bool>(false)
    /// Bots switched on and off while running (admin API), by id.
    let availability: Mutex<[String: BotAvailability]>
    private let log: LogSink
    private let metrics: GatewayMetrics
    /// How long a nonce stays good: long enough for a slow trunk to answer the challenge.
    static let nonceLifetime: Int32 = 300

    init(policy: AdmissionPolicy, retryAfter: Int, log: LogSink, metrics: GatewayMetrics) {
        self.policy = policy
        var table: [String: BotAvailability] = [:]
        for bot in policy.bots { table[bot.id] = BotAvailability(enabled: bot.enabled) }
        self.availability = Mutex(table)
        self.retryAfter = retryAfter
        self.log = log
        self.metrics = metrics
    }

    /// Runs on a pj worker thread (registered by pjlib itself).
    func decide(_ raw: vg_admission_request) -> vg_admission_decision {
        let (request, digest) = Self.request(raw)
        let decision = policy.decide(request, activeCalls: Int(pjsua_call_get_count()),
                                     draining: draining.load(ordering: .acquiring),
                                     responseMatches: { Self.responseMatches(digest, method: request.method, password: $0.password) },
                                     takesCalls: takesCalls)
        guard let status = decision.sipStatus else {
            if let route = decision.route, let rdata = raw.rdata { handOff(route, for: rdata) }
            return vg_admission_decision(status: 0, retry_after_seconds: 0, reason: nil, challenge: (0, 0), stale: 0)
        }
        metrics.increment("voicegate_sip_refusals_total", labels: "reason=\"\(decision.outcome.rawValue)\"")
        // One line per refusal, with a fixed shape fail2ban can match:
        //   event=sip.refused method=INVITE source=203.0.113.9:5060 transport=UDP status=403 reason=untrusted_source
        let level: LogLine.Level = [.untrustedSource, .badCredentials].contains(decision.outcome) ? .warning : .info
        var fields: [(String, String)] = [
            ("method", request.method), ("source", "\(request.sourceAddress):\(raw.source_port)"),
            ("transport", request.transport), ("status", String(status)), ("reason", decision.outcome.rawValue),
            ("trunk", decision.trunk ?? "")]
        if decision.outcome == .unknownNumber || decision.outcome == .voiceDisabled || decision.outcome == .botDisabled,
           let headers = request.callHeaders {
            let trunk = policy.trunks.first { $0.name == decision.trunk }
            fields.append(("dialed", CallIdentity.resolve(headers, defaultCountryCode: trunk?.defaultCountryCode).dialed.text))
        }
        log.write(LogLine(level, "sip.refused", fields))
        let retry = status == 503 ? Int32(retryAfter) : 0
        let codes = decision.challenge.prefix(2).map { Int32($0 == .sha256 ? VG_DIGEST_SHA256 : VG_DIGEST_MD5) } + [0, 0]
        return vg_admission_decision(status: Int32(status), retry_after_seconds: retry, reason: AdmissionGate.phrase(status),
                                     challenge: (codes[0], codes[1]), stale: decision.outcome == .staleNonce ? 1 : 0)
    }

    /// Routes admission found, one slot per SIP worker thread: pjsip hands an admitted INVITE to
    /// pjsua's on_incoming_call on the same thread, within the same dispatch, so the route is
    /// passed along instead of the request being parsed and its Digest checked a second time.
    private let handedOff = Mutex<[UInt: (rdata: UInt, route: CallRoute)]>([:])

    private func handOff(_ route: CallRoute, for rdata: UnsafeMutablePointer<pjsip_rx_data>) {
        let thread = UInt(bitPattern: Int(pthread_self()))
        handedOff.withLock { $0[thread] = (UInt(bitPattern: rdata), route) }
    }

    /// Where an INVITE that admission let through goes, for pjsua's on_incoming_call (same
    /// worker-thread rules): what admission handed off for this very request, else read again.
    /// nil when it no longer qualifies.
    func route(_ rdata: UnsafeMutablePointer<pjsip_rx_data>, source: String, transport: String) -> CallRoute? {
        let thread = UInt(bitPattern: Int(pthread_self()))
        let slot = handedOff.withLock { $0.removeValue(forKey: thread) }
        if let slot, slot.rdata == UInt(bitPattern: rdata) { return slot.route }
        var request = AdmissionRequest(method: "INVITE", sourceAddress: source, transport: transport,
                                       callHeaders: InboundRequest.callHeaders(rdata))
        let digest = InboundRequest.digest(rdata)
        request.digest = digest.map { Self.attempt($0, nonceFresh: true) }
        let decision = policy.decide(request, activeCalls: 0, draining: false,
                                     responseMatches: { Self.responseMatches(digest, method: "INVITE", password: $0.password) },
                                     takesCalls: takesCalls)
        return decision.route
    }

    private func takesCalls(_ bot: BotSettings) -> Bool {
        availability.withLock { $0[bot.id]?.takesCalls ?? bot.enabled }
    }

    /// The request as the policy sees it, and its Digest fields (read once: the response check
    /// needs them too).
    private static func request(_ raw: vg_admission_request) -> (AdmissionRequest, vg_digest?) {
        var request = AdmissionRequest(method: String(cString: raw.method), sourceAddress: String(cString: raw.source_ip),
                                       transport: String(cString: raw.transport))
        guard let rdata = raw.rdata else { return (request, nil) }
        let digest = InboundRequest.digest(rdata)
        request.digest = digest.map { attempt($0, nonceFresh: vg_nonce_fresh(text($0.nonce), nonceLifetime) == 1) }
        if request.method == "INVITE" { request.callHeaders = InboundRequest.callHeaders(rdata) }
        return (request, digest)
    }

    static func attempt(_ digest: vg_digest, nonceFresh: Bool) -> DigestAttempt {
        DigestAttempt(username: text(digest.username), realm: text(digest.realm), algorithm: algorithm(digest), nonceFresh: nonceFresh)
    }

    /// No algorithm parameter means MD5 (RFC 2617).
    private static func algorithm(_ digest: vg_digest) -> DigestAlgorithm? {
        let name = text(digest.algorithm).uppercased()
        return name.isEmpty ? .md5 : DigestAlgorithm(rawValue: name)
    }

    /// pjsip computes what a client knowing the password would have answered; compared in
    /// constant time. The registrar checks agents' answers with it too.
    static func responseMatches(_ digest: vg_digest?, method: String, password: String) -> Bool {
        guard var digest else { return false }
        var expected = [CChar](repeating: 0, count: 128)
        guard vg_digest_expected(&digest, method, password, &expected, Int32(expected.count)) == 0 else { return false }
        let given = text(digest.response).lowercased()
        return vg_secure_equal(expected, given) == 1
    }

    /// Reason phrases as static C strings: the C module keeps the pointer past this call.
    private static func phrase(_ status: Int) -> UnsafePointer<CChar> {
        switch status {
        case 401: return unauthorized
        case 403: return forbidden
        case 404: return notFound
        case 480: return unavailableNow
        default: return unavailable
        }
    }
    nonisolated(unsafe) private static let unauthorized = UnsafePointer(strdup("Unauthorized")!)
    nonisolated(unsafe) private static let forbidden = UnsafePointer(strdup("Forbidden")!)
    nonisolated(unsafe) private static let notFound = UnsafePointer(strdup("Not Found")!)
    nonisolated(unsafe) private static let unavailableNow = UnsafePointer(strdup("Temporarily Unavailable")!)
    nonisolated(unsafe) private static let unavailable = UnsafePointer(strdup("Service Unavailable")!)
}

import Foundation
import Synchronization
import VoiceGateCore
import VoiceGateTelephony
import VoiceGateStore

/// Decides every transfer a bot asks for, before any SIP: the dialed number's make-calls
/// privilege, the outbound policy, the per-number limits. Writes the audit row of each attempt,
/// allowed or refused, and builds the plan the SIP side carries out from the trunk's settings.
/// Any thread.
final class TransferDesk: Sendable {
    /// Who is transferring: the call's dialed number and its entry, the caller, the trunk.
    struct Context: Sendable {
        let conversationID: String
        let organizationNumber: String
        let customerNumber: String
        let number: PhoneNumberSettings
        let trunk: Trunk
    }

    enum Decision: Sendable {
        /// Refused before any SIP: the bot's result, ready to send.
        case refused(TransferResult)
        /// Allowed: carry out `plan`, then report back with `finished(attempt:result:)`.
        case allowed(TransferPlan, attempt: String)
    }

    private let policy: TransferPolicy
    private let ledger = Mutex(TransferLedger())
    private let store: ConversationStore
    private let log: LogSink
    /// The host written into the gateway's own URIs (Referred-By, P-Asserted-Identity).
    private let gatewayHost: String
    /// `voicegate_transfers_total{result}`: each attempt once, refused or finished.
    private let metrics: GatewayMetrics?
    static let metric = "voicegate_transfers_total"

    init(configuration: GatewayConfiguration, store: ConversationStore, log: LogSink, metrics: GatewayMetrics? = nil) {
        self.metrics = metrics
        // Every result shows from the start at 0, so rates over them work before the first transfer.
        for result in ["completed", "failed", "refused"] {
            metrics?.increment(Self.metric, labels: PrometheusText.labels(["result": result]), by: 0)
        }
        self.policy = TransferPolicy(policy: configuration.outboundPolicy)
        self.store = store
        self.log = log
        let sip = configuration.sip
        self.gatewayHost = Self.uriHost(sip.advertise ?? (sip.listen == "0.0.0.0" || sip.listen == "::" ? "127.0.0.1" : sip.listen))
    }

    func decide(_ target: String, for context: Context, requestedBy: String = "bot") -> Decision {
        let now = Date()
        let org = context.organizationNumber
        // Limits count per configured entry: behind a catch-all entry every dialed number is
        // one, or a caller could dodge the limits by dialing another.
        let slot = context.number.number
        // Counting and taking a slot under one lock: two transfers at once cannot both pass a
        // limit of one.
        let decision: TransferDecision = ledger.withLock { ledger in
            let counts = ledger.counts(for: slot, at: now)
            let decision = policy.decide(target: target, organizationNumber: org, makeCalls: context.number.makeCalls,
                                         countryCode: context.trunk.defaultCountryCode,
                                         activeTransfers: counts.active, transfersInLastHour: counts.lastHour)
            if decision.allowed { ledger.began(slot, at: now) }
            return decision
        }
        let attempt = TransferAttempt(at: now, conversationID: context.conversationID, fromNumber: org, target: decision.target,
                                      normalized: decision.normalized, decision: decision.allowed ? .allowed : .refused,
                                      reason: decision.refusal?.rawValue, detail: decision.detail, requestedBy: requestedBy)
        store.recordTransferAttempt(attempt)
        log.write(LogLine(decision.allowed ? .info : .warning, "transfer.decision", [
            ("conversation", context.conversationID), ("from", org), ("requested_by", requestedBy),
            ("target", decision.normalized ?? "unparsed"), ("decision", attempt.decision.rawValue),
            ("reason", decision.refusal?.rawValue ?? "allowed")]))
        guard decision.allowed, let e164 = decision.normalized else {
            metrics?.increment(Self.metric, labels: PrometheusText.labels(["result": "refused"]))
            return .refused(.failed(decision.target, decision.refusal?.rawValue ?? TransferRefusal.invalidNumber.rawValue))
        }
        guard let plan = plan(to: e164, context) else {
            let result = TransferResult.failed(e164, "no_route")
            finished(attempt: attempt.id, number: slot, result: result)
            return .refused(result)
        }
        return .allowed(plan, attempt: attempt.id)
    }

    /// An allowed transfer is over, either way: its slot is free and its audit row complete.
    /// `number` is the configured entry (`Context.number.number`).
    func finished(attempt: String, number: String, result: TransferResult) {
        ledger.withLock { $0.ended(number) }
        store.finishTransferAttempt(attempt, result: result, at: Date())
        metrics?.increment(Self.metric, labels: PrometheusText.labels(["result": result.status.rawValue]))
    }

    /// A trunk's REFER refused before the policy was asked (the trunk does not accept REFER, or
    /// its Refer-To points elsewhere): audited like a bot's attempt.
    func referRefused(conversationID: String, target: String, fromNumber: String, reason: String, detail: String) {
        store.recordTransferAttempt(TransferAttempt(at: Date(), conversationID: conversationID, fromNumber: fromNumber,
                                                    target: target, normalized: nil, decision: .refused,
                                                    reason: reason, detail: detail, requestedBy: "trunk"))
        metrics?.increment(Self.metric, labels: PrometheusText.labels(["result": "refused"]))
        log.write(LogLine(.warning, "transfer.decision", [("conversation", conversationID), ("from", fromNumber), ("requested_by", "trunk"),
                                                          ("target", "unparsed"), ("decision", "refused"), ("reason", reason)]))
    }

    /// A host as a SIP URI writes it: IPv6 addresses in brackets.
    private static func uriHost(_ host: String) -> String { host.contains(":") ? "[\(host)]" : host }

    /// REFER on the caller's leg as the trunk takes it (sip:+E164@its host, or tel:), and the
    /// gateway's own call through the trunk when REFER is not the method or may fail over.
    private func plan(to e164: String, _ context: Context) -> TransferPlan? {
        let settings = context.trunk.transfer
        var bridge: BridgeCall?
        if let route = context.trunk.outbound, settings.method == .bridge || settings.fallbackToBridge {
            let host = Self.uriHost(route.host)
            let transport = route.transport == .udp ? "" : ";transport=\(route.transport.rawValue)"
            let callerID: String
            switch context.number.transferCallerId {
            case .caller: callerID = PhoneNumber.isE164(context.customerNumber) ? context.customerNumber : context.organizationNumber
            case .organization: callerID = context.organizationNumber
            }
            bridge = BridgeCall(requestURI: "sip:\(e164)@\(host):\(route.port)\(transport)", callerID: callerID,
                                assertedIdentity: "<sip:\(callerID)@\(gatewayHost)>")
        }
        var referTo: String?
        if settings.method == .refer {
            if settings.referTarget == .tel || context.trunk.outbound == nil {
                referTo = "tel:\(e164)"
            } else if let route = context.trunk.outbound {
                referTo = "sip:\(e164)@\(Self.uriHost(route.host))" + (route.port == 5060 ? "" : ":\(route.port)")
            }
        }
        guard referTo != nil || bridge != nil else { return nil }
        return TransferPlan(target: e164, referTo: referTo, referredBy: "<sip:\(context.organizationNumber)@\(gatewayHost)>",
                            bridge: bridge, timeout: settings.timeoutSeconds)
    }
}

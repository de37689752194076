/// Decides one transfer attempt, before any SIP, in this order: privilege, target (invalid,
/// emergency), blocked prefixes, allowed prefixes, concurrency limit, hourly limit.
///
/// The order is the point: a number without the make-calls privilege learns nothing about the
/// policy (not even whether its target parsed), and a blocked destination is reported as blocked
/// even when it is also outside the allowed prefixes, so the audit trail shows fraud attempts as
/// what they are. Limits come last: only an attempt that would otherwise be allowed uses them up.
public struct TransferPolicy: Sendable {
    public let policy: OutboundPolicy

    public init(policy: OutboundPolicy) { self.policy = policy }

    /// - Parameters:
    ///   - target: the bot's `TargetPhoneNumber`, untrusted.
    ///   - organizationNumber: the organization number the caller dialed (E.164, or "*" for the
    ///     catch-all entry, which has no country).
    ///   - makeCalls: whether that number holds the make-calls privilege.
    ///   - countryCode: the trunk's default country (digits), for national targets; nil: the
    ///     organization number's country.
    ///   - activeTransfers, transfersInLastHour: from the `TransferLedger`, for this number.
    public func decide(target: String, organizationNumber: String, makeCalls: Bool, countryCode: String?,
                       activeTransfers: Int, transfersInLastHour: Int) -> TransferDecision {
        let logged = TransferDecision.loggable(target)
        func refuse(_ refusal: TransferRefusal, _ detail: String, normalized: String? = nil) -> TransferDecision {
            TransferDecision(target: logged, normalized: normalized, refusal: refusal, detail: detail)
        }
        // The organization number may be what a caller dialed (catch-all entries): logged safely too.
        let organization = TransferDecision.loggable(organizationNumber)

        guard makeCalls else {
            return refuse(.makeCallsPrivilegeMissing, "\(organization) does not hold the make-calls privilege")
        }
        // A trunk without a (valid) country falls back to the organization number's.
        let country = countryCode.flatMap { TransferTarget.isCountryCode($0) ? $0 : nil } ?? CountryCallingCode.of(organizationNumber)
        let number: String
        switch TransferTarget.normalize(target, countryCode: country, emergencyNumbers: policy.emergencyNumbers) {
        case .success(let n): number = n
        case .failure(let rejection): return refuse(rejection.refusal, rejection.detail)
        }
        if let blocked = policy.blockedPrefix(of: number) {
            return refuse(.destinationBlocked, "blocked prefix \(blocked.prefix) (\(blocked.label))", normalized: number)
        }
        let allowed = policy.effectiveAllowedPrefixes(organizationNumber: organizationNumber)
        if allowed.isEmpty {
            return refuse(.destinationNotAllowed, "no allowed prefixes: the organization number has no country", normalized: number)
        }
        if !allowed.contains(where: { number.hasPrefix($0) }) {
            // Name the country when the whole country is out; the number when only part of it is.
            let cc = CountryCallingCode.of(number).map { "+" + $0 } ?? number
            let shown = allowed.contains { $0.hasPrefix(cc) } ? number : cc
            return refuse(.destinationNotAllowed, "\(shown) is outside the allowed prefixes \(allowed.joined(separator: ", "))",
                          normalized: number)
        }
        if activeTransfers >= policy.maxConcurrentTransfersPerNumber {
            return refuse(.concurrentLimit, "\(activeTransfers) transfer\(activeTransfers == 1 ? "" : "s") in progress from \(organization) (limit \(policy.maxConcurrentTransfersPerNumber))",
                          normalized: number)
        }
        if transfersInLastHour >= policy.maxTransfersPerHourPerNumber {
            return refuse(.hourlyLimit, "\(transfersInLastHour) transfer\(transfersInLastHour == 1 ? "" : "s") from \(organization) in the last hour (limit \(policy.maxTransfersPerHourPerNumber))",
                          normalized: number)
        }
        return TransferDecision(target: logged, normalized: number, refusal: nil, detail: "allowed: \(number)")
    }
}

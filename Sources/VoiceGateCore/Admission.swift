/// A request that would start something new (an INVITE, OPTIONS, ...), as the admission decision
/// sees it: before any dialog, call slot or bot exists.
public struct AdmissionRequest: Sendable, Equatable {
    public var method: String
    public var sourceAddress: String
    public var transport: String

    public init(method: String, sourceAddress: String, transport: String) {
        self.method = method
        self.sourceAddress = sourceAddress
        self.transport = transport
    }
}

/// What to do with such a request.
public struct AdmissionDecision: Sendable, Equatable {
    public enum Outcome: String, Sendable, Equatable {
        case admitted
        case untrustedSource = "untrusted_source"
        case shuttingDown = "shutting_down"
        case atCapacity = "at_capacity"
    }

    public var outcome: Outcome
    /// The trunk the source belongs to, when it belongs to one.
    public var trunk: String?

    /// The SIP final response for a refusal; nil when admitted.
    public var sipStatus: Int? {
        switch outcome {
        case .admitted: return nil
        case .untrustedSource: return 403
        case .shuttingDown, .atCapacity: return 503
        }
    }

    /// Reason phrases say no more than the status: a scanner learns nothing about the policy.
    public var reasonPhrase: String? {
        switch outcome {
        case .admitted: return nil
        case .untrustedSource: return "Forbidden"
        case .shuttingDown, .atCapacity: return "Service Unavailable"
        }
    }
}

/// Who may start calls, and how many at once. Runs on SIP worker threads for every new request,
/// so it is an immutable value: no locks, no I/O.
public struct AdmissionPolicy: Sendable, Equatable {
    public let trunks: [Trunk]
    public let maxConcurrentCalls: Int

    public init(trunks: [Trunk], maxConcurrentCalls: Int) {
        self.trunks = trunks
        self.maxConcurrentCalls = maxConcurrentCalls
    }

    /// The trunk whose sources hold the address, the first one in configuration order.
    public func trunk(for address: String) -> Trunk? {
        guard let ip = IPAddress(address) else { return nil }
        return trunks.first { trunk in trunk.sources.contains { $0.contains(ip) } }
    }

    /// Untrusted sources are refused whatever the method (nothing from them reaches a bot); only
    /// INVITEs count against capacity and are refused while draining.
    public func decide(_ request: AdmissionRequest, activeCalls: Int, draining: Bool) -> AdmissionDecision {
        guard let trunk = trunk(for: request.sourceAddress) else {
            return AdmissionDecision(outcome: .untrustedSource, trunk: nil)
        }
        if request.method == "INVITE" {
            if draining { return AdmissionDecision(outcome: .shuttingDown, trunk: trunk.name) }
            if activeCalls >= maxConcurrentCalls { return AdmissionDecision(outcome: .atCapacity, trunk: trunk.name) }
        }
        return AdmissionDecision(outcome: .admitted, trunk: trunk.name)
    }

    /// The call limit to enforce: the configured one, never more than the pjproject build allows
    /// less a margin, nor more than the RTP port range holds. pjsua answers 486 itself when its
    /// table is full, and 500 when it cannot bind a call's RTP and RTCP ports; the limits keep
    /// calls from reaching either, so refusals stay 503 with Retry-After.
    public static func effectiveLimit(configured: Int?, compiledMaxCalls: Int, rtpPortCount: Int? = nil) -> Int {
        var ceiling = max(1, compiledMaxCalls - max(2, compiledMaxCalls / 64))
        if let ports = rtpPortCount { ceiling = min(ceiling, max(1, ports / 2)) }   // RTP + RTCP per call
        return min(configured ?? ceiling, ceiling)
    }
}

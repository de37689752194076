/// A request that would start something new (an INVITE, OPTIONS, ...), as the admission decision
/// sees it: before any dialog, call slot or bot exists.
public struct AdmissionRequest: Sendable, Equatable {
    public var method: String
    public var sourceAddress: String
    public var transport: String
    /// The Digest Authorization the request carried, if any.
    public var digest: DigestAttempt?
    /// For INVITEs: what the request says about caller and dialed number. nil skips the number
    /// checks (other methods).
    public var callHeaders: InboundCallHeaders?

    public init(method: String, sourceAddress: String, transport: String, digest: DigestAttempt? = nil,
                callHeaders: InboundCallHeaders? = nil) {
        self.method = method
        self.sourceAddress = sourceAddress
        self.transport = transport
        self.digest = digest
        self.callHeaders = callHeaders
    }
}

/// What a Digest Authorization header claims. Whether its response is right is asked of a
/// closure: the hash functions are pjsip's, outside the core.
public struct DigestAttempt: Sendable, Equatable {
    public var username: String
    public var realm: String
    /// nil when the algorithm is not one we know.
    public var algorithm: DigestAlgorithm?
    /// The nonce is one this process issued and it is recent.
    public var nonceFresh: Bool
    public init(username: String, realm: String, algorithm: DigestAlgorithm? = .md5, nonceFresh: Bool) {
        self.username = username
        self.realm = realm
        self.algorithm = algorithm
        self.nonceFresh = nonceFresh
    }
}

/// Where an admitted INVITE goes: the trunk it came from, the number dialed and its bot, and
/// who called.
public struct CallRoute: Sendable, Equatable {
    public var trunk: Trunk
    public var number: PhoneNumberSettings
    public var bot: BotSettings
    public var identity: CallIdentity
    /// Calls to a number that routes to a queue: the queue's name, "" when the routing rules
    /// pick it (with the call's variables). nil: `bot` answers. For queue routes `bot` is
    /// `BotSettings.none` until a queue's bot member takes the call.
    public var queue: String?

    public init(trunk: Trunk, number: PhoneNumberSettings, bot: BotSettings, identity: CallIdentity, queue: String? = nil) {
        self.trunk = trunk
        self.number = number
        self.bot = bot
        self.identity = identity
        self.queue = queue
    }

    /// Whether the call runs through the voice channel (a speaking bot, or a queue whose bots,
    /// agents and hold audio take it), rather than the prompt bot's recorded audio.
    public var answersWithChannel: Bool { queue != nil || bot.speaks }

    /// The dialed number as the bot sees it: the normalized number; for the catch-all entry,
    /// whatever was dialed.
    public var organizationNumber: String {
        number.isCatchAll ? identity.dialed.text : number.number
    }
}

/// What to do with such a request.
public struct AdmissionDecision: Sendable, Equatable {
    public enum Outcome: String, Sendable, Equatable {
        case admitted
        case untrustedSource = "untrusted_source"
        case authRequired = "auth_required"
        case staleNonce = "stale_nonce"
        case badCredentials = "bad_credentials"
        case unknownNumber = "unknown_number"
        case voiceDisabled = "voice_disabled"
        case botDisabled = "bot_disabled"
        case shuttingDown = "shutting_down"
        case atCapacity = "at_capacity"
    }

    public var outcome: Outcome
    /// The trunk the source belongs to, when it belongs to one.
    public var trunk: String?
    /// For an admitted INVITE: where it goes.
    public var route: CallRoute?
    /// For a 401: the algorithms to challenge with, in order.
    public var challenge: [DigestAlgorithm]

    public init(outcome: Outcome, trunk: String?, route: CallRoute? = nil, challenge: [DigestAlgorithm] = []) {
        self.outcome = outcome
        self.trunk = trunk
        self.route = route
        self.challenge = challenge
    }

    /// The SIP final response for a refusal; nil when admitted.
    public var sipStatus: Int? {
        switch outcome {
        case .admitted: return nil
        case .untrustedSource, .badCredentials: return 403
        case .authRequired, .staleNonce: return 401
        case .unknownNumber: return 404
        case .voiceDisabled, .botDisabled: return 480
        case .shuttingDown, .atCapacity: return 503
        }
    }

    /// Reason phrases say no more than the status: a scanner learns nothing about the policy, and
    /// unknown and wrong credentials look the same as an untrusted source.
    public var reasonPhrase: String? {
        switch sipStatus {
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 480: return "Temporarily Unavailable"
        case 503: return "Service Unavailable"
        default: return nil
        }
    }
}

/// Who may start calls, to which numbers, and how many at once. Runs on SIP worker threads for
/// every new request, so it is an immutable value: no locks, no I/O.
public struct AdmissionPolicy: Sendable, Equatable {
    public let trunks: [Trunk]
    public let maxConcurrentCalls: Int
    public let phoneNumbers: [PhoneNumberSettings]
    public let bots: [BotSettings]
    /// The realm of our challenges: a Digest answer for another realm is wrong.
    public let realm: String

    public init(trunks: [Trunk], maxConcurrentCalls: Int, phoneNumbers: [PhoneNumberSettings] = [],
                bots: [BotSettings] = [], realm: String = "voicegate") {
        self.trunks = trunks
        self.maxConcurrentCalls = maxConcurrentCalls
        self.phoneNumbers = phoneNumbers
        self.bots = bots
        self.realm = realm
    }

    /// Every trunk whose sources hold the address, in configuration order.
    public func trunks(for address: String) -> [Trunk] {
        guard let ip = IPAddress(address) else { return [] }
        return trunks.filter { trunk in trunk.sources.contains { $0.contains(ip) } }
    }

    /// The first trunk whose sources hold the address.
    public func trunk(for address: String) -> Trunk? { trunks(for: address).first }

    /// The trunk a request belongs to. A source some trunk trusts without credentials is that
    /// trunk. When every trunk of the source wants credentials, INVITEs must answer a challenge;
    /// OPTIONS keep-alives need not (they start nothing and reveal nothing).
    /// `responseMatches` says whether the Digest response is right for a password.
    public func authenticate(_ request: AdmissionRequest,
                             responseMatches: (DigestCredentials) -> Bool) -> Result<Trunk, AdmissionDecision> {
        let candidates = trunks(for: request.sourceAddress)
        guard let first = candidates.first else { return .failure(AdmissionDecision(outcome: .untrustedSource, trunk: nil)) }
        if let open = candidates.first(where: { $0.credentials == nil }) { return .success(open) }
        if request.method == "OPTIONS" { return .success(first) }
        // Offer what any of the source's trunks accepts, in the first trunk's order of preference.
        let offered = candidates.flatMap { $0.credentials?.algorithms ?? [] }.reduce(into: [DigestAlgorithm]()) { list, a in
            if !list.contains(a) { list.append(a) }
        }
        guard let digest = request.digest else {
            return .failure(AdmissionDecision(outcome: .authRequired, trunk: nil, challenge: offered))
        }
        // Unknown user, wrong realm and wrong password all end the same way (403), so a scanner
        // cannot tell which usernames exist.
        let match = candidates.first { trunk in
            guard let credentials = trunk.credentials else { return false }
            guard let algorithm = digest.algorithm, credentials.algorithms.contains(algorithm) else { return false }
            return credentials.username == digest.username && digest.realm == realm && responseMatches(credentials)
        }
        guard let trunk = match else { return .failure(AdmissionDecision(outcome: .badCredentials, trunk: nil)) }
        // Right password on an old (or another process's) nonce: challenge again, stale=true.
        guard digest.nonceFresh else {
            return .failure(AdmissionDecision(outcome: .staleNonce, trunk: trunk.name, challenge: offered))
        }
        return .success(trunk)
    }

    /// The number an INVITE dialed, and its bot: 404 when no entry holds it, 480 when its voice
    /// or its bot is off.
    /// `takesCalls` says whether a bot takes new calls now (the admin API can switch bots off);
    /// by default, what the configuration says.
    public func route(_ headers: InboundCallHeaders, trunk: Trunk,
                      takesCalls: (BotSettings) -> Bool = { $0.enabled }) -> Result<CallRoute, AdmissionDecision> {
        let identity = CallIdentity.resolve(headers, defaultCountryCode: trunk.defaultCountryCode)
        let dialed = identity.dialed.text
        let entry = phoneNumbers.first { !$0.isCatchAll && !dialed.isEmpty && $0.number == dialed }
            ?? phoneNumbers.first(where: \.isCatchAll)
        guard let number = entry else { return .failure(AdmissionDecision(outcome: .unknownNumber, trunk: trunk.name)) }
        guard number.voiceEnabled else { return .failure(AdmissionDecision(outcome: .voiceDisabled, trunk: trunk.name)) }
        if number.routesToQueue {
            return .success(CallRoute(trunk: trunk, number: number, bot: .none, identity: identity, queue: number.queue ?? ""))
        }
        guard let bot = bots.first(where: { $0.id == number.bot }), takesCalls(bot) else {
            return .failure(AdmissionDecision(outcome: .botDisabled, trunk: trunk.name))
        }
        return .success(CallRoute(trunk: trunk, number: number, bot: bot, identity: identity))
    }

    /// Untrusted sources are refused whatever the method (nothing from them reaches a bot); only
    /// INVITEs are checked for credentials, a known number, capacity and shutdown.
    public func decide(_ request: AdmissionRequest, activeCalls: Int, draining: Bool,
                       responseMatches: (DigestCredentials) -> Bool = { _ in false },
                       takesCalls: (BotSettings) -> Bool = { $0.enabled }) -> AdmissionDecision {
        let trunk: Trunk
        switch authenticate(request, responseMatches: responseMatches) {
        case .success(let t): trunk = t
        case .failure(let refusal): return refusal
        }
        guard request.method == "INVITE" else { return AdmissionDecision(outcome: .admitted, trunk: trunk.name) }
        var route: CallRoute?
        if let headers = request.callHeaders {
            switch self.route(headers, trunk: trunk, takesCalls: takesCalls) {
            case .success(let r): route = r
            case .failure(let refusal): return refusal
            }
        }
        if draining { return AdmissionDecision(outcome: .shuttingDown, trunk: trunk.name) }
        if activeCalls >= maxConcurrentCalls { return AdmissionDecision(outcome: .atCapacity, trunk: trunk.name) }
        return AdmissionDecision(outcome: .admitted, trunk: trunk.name, route: route)
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

/// A refusal travels as the error of `authenticate` and `route`.
extension AdmissionDecision: Error {}

import Foundation

/// A REGISTER from an agent's phone, as the registrar sees it. The telephony layer reads it with
/// pjsip's parser; the rules (`AgentRegistrationPolicy`) and the bindings (`AgentRegistrations`)
/// are plain values, so every case is tested without a network.
public struct RegisterRequest: Sendable, Equatable {
    /// The To URI's user part: the address-of-record being registered.
    public var addressOfRecord: String
    /// The Digest Authorization the request carried, if any.
    public var digest: DigestAttempt?
    /// The Contact URIs given, each with its own `expires` parameter when it has one. Empty for a
    /// query (no Contact) and for `Contact: *`.
    public var contacts: [RegisterContact]
    /// A `Contact: *` was given (remove every binding; valid only alone and with `Expires: 0`).
    public var wildcard: Bool
    /// How many Contact entries the request held in all, `*` included (the reader keeps only the
    /// first few of a request that holds too many).
    public var contactCount: Int
    /// The Expires header, when given.
    public var expires: Int?

    public init(addressOfRecord: String, digest: DigestAttempt? = nil, contacts: [RegisterContact] = [],
                wildcard: Bool = false, contactCount: Int? = nil, expires: Int? = nil) {
        self.addressOfRecord = addressOfRecord
        self.digest = digest
        self.contacts = contacts
        self.wildcard = wildcard
        self.contactCount = contactCount ?? contacts.count + (wildcard ? 1 : 0)
        self.expires = expires
    }
}

/// One Contact of a REGISTER: the URI alone (no display name, no header parameters), and its
/// `expires` parameter.
public struct RegisterContact: Sendable, Equatable {
    public var uri: String
    public var expires: Int?
    public init(_ uri: String, expires: Int? = nil) {
        self.uri = uri
        self.expires = expires
    }
}

/// A REGISTER the registrar accepted: whose it is, and what it does to their bindings.
public struct AcceptedRegister: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        /// No Contact: the answer lists the bindings, nothing changes.
        case query
        /// `Contact: *` with `Expires: 0`.
        case removeAll
        /// Each contact URI bound for the granted seconds, or unbound when they are 0.
        case update([(uri: String, seconds: Int)])

        public static func == (a: Action, b: Action) -> Bool {
            switch (a, b) {
            case (.query, .query), (.removeAll, .removeAll): return true
            case (.update(let x), .update(let y)): return x.map(\.uri) == y.map(\.uri) && x.map(\.seconds) == y.map(\.seconds)
            default: return false
            }
        }
    }
    public var agent: AgentSettings
    public var action: Action
}

/// Why a REGISTER was refused, and the answer's status.
public struct RegisterRefusal: Error, Sendable, Equatable {
    public enum Reason: String, Sendable, Equatable, CaseIterable {
        /// No Authorization: the first step of every registration.
        case authRequired = "auth_required"
        /// The digest username is no agent's.
        case unknownUser = "unknown_user"
        case wrongRealm = "wrong_realm"
        /// An algorithm the agent's credentials do not allow, or one we do not know.
        case unsupportedAlgorithm = "unsupported_algorithm"
        case wrongPassword = "wrong_password"
        /// Right credentials on a nonce that is old or not ours: challenged again, stale=true.
        case staleNonce = "stale_nonce"
        /// The agent authenticated, but the To user is neither their username nor their id.
        case aorMismatch = "aor_mismatch"
        /// An expiry of 1 to 59 seconds (423 with Min-Expires).
        case intervalTooBrief = "interval_too_brief"
        /// `*` with other contacts or a non-zero expiry, or a Contact URI too long to read.
        case invalidContact = "invalid_contact"
        /// More than `AgentRegistrationPolicy.maxContacts` bindings for one agent.
        case tooManyContacts = "too_many_contacts"
    }

    public var reason: Reason
    /// The agent, once the credentials proved who it is; nil when authentication failed.
    public var agent: String?
    /// For a 401: the algorithms to challenge with, in order.
    public var challenge: [DigestAlgorithm]

    public init(_ reason: Reason, agent: String? = nil, challenge: [DigestAlgorithm] = []) {
        self.reason = reason
        self.agent = agent
        self.challenge = challenge
    }

    public var status: Int {
        switch reason {
        case .authRequired, .unknownUser, .wrongRealm, .unsupportedAlgorithm, .wrongPassword, .staleNonce: return 401
        case .aorMismatch, .tooManyContacts: return 403
        case .intervalTooBrief: return 423
        case .invalidContact: return 400
        }
    }

    /// Says no more than the status: which of the 401 reasons it was stays in the log.
    public var reasonPhrase: String {
        switch status {
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 423: return "Interval Too Brief"
        default: return "Bad Request"
        }
    }

    /// Failed authentication, as a scanner would provoke it (fail2ban's matter: logged as warnings).
    public var isAuthenticationFailure: Bool {
        [.unknownUser, .wrongRealm, .unsupportedAlgorithm, .wrongPassword].contains(reason)
    }
}

/// A response to a REGISTER, as text: the C module sends it as it is.
public struct RegisterAnswer: Sendable, Equatable {
    public struct Header: Sendable, Equatable {
        public var name: String
        public var value: String
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }
    public var status: Int
    public var reason: String
    public var headers: [Header]
    public init(status: Int, reason: String, headers: [Header] = []) {
        self.status = status
        self.reason = reason
        self.headers = headers
    }
    public func values(_ name: String) -> [String] { headers.filter { $0.name == name }.map(\.value) }
}

/// The gateway as a registrar for its configured agents (RFC 3261 section 10.3): who may register,
/// for how long, and what the answer says. Runs on SIP worker threads for every REGISTER, so it is
/// an immutable value: no locks, no I/O.
///
/// Agents register from anywhere (trunk address ranges do not apply) and prove who they are with
/// Digest alone. Every failed authentication gets the very 401 a REGISTER without credentials
/// gets, with a fresh nonce, so nobody learns which usernames exist.
public struct AgentRegistrationPolicy: Sendable, Equatable {
    /// An expiry from 1 second to below this is refused with 423 and Min-Expires (RFC 3261 10.3 step
    /// 7): a floor against phones that would re-register every few seconds.
    public static let minExpires = 60
    /// Longer expiries are granted this long: an agent's phone that vanished stops being called
    /// within the hour.
    public static let maxExpires = 3600
    /// When neither the Contact nor the request says.
    public static let defaultExpires = 3600
    /// Bindings per agent (desk phone, softphone, mobile...).
    public static let maxContacts = 5

    public let agents: [AgentSettings]
    /// The realm of our challenges: an answer for another realm is wrong.
    public let realm: String

    public init(agents: [AgentSettings], realm: String = "voicegate") {
        self.agents = agents
        self.realm = realm
    }

    /// Whether any agent can register (has credentials): without one the gateway is no registrar.
    public var acceptsRegistrations: Bool { agents.contains { $0.credentials != nil } }

    /// The agent an address-of-record names: by username first, then by id. Only agents with
    /// credentials register.
    public func agent(forAddressOfRecord user: String) -> AgentSettings? {
        agents.first { $0.credentials?.username == user } ?? agents.first { $0.credentials != nil && $0.id == user }
    }

    /// The algorithms a 401 offers for this address-of-record: what its agent's credentials list.
    /// An address no agent has gets every algorithm some agent accepts (SHA-256 first), so when
    /// the agents are configured alike, which addresses exist cannot be told from the challenge
    /// either.
    public func challenge(forAddressOfRecord user: String) -> [DigestAlgorithm] {
        if let credentials = agent(forAddressOfRecord: user)?.credentials { return credentials.algorithms }
        let offered = DigestAlgorithm.allCases.filter { a in agents.contains { $0.credentials?.algorithms.contains(a) == true } }
        return offered.isEmpty ? DigestAlgorithm.allCases : offered
    }

    /// The decision on one REGISTER. `responseMatches` says whether the Digest response is right
    /// for a password (pjsip's hash functions, outside the core).
    public func decide(_ request: RegisterRequest, responseMatches: (DigestCredentials) -> Bool) -> Result<AcceptedRegister, RegisterRefusal> {
        let challenge = challenge(forAddressOfRecord: request.addressOfRecord)
        guard let digest = request.digest else { return .failure(RegisterRefusal(.authRequired, challenge: challenge)) }
        // Each of these ends in the same 401 as no credentials at all; only the log tells them apart.
        guard let agent = agents.first(where: { $0.credentials?.username == digest.username }),
              let credentials = agent.credentials else {
            return .failure(RegisterRefusal(.unknownUser, challenge: challenge))
        }
        guard digest.realm == realm else { return .failure(RegisterRefusal(.wrongRealm, challenge: challenge)) }
        guard let algorithm = digest.algorithm, credentials.algorithms.contains(algorithm) else {
            return .failure(RegisterRefusal(.unsupportedAlgorithm, challenge: challenge))
        }
        guard responseMatches(credentials) else { return .failure(RegisterRefusal(.wrongPassword, challenge: challenge)) }
        // Right password on an old (or another process's) nonce: challenge again, stale=true.
        guard digest.nonceFresh else { return .failure(RegisterRefusal(.staleNonce, agent: agent.id, challenge: challenge)) }
        // One agent's credentials register that agent only.
        guard request.addressOfRecord == credentials.username || request.addressOfRecord == agent.id else {
            return .failure(RegisterRefusal(.aorMismatch, agent: agent.id))
        }
        if request.wildcard {
            // RFC 3261 10.3 step 6: "*" stands alone, with Expires: 0.
            guard request.contactCount == 1, request.expires == 0 else { return .failure(RegisterRefusal(.invalidContact, agent: agent.id)) }
            return .success(AcceptedRegister(agent: agent, action: .removeAll))
        }
        if request.contactCount == 0 { return .success(AcceptedRegister(agent: agent, action: .query)) }
        guard request.contactCount <= Self.maxContacts else { return .failure(RegisterRefusal(.tooManyContacts, agent: agent.id)) }
        var update: [(uri: String, seconds: Int)] = []
        for contact in request.contacts {
            guard !contact.uri.isEmpty else { return .failure(RegisterRefusal(.invalidContact, agent: agent.id)) }
            let asked = contact.expires ?? request.expires ?? Self.defaultExpires
            if asked > 0 && asked < Self.minExpires { return .failure(RegisterRefusal(.intervalTooBrief, agent: agent.id)) }
            let seconds = asked <= 0 ? 0 : min(asked, Self.maxExpires)
            // A URI given twice: the later entry counts.
            update.removeAll { $0.uri == contact.uri }
            update.append((contact.uri, seconds))
        }
        return .success(AcceptedRegister(agent: agent, action: .update(update)))
    }

    /// The answer to a refusal. `nonce` is a fresh one (a 401 needs it; others ignore it).
    public func answer(_ refusal: RegisterRefusal, nonce: String) -> RegisterAnswer {
        var answer = RegisterAnswer(status: refusal.status, reason: refusal.reasonPhrase)
        switch refusal.status {
        case 401:
            // RFC 8760: SHA-256 first when offered; a client takes the first it supports.
            for algorithm in refusal.challenge {
                answer.headers.append(.init("WWW-Authenticate", Self.challengeValue(realm: realm, nonce: nonce, algorithm: algorithm,
                                                                                    stale: refusal.reason == .staleNonce)))
            }
        case 423:
            answer.headers.append(.init("Min-Expires", String(Self.minExpires)))
        default:
            break
        }
        return answer
    }

    /// The 200 of an accepted REGISTER: every binding the agent has now, each with the seconds it
    /// has left, and the registrar's Date (RFC 3261 10.3 step 8).
    public static func answer(bindings: [AgentBinding], now: Double, date: Date) -> RegisterAnswer {
        var answer = RegisterAnswer(status: 200, reason: "OK")
        for binding in bindings {
            answer.headers.append(.init("Contact", "<\(binding.contact)>;expires=\(binding.remaining(at: now))"))
        }
        answer.headers.append(.init("Date", httpDate(date)))
        return answer
    }

    /// One Digest challenge, as admission's C module writes them for trunks.
    public static func challengeValue(realm: String, nonce: String, algorithm: DigestAlgorithm, stale: Bool) -> String {
        "Digest realm=\"\(realm)\", nonce=\"\(nonce)\", algorithm=\(algorithm.rawValue), qop=\"auth\"" + (stale ? ", stale=true" : "")
    }

    /// RFC 1123 date, as SIP's Date header has it: "Sat, 13 Nov 2010 23:29:00 GMT".
    public static func httpDate(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "GMT")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int?) -> String { let v = n ?? 0; return v < 10 ? "0\(v)" : String(v) }
        return "\(days[((c.weekday ?? 1) - 1) % 7]), \(two(c.day)) \(months[((c.month ?? 1) - 1) % 12]) \(c.year ?? 1970) "
            + "\(two(c.hour)):\(two(c.minute)):\(two(c.second)) GMT"
    }
}

/// One contact an agent's phone registered.
public struct AgentBinding: Sendable, Equatable {
    /// The Contact URI as the phone gave it.
    public var contact: String
    /// When it was last registered or refreshed, and when it lapses: seconds on the clock the
    /// table is given (monotonic in the gateway).
    public var updatedAt: Double
    public var expiresAt: Double

    public init(contact: String, updatedAt: Double, expiresAt: Double) {
        self.contact = contact
        self.updatedAt = updatedAt
        self.expiresAt = expiresAt
    }

    /// Whole seconds left, rounded up (a binding with 0.2 s left still answers "expires=1").
    public func remaining(at now: Double) -> Int { max(0, Int((expiresAt - now).rounded(.up))) }
}

/// What one accepted REGISTER did to an agent's bindings.
public struct RegistrationChange: Sendable, Equatable {
    public var agent: String
    /// The agent's unexpired bindings after it, newest first.
    public var bindings: [AgentBinding]
    /// The contacts it bound or refreshed, and those it removed.
    public var bound: [String]
    public var removed: [String]
    /// true: the agent gained their first binding; false: they lost their last; nil: neither.
    public var transition: Bool?
}

/// Every agent's bindings: one per agent and contact URI, at most `maxContacts` each. A plain
/// value; the endpoint keeps it under a lock and expires it on its tick.
///
/// An agent counts as registered, for `transition` and `expire`, while the table holds a binding
/// of theirs, lapsed or not: the tick removes lapsed ones and reports each agent that lost their
/// last, so every "registered" is followed by exactly one "unregistered". Lookups
/// (`bindings(_:at:)`) never return a lapsed binding.
public struct AgentRegistrations: Sendable, Equatable {
    private var table: [String: [AgentBinding]] = [:]

    public init() {}

    /// The agent's unexpired bindings, newest first.
    public func bindings(_ agent: String, at now: Double) -> [AgentBinding] {
        (table[agent] ?? []).filter { $0.expiresAt > now }.sorted { $0.updatedAt > $1.updatedAt }
    }

    public func isRegistered(_ agent: String, at now: Double) -> Bool { !bindings(agent, at: now).isEmpty }

    /// Agents holding a binding in the table (lapsed ones until the next `expire`).
    public var registeredAgents: Int { table.values.filter { !$0.isEmpty }.count }

    /// Applies an accepted REGISTER at `now`. Refused, changing nothing, when it would leave the
    /// agent more than `maxContacts` bindings.
    public mutating func apply(_ accepted: AcceptedRegister, at now: Double,
                               maxContacts: Int = AgentRegistrationPolicy.maxContacts) -> Result<RegistrationChange, RegisterRefusal> {
        let agent = accepted.agent.id
        let before = table[agent] ?? []
        var after = before.filter { $0.expiresAt > now }
        var bound: [String] = [], removed: [String] = []
        switch accepted.action {
        case .query:
            break
        case .removeAll:
            removed = after.map(\.contact)
            after = []
        case .update(let contacts):
            for (uri, seconds) in contacts {
                let existed = after.contains { $0.contact == uri }
                after.removeAll { $0.contact == uri }
                if seconds > 0 {
                    after.append(AgentBinding(contact: uri, updatedAt: now, expiresAt: now + Double(seconds)))
                    bound.append(uri)
                } else if existed {
                    removed.append(uri)
                }
            }
        }
        guard after.count <= maxContacts else { return .failure(RegisterRefusal(.tooManyContacts, agent: agent)) }
        if after.isEmpty { table.removeValue(forKey: agent) } else { table[agent] = after }
        let transition: Bool? = before.isEmpty == after.isEmpty ? nil : !after.isEmpty
        return .success(RegistrationChange(agent: agent, bindings: bindings(agent, at: now), bound: bound, removed: removed,
                                           transition: transition))
    }

    /// Removes every lapsed binding; returns the agents (sorted) who lost their last one.
    public mutating func expire(at now: Double) -> [String] {
        var lost: [String] = []
        for (agent, list) in table {
            let kept = list.filter { $0.expiresAt > now }
            guard kept.count != list.count else { continue }
            if kept.isEmpty {
                table.removeValue(forKey: agent)
                lost.append(agent)
            } else {
                table[agent] = kept
            }
        }
        return lost.sorted()
    }
}

/// The human side of the gateway, as configured: agents, the queues they serve, and the rules
/// that pick a queue from a conversation's context variables. Parsed by `ConfigurationReader`
/// (`agents`, `queues`, `routing`); `RoutingBoard` runs it.
public struct RoutingSettings: Sendable, Equatable {
    public var agents: [AgentSettings]
    public var queues: [QueueSettings]
    /// Evaluated in order: the first whose condition holds names the queue.
    public var rules: [RoutingRule]
    /// The queue when no rule matches; nil: a hand-off with no matching rule and no queue named
    /// is refused (the bot keeps the caller and hears why).
    public var defaultQueue: String?
    /// Keys an agent presses on their phone to hand the caller back to a bot (`agentToBotTarget`).
    public var agentToBotCode: String
    /// The bot an agent's keypad code hands the caller to; nil: the bot that handed off.
    public var agentToBotTarget: String?
    /// The start of the link an agent's phone gets to the conversation (`X-VoiceGate-Conversation-Link`),
    /// e.g. "https://voicegate.example.net/conversations/"; nil: the gateway's own admin address.
    public var conversationLinkBase: String?

    public init(agents: [AgentSettings] = [], queues: [QueueSettings] = [], rules: [RoutingRule] = [],
                defaultQueue: String? = nil, agentToBotCode: String = "*9", agentToBotTarget: String? = nil,
                conversationLinkBase: String? = nil) {
        self.agents = agents
        self.queues = queues
        self.rules = rules
        self.defaultQueue = defaultQueue
        self.agentToBotCode = agentToBotCode
        self.agentToBotTarget = agentToBotTarget
        self.conversationLinkBase = conversationLinkBase
    }

    public func queue(named name: String) -> QueueSettings? { queues.first { $0.name == name } }
    public func agent(_ id: String) -> AgentSettings? { agents.first { $0.id == id } }

    /// The queue the rules pick for these variables: the first matching rule's, else the default.
    public func queue(for variables: [String: JSONValue]) -> String? {
        rules.first { $0.condition.evaluate(variables) }?.queue ?? defaultQueue
    }
}

/// A human agent: who they are, how to reach their phone, how much they can take at once. Its
/// descriptions never show the password (configurations are printed and logged).
public struct AgentSettings: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var id: String
    /// Shown to supervisors; a parsed file without one gives the id.
    public var name: String
    /// What the agent's softphone registers with (digest, the gateway's realm). nil: the agent
    /// does not register and `contact` is where they are called.
    public var credentials: DigestCredentials?
    /// A fixed SIP URI to call the agent at (sip: or sips:), for phones that do not register.
    /// A parsed agent has credentials, a contact, or both.
    public var contact: String?
    /// Capacity units; a voice call takes `QueueSettings.unitsPerCall` of them.
    public var capacity: Int
    /// The queues the agent serves, by name.
    public var queues: [String]
    /// After each call, how long the agent stays busy writing up before the next offer.
    public var wrapUpSeconds: Double

    public init(id: String, name: String = "", credentials: DigestCredentials? = nil, contact: String? = nil,
                capacity: Int = 1, queues: [String] = [], wrapUpSeconds: Double = 0) {
        self.id = id
        self.name = name
        self.credentials = credentials
        self.contact = contact
        self.capacity = capacity
        self.queues = queues
        self.wrapUpSeconds = wrapUpSeconds
    }

    public var description: String {
        let login = credentials.map { "username: \($0.username), password: <redacted>" } ?? "no registration"
        return "AgentSettings(id: \(id), name: \(name), \(login), contact: \(contact ?? "none"), capacity: \(capacity), "
            + "queues: \(queues), wrapUpSeconds: \(wrapUpSeconds))"
    }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
}

/// A bot that takes conversations from a queue, like an agent with a capacity (the seed's
/// "two bots in one queue" case: capacity orders bot, agent, bot).
public struct QueueBotMember: Sendable, Equatable {
    public var bot: String
    public var capacity: Int
    public init(bot: String, capacity: Int) {
        self.bot = bot
        self.capacity = capacity
    }
}

/// How a queue picks among the members free to take a conversation.
public enum AssignmentMethod: String, Sendable, Equatable, CaseIterable {
    /// The member with the most capacity left (ties: configuration order).
    case highestCapacity
    /// Each in turn, after whoever was offered the last conversation.
    case roundRobin
    /// The member idle longest since their last conversation ended.
    case longestIdle
    /// The member with the fewest conversations right now (ties: idle longest).
    case leastActive
}

/// What a queue does with a caller it cannot keep: waited too long, or the queue is full.
public enum OverflowAction: Sendable, Equatable {
    /// Into another queue (their wait goes on there).
    case queue(String)
    /// A transfer to a number, under the same privilege and outbound policy as a bot's.
    case transfer(String)
    /// Back to a bot, which gets conversationUpdate and SetContext with the transcript.
    case bot(String)
    /// The text is spoken, then the call ends.
    case message(String)
}

/// What a waiting caller hears between announcements.
public enum HoldAudio: Sendable, Equatable {
    /// A WAV file (16-bit PCM mono), looped.
    case wav(path: String)
    /// Synthesized once, then looped.
    case text(String)
}

public struct QueueSettings: Sendable, Equatable {
    public var name: String
    public var assignment: AssignmentMethod
    public var bots: [QueueBotMember]
    /// How long an agent's phone rings before the next agent is tried.
    public var ringTimeoutSeconds: Double
    /// A caller waiting longer overflows; nil: no limit.
    public var maxWaitSeconds: Double?
    /// A caller arriving when this many wait overflows at once; nil: no limit.
    public var maxLength: Int?
    /// nil: `message` with a polite default, then hang-up.
    public var overflow: OverflowAction?
    public var hold: HoldAudio
    /// How often a waiting caller hears their position and estimated wait; nil: never.
    public var announceEverySeconds: Double?
    /// An agent who lets this many offers in a row ring out is set away.
    public var missedOffersBeforeAway: Int
    /// Capacity units a voice conversation takes of an agent.
    public var unitsPerCall: Int

    public init(name: String, assignment: AssignmentMethod = .highestCapacity, bots: [QueueBotMember] = [],
                ringTimeoutSeconds: Double = 20, maxWaitSeconds: Double? = nil, maxLength: Int? = nil,
                overflow: OverflowAction? = nil, hold: HoldAudio = .text("Please hold. An agent will be with you shortly."),
                announceEverySeconds: Double? = 30, missedOffersBeforeAway: Int = 3, unitsPerCall: Int = 1) {
        self.name = name
        self.assignment = assignment
        self.bots = bots
        self.ringTimeoutSeconds = ringTimeoutSeconds
        self.maxWaitSeconds = maxWaitSeconds
        self.maxLength = maxLength
        self.overflow = overflow
        self.hold = hold
        self.announceEverySeconds = announceEverySeconds
        self.missedOffersBeforeAway = missedOffersBeforeAway
        self.unitsPerCall = unitsPerCall
    }
}

/// One routing rule: when the condition holds on the context variables, the conversation goes
/// to the queue.
public struct RoutingRule: Sendable, Equatable {
    public var name: String
    public var condition: Condition
    public var queue: String
    public init(name: String, condition: Condition, queue: String) {
        self.name = name
        self.condition = condition
        self.queue = queue
    }
}

/// An agent's presence, as the admin API and the supervisor see it.
public enum Presence: String, Sendable, Equatable, Codable, CaseIterable {
    case available, busy, away, offline
}

/// Everything `voicegate run` needs to know, validated. Built by `ConfigurationParser` from a
/// JSON file, or `GatewayConfiguration.demo` when no file is given.
public struct GatewayConfiguration: Sendable, Equatable {
    public var sip: SIPSettings
    public var http: HTTPSettings
    public var calls: CallSettings
    public var shutdown: ShutdownSettings
    public var trunks: [Trunk]
    /// The organization's numbers callers dial, each answered by a bot.
    public var phoneNumbers: [PhoneNumberSettings]
    /// SIP headers of the INVITE copied into context variables.
    public var sipHeaders: [SIPHeaderMapping]
    public var bots: [BotSettings]
    public var store: StoreSettings
    public var admin: AdminSettings
    public var greeting: GreetingSettings
    public var speech: SpeechSettings
    /// How customers' words are scored for sentiment.
    public var sentiment = SentimentSettings()
    public var log: LogSettings
    /// Where transfers may dial, and how many: see `TransferPolicy`.
    public var outboundPolicy: OutboundPolicy
    /// Agents, queues and routing rules: where hand-offs go.
    public var routing: RoutingSettings

    public init(sip: SIPSettings = .init(), http: HTTPSettings = .init(), calls: CallSettings = .init(),
                shutdown: ShutdownSettings = .init(), trunks: [Trunk] = [], phoneNumbers: [PhoneNumberSettings] = [],
                sipHeaders: [SIPHeaderMapping] = [], bots: [BotSettings] = [], store: StoreSettings = .init(),
                admin: AdminSettings = .init(), greeting: GreetingSettings = .init(), speech: SpeechSettings = .init(),
                log: LogSettings = .init(), outboundPolicy: OutboundPolicy = .init(), routing: RoutingSettings = .init()) {
        self.sip = sip
        self.http = http
        self.calls = calls
        self.shutdown = shutdown
        self.trunks = trunks
        self.phoneNumbers = phoneNumbers
        self.sipHeaders = sipHeaders
        self.bots = bots
        self.store = store
        self.admin = admin
        self.greeting = greeting
        self.speech = speech
        self.log = log
        self.outboundPolicy = outboundPolicy
        self.routing = routing
    }
}

public enum SIPTransportKind: String, Sendable, Equatable, CaseIterable {
    case udp, tcp, tls
}

public struct SIPSettings: Sendable, Equatable {
    /// Address SIP and RTP sockets bind to. `0.0.0.0` binds every interface.
    public var listen: String = "0.0.0.0"
    /// Address written into Contact, Via and SDP. Without it pjsip picks an interface, which on a
    /// machine with several is often not the one the trunk reaches.
    public var advertise: String?
    /// SIP port for UDP and TCP alike; 0 picks a free one (tests).
    public var port: Int = 5060
    public var transports: [SIPTransportKind] = [.udp, .tcp]
    /// RTP (and RTCP, one above each) ports: the first, and how many.
    public var rtpPortStart: Int = 16000
    public var rtpPortCount: Int = 16000
    /// SIP over TLS on its own port; nil: no TLS transport.
    public var tls: TLSSettings?
    /// The realm of digest challenges sent to trunks with credentials.
    public var realm: String = "voicegate"
    public init() {}
}

/// The TLS transport: its port and the PEM files of its certificate (chain) and private key.
public struct TLSSettings: Sendable, Equatable {
    /// 0 picks a free port (tests). 5061 by convention.
    public var port: Int = 5061
    public var certificateFile: String
    public var privateKeyFile: String
    public init(port: Int = 5061, certificateFile: String, privateKeyFile: String) {
        self.port = port
        self.certificateFile = certificateFile
        self.privateKeyFile = privateKeyFile
    }
}

public struct HTTPSettings: Sendable, Equatable {
    public var listen: String = "0.0.0.0"
    /// 0 picks a free port (tests).
    public var port: Int = 8080
    public init() {}
}

public struct CallSettings: Sendable, Equatable {
    /// Concurrent calls answered; beyond it INVITEs get 503 with Retry-After. nil: as many as the
    /// pjproject build allows, less a margin for calls being set up.
    public var maxConcurrent: Int?
    /// A call still up after this long is hung up by the gateway (BYE); 0 means no limit.
    public var maxDurationSeconds: Int = 0
    /// A speaking bot's call with nothing from the caller or the bot for this long is closed
    /// (abandoned, reason `inactivity`).
    public var inactivitySeconds: Int = 30 * 60
    /// Said to the caller before an inactive conversation is hung up; "" says nothing.
    public var inactivityMessage: String = "We have not heard from you for a while, so we are ending this call. Goodbye."
    /// Retry-After sent with 503 at capacity or while shutting down.
    public var retryAfterSeconds: Int = 30
    public init() {}
}

public struct ShutdownSettings: Sendable, Equatable {
    /// On SIGINT/SIGTERM, how long calls in progress may go on before the gateway hangs them up.
    public var drainSeconds: Int = 30
    public init() {}
}

/// A SIP trunk: a carrier, SBC or PBX allowed to send calls, known by the addresses it sends from.
public struct Trunk: Sendable, Equatable {
    public var name: String
    public var sources: [IPAddressRange]
    /// Digest credentials the trunk must answer a 401 challenge with; nil: the source suffices.
    public var credentials: DigestCredentials?
    /// Country calling code (digits, no '+') that national numbers from this trunk belong to.
    public var defaultCountryCode: String?
    /// Where requests the gateway starts towards this trunk go (transfers); nil: nowhere.
    public var outbound: OutboundRoute?
    /// How calls from this trunk are transferred, and whether it may transfer them itself.
    public var transfer: TrunkTransferSettings
    public init(name: String, sources: [IPAddressRange], credentials: DigestCredentials? = nil,
                defaultCountryCode: String? = nil, outbound: OutboundRoute? = nil, transfer: TrunkTransferSettings = .init()) {
        self.name = name
        self.sources = sources
        self.credentials = credentials
        self.defaultCountryCode = defaultCountryCode
        self.outbound = outbound
        self.transfer = transfer
    }
}

/// How a transfer of a call from a trunk is carried out (the policy deciding whether it may
/// happen at all is `TransferPolicy`).
public struct TrunkTransferSettings: Sendable, Equatable {
    public enum Method: String, Sendable, Equatable, CaseIterable {
        /// Ask the trunk to place the call (REFER): the gateway leaves the media path.
        case refer
        /// Place the call through the trunk's outbound route and bridge the two legs.
        case bridge
    }
    /// The Refer-To URI of a REFER.
    public enum ReferTarget: String, Sendable, Equatable, CaseIterable {
        /// `sip:+E164@<the trunk's outbound host>`.
        case sip
        /// `tel:+E164`, for trunks that route tel: URIs themselves.
        case tel
    }
    public var method: Method = .refer
    public var referTarget: ReferTarget = .sip
    /// When the trunk refuses the REFER or it fails: place the call through the trunk and bridge.
    public var fallbackToBridge: Bool = true
    /// Whether a REFER arriving from this trunk is honoured; refused otherwise. Off by default: a
    /// REFER is a request to dial out on the gateway's account.
    public var acceptRefer: Bool = false
    /// How long a transfer may take to reach a final status.
    public var timeoutSeconds: Double = 30
    public init(method: Method = .refer, referTarget: ReferTarget = .sip, fallbackToBridge: Bool = true,
                acceptRefer: Bool = false, timeoutSeconds: Double = 30) {
        self.method = method
        self.referTarget = referTarget
        self.fallbackToBridge = fallbackToBridge
        self.acceptRefer = acceptRefer
        self.timeoutSeconds = timeoutSeconds
    }
}

/// A username and password. Its descriptions never show the password: configurations are
/// printed and logged, secrets must not be.
public struct DigestCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var username: String
    public var password: String
    /// What the challenge offers, most preferred first (RFC 8760). Some peers (sipp, older PBXs)
    /// read only the first challenge and know MD5 alone: list just MD5 for them.
    public var algorithms: [DigestAlgorithm]
    public init(username: String, password: String, algorithms: [DigestAlgorithm] = DigestAlgorithm.allCases) {
        self.username = username
        self.password = password
        self.algorithms = algorithms
    }
    public var description: String { "DigestCredentials(username: \(username), password: <redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["username": username, "password": "<redacted>"]) }
}

/// Digest hash algorithms, in default preference order.
public enum DigestAlgorithm: String, Sendable, Equatable, CaseIterable {
    case sha256 = "SHA-256"
    case md5 = "MD5"
}

/// A SIP destination: host or address, port, transport.
public struct OutboundRoute: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var transport: SIPTransportKind
    public init(host: String, port: Int = 5060, transport: SIPTransportKind = .udp) {
        self.host = host
        self.port = port
        self.transport = transport
    }
}

/// One of the organization's numbers.
public struct PhoneNumberSettings: Sendable, Equatable {
    /// E.164 (`+14155550100`), or `*` for every number a trunk sends that no other entry holds
    /// (demos and tests; the dialed number is then whatever the caller dialed).
    public var number: String
    /// The id of the bot that answers calls to it; "" when calls to it go to a queue (`queue`,
    /// or the routing rules when that is nil too).
    public var bot: String
    /// The queue calls to it go to, when `bot` is "": its bot members answer first by the
    /// queue's assignment method, else the caller waits for an agent.
    public var queue: String?
    /// false: calls to it get 480.
    public var voiceEnabled: Bool = true
    /// The make-calls privilege: transfers from calls to this number may dial out.
    public var makeCalls: Bool = false
    /// The caller ID a transfer target sees when the gateway places the call itself.
    public var transferCallerId: TransferCallerID = .organization
    public init(number: String, bot: String, voiceEnabled: Bool = true, makeCalls: Bool = false,
                transferCallerId: TransferCallerID = .organization) {
        self.number = number
        self.bot = bot
        self.voiceEnabled = voiceEnabled
        self.makeCalls = makeCalls
        self.transferCallerId = transferCallerId
    }
    public var isCatchAll: Bool { number == "*" }
    /// Calls to it are routed to a queue (named, or by the rules), not to one bot.
    public var routesToQueue: Bool { bot.isEmpty }
}

/// The caller ID shown to a transfer target when the gateway places the call itself (bridged
/// transfers; on a REFER the trunk decides).
public enum TransferCallerID: String, Sendable, Equatable, CaseIterable {
    /// The organization number the caller dialed: always a number the organization holds.
    case organization
    /// The original caller's number, so the target sees who is calling. Carriers accept it only
    /// where they allow presenting a number the trunk does not own.
    case caller
}

/// A SIP header of the INVITE whose value becomes a context variable.
public struct SIPHeaderMapping: Sendable, Equatable {
    /// Header name as it appears (matched case-insensitively).
    public var header: String
    public var variable: String
    public init(header: String, variable: String) {
        self.header = header
        self.variable = variable
    }
}

/// A bot: the built-in one, or an external bot speaking ../shared/spec/bot-protocol.md over HTTP.
public struct BotSettings: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public enum Kind: Sendable, Equatable {
        /// The built-in demo bot (greeting, a reply to each key).
        case embedded
        /// `secret` is the bearer token both ways.
        case external(endpoint: String, secret: String?)
    }
    public var id: String
    public var kind: Kind
    /// Unique across bots: the id the bot's platform knows it by.
    public var applicationId: String
    /// false: calls to its numbers get 480.
    public var enabled: Bool = true
    /// How long an external bot may take to answer an activity.
    public var timeoutSeconds: Double = 10
    /// An embedded bot's topics (a JSON file, `BotDefinition`); "builtin:demo" is the shipped demo
    /// bot. nil: the prompt bot (a recorded greeting and a reply to each key), which needs no
    /// speech engine.
    public var definition: String?
    /// What the caller hears when the bot fails (timeout, error, garbage), before `onFailure`.
    public var apology: String = "I'm sorry, something went wrong on our side."
    public enum FailureAction: String, Sendable, Equatable {
        case hangUp, handoff
    }
    /// After the apology: hang up, or hand the caller to an agent (`failureQueue`).
    public var onFailure: FailureAction = .hangUp
    public var failureQueue: String?
    /// What becomes of keys pressed while an uninterruptible message plays.
    public enum KeysDuringUninterruptible: String, Sendable, Equatable, CaseIterable {
        /// Thrown away (bot-protocol.md's behaviour), each ignored input noted in the transcript.
        case discard
        /// Held, and handed to the bot as input once the message has finished playing.
        case buffer
    }
    public var keysDuringUninterruptible: KeysDuringUninterruptible = .discard
    public init(id: String, kind: Kind, applicationId: String, enabled: Bool = true, timeoutSeconds: Double = 10,
                definition: String? = nil) {
        self.id = id
        self.kind = kind
        self.applicationId = applicationId
        self.enabled = enabled
        self.timeoutSeconds = timeoutSeconds
        self.definition = definition
    }

    /// No bot: the placeholder of a call routed to a queue before a bot member takes it.
    public static let none = BotSettings(id: "", kind: .embedded, applicationId: "")

    /// Whether calls to this bot run through the voice channel (speech, topic or external bot),
    /// rather than the prompt bot's recorded audio.
    public var speaks: Bool {
        if case .external = kind { return true }
        return definition != nil
    }
    public var description: String {
        switch kind {
        case .embedded: return "BotSettings(id: \(id), embedded, applicationId: \(applicationId), enabled: \(enabled))"
        case .external(let endpoint, let secret):
            return "BotSettings(id: \(id), external: \(endpoint), secret: \(secret == nil ? "none" : "<redacted>"), applicationId: \(applicationId), enabled: \(enabled))"
        }
    }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
}

/// The conversation database.
public struct StoreSettings: Sendable, Equatable {
    /// SQLite file; relative paths are from the working directory.
    public var path: String = "voicegate.db"
    public init(path: String = "voicegate.db") { self.path = path }
}

/// The admin API's bearer token. nil: every /api/ request gets 401.
public struct AdminSettings: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var token: String?
    /// A second bearer token that reads only (GET): for agents opening a conversation's page
    /// and for wallboards, who must not move, close or reconfigure anything.
    public var viewerToken: String?
    public init(token: String? = nil, viewerToken: String? = nil) {
        self.token = token
        self.viewerToken = viewerToken
    }
    public var description: String {
        "AdminSettings(token: \(token == nil ? "none" : "<redacted>"), viewerToken: \(viewerToken == nil ? "none" : "<redacted>"))"
    }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
}

public struct GreetingSettings: Sendable, Equatable {
    /// A WAV file (16-bit PCM, mono, 8000 Hz) played to every caller; nil plays the built-in one.
    public var wavPath: String?
    public init(wavPath: String? = nil) { self.wavPath = wavPath }
}

/// How speaking bots hear callers.
public struct SpeechSettings: Sendable, Equatable {
    public enum Recognizer: String, Sendable, CaseIterable {
        /// The embedded offline recognizer (PocketSphinx, installed by deploy/setup.sh).
        case pocketsphinx
        /// No speech input: callers use keys only.
        case none
    }
    public var recognizer: Recognizer = .pocketsphinx
    /// The silence that ends a caller's utterance: shorter answers sooner, longer lets callers
    /// pause to think without being cut off.
    public var endOfUtteranceSeconds: Double = 0.7
    /// Speech must last this long before it stops an ordinary prompt (barge-in).
    public var bargeInSeconds: Double = 0.2
    /// An utterance is cut off after this long, so a noisy line cannot keep the bot waiting.
    public var maxUtteranceSeconds: Double = 30
    public init() {}
}

/// Sentiment of the customer's words: an embedded lexicon-based analyser (VADER), whose lexicon
/// deploy/setup.sh installs.
public struct SentimentSettings: Sendable, Equatable {
    public enum Analyzer: String, Sendable, CaseIterable {
        /// VADER (Hutto & Gilbert, 2014) with its published lexicon.
        case vader
        /// No scores: turns and conversations carry no sentiment.
        case none
    }
    public var analyzer: Analyzer = .vader
    /// The lexicon file, VADER's `vader_lexicon.txt`.
    public var lexiconPath = SentimentSettings.defaultLexiconPath
    public static let defaultLexiconPath = "/usr/local/share/voicegate/sentiment/vader_lexicon.txt"
    public init() {}
}

public struct LogSettings: Sendable, Equatable {
    public var level: LogLine.Level = .info
    /// pjproject's own log level, 0 (nothing) to 4 (SIP messages). Its lines go through the same
    /// writer, tagged event=pjsip.
    public var sipLevel: Int = 1
    public init() {}
}

extension GatewayConfiguration {
    /// The configuration of `voicegate run` without --config: one trunk that trusts loopback and
    /// the private ranges, so a softphone on the same machine or LAN can call at once, and nothing
    /// from the internet can.
    public static var demo: GatewayConfiguration {
        let ranges = ["127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7", "fe80::/10"]
        return GatewayConfiguration(
            trunks: [Trunk(name: "local", sources: ranges.compactMap(IPAddressRange.init))],
            phoneNumbers: [PhoneNumberSettings(number: "*", bot: "demo")],
            bots: [BotSettings(id: "demo", kind: .embedded, applicationId: "demo", definition: "builtin:demo")])
    }
}

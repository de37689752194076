/// Everything `voicegate run` needs to know, validated. Built by `ConfigurationParser` from a
/// JSON file, or `GatewayConfiguration.demo` when no file is given.
public struct GatewayConfiguration: Sendable, Equatable {
    public var sip: SIPSettings
    public var http: HTTPSettings
    public var calls: CallSettings
    public var shutdown: ShutdownSettings
    public var trunks: [Trunk]
    public var greeting: GreetingSettings
    public var log: LogSettings

    public init(sip: SIPSettings = .init(), http: HTTPSettings = .init(), calls: CallSettings = .init(),
                shutdown: ShutdownSettings = .init(), trunks: [Trunk] = [], greeting: GreetingSettings = .init(),
                log: LogSettings = .init()) {
        self.sip = sip
        self.http = http
        self.calls = calls
        self.shutdown = shutdown
        self.trunks = trunks
        self.greeting = greeting
        self.log = log
    }
}

public enum SIPTransportKind: String, Sendable, Equatable, CaseIterable {
    case udp, tcp
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
    public init() {}
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
    public init(name: String, sources: [IPAddressRange]) {
        self.name = name
        self.sources = sources
    }
}

public struct GreetingSettings: Sendable, Equatable {
    /// A WAV file (16-bit PCM, mono, 8000 Hz) played to every caller; nil plays the built-in one.
    public var wavPath: String?
    public init(wavPath: String? = nil) { self.wavPath = wavPath }
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
        return GatewayConfiguration(trunks: [Trunk(name: "local", sources: ranges.compactMap(IPAddressRange.init))])
    }
}

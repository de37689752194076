import Foundation
import VoiceGateCore
import VoiceGateTelephony
import VoiceGateHTTP
import VoiceGateStore
import VoiceGateSynthesis

/// `voicegate run`: loads the configuration, starts SIP and HTTP, serves until a signal, drains.
struct RunCommand {
    let arguments: Arguments

    init(_ args: ArraySlice<String>) throws {
        arguments = try Arguments(args, valued: ["config", "sip-port", "http-port"])
    }

    func execute() throws -> Int32 {
        if arguments.flags.contains("help") { print(Help.run); return 0 }
        guard arguments.positional.isEmpty else {
            throw Arguments.UsageError(description: "unexpected argument '\(arguments.positional[0])'")
        }
        var config: GatewayConfiguration
        var source = "built-in demo configuration"
        if let path = arguments.options["config"] {
            switch ConfigurationFile.load(path) {
            case .success(let c):
                config = c
                source = path
            case .failure(.unreadable(let message)):
                FileHandle.standardError.write(Data("voicegate: \(path): \(message)\n".utf8))
                return 2
            case .failure(.invalid(let error)):
                for problem in error.problems { FileHandle.standardError.write(Data("voicegate: \(path): \(problem)\n".utf8)) }
                return 2
            }
        } else {
            config = .demo
        }
        if let port = try arguments.port("sip-port") { config.sip.port = port }
        if let port = try arguments.port("http-port") { config.http.port = port }

        let log = StderrLog(minimum: config.log.level)
        let bot: DemoBot
        do {
            bot = DemoBot(greeting: try loadWAV(config.greeting.wavPath, builtIn: "welcome"),
                          keyReply: try loadWAV(nil, builtIn: "reply"))
        } catch {
            log.write(LogLine(.error, "gateway.config_error", [("field", "greeting.wav"), ("error", "\(error)")]))
            return 2
        }
        raiseFileLimit(log)
        return Gateway(config: config, configSource: source, bot: bot, log: log).run()
    }

    /// A WAV file, or when `path` is nil the built-in resource of that name.
    private func loadWAV(_ path: String?, builtIn: String) throws -> PCMAudio {
        let url: URL
        if let path {
            url = URL(fileURLWithPath: path)
        } else {
            guard let builtIn = Bundle.module.url(forResource: builtIn, withExtension: "wav") else {
                throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "the built-in prompt '\(builtIn).wav' is missing from the installation"])
            }
            url = builtIn
        }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "cannot read \(url.path)"])
        }
        return try PCMAudio(wav: Array(data))
    }

    /// Each call holds RTP and RTCP sockets; the soft limit of 1024 descriptors would cap the
    /// gateway far below its call capacity, so raise it to the hard limit.
    private func raiseFileLimit(_ log: StderrLog) {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        log.write(LogLine(.debug, "gateway.file_limit", [("nofile", String(limit.rlim_cur))]))
    }
}

/// The running gateway: SIP endpoint, HTTP listener, signal handling and the drain on shutdown.
final class Gateway: @unchecked Sendable {
    let config: GatewayConfiguration
    let configSource: String
    let bot: DemoBot
    let log: StderrLog
    let metrics = GatewayMetrics()
    private let shutdownRequested = DispatchSemaphore(value: 0)
    private let signalCount = NSLock()
    private var signals = 0
    private var signalSources: [DispatchSourceSignal] = []

    init(config: GatewayConfiguration, configSource: String, bot: DemoBot, log: StderrLog) {
        self.config = config
        self.configSource = configSource
        self.bot = bot
        self.log = log
    }

    func run() -> Int32 {
        installSignalHandlers()
        metrics.gauge("voicegate_build_info", labels: PrometheusText.labels(["version": VoiceGateVersion.string]), 1)
        let store: ConversationStore
        do {
            store = try ConversationStore(path: config.store.path, sentiment: SentimentScoring.make(config.sentiment, log: log, metrics: metrics)) { [log] error in
                log.write(LogLine(.error, "store.write_failed", [("error", error.description)]))
            }
            // A conversation still open in the file belonged to a gateway that died (kill -9,
            // power loss): it ends now, marked failed with the reason.
            let recovered = try store.recoverInterrupted(reason: "gatewayRestart", at: Date())
            log.write(LogLine(.info, "store.opened", [("path", config.store.path), ("recovered_conversations", String(recovered))]))
            // Who was waiting when the previous gateway died: their queue entries are now closed
            // as interrupted, with the wait they had.
            for entry in store.interruptedAtLastStart() {
                log.write(LogLine(.warning, "queue.interrupted", [("conversation", entry.conversationID), ("queue", entry.queue),
                                                                  ("wait_seconds", String(format: "%.3f", entry.waitSeconds ?? 0))]))
            }
        } catch {
            log.write(LogLine(.error, "gateway.start_failed", [("component", "store"), ("path", config.store.path), ("error", "\(error)")]))
            return 1
        }
        defer { store.close() }
        let definitions: [String: BotDefinition]
        switch BotDefinitions.load(config.bots) {
        case .success(let d): definitions = d
        case .failure(let problem):
            for line in problem.description.split(separator: "\n") {
                log.write(LogLine(.error, "gateway.config_error", [("field", "bots"), ("error", String(line))]))
            }
            return 2
        }
        let synthesizer: FliteSynthesizer
        do { synthesizer = try FliteSynthesizer() } catch {
            log.write(LogLine(.error, "gateway.start_failed", [("component", "speech"), ("error", "\(error)")]))
            return 1
        }
        let speech = SpeechOut(synthesizer: synthesizer, cache: PromptCache(capacity: 512))
        // Topic bots' fixed prompts are synthesized once, in the background, before callers need them.
        Thread.detachNewThread { [log] in
            let started = Date()
            var count = 0
            for definition in definitions.values {
                for prompt in definition.fixedPrompts {
                    guard let text = SpokenText.from(speak: prompt.speak, text: prompt.text, attachments: nil) else { continue }
                    if (try? speech.cache.audio(for: text, sampleRate: SpeechOut.sampleRate, using: speech.synthesizer)) != nil { count += 1 }
                }
            }
            log.write(LogLine(.info, "speech.prompts_ready", [("prompts", String(count)),
                                                              ("ms", String(Int(Date().timeIntervalSince(started) * 1000)))]))
        }
        let heard = SpeechIn.make(config.speech, bots: config.bots, definitions: definitions, log: log)
        let recorder = ConversationRecorder(store: store, log: log, speech: speech, heard: heard,
                                            inactivity: TimeInterval(config.calls.inactivitySeconds), definitions: definitions,
                                            transfers: TransferDesk(configuration: config, store: store, log: log, metrics: metrics),
                                            bots: config.bots, inactivityMessage: config.calls.inactivityMessage, metrics: metrics)
        let endpoint = SIPEndpoint(config: config, bot: bot, observer: recorder, log: log, metrics: metrics)
        recorder.control = endpoint
        let desk = AgentDesk(settings: config.routing, store: store, log: log, speech: speech)
        desk.lines = endpoint
        desk.metrics = metrics
        endpoint.registrationChanged = { [weak desk] agent, registered in desk?.registrationChanged(agent, registered: registered) }
        desk.conversations = recorder
        recorder.desk = desk
        defer { desk.stop() }
        let transports: [ListeningTransport]
        do {
            transports = try endpoint.start()
        } catch {
            log.write(LogLine(.error, "gateway.start_failed", [("component", "sip"), ("error", "\(error)")]))
            endpoint.shutdown()
            return 1
        }
        let http: HTTPServer
        let routing = RoutingRoutes(desk: desk, endpoint: endpoint, control: recorder, bots: config.bots.map(\.id), store: store)
        do {
            http = try HTTPServer(address: config.http.listen, port: config.http.port,
                                  handler: AdminRoutes(endpoint: endpoint, metrics: metrics, store: store,
                                                       access: AdminAccess(token: config.admin.token),
                                                       viewer: AdminAccess(token: config.admin.viewerToken),
                                                       recorder: recorder,
                                                       bots: BotRoutes(bots: config.bots, endpoint: endpoint, log: log, recorder: recorder),
                                                       routing: routing,
                                                       supervisor: SupervisorDataRoutes(store: store, routing: routing)).handle)
        } catch {
            log.write(LogLine(.error, "gateway.start_failed", [("component", "http"), ("error", "\(error)")]))
            endpoint.shutdown()
            return 1
        }
        let limits = endpoint.limits
        let httpHost = config.http.listen.contains(":") ? "[\(config.http.listen)]" : config.http.listen
        let anyAddress = config.http.listen == "0.0.0.0" || config.http.listen == "::"
        recorder.serviceUrl = "http://\(anyAddress ? (config.sip.advertise ?? "127.0.0.1") : httpHost):\(http.port)"
        // The supervisor page's conversation view: an agent's phone shows the link.
        desk.linkBase = recorder.serviceUrl + "/conversations/"
        desk.start()
        if config.admin.token == nil {
            log.write(LogLine(.warning, "admin.closed", [("why", "admin.token is not set: every /api/ request gets 401")]))
        }
        log.write(LogLine(.info, "gateway.ready", [
            ("version", VoiceGateVersion.string), ("config", configSource),
            ("sip", transports.map(\.description).joined(separator: ",")),
            ("sip_port", String(transports.first?.port ?? 0)),
            ("http", "http://\(httpHost):\(http.port)"), ("http_port", String(http.port)),
            ("call_capacity", String(endpoint.callCapacity)), ("compiled_max_calls", String(limits.maxCalls)),
            ("trunks", config.trunks.map(\.name).joined(separator: ",")),
            ("pjproject", limits.pjprojectVersion)]))

        shutdownRequested.wait()

        let drain = config.shutdown.drainSeconds
        endpoint.beginDrain()
        log.write(LogLine(.info, "gateway.draining", [("active_calls", String(endpoint.activeCalls)), ("deadline_seconds", String(drain))]))
        var idle = endpoint.waitForIdle(timeout: 0)
        if !idle {
            // Wait for the calls to end on their own, or for a second signal.
            let deadline = DispatchTime.now() + .seconds(drain)
            while !idle && DispatchTime.now() < deadline && !secondSignal() {
                idle = endpoint.waitForIdle(timeout: 0.2)
            }
        }
        if !idle {
            log.write(LogLine(.info, "gateway.hanging_up", [("active_calls", String(endpoint.activeCalls))]))
            endpoint.hangUpAll(reason: "shutdown")
            idle = endpoint.waitForIdle(timeout: 5)
        }
        http.stop()
        endpoint.shutdown()
        store.flush()
        log.write(LogLine(.info, "gateway.stopped", [("calls_left", idle ? "0" : String(endpoint.activeCalls))]))
        return 0
    }

    private func secondSignal() -> Bool {
        signalCount.lock()
        defer { signalCount.unlock() }
        return signals > 1
    }

    private func installSignalHandlers() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [self] in
                signalCount.lock()
                signals += 1
                let first = signals == 1
                signalCount.unlock()
                log.write(LogLine(.info, "gateway.signal", [("signal", sig == SIGINT ? "SIGINT" : "SIGTERM")]))
                if first { shutdownRequested.signal() }
            }
            source.resume()
            signalSources.append(source)
        }
    }
}

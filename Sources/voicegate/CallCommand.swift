import Foundation
import VoiceGateCore
import VoiceGateSynthesis
import VoiceGateTelephony
import VoiceGateRecognition

/// `voicegate call`: the test softphone. Places one call (or answers calls with --listen), runs
/// the steps, prints a JSON report per call on standard output. Exit status: 0 when the call was
/// answered and every step passed, 1 when not, 2 for a usage mistake.
struct CallCommand {
    let target: DialTarget?
    let script: CallScript
    /// WAV files the script plays, loaded and at 8 kHz before anything is dialed.
    let audio: [String: [Int16]]
    /// What the script says, by its text: synthesized at 8 kHz before anything is dialed.
    let spoken: [String: [Int16]]
    /// For `expect text`: loaded only when the script has one.
    let recognizer: (any SpeechRecognizer)?
    let recordPath: String?
    let listenPort: Int?
    let bindAddress: String
    let maxCalls: Int?
    let callTimeout: Double
    let options: Softphone.Options
    let logLevel: LogLine.Level

    init(_ args: ArraySlice<String>) throws {
        let a = try Arguments(args, valued: ["gateway", "transport", "from", "header", "say", "play", "dtmf", "script",
                                             "record", "listen", "bind", "calls", "timeout", "sip-log", "log-level", "user", "password",
                                             "register"])
        if a.flags.contains("help") { print(Help.call); exit(0) }

        guard let transport = DialTarget.Transport(rawValue: (a.options["transport"] ?? "udp").lowercased()) else {
            throw Arguments.UsageError(description: "--transport must be udp, tcp or tls, not '\(a.options["transport"]!)'")
        }
        bindAddress = a.options["bind"] ?? "127.0.0.1"
        listenPort = try a.port("listen")
        if listenPort == nil {
            guard a.positional.count == 1 else {
                throw Arguments.UsageError(description: a.positional.isEmpty ? "which number or sip: URI to call?" : "one target only, not \(a.positional)")
            }
        } else if !a.positional.isEmpty {
            throw Arguments.UsageError(description: "--listen answers calls; it takes no target")
        }
        var headers: [(String, String)] = []
        for h in a.values("header") {
            guard let colon = h.firstIndex(of: ":") else { throw Arguments.UsageError(description: "--header must be 'Name: value', not '\(h)'") }
            let name = h[..<colon].trimmingCharacters(in: .whitespaces)
            let value = h[h.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            // A token per RFC 3261; a CR or LF in a value would let a test inject headers by accident.
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-.!%*_+`'~".contains($0)) }),
                  !value.contains(where: { $0 == "\r" || $0 == "\n" }) else {
                throw Arguments.UsageError(description: "--header '\(h)' is not a valid SIP header")
            }
            headers.append((name, value))
        }
        do {
            let bind = bindAddress
            let dial = try a.positional.first.map {
                try DialTarget(target: $0, gateway: a.options["gateway"] ?? "127.0.0.1:5060", transport: transport,
                               from: a.options["from"], localHost: bind)
            }
            target = dial
            var fromURI = try dial?.fromURI ?? DialTarget(target: "0", from: a.options["from"], localHost: bind).fromURI
            var registrar: String?
            if let gateway = a.options["register"] {
                // An agent's phone: its account, sip:USER@<bind address>, registers with the gateway.
                guard listenPort != nil else { throw Arguments.UsageError(description: "--register needs --listen: a registered phone waits for calls") }
                guard let user = a.options["user"], a.options["password"] != nil else {
                    throw Arguments.UsageError(description: "--register needs --user and --password (the agent's credentials)")
                }
                guard a.options["from"] == nil else {
                    throw Arguments.UsageError(description: "--from does not go with --register: the account is sip:\(user)@\(bind)")
                }
                guard DialTarget.isUserPart(user) else { throw Arguments.UsageError(description: "--user '\(user)' cannot be the user part of a SIP URI") }
                registrar = try DialTarget.registrarURI(gateway, transport: transport)
                fromURI = "sip:\(user)@\(bind.contains(":") ? "[\(bind)]" : bind)"
            }
            let sipLog = Int(a.options["sip-log"] ?? "1") ?? -1
            guard (0...6).contains(sipLog) else { throw Arguments.UsageError(description: "--sip-log must be 0 to 6") }
            var softphone = Softphone.Options(transport: transport, bindAddress: bindAddress, port: listenPort ?? 0,
                                              fromURI: fromURI, headers: headers, autoAnswer: listenPort != nil, sipLogLevel: sipLog)
            softphone.registrar = registrar
            switch (a.options["user"], a.options["password"]) {
            case (let user?, let password?): softphone.credentials = (user, password)
            case (nil, nil): break
            default: throw Arguments.UsageError(description: "--user and --password go together")
            }
            options = softphone
        } catch let problem as DialTarget.Problem {
            throw Arguments.UsageError(description: problem.description)
        }

        // Steps: the script file, or the sending options in the order given.
        let sending = a.ordered.filter { ["say", "play", "dtmf"].contains($0.name) }
        if let path = a.options["script"] {
            guard sending.isEmpty else { throw Arguments.UsageError(description: "give --script or --say/--play/--dtmf, not both") }
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw Arguments.UsageError(description: "cannot read the script \(path)")
            }
            do { script = try CallScript.parse(text) } catch {
                throw Arguments.UsageError(description: "\(path):\n\(error)")
            }
        } else {
            var lines: [CallScript.Line] = []
            for item in sending {
                switch item.name {
                case "say": lines.append(.init(number: 0, step: .say(item.value)))
                case "play": lines.append(.init(number: 0, step: .play(path: item.value)))
                default:
                    switch CallScript.dtmf(item.value) {
                    case .success(let d): lines.append(.init(number: 0, step: .dtmf(d)))
                    case .failure(let p): throw Arguments.UsageError(description: "--dtmf: \(p.message)")
                    }
                }
            }
            // Nothing to send: listen to the far end until it has spoken and gone quiet.
            if lines.isEmpty { lines.append(.init(number: 0, step: .wait(timeout: CallScript.defaultWait))) }
            script = CallScript(lines: lines)
        }
        var audio: [String: [Int16]] = [:]
        for line in script.lines {
            guard case .play(let path) = line.step, audio[path] == nil else { continue }
            guard let data = FileManager.default.contents(atPath: path) else { throw Arguments.UsageError(description: "\(line.name): cannot read \(path)") }
            do { audio[path] = try PCMAudio(wav: Array(data)).resampled(to: Int(Softphone.clockRate)).samples } catch {
                throw Arguments.UsageError(description: "\(line.name): \(path): \(error)")
            }
        }
        self.audio = audio
        spoken = try CallCommand.synthesize(script)
        recognizer = try CallCommand.recognizer(for: script)
        recordPath = a.options["record"]
        if let calls = a.options["calls"] {
            guard let n = Int(calls), n > 0 else { throw Arguments.UsageError(description: "--calls must be a positive number") }
            maxCalls = n
        } else {
            maxCalls = listenPort == nil ? 1 : nil
        }
        guard let timeout = Double(a.options["timeout"] ?? "120"), timeout > 0 else {
            throw Arguments.UsageError(description: "--timeout must be seconds above 0")
        }
        callTimeout = timeout
        guard let level = LogLine.Level(rawValue: a.options["log-level"] ?? "warning") else {
            throw Arguments.UsageError(description: "--log-level must be debug, info, warning or error")
        }
        logLevel = level
    }

    func execute() throws -> Int32 {
        let log = StderrLog(minimum: logLevel)
        var failed = false
        let stop = StopFlag()
        let phone = try SoftphoneRunner(options: options, script: script, audio: audio, spoken: spoken, recognizer: recognizer,
                                        callTimeout: callTimeout, log: log, stop: stop)
        defer { phone.shutdown() }
        let port = try phone.start()
        var callNumber = 0
        if let listenPort {
            // Tests read this line to learn the port when they asked for port 0.
            FileHandle.standardError.write(Data("event=softphone.listening port=\(port) requested_port=\(listenPort)\n".utf8))
        }
        if let registrar = options.registrar {
            // pjsip gives up on an unanswered REGISTER after 32 s (timer F) and reports 408.
            guard let outcome = phone.awaitRegistration(renew: true, timeout: 40) else {
                if stop.isSet {
                    // Stopped while the REGISTER was on its way: take back whatever it bound.
                    _ = phone.unregister(timeout: 5)
                    return 0
                }
                FileHandle.standardError.write(Data("voicegate: no answer to the registration with \(registrar)\n".utf8))
                return 1
            }
            let fields = [("status", String(outcome.status)), ("expires", String(outcome.expires)),
                          ("aor", options.fromURI), ("registrar", registrar)]
            guard outcome.succeeded else {
                FileHandle.standardError.write(Data(("event=softphone.register_failed " + CallCommand.logfmt(fields + [("reason", outcome.reason)]) + "\n").utf8))
                let hint = outcome.status == 401 || outcome.status == 403 ? " (are --user and --password the agent's credentials?)" : ""
                FileHandle.standardError.write(Data("voicegate: registration with \(registrar) failed: \(outcome.status) \(outcome.reason)\(hint)\n".utf8))
                return 1
            }
            // Tests wait for this line before they have the gateway call the phone.
            FileHandle.standardError.write(Data(("event=softphone.registered " + CallCommand.logfmt(fields) + "\n").utf8))
        }
        defer {
            // Unregistered on the way out, however the loop ended (calls done, or a signal).
            if let registrar = options.registrar {
                if let outcome = phone.unregister(timeout: 10) {
                    FileHandle.standardError.write(Data(("event=softphone.unregistered " + CallCommand.logfmt([
                        ("status", String(outcome.status)), ("aor", options.fromURI), ("registrar", registrar)]) + "\n").utf8))
                } else {
                    FileHandle.standardError.write(Data("voicegate: no answer to the unregistration with \(registrar)\n".utf8))
                }
            }
        }
        while maxCalls.map({ callNumber < $0 }) ?? true {
            let report: CallReport?
            if let target {
                report = phone.place(target)
            } else {
                report = phone.answerNext()
            }
            guard var report else { break }   // stopped by a signal while waiting
            callNumber += 1
            if let recordPath {
                let path = maxCalls == 1 || callNumber == 1 ? recordPath : recordPath.replacingOccurrences(of: ".wav", with: "-\(callNumber).wav")
                let heard = PCMAudio(sampleRate: Int(Softphone.clockRate), samples: phone.lastRecording)
                if FileManager.default.createFile(atPath: path, contents: Data(heard.wavBytes)) {
                    report.recording = path
                } else {
                    FileHandle.standardError.write(Data("voicegate: cannot write the recording \(path)\n".utf8))
                    failed = true
                }
            }
            // One write per report: a reader of a pipe gets whole lines.
            FileHandle.standardOutput.write(Data((CallCommand.json(report) + "\n").utf8))
            if let step = report.failedStep { FileHandle.standardError.write(Data("voicegate: step failed: \(step)\n".utf8)) }
            if !report.answered || report.failedStep != nil { failed = true }
            if stop.isSet { break }
        }
        return failed ? 1 : 0
    }

    /// The embedded recognizer when the script expects text, biased towards the words it expects
    /// (as a bot's recognizer is towards its triggers); a clear error when it is missing.
    static func recognizer(for script: CallScript) throws -> (any SpeechRecognizer)? {
        let expected = script.lines.compactMap { line -> String? in
            if case .expect(.text(let words, _)) = line.step { return words } else { return nil }
        }
        guard !expected.isEmpty else { return nil }
        do { return try PocketSphinxRecognizer(settings: .init(phrases: expected, phraseWeight: 0.9)) } catch {
            throw Arguments.UsageError(description: "expect text needs the speech recognizer: \(error)")
        }
    }

    /// Renders every `say` step, read like a bot's `speak` (plain text or SSML), at the softphone's
    /// rate. The synthesizer is loaded only when the script says something.
    static func synthesize(_ script: CallScript) throws -> [String: [Int16]] {
        var spoken: [String: [Int16]] = [:]
        var synthesizer: FliteSynthesizer?
        for line in script.lines {
            guard case .say(let text) = line.step, spoken[text] == nil else { continue }
            guard let words = SpokenText.from(speak: text, text: nil, attachments: nil) else {
                throw Arguments.UsageError(description: "\(line.name): nothing to say")
            }
            let voice = try synthesizer ?? FliteSynthesizer()
            synthesizer = voice
            spoken[text] = try voice.synthesize(words, sampleRate: Int(Softphone.clockRate)).samples
        }
        return spoken
    }

    static func logfmt(_ fields: [(String, String)]) -> String {
        fields.map { "\($0.0)=\(LogLine.quote($0.1))" }.joined(separator: " ")
    }

    static func json(_ report: CallReport) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(report), as: UTF8.self)) ?? "{}"
    }
}

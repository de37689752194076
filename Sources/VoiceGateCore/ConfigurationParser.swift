import Foundation

/// One thing wrong with a configuration file, with where it is.
public struct ConfigurationProblem: Sendable, Equatable, CustomStringConvertible {
    /// The field, as a path: `sip.port`, `trunks[1].sources[0]`; empty for the whole file.
    public let path: String
    public let line: Int?
    public let message: String

    public init(path: String, line: Int?, message: String) {
        self.path = path
        self.line = line
        self.message = message
    }

    public var description: String {
        let place = [line.map { "line \($0)" }, path.isEmpty ? nil : path].compactMap { $0 }.joined(separator: ", ")
        return place.isEmpty ? message : "\(place): \(message)"
    }
}

/// Every problem found in a configuration file (never only the first).
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public let problems: [ConfigurationProblem]
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

/// Turns the text of a JSON configuration file into a `GatewayConfiguration`, or into the full
/// list of what is wrong with it. Unknown fields are errors: a misspelt field silently ignored is
/// how a trunk ends up trusted by the default.
public enum ConfigurationParser {
    public static func parse(_ text: String) -> Result<GatewayConfiguration, ConfigurationError> {
        let root: LocatedJSON
        do {
            root = try LocatedJSON.parse(text)
        } catch {
            return .failure(ConfigurationError(problems: [
                ConfigurationProblem(path: "", line: error.line, message: "not valid JSON (column \(error.column)): \(error.message)")
            ]))
        }
        var reader = ConfigurationReader()
        let config = reader.configuration(root)
        reader.problems += crossCheck(config, lines: reader.lines)
        return reader.problems.isEmpty ? .success(config) : .failure(ConfigurationError(problems: reader.problems))
    }
}

/// Internal, not private: the transfer sections are read in ConfigurationParser+Transfer.swift,
/// agents, queues and routing in ConfigurationParser+Routing.swift.
struct ConfigurationReader {
    var problems: [ConfigurationProblem] = []
    /// The line of every field and list item read, by path, for the cross-checks.
    var lines: [String: Int] = [:]

    mutating func problem(_ path: String, _ line: Int?, _ message: String) {
        problems.append(ConfigurationProblem(path: path, line: line, message: message))
    }

    /// The members of an object, reporting unknown and repeated fields.
    mutating func members(_ value: LocatedJSON, _ path: String, known: [String]) -> [String: LocatedJSON] {
        guard case .object(let list, _) = value else {
            problem(path, value.line, "must be an object, not \(value.kindName)")
            return [:]
        }
        var out: [String: LocatedJSON] = [:]
        for member in list {
            let memberPath = path.isEmpty ? member.key : "\(path).\(member.key)"
            if !known.contains(member.key) {
                let hint = known.first { ConfigurationReader.closeEnough($0, member.key) }.map { " (did you mean '\($0)'?)" } ?? ""
                problem(memberPath, member.keyLine, "unknown field\(hint); known fields here: \(known.joined(separator: ", "))")
            } else if out[member.key] != nil {
                problem(memberPath, member.keyLine, "given twice")
            } else {
                out[member.key] = member.value
                lines[memberPath] = member.value.line
            }
        }
        return out
    }

    mutating func int(_ fields: [String: LocatedJSON], _ key: String, _ path: String, _ range: ClosedRange<Int>, default def: Int) -> Int {
        guard let value = fields[key] else { return def }
        let fieldPath = "\(path).\(key)"
        guard case .number(let n, let line) = value else {
            problem(fieldPath, value.line, "must be a whole number, not \(value.kindName)")
            return def
        }
        guard n.rounded() == n, let i = Int(exactly: n) else {
            problem(fieldPath, line, "must be a whole number, not \(n)")
            return def
        }
        guard range.contains(i) else {
            problem(fieldPath, line, "must be from \(range.lowerBound) to \(range.upperBound), not \(i)")
            return def
        }
        return i
    }

    mutating func double(_ fields: [String: LocatedJSON], _ key: String, _ path: String, _ range: ClosedRange<Double>, default def: Double) -> Double {
        guard let value = fields[key] else { return def }
        guard case .number(let n, let line) = value else {
            problem("\(path).\(key)", value.line, "must be a number, not \(value.kindName)")
            return def
        }
        guard range.contains(n) else {
            problem("\(path).\(key)", line, "must be from \(ConfigurationReader.text(range.lowerBound)) to \(ConfigurationReader.text(range.upperBound)), not \(ConfigurationReader.text(n))")
            return def
        }
        return n
    }

    mutating func bool(_ fields: [String: LocatedJSON], _ key: String, _ path: String, default def: Bool) -> Bool {
        guard let value = fields[key] else { return def }
        guard case .bool(let b, _) = value else {
            problem("\(path).\(key)", value.line, "must be true or false, not \(value.kindName)")
            return def
        }
        return b
    }

    mutating func string(_ fields: [String: LocatedJSON], _ key: String, _ path: String) -> (String, Int)? {
        guard let value = fields[key] else { return nil }
        guard case .string(let s, let line) = value else {
            problem("\(path).\(key)", value.line, "must be a string, not \(value.kindName)")
            return nil
        }
        return (s, line)
    }

    /// A string field that must be given and not be empty. A missing one is reported only when
    /// `item` is an object: otherwise `members` has said what is wrong with it. `why` follows
    /// "is missing".
    mutating func required(_ fields: [String: LocatedJSON], _ key: String, _ path: String, in item: LocatedJSON, why: String = "") -> (String, Int)? {
        guard fields[key] != nil else {
            if case .object = item { problem("\(path).\(key)", item.line, "is missing\(why)") }
            return nil
        }
        guard let (text, line) = string(fields, key, path) else { return nil }
        guard !text.isEmpty else {
            problem("\(path).\(key)", line, "must not be empty")
            return nil
        }
        return (text, line)
    }

    mutating func address(_ fields: [String: LocatedJSON], _ key: String, _ path: String, default def: String) -> String {
        guard let (text, line) = string(fields, key, path) else { return def }
        guard IPAddress(text) != nil else {
            problem("\(path).\(key)", line, "'\(text)' is not an IPv4 or IPv6 address")
            return def
        }
        return text
    }

    mutating func list(_ value: LocatedJSON, _ path: String) -> [LocatedJSON] {
        guard case .array(let items, _) = value else {
            problem(path, value.line, "must be a list, not \(value.kindName)")
            return []
        }
        for (i, item) in items.enumerated() { lines["\(path)[\(i)]"] = item.line }
        return items
    }

    mutating func configuration(_ root: LocatedJSON) -> GatewayConfiguration {
        var config = GatewayConfiguration()
        lines[""] = root.line
        let top = members(root, "", known: ["sip", "http", "calls", "shutdown", "trunks", "phoneNumbers", "sipHeaders",
                                            "bots", "store", "admin", "greeting", "speech", "sentiment", "log", "outboundPolicy",
                                            "agents", "queues", "routing"])
        if let v = top["sip"] { config.sip = sip(v) }
        if let v = top["http"] { config.http = http(v) }
        if let v = top["calls"] { config.calls = calls(v) }
        if let v = top["shutdown"] {
            let f = members(v, "shutdown", known: ["drainSeconds"])
            config.shutdown.drainSeconds = int(f, "drainSeconds", "shutdown", 0...86_400, default: config.shutdown.drainSeconds)
        }
        if let v = top["trunks"] { config.trunks = trunks(v) }
        else { problem("trunks", root.line, "is missing: without a trunk no call can come in") }
        if let v = top["phoneNumbers"] { config.phoneNumbers = phoneNumbers(v) }
        else { problem("phoneNumbers", root.line, "is missing: without numbers every call gets 404") }
        if let v = top["sipHeaders"] { config.sipHeaders = sipHeaders(v) }
        if let v = top["bots"] { config.bots = bots(v) }
        if let v = top["store"] {
            let f = members(v, "store", known: ["path"])
            if let (path, line) = string(f, "path", "store") {
                if path.isEmpty { problem("store.path", line, "must not be empty") } else { config.store.path = path }
            }
        }
        if let v = top["admin"] { config.admin = admin(v) }
        if let v = top["greeting"] {
            let f = members(v, "greeting", known: ["wav"])
            if let (path, line) = string(f, "wav", "greeting") {
                if path.isEmpty { problem("greeting.wav", line, "must not be empty") }
                config.greeting.wavPath = path
            }
        }
        if let v = top["speech"] { config.speech = speech(v) }
        if let v = top["sentiment"] { config.sentiment = sentiment(v) }
        if let v = top["log"] { config.log = log(v) }
        if let v = top["outboundPolicy"] { config.outboundPolicy = outboundPolicy(v) }
        if let v = top["agents"] { config.routing.agents = agents(v) }
        if let v = top["queues"] { config.routing.queues = queues(v) }
        if let v = top["routing"] { routing(v, into: &config.routing) }
        return config
    }

    mutating func sip(_ value: LocatedJSON) -> SIPSettings {
        var s = SIPSettings()
        let f = members(value, "sip", known: ["listen", "advertise", "port", "transports", "rtpPortStart", "rtpPortCount", "tls", "realm"])
        s.listen = address(f, "listen", "sip", default: s.listen)
        if f["advertise"] != nil { s.advertise = address(f, "advertise", "sip", default: "") }
        if s.advertise == "" { s.advertise = nil }
        s.port = int(f, "port", "sip", 0...65_535, default: s.port)
        if let v = f["transports"] {
            var kinds: [SIPTransportKind] = []
            for (i, item) in list(v, "sip.transports").enumerated() {
                guard case .string(let name, let line) = item, let kind = SIPTransportKind(rawValue: name.lowercased()) else {
                    problem("sip.transports[\(i)]", item.line, "must be one of: udp, tcp")
                    continue
                }
                // A TLS listener needs its certificate and a port of its own: one list of kinds sharing sip.port cannot say that.
                guard kind != .tls else {
                    problem("sip.transports[\(i)]", line, "TLS is not listed here: it is configured by sip.tls, on its own port")
                    continue
                }
                if kinds.contains(kind) { problem("sip.transports[\(i)]", line, "'\(name)' is listed twice") }
                kinds.append(kind)
            }
            if kinds.isEmpty && !problems.contains(where: { $0.path.hasPrefix("sip.transports") }) {
                problem("sip.transports", v.line, "must name at least one transport")
            }
            s.transports = kinds
        }
        s.rtpPortStart = int(f, "rtpPortStart", "sip", 1024...65_534, default: s.rtpPortStart)
        s.rtpPortCount = int(f, "rtpPortCount", "sip", 2...64_512, default: s.rtpPortCount)
        if s.rtpPortStart + s.rtpPortCount - 1 > 65_535 {
            problem("sip.rtpPortCount", f["rtpPortCount"]?.line ?? f["rtpPortStart"]?.line,
                    "rtpPortStart + rtpPortCount goes past port 65535")
        }
        let rtpPorts = s.rtpPortStart...(s.rtpPortStart + s.rtpPortCount)
        if s.port != 0 && rtpPorts.contains(s.port) {
            problem("sip.port", f["port"]?.line, "\(s.port) lies inside the RTP port range")
        }
        if let v = f["tls"] {
            let t = tls(v)
            let line = lines["sip.tls.port"] ?? v.line
            if t.port != 0 && t.port == s.port { problem("sip.tls.port", line, "\(t.port) is sip.port too: TLS needs a port of its own") }
            if t.port != 0 && rtpPorts.contains(t.port) { problem("sip.tls.port", line, "\(t.port) lies inside the RTP port range") }
            s.tls = t
        }
        if let (realm, line) = string(f, "realm", "sip") {
            if realm.isEmpty { problem("sip.realm", line, "must not be empty") }
            else if !ConfigurationReader.isQuotable(realm) { problem("sip.realm", line, "must not contain '\"', '\\' or control characters: challenges carry it between quotes") }
            else { s.realm = realm }
        }
        return s
    }

    mutating func tls(_ value: LocatedJSON) -> TLSSettings {
        let f = members(value, "sip.tls", known: ["port", "certificate", "privateKey"])
        let port = int(f, "port", "sip.tls", 0...65_535, default: 5061)
        let certificate = required(f, "certificate", "sip.tls", in: value, why: ": the PEM file of the certificate (chain)")
        let key = required(f, "privateKey", "sip.tls", in: value, why: ": the PEM file of the certificate's private key")
        return TLSSettings(port: port, certificateFile: certificate?.0 ?? "", privateKeyFile: key?.0 ?? "")
    }

    mutating func http(_ value: LocatedJSON) -> HTTPSettings {
        var h = HTTPSettings()
        let f = members(value, "http", known: ["listen", "port"])
        h.listen = address(f, "listen", "http", default: h.listen)
        h.port = int(f, "port", "http", 0...65_535, default: h.port)
        return h
    }

    mutating func calls(_ value: LocatedJSON) -> CallSettings {
        var c = CallSettings()
        let f = members(value, "calls", known: ["maxConcurrent", "maxDurationSeconds", "inactivitySeconds", "inactivityMessage", "retryAfterSeconds"])
        if f["maxConcurrent"] != nil { c.maxConcurrent = int(f, "maxConcurrent", "calls", 1...1_000_000, default: 1) }
        c.maxDurationSeconds = int(f, "maxDurationSeconds", "calls", 0...604_800, default: c.maxDurationSeconds)
        c.inactivitySeconds = int(f, "inactivitySeconds", "calls", 5...86_400, default: c.inactivitySeconds)
        if let (text, _) = string(f, "inactivityMessage", "calls") { c.inactivityMessage = text }
        c.retryAfterSeconds = int(f, "retryAfterSeconds", "calls", 1...86_400, default: c.retryAfterSeconds)
        return c
    }

    mutating func trunks(_ value: LocatedJSON) -> [Trunk] {
        var out: [Trunk] = []
        let items = list(value, "trunks")
        if case .array = value, items.isEmpty { problem("trunks", value.line, "must list at least one trunk") }
        for (i, item) in items.enumerated() {
            let path = "trunks[\(i)]"
            let f = members(item, path, known: ["name", "sources", "credentials", "defaultCountryCode", "outbound", "transfer"])
            var name = ""
            if let (n, line) = string(f, "name", path) {
                name = n
                if n.trimmingCharacters(in: .whitespaces).isEmpty { problem("\(path).name", line, "must not be empty") }
                if out.contains(where: { $0.name == n }) { problem("\(path).name", line, "another trunk is already named '\(n)'") }
            } else if f["name"] == nil, case .object = item {
                problem("\(path).name", item.line, "is missing")
            }
            var sources: [IPAddressRange] = []
            if let v = f["sources"] {
                let list = list(v, "\(path).sources")
                if case .array = v, list.isEmpty { problem("\(path).sources", v.line, "must list at least one address or CIDR block") }
                for (j, s) in list.enumerated() {
                    guard case .string(let text, let line) = s else {
                        problem("\(path).sources[\(j)]", s.line, "must be a string, not \(s.kindName)")
                        continue
                    }
                    guard let range = IPAddressRange(text) else {
                        problem("\(path).sources[\(j)]", line, "'\(text)' is not an IP address or CIDR block (like 203.0.113.0/24); host bits must be zero")
                        continue
                    }
                    sources.append(range)
                }
            } else if case .object = item {
                problem("\(path).sources", item.line, "is missing: a trunk is known by the addresses it sends from")
            }
            var trunk = Trunk(name: name, sources: sources)
            if let v = f["credentials"] { trunk.credentials = credentials(v, "\(path).credentials") }
            if let (text, line) = string(f, "defaultCountryCode", path) {
                // "+44" is how people write a calling code; the digits are what numbers get prefixed with.
                let digits = text.hasPrefix("+") ? String(text.dropFirst()) : text
                if ConfigurationReader.isCountryCode(digits) { trunk.defaultCountryCode = digits }
                else { problem("\(path).defaultCountryCode", line, "must be a country calling code, 1 to 3 digits not starting with 0 (like \"44\" or \"+44\"), not '\(text)'") }
            }
            if let v = f["outbound"] { trunk.outbound = outbound(v, "\(path).outbound") }
            if let v = f["transfer"] { trunk.transfer = trunkTransfer(v, "\(path).transfer", hasOutbound: f["outbound"] != nil) }
            out.append(trunk)
        }
        return out
    }

    /// Never puts the text of a field in a message: the password is a secret, and a username
    /// typed into the wrong field may be one too.
    mutating func credentials(_ value: LocatedJSON, _ path: String) -> DigestCredentials {
        let f = members(value, path, known: ["username", "password", "algorithms"])
        let algorithms = f["algorithms"].map { digestAlgorithms($0, "\(path).algorithms") } ?? DigestAlgorithm.allCases
        var texts: [String] = []
        for key in ["username", "password"] {
            guard let (text, line) = required(f, key, path, in: value) else { texts.append(""); continue }
            digestText(text, line, "\(path).\(key)")
            texts.append(text)
        }
        return DigestCredentials(username: texts[0], password: texts[1], algorithms: algorithms)
    }

    /// A credentials' `algorithms` list; every algorithm when nothing usable is listed (reported).
    mutating func digestAlgorithms(_ v: LocatedJSON, _ path: String) -> [DigestAlgorithm] {
        var algorithms: [DigestAlgorithm] = []
        for (i, item) in list(v, path).enumerated() {
            guard case .string(let name, let line) = item, let a = DigestAlgorithm(rawValue: name.uppercased()) else {
                problem("\(path)[\(i)]", item.line, "must be one of: \(DigestAlgorithm.allCases.map(\.rawValue).joined(separator: ", "))")
                continue
            }
            if algorithms.contains(a) { problem("\(path)[\(i)]", line, "'\(name)' is listed twice") }
            else { algorithms.append(a) }
        }
        if case .array(let items, _) = v, items.isEmpty { problem(path, v.line, "must name at least one algorithm") }
        return algorithms.isEmpty ? DigestAlgorithm.allCases : algorithms
    }

    /// A digest username or password: never quoted back, only what is wrong with it.
    mutating func digestText(_ text: String, _ line: Int, _ path: String) {
        if !ConfigurationReader.isQuotable(text) {
            problem(path, line, "must not contain '\"', '\\' or control characters: digest authentication carries it between quotes")
        }
    }

    mutating func outbound(_ value: LocatedJSON, _ path: String) -> OutboundRoute {
        let f = members(value, path, known: ["host", "port", "transport"])
        var route = OutboundRoute(host: "")
        if let (host, line) = required(f, "host", path, in: value, why: ": where requests to this trunk go") {
            if IPAddress(host) != nil || ConfigurationReader.isHostName(host) { route.host = host }
            else { problem("\(path).host", line, "'\(host)' is not an IP address or host name (like sbc.example.net; port and transport are fields of their own)") }
        }
        if let (text, line) = string(f, "transport", path) {
            if let kind = SIPTransportKind(rawValue: text.lowercased()) { route.transport = kind }
            else { problem("\(path).transport", line, "must be one of: udp, tcp, tls") }
        }
        route.port = int(f, "port", path, 1...65_535, default: route.transport == .tls ? 5061 : 5060)
        return route
    }

    mutating func phoneNumbers(_ value: LocatedJSON) -> [PhoneNumberSettings] {
        var out: [PhoneNumberSettings] = []
        let items = list(value, "phoneNumbers")
        if case .array = value, items.isEmpty { problem("phoneNumbers", value.line, "must list at least one number: without numbers every call gets 404") }
        for (i, item) in items.enumerated() {
            let path = "phoneNumbers[\(i)]"
            let f = members(item, path, known: ["number", "bot", "queue", "voiceEnabled", "makeCalls", "transferCallerId"])
            var entry = PhoneNumberSettings(number: "", bot: "")
            if let (number, line) = required(f, "number", path, in: item, why: ": an E.164 number like +14155550100, or \"*\"") {
                if number == "*" || ConfigurationReader.isE164(number) { entry.number = number }
                else { problem("\(path).number", line, ConfigurationReader.notE164(number)) }
            }
            // Neither bot nor queue: the routing rules pick a queue, which crossCheck holds to
            // there being rules. A bot or queue given but unusable (reported here) leaves queue "",
            // which the cross-checks skip as already reported.
            if f["bot"] != nil {
                if let (bot, _) = required(f, "bot", path, in: item) { entry.bot = bot } else { entry.queue = "" }
            }
            if f["queue"] != nil {
                if let (queue, line) = required(f, "queue", path, in: item) {
                    if f["bot"] != nil {
                        problem("\(path).queue", line, "a number goes to a bot or to a queue, not both (leave both out to route its calls by routing.rules)")
                    } else {
                        entry.queue = queue
                    }
                } else {
                    entry.queue = ""
                }
            }
            entry.voiceEnabled = bool(f, "voiceEnabled", path, default: entry.voiceEnabled)
            entry.makeCalls = bool(f, "makeCalls", path, default: entry.makeCalls)
            if let (text, line) = string(f, "transferCallerId", path) {
                if let id = TransferCallerID(rawValue: text) { entry.transferCallerId = id }
                else { problem("\(path).transferCallerId", line, "must be \"organization\" or \"caller\"") }
            }
            out.append(entry)
        }
        return out
    }

    mutating func sipHeaders(_ value: LocatedJSON) -> [SIPHeaderMapping] {
        var out: [SIPHeaderMapping] = []
        for (i, item) in list(value, "sipHeaders").enumerated() {
            let path = "sipHeaders[\(i)]"
            let f = members(item, path, known: ["header", "variable"])
            var mapping = SIPHeaderMapping(header: "", variable: "")
            if let (name, line) = required(f, "header", path, in: item, why: ": the name of the SIP header to copy") {
                if !ConfigurationReader.isToken(name) {
                    problem("\(path).header", line, "'\(name)' is not a SIP header name (letters, digits and -.!%*_+`'~)")
                } else if ConfigurationReader.credentialHeaders.contains(name.lowercased()) {
                    problem("\(path).header", line, "\(name) carries credentials: it is never copied into a variable")
                } else {
                    mapping.header = name
                }
            }
            if let (name, line) = required(f, "variable", path, in: item, why: ": the context variable the header's value goes into") {
                if !ConfigurationReader.isVariableName(name) {
                    problem("\(path).variable", line, "'\(name)' is not a variable name (a letter or _, then letters, digits, _ and .)")
                } else if ConfigurationReader.gatewayVariables.contains(name) {
                    problem("\(path).variable", line, "\(name) is set by the gateway itself")
                } else {
                    mapping.variable = name
                }
            }
            out.append(mapping)
        }
        return out
    }

    mutating func bots(_ value: LocatedJSON) -> [BotSettings] {
        var out: [BotSettings] = []
        for (i, item) in list(value, "bots").enumerated() {
            let path = "bots[\(i)]"
            let f = members(item, path, known: ["id", "kind", "endpoint", "secret", "applicationId", "enabled", "timeoutSeconds",
                                                "definition", "apology", "onFailure", "failureQueue", "keysDuringUninterruptible"])
            // An invalid id is kept as written: phone numbers naming it then find it, and the one
            // problem is reported once.
            let id = required(f, "id", path, in: item, why: ": phone numbers name the bot by it")
            if let (text, line) = id, !ConfigurationReader.isBotId(text) {
                problem("\(path).id", line, "'\(text)' must be letters, digits, _, . and - only")
            }
            // Read whatever the kind: a wrong type is worth reporting either way.
            let endpoint = string(f, "endpoint", path)
            let secret = string(f, "secret", path)
            var kind = BotSettings.Kind.embedded
            var definition: String?
            switch required(f, "kind", path, in: item, why: ": \"embedded\" or \"external\"") {
            case ("external", _)?:
                var url = ""
                if let (text, line) = endpoint {
                    if let trouble = ConfigurationReader.endpointProblem(text) { problem("\(path).endpoint", line, trouble) } else { url = text }
                } else if f["endpoint"] == nil {
                    problem("\(path).endpoint", item.line, "is missing: the URL an external bot is reached at")
                }
                if let (text, line) = secret, text.isEmpty { problem("\(path).secret", line, "must not be empty (leave it out for no secret)") }
                kind = .external(endpoint: url, secret: secret?.0)
            case ("embedded", _)?:
                if let (text, line) = string(f, "definition", path) {
                    if text.isEmpty { problem("\(path).definition", line, "must not be empty (leave it out for the built-in demo bot)") }
                    definition = text
                }
                if let v = f["endpoint"] { problem("\(path).endpoint", v.line, "only an external bot has an endpoint") }
                if let v = f["secret"] { problem("\(path).secret", v.line, "only an external bot has a secret") }
            case (_, let line)?:
                problem("\(path).kind", line, "must be \"embedded\" or \"external\"")
            case nil:
                break
            }
            var bot = BotSettings(id: id?.0 ?? "", kind: kind,
                                  applicationId: required(f, "applicationId", path, in: item, why: ": the id the bot's platform knows it by")?.0 ?? "")
            bot.enabled = bool(f, "enabled", path, default: bot.enabled)
            bot.timeoutSeconds = double(f, "timeoutSeconds", path, 0.1...120, default: bot.timeoutSeconds)
            bot.definition = definition
            if let (text, line) = string(f, "apology", path) {
                if text.trimmingCharacters(in: .whitespaces).isEmpty { problem("\(path).apology", line, "must say something") }
                bot.apology = text
            }
            if let (text, line) = string(f, "onFailure", path) {
                if let action = BotSettings.FailureAction(rawValue: text) { bot.onFailure = action }
                else { problem("\(path).onFailure", line, "must be \"hangUp\" or \"handoff\"") }
            }
            if let (text, _) = string(f, "failureQueue", path) { bot.failureQueue = text }
            if let (text, line) = string(f, "keysDuringUninterruptible", path) {
                if let policy = BotSettings.KeysDuringUninterruptible(rawValue: text) { bot.keysDuringUninterruptible = policy }
                else { problem("\(path).keysDuringUninterruptible", line, "must be \"discard\" or \"buffer\"") }
            }
            out.append(bot)
        }
        return out
    }

    /// Never puts the token in a message, only what is wrong with it.
    mutating func admin(_ value: LocatedJSON) -> AdminSettings {
        let f = members(value, "admin", known: ["token", "viewerToken"])
        var settings = AdminSettings()
        if let (token, line) = string(f, "token", "admin") {
            checkToken(token, "admin.token", line)
            settings.token = token
        }
        if let (token, line) = string(f, "viewerToken", "admin") {
            checkToken(token, "admin.viewerToken", line)
            if token == settings.token { problem("admin.viewerToken", line, "must differ from admin.token: it grants less") }
            if settings.token == nil { problem("admin.viewerToken", line, "needs admin.token: a viewer token alone would leave nobody able to change anything") }
            settings.viewerToken = token
        }
        return settings
    }

    /// A bearer token's rules; the message never quotes the token.
    private mutating func checkToken(_ token: String, _ path: String, _ line: Int) {
        let length = token.unicodeScalars.count
        if length < 16 { problem(path, line, "is \(length) characters long; it must have at least 16") }
        if !token.unicodeScalars.allSatisfy({ (0x21...0x7e).contains($0.value) }) {
            problem(path, line, "must be printable ASCII characters without spaces")
        }
    }

    mutating func sentiment(_ value: LocatedJSON) -> SentimentSettings {
        var s = SentimentSettings()
        let f = members(value, "sentiment", known: ["analyzer", "lexicon"])
        if let (text, line) = string(f, "analyzer", "sentiment") {
            if let kind = SentimentSettings.Analyzer(rawValue: text) { s.analyzer = kind }
            else { problem("sentiment.analyzer", line, "must be one of: \(SentimentSettings.Analyzer.allCases.map(\.rawValue).joined(separator: ", "))") }
        }
        if let (path, line) = string(f, "lexicon", "sentiment") {
            if path.isEmpty { problem("sentiment.lexicon", line, "must not be empty") } else { s.lexiconPath = path }
        }
        return s
    }

    mutating func speech(_ value: LocatedJSON) -> SpeechSettings {
        var s = SpeechSettings()
        let f = members(value, "speech", known: ["recognizer", "endOfUtteranceSeconds", "bargeInSeconds", "maxUtteranceSeconds"])
        if let (text, line) = string(f, "recognizer", "speech") {
            if let kind = SpeechSettings.Recognizer(rawValue: text) { s.recognizer = kind }
            else { problem("speech.recognizer", line, "must be one of: \(SpeechSettings.Recognizer.allCases.map(\.rawValue).joined(separator: ", "))") }
        }
        s.endOfUtteranceSeconds = double(f, "endOfUtteranceSeconds", "speech", 0.2...5, default: s.endOfUtteranceSeconds)
        s.bargeInSeconds = double(f, "bargeInSeconds", "speech", 0.06...2, default: s.bargeInSeconds)
        s.maxUtteranceSeconds = double(f, "maxUtteranceSeconds", "speech", 2...120, default: s.maxUtteranceSeconds)
        return s
    }

    mutating func log(_ value: LocatedJSON) -> LogSettings {
        var l = LogSettings()
        let f = members(value, "log", known: ["level", "sipLevel"])
        if let (text, line) = string(f, "level", "log") {
            if let level = LogLine.Level(rawValue: text.lowercased()) { l.level = level }
            else { problem("log.level", line, "must be one of: \(LogLine.Level.allCases.map(\.rawValue).joined(separator: ", "))") }
        }
        l.sipLevel = int(f, "sipLevel", "log", 0...4, default: l.sipLevel)
        return l
    }

    /// 10 rather than 10.0: numbers in messages read like the ones in the file.
    static func text(_ n: Double) -> String { n == n.rounded() && abs(n) < 1e15 ? String(Int(n)) : String(n) }

    /// Text a SIP header carries between quotes (digest usernames, passwords, realms): a quote, a
    /// backslash or a control character would end or break the quoted string.
    static func isQuotable(_ s: String) -> Bool {
        !s.unicodeScalars.contains { $0 == "\"" || $0 == "\\" || $0.properties.generalCategory == .control }
    }

    static func isDigit(_ c: Unicode.Scalar) -> Bool { ("0"..."9").contains(c) }
    static func isLetter(_ c: Unicode.Scalar) -> Bool { ("a"..."z").contains(c) || ("A"..."Z").contains(c) }

    /// A calling code without its '+': 1 to 3 digits, none starting with 0.
    static func isCountryCode(_ s: String) -> Bool {
        (1...3).contains(s.unicodeScalars.count) && s.unicodeScalars.allSatisfy(isDigit) && !s.hasPrefix("0")
    }

    /// `+`, then 2 to 15 digits, the first of them 1 to 9.
    static func isE164(_ s: String) -> Bool {
        guard s.hasPrefix("+") else { return false }
        let digits = s.unicodeScalars.dropFirst()
        return (2...15).contains(digits.count) && digits.allSatisfy(isDigit) && digits.first != "0"
    }

    /// Names the expected form, and when the number is only dressed up for reading (spaces,
    /// dashes, dots, parentheses) the same number as it must be written.
    static func notE164(_ s: String, orAny: Bool = true) -> String {
        var message = "'\(s)' is not an E.164 number: + then 2 to 15 digits, the first not 0, like +14155550100"
        if orAny { message += " (or \"*\" for any number)" }
        let bare = String(s.unicodeScalars.filter { !" \t-.()/".unicodeScalars.contains($0) })
        if bare != s && isE164(bare) { message += "; write it '\(bare)'" }
        return message
    }

    /// An RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens, up to 63
    /// characters each and 253 in all. A last label of digits only is a mistyped IPv4 address.
    static func isHostName(_ s: String) -> Bool {
        guard (1...253).contains(s.utf8.count) else { return false }
        let labels = s.split(separator: ".", omittingEmptySubsequences: false)
        for label in labels {
            guard (1...63).contains(label.utf8.count), label.first != "-", label.last != "-",
                  label.unicodeScalars.allSatisfy({ isLetter($0) || isDigit($0) || $0 == "-" }) else { return false }
        }
        return !labels.last!.unicodeScalars.allSatisfy(isDigit)
    }

    /// An RFC 3261 token, the form of a header name.
    static func isToken(_ s: String) -> Bool {
        !s.isEmpty && s.unicodeScalars.allSatisfy { isLetter($0) || isDigit($0) || "-.!%*_+`'~".unicodeScalars.contains($0) }
    }

    /// Headers whose values are credentials or challenges: copied into a variable, they would
    /// reach the bot, the store and the admin API.
    static let credentialHeaders: Set<String> = ["authorization", "proxy-authorization", "www-authenticate", "proxy-authenticate"]

    static let gatewayVariables: Set<String> = [ContextVariable.customerPhoneNumber, ContextVariable.organizationPhoneNumber,
                                                ContextVariable.sipCallId, ContextVariable.trunkName, ContextVariable.closeConversation]

    /// `[A-Za-z_][A-Za-z0-9_.]*`
    static func isVariableName(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, isLetter(first) || first == "_" else { return false }
        return s.unicodeScalars.allSatisfy { isLetter($0) || isDigit($0) || $0 == "_" || $0 == "." }
    }

    /// `[A-Za-z0-9_.-]+`
    static func isBotId(_ s: String) -> Bool {
        !s.isEmpty && s.unicodeScalars.allSatisfy { isLetter($0) || isDigit($0) || "_.-".unicodeScalars.contains($0) }
    }

    /// What is wrong with an external bot's endpoint, or nil. The URL is never quoted back: one
    /// with a password in it would put the password in the output.
    static func endpointProblem(_ s: String) -> String? {
        guard let url = URLComponents(string: s), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty else {
            return "must be an absolute http:// or https:// URL with a host, like https://bots.example.com/voice"
        }
        if url.percentEncodedUser != nil || url.percentEncodedPassword != nil {
            return "must not hold a user name or password: that would be a secret in plain sight (the bot's secret goes in secret)"
        }
        if let port = url.port, !(1...65_535).contains(port) { return "has port \(port), which is not from 1 to 65535" }
        return nil
    }

    static func closeEnough(_ a: String, _ b: String) -> Bool {
        let x = Array(a.lowercased()), y = Array(b.lowercased())
        if x == y { return true }
        var previous = Array(0...y.count)
        for i in 1...max(x.count, 1) where !x.isEmpty {
            var current = [i] + Array(repeating: 0, count: y.count)
            for j in 1..<(y.count + 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[y.count] <= 2
    }
}

extension ConfigurationParser {
    /// The rules between entries: numbers, bot ids, application ids, header names and variables
    /// are unique, and every number's bot exists (and, in `routingCrossCheck`, what agents,
    /// queues, routing rules and numbers name exists). They work on parsed values, so a configuration
    /// built in code (`GatewayConfiguration.demo`) can be held to them too. `lines` places the
    /// fields of a parsed file by path. Empty values are fields already reported, and are skipped.
    static func crossCheck(_ config: GatewayConfiguration, lines: [String: Int] = [:]) -> [ConfigurationProblem] {
        var out: [ConfigurationProblem] = []
        func report(_ path: String, _ message: String) { out.append(located(path, message, lines: lines)) }
        func unique(_ values: [String], key: (String) -> String = { $0 }, _ path: (Int) -> String, _ message: (Int, Int) -> String) {
            out += duplicates(values, key: key, path, message, lines: lines)
        }

        let numbers = config.phoneNumbers, bots = config.bots, headers = config.sipHeaders
        unique(numbers.map(\.number), { "phoneNumbers[\($0)].number" }) { i, first in
            numbers[i].isCatchAll ? "a second \"*\": only one entry may take every other number"
                                  : "'\(numbers[i].number)' is listed already, at phoneNumbers[\(first)]"
        }
        unique(bots.map(\.id), { "bots[\($0)].id" }) { i, _ in "another bot already has the id '\(bots[i].id)'" }
        func name(_ i: Int) -> String { bots[i].id.isEmpty ? "bots[\(i)]" : "'\(bots[i].id)'" }
        // Ignoring case: application ids are usually GUIDs, which are the same in either case.
        unique(bots.map(\.applicationId), key: { $0.lowercased() }, { "bots[\($0)].applicationId" }) { i, first in
            "bot \(name(i)) has the same applicationId as bot \(name(first))"
        }
        unique(headers.map(\.header), key: { $0.lowercased() }, { "sipHeaders[\($0)].header" }) { i, first in
            "'\(headers[i].header)' is mapped already, at sipHeaders[\(first)] (header names ignore case)"
        }
        unique(headers.map(\.variable), { "sipHeaders[\($0)].variable" }) { i, first in
            "'\(headers[i].variable)' is the variable of sipHeaders[\(first)] already"
        }

        let ids = Set(bots.map(\.id))
        let wanted = numbers.map(\.bot).filter { !$0.isEmpty }
        if bots.isEmpty && !wanted.isEmpty {
            var names: [String] = []
            for bot in wanted where !names.contains(bot) { names.append(bot) }
            report("bots", "no bot is configured, yet phone numbers name \(names.map { "'\($0)'" }.joined(separator: ", "))")
        } else {
            for (i, number) in numbers.enumerated() where !number.bot.isEmpty && !ids.contains(number.bot) {
                report("phoneNumbers[\(i)].bot", "no bot has the id '\(number.bot)'; bots: \(bots.map(\.id).joined(separator: ", "))")
            }
        }
        return out + routingCrossCheck(config, lines: lines)
    }

    /// A problem at `path`, on the line `lines` has for it. A defaulted field has no line of its
    /// own: it takes its object's.
    static func located(_ path: String, _ message: String, lines: [String: Int]) -> ConfigurationProblem {
        var place = Substring(path)
        while lines[String(place)] == nil, let cut = place.lastIndex(where: { $0 == "." || $0 == "[" }) { place = place[..<cut] }
        return ConfigurationProblem(path: path, line: lines[String(place)], message: message)
    }

    /// Each value met before (under `key`), at `path(i)` with `message(i, first)`. Empty values
    /// are skipped.
    static func duplicates(_ values: [String], key: (String) -> String = { $0 }, _ path: (Int) -> String,
                           _ message: (Int, Int) -> String, lines: [String: Int]) -> [ConfigurationProblem] {
        var out: [ConfigurationProblem] = []
        var seen: [String: Int] = [:]
        for (i, value) in values.enumerated() where !value.isEmpty {
            if let first = seen[key(value)] { out.append(located(path(i), message(i, first), lines: lines)) } else { seen[key(value)] = i }
        }
        return out
    }
}

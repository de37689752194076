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
        var reader = Reader()
        let config = reader.configuration(root)
        return reader.problems.isEmpty ? .success(config) : .failure(ConfigurationError(problems: reader.problems))
    }
}

private struct Reader {
    var problems: [ConfigurationProblem] = []

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
                let hint = known.first { Reader.closeEnough($0, member.key) }.map { " (did you mean '\($0)'?)" } ?? ""
                problem(memberPath, member.keyLine, "unknown field\(hint); known fields here: \(known.joined(separator: ", "))")
            } else if out[member.key] != nil {
                problem(memberPath, member.keyLine, "given twice")
            } else {
                out[member.key] = member.value
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

    mutating func string(_ fields: [String: LocatedJSON], _ key: String, _ path: String) -> (String, Int)? {
        guard let value = fields[key] else { return nil }
        guard case .string(let s, let line) = value else {
            problem("\(path).\(key)", value.line, "must be a string, not \(value.kindName)")
            return nil
        }
        return (s, line)
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
        return items
    }

    mutating func configuration(_ root: LocatedJSON) -> GatewayConfiguration {
        var config = GatewayConfiguration()
        let top = members(root, "", known: ["sip", "http", "calls", "shutdown", "trunks", "greeting", "log"])
        if let v = top["sip"] { config.sip = sip(v) }
        if let v = top["http"] { config.http = http(v) }
        if let v = top["calls"] { config.calls = calls(v) }
        if let v = top["shutdown"] {
            let f = members(v, "shutdown", known: ["drainSeconds"])
            config.shutdown.drainSeconds = int(f, "drainSeconds", "shutdown", 0...86_400, default: config.shutdown.drainSeconds)
        }
        if let v = top["trunks"] { config.trunks = trunks(v) }
        else { problem("trunks", root.line, "is missing: without a trunk no call can come in") }
        if let v = top["greeting"] {
            let f = members(v, "greeting", known: ["wav"])
            if let (path, line) = string(f, "wav", "greeting") {
                if path.isEmpty { problem("greeting.wav", line, "must not be empty") }
                config.greeting.wavPath = path
            }
        }
        if let v = top["log"] { config.log = log(v) }
        return config
    }

    mutating func sip(_ value: LocatedJSON) -> SIPSettings {
        var s = SIPSettings()
        let f = members(value, "sip", known: ["listen", "advertise", "port", "transports", "rtpPortStart", "rtpPortCount"])
        s.listen = address(f, "listen", "sip", default: s.listen)
        if f["advertise"] != nil { s.advertise = address(f, "advertise", "sip", default: "") }
        if s.advertise == "" { s.advertise = nil }
        s.port = int(f, "port", "sip", 0...65_535, default: s.port)
        if let v = f["transports"] {
            var kinds: [SIPTransportKind] = []
            for (i, item) in list(v, "sip.transports").enumerated() {
                guard case .string(let name, let line) = item, let kind = SIPTransportKind(rawValue: name.lowercased()) else {
                    problem("sip.transports[\(i)]", item.line, "must be one of: \(SIPTransportKind.allCases.map(\.rawValue).joined(separator: ", "))")
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
        if s.port != 0 && (s.rtpPortStart...(s.rtpPortStart + s.rtpPortCount)).contains(s.port) {
            problem("sip.port", f["port"]?.line, "\(s.port) lies inside the RTP port range")
        }
        return s
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
        let f = members(value, "calls", known: ["maxConcurrent", "maxDurationSeconds", "retryAfterSeconds"])
        if f["maxConcurrent"] != nil { c.maxConcurrent = int(f, "maxConcurrent", "calls", 1...1_000_000, default: 1) }
        c.maxDurationSeconds = int(f, "maxDurationSeconds", "calls", 0...604_800, default: c.maxDurationSeconds)
        c.retryAfterSeconds = int(f, "retryAfterSeconds", "calls", 1...86_400, default: c.retryAfterSeconds)
        return c
    }

    mutating func trunks(_ value: LocatedJSON) -> [Trunk] {
        var out: [Trunk] = []
        let items = list(value, "trunks")
        if case .array = value, items.isEmpty { problem("trunks", value.line, "must list at least one trunk") }
        for (i, item) in items.enumerated() {
            let path = "trunks[\(i)]"
            let f = members(item, path, known: ["name", "sources"])
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
            out.append(Trunk(name: name, sources: sources))
        }
        return out
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

/// Where `voicegate call` sends its INVITE: a number or a SIP URI, the gateway's address, the
/// transport, and who the call is from.
public struct DialTarget: Sendable, Equatable {
    public enum Transport: String, Sendable, CaseIterable {
        case udp, tcp, tls
    }

    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    public var requestURI: String
    public var fromURI: String
    public var transport: Transport
    public var gatewayHost: String
    public var gatewayPort: Int

    /// - Parameters:
    ///   - target: a dialable number ("1000", "+14155550100") or a `sip:`/`sips:` URI.
    ///   - gateway: "HOST", "HOST:PORT" or "[IPv6]:PORT"; the port defaults to 5060 (5061 for TLS).
    ///   - from: a number or a SIP URI; a number becomes `sip:NUMBER@<local host>`.
    public init(target: String, gateway: String = "127.0.0.1:5060", transport: Transport = .udp,
                from: String? = nil, localHost: String = "127.0.0.1") throws(Problem) {
        self.transport = transport
        let defaultPort = transport == .tls ? 5061 : 5060
        (gatewayHost, gatewayPort) = try DialTarget.hostPort(gateway, defaultPort: defaultPort)
        let hostPart = gatewayHost.contains(":") ? "[\(gatewayHost)]" : gatewayHost
        let param = transport == .udp ? "" : ";transport=\(transport.rawValue)"
        let t = target.trimmingCharacters(in: " \t")
        if t.lowercased().hasPrefix("sip:") || t.lowercased().hasPrefix("sips:") {
            guard t.contains("@") || t.split(separator: ":").count >= 2, !t.contains(" "), !t.contains("<"), !t.contains(">") else {
                throw Problem(description: "'\(target)' is not a SIP URI")
            }
            requestURI = t
        } else {
            guard DialTarget.isNumber(t) else {
                throw Problem(description: "the target must be a number (digits, optionally a leading +, * and #) or a sip: URI, not '\(target)'")
            }
            requestURI = "sip:\(DialTarget.escapeUser(t))@\(hostPart):\(gatewayPort)\(param)"
        }
        let caller = (from ?? "voicegate-softphone").trimmingCharacters(in: " \t")
        let localPart = localHost.contains(":") ? "[\(localHost)]" : localHost
        if caller.lowercased().hasPrefix("sip:") || caller.lowercased().hasPrefix("sips:") {
            guard !caller.contains(" "), !caller.contains("<"), !caller.contains(">") else {
                throw Problem(description: "--from '\(caller)' is not a SIP URI")
            }
            fromURI = caller
        } else if DialTarget.isNumber(caller) || caller == "voicegate-softphone" {
            fromURI = "sip:\(DialTarget.escapeUser(caller))@\(localPart)"
        } else {
            throw Problem(description: "--from must be a number or a sip: URI, not '\(caller)'")
        }
    }

    /// Digits with an optional leading +, and the keypad's * and #.
    static func isNumber(_ s: String) -> Bool {
        guard !s.isEmpty, s.count <= 32 else { return false }
        let body = s.hasPrefix("+") ? s.dropFirst() : Substring(s)
        return !body.isEmpty && body.allSatisfy { $0.isASCII && ($0.isNumber || $0 == "*" || $0 == "#") }
    }

    /// '#' is not allowed unescaped in a SIP URI's user part (RFC 3261 25.1).
    static func escapeUser(_ s: String) -> String { s.replacingOccurrences(of: "#", with: "%23") }

    static func hostPort(_ text: String, defaultPort: Int) throws(Problem) -> (String, Int) {
        let t = text.trimmingCharacters(in: " \t")
        var host = t
        var portText: String?
        if t.hasPrefix("[") {
            guard let close = t.firstIndex(of: "]") else { throw Problem(description: "--gateway '\(text)': missing ']'") }
            host = String(t[t.index(after: t.startIndex)..<close])
            let after = t[t.index(after: close)...]
            if after.hasPrefix(":") { portText = String(after.dropFirst()) }
            else if !after.isEmpty { throw Problem(description: "--gateway '\(text)' is not HOST[:PORT]") }
        } else if t.filter({ $0 == ":" }).count == 1, let colon = t.firstIndex(of: ":") {
            host = String(t[..<colon])
            portText = String(t[t.index(after: colon)...])
        }
        guard !host.isEmpty, !host.contains(" "), !host.contains("@") else { throw Problem(description: "--gateway '\(text)' is not HOST[:PORT]") }
        guard let p = portText else { return (host, defaultPort) }
        guard let port = Int(p), (1...65_535).contains(port) else { throw Problem(description: "--gateway '\(text)': the port must be 1 to 65535") }
        return (host, port)
    }

    /// Whether `s` can stand as the user part of a SIP URI as it is (RFC 3261 25.1's unreserved
    /// and user-unreserved characters, without ';', '?' and '/', which read as URI structure).
    public static func isUserPart(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 64 && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.!~*'()&=+$,".contains($0)) }
    }

    /// Where `voicegate call --register` registers: a `sip:`/`sips:` URI as given, or HOST[:PORT]
    /// as `sip:HOST:PORT`; over TCP or TLS with the transport parameter, unless the URI has one.
    public static func registrarURI(_ text: String, transport: Transport = .udp) throws(Problem) -> String {
        let t = text.trimmingCharacters(in: " \t")
        let lower = t.lowercased()
        var uri: String
        if lower.hasPrefix("sip:") || lower.hasPrefix("sips:") {
            let rest = t[t.index(after: t.firstIndex(of: ":")!)...]
            guard !rest.isEmpty, !t.contains(where: { $0 == " " || $0 == "<" || $0 == ">" || $0 == "\"" }) else {
                throw Problem(description: "--register '\(text)' is not a SIP URI")
            }
            uri = t
        } else {
            let (host, port): (String, Int)
            do { (host, port) = try hostPort(t, defaultPort: transport == .tls ? 5061 : 5060) } catch {
                throw Problem(description: "--register '\(text)' is neither a sip: URI nor HOST[:PORT]")
            }
            uri = "sip:\(host.contains(":") ? "[\(host)]" : host):\(port)"
        }
        if transport != .udp && !lower.contains(";transport=") { uri += ";transport=\(transport.rawValue)" }
        return uri
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}

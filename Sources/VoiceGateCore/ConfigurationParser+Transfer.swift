/// The transfer parts of a configuration file: the `outboundPolicy` section and a trunk's
/// `transfer` object.
extension ConfigurationReader {
    mutating func outboundPolicy(_ value: LocatedJSON) -> OutboundPolicy {
        let path = "outboundPolicy"
        var policy = OutboundPolicy()
        let f = members(value, path, known: ["allowedPrefixes", "blockedPrefixes", "emergencyNumbers",
                                             "maxConcurrentTransfersPerNumber", "maxTransfersPerHourPerNumber"])
        if let v = f["allowedPrefixes"] {
            let itemsPath = "\(path).allowedPrefixes"
            let items = list(v, itemsPath)
            // An empty list would refuse every transfer: the make-calls privilege says that more plainly.
            if case .array = v, items.isEmpty {
                problem(itemsPath, v.line, "must list at least one prefix (leave it out for the organization number's own country; makeCalls false refuses all transfers)")
            }
            var prefixes: [String] = []
            for (i, item) in items.enumerated() {
                guard let (text, line) = prefixItem(item, "\(itemsPath)[\(i)]") else { continue }
                if prefixes.contains(text) { problem("\(itemsPath)[\(i)]", line, "'\(text)' is listed twice") } else { prefixes.append(text) }
            }
            policy.allowedPrefixes = prefixes
        }
        if let v = f["blockedPrefixes"] { policy.blockedPrefixes = blockedPrefixes(v, "\(path).blockedPrefixes") }
        if let v = f["emergencyNumbers"] {
            let itemsPath = "\(path).emergencyNumbers"
            let items = list(v, itemsPath)
            if case .array = v, items.isEmpty { problem(itemsPath, v.line, "must list at least one number (leave it out for the default list)") }
            var numbers: [String] = []
            for (i, item) in items.enumerated() {
                let itemPath = "\(itemsPath)[\(i)]"
                guard case .string(let text, let line) = item else {
                    problem(itemPath, item.line, "must be a string of digits like \"911\", not \(item.kindName)")
                    continue
                }
                guard (1...15).contains(text.unicodeScalars.count), text.unicodeScalars.allSatisfy(ConfigurationReader.isDigit) else {
                    problem(itemPath, line, "'\(text)' must be 1 to 15 digits, as dialed (like \"911\" or \"112\")")
                    continue
                }
                if numbers.contains(text) { problem(itemPath, line, "'\(text)' is listed twice") } else { numbers.append(text) }
            }
            policy.emergencyNumbers = numbers
        }
        policy.maxConcurrentTransfersPerNumber = int(f, "maxConcurrentTransfersPerNumber", path, 1...10_000,
                                                     default: policy.maxConcurrentTransfersPerNumber)
        policy.maxTransfersPerHourPerNumber = int(f, "maxTransfersPerHourPerNumber", path, 1...1_000_000,
                                                  default: policy.maxTransfersPerHourPerNumber)
        return policy
    }

    /// Replaces the default list: an operator who writes one means exactly that list.
    mutating func blockedPrefixes(_ value: LocatedJSON, _ path: String) -> [OutboundPolicy.Prefix] {
        var out: [OutboundPolicy.Prefix] = []
        for (i, item) in list(value, path).enumerated() {
            let itemPath = "\(path)[\(i)]"
            var entry: (prefix: String, line: Int, label: String)?
            if case .object = item {
                let f = members(item, itemPath, known: ["prefix", "label"])
                if let v = f["prefix"], let (text, line) = prefixItem(v, "\(itemPath).prefix") {
                    entry = (text, line, OutboundPolicy.Prefix.configuredLabel)
                } else if f["prefix"] == nil {
                    problem("\(itemPath).prefix", item.line, "is missing: the blocked prefix, like \"+1900\"")
                }
                if let (label, line) = string(f, "label", itemPath) {
                    // Labels go into the details bots, audit rows and logs get.
                    if label.trimmingCharacters(in: .whitespaces).isEmpty || label.unicodeScalars.count > 64
                        || label.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                        problem("\(itemPath).label", line, "must be 1 to 64 characters without control characters, like \"premium rate\"")
                    } else {
                        entry?.label = label
                    }
                }
            } else if let (text, line) = prefixItem(item, itemPath, orObject: true) {
                entry = (text, line, OutboundPolicy.Prefix.configuredLabel)
            }
            guard let entry else { continue }
            if out.contains(where: { $0.prefix == entry.prefix }) { problem(itemPath, entry.line, "'\(entry.prefix)' is listed twice"); continue }
            out.append(OutboundPolicy.Prefix(entry.prefix, entry.label))
        }
        return out
    }

    /// A "+digits" prefix, or nil with the problem reported.
    mutating func prefixItem(_ item: LocatedJSON, _ path: String, orObject: Bool = false) -> (String, Int)? {
        guard case .string(let text, let line) = item else {
            let also = orObject ? " or an object with prefix and label" : ""
            problem(path, item.line, "must be a string like \"+44\"\(also), not \(item.kindName)")
            return nil
        }
        let digits = text.unicodeScalars.dropFirst()
        guard text.hasPrefix("+"), (1...15).contains(digits.count), digits.allSatisfy(ConfigurationReader.isDigit), digits.first != "0" else {
            problem(path, line, "'\(text)' is not a number prefix: + then 1 to 15 digits, the first not 0, like \"+44\" or \"+1900\"")
            return nil
        }
        return (text, line)
    }

    /// `hasOutbound`: whether the trunk has an outbound route, which bridging and sip: Refer-To
    /// URIs need. Only settings written out are held to it: a trunk without a `transfer` object
    /// and without a route is one calls are simply not transferred from.
    mutating func trunkTransfer(_ value: LocatedJSON, _ path: String, hasOutbound: Bool) -> TrunkTransferSettings {
        var t = TrunkTransferSettings()
        let f = members(value, path, known: ["method", "referTarget", "fallbackToBridge", "acceptRefer", "timeoutSeconds"])
        let trunkPath = String(path.dropLast(".transfer".count))
        let needsRoute = "needs \(trunkPath).outbound, the route calls to the trunk take"
        if let (text, line) = string(f, "method", path) {
            if let method = TrunkTransferSettings.Method(rawValue: text) {
                t.method = method
                if method == .bridge && !hasOutbound { problem("\(path).method", line, "\"bridge\" places the call through the trunk: it \(needsRoute)") }
            } else {
                problem("\(path).method", line, "must be \"refer\" or \"bridge\"")
            }
        }
        if let (text, line) = string(f, "referTarget", path) {
            if let target = TrunkTransferSettings.ReferTarget(rawValue: text) {
                t.referTarget = target
                if t.method == .bridge {
                    problem("\(path).referTarget", line, "only a REFER has a Refer-To, and method is \"bridge\"")
                } else if target == .sip && !hasOutbound {
                    problem("\(path).referTarget", line, "\"sip\" names the trunk's outbound host: it \(needsRoute) (or use \"tel\")")
                }
            } else {
                problem("\(path).referTarget", line, "must be \"sip\" or \"tel\"")
            }
        }
        t.fallbackToBridge = bool(f, "fallbackToBridge", path, default: t.fallbackToBridge)
        if let v = f["fallbackToBridge"], case .bool(true, _) = v {
            if t.method == .bridge { problem("\(path).fallbackToBridge", v.line, "method is \"bridge\" already: there is no REFER to fall back from") }
            else if !hasOutbound { problem("\(path).fallbackToBridge", v.line, "bridging places the call through the trunk: it \(needsRoute)") }
        }
        t.acceptRefer = bool(f, "acceptRefer", path, default: t.acceptRefer)
        t.timeoutSeconds = double(f, "timeoutSeconds", path, 1...600, default: t.timeoutSeconds)
        return t
    }
}

extension OutboundPolicy.Prefix {
    /// The label of a blocked prefix configured without one.
    public static let configuredLabel = "configured"
}

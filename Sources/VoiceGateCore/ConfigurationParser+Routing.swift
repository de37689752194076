import Foundation

/// The routing parts of a configuration file: `agents`, `queues`, `routing` and the conditions of
/// routing rules. What they name elsewhere (queues, bots) is checked on the parsed values, by
/// `ConfigurationParser.routingCrossCheck`. Every list item is kept, usable or not, so paths in
/// the cross-checks are the file's; an unusable name is kept as "", which they skip as reported.
extension ConfigurationReader {
    mutating func agents(_ value: LocatedJSON) -> [AgentSettings] {
        var out: [AgentSettings] = []
        for (i, item) in list(value, "agents").enumerated() {
            let path = "agents[\(i)]"
            let f = members(item, path, known: ["id", "name", "username", "password", "algorithms", "contact", "capacity",
                                                "queues", "wrapUpSeconds"])
            var agent = AgentSettings(id: "")
            // Kept as written even when invalid, like a bot's id: the one problem is reported once.
            if let (id, line) = required(f, "id", path, in: item, why: ": the admin API and the supervisor know the agent by it") {
                if !ConfigurationReader.isBotId(id) { problem("\(path).id", line, "'\(id)' must be letters, digits, _, . and - only") }
                agent.id = id
            }
            agent.name = agent.id
            if let (name, line) = string(f, "name", path) {
                if name.trimmingCharacters(in: .whitespaces).isEmpty || name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                    problem("\(path).name", line, "must say something, without control characters (leave it out to show the id)")
                } else {
                    agent.name = name
                }
            }
            agent.credentials = agentCredentials(f, path, in: item)
            if let (contact, line) = string(f, "contact", path) {
                if let trouble = ConfigurationReader.contactProblem(contact) { problem("\(path).contact", line, trouble) } else { agent.contact = contact }
            }
            if case .object = item, f["username"] == nil, f["password"] == nil, f["contact"] == nil {
                problem(path, item.line, "needs username and password (the agent's phone registers with them) or contact (a SIP URI to call the agent at), or both")
            }
            agent.capacity = int(f, "capacity", path, 1...1_000, default: agent.capacity)
            if let v = f["queues"] { agent.queues = names(v, "\(path).queues", of: "a queue") }
            agent.wrapUpSeconds = double(f, "wrapUpSeconds", path, 0...3_600, default: agent.wrapUpSeconds)
            out.append(agent)
        }
        return out
    }

    /// An agent's `username`, `password` and `algorithms`, as a trunk's credentials are read; nil
    /// unless both are given and usable. Never quotes them.
    mutating func agentCredentials(_ f: [String: LocatedJSON], _ path: String, in item: LocatedJSON) -> DigestCredentials? {
        var texts: [String] = []
        for key in ["username", "password"] {
            guard let (text, line) = string(f, key, path) else { continue }
            if text.isEmpty { problem("\(path).\(key)", line, "must not be empty"); continue }
            digestText(text, line, "\(path).\(key)")
            texts.append(text)
        }
        for (key, other) in [("username", "password"), ("password", "username")] where f[key] != nil && f[other] == nil {
            problem("\(path).\(other)", item.line, "is missing: \(key) and \(other) go together (the agent's phone registers with both)")
        }
        var algorithms = DigestAlgorithm.allCases
        if let v = f["algorithms"] {
            algorithms = digestAlgorithms(v, "\(path).algorithms")
            if f["username"] == nil && f["password"] == nil {
                problem("\(path).algorithms", v.line, "only an agent with username and password has algorithms")
            }
        }
        guard texts.count == 2, ConfigurationReader.isQuotable(texts[0]), ConfigurationReader.isQuotable(texts[1]) else { return nil }
        return DigestCredentials(username: texts[0], password: texts[1], algorithms: algorithms)
    }

    /// A list of names (queues an agent serves): strings, not empty, none twice. Unusable ones
    /// are kept as "".
    mutating func names(_ value: LocatedJSON, _ path: String, of what: String) -> [String] {
        var out: [String] = []
        for (i, item) in list(value, path).enumerated() {
            let itemPath = "\(path)[\(i)]"
            out.append("")
            guard case .string(let name, let line) = item else {
                problem(itemPath, item.line, "must be \(what)'s name, a string, not \(item.kindName)")
                continue
            }
            if name.isEmpty { problem(itemPath, line, "must not be empty") }
            else if out.contains(name) { problem(itemPath, line, "'\(name)' is listed twice") }
            else { out[i] = name }
        }
        return out
    }

    mutating func queues(_ value: LocatedJSON) -> [QueueSettings] {
        var out: [QueueSettings] = []
        for (i, item) in list(value, "queues").enumerated() {
            let path = "queues[\(i)]"
            let f = members(item, path, known: ["name", "assignment", "bots", "ringTimeoutSeconds", "maxWaitSeconds", "maxLength",
                                                "overflow", "hold", "announceEverySeconds", "missedOffersBeforeAway", "unitsPerCall"])
            var queue = QueueSettings(name: "")
            // Kept as written even when invalid: what names it then finds it.
            if let (name, line) = required(f, "name", path, in: item, why: ": phone numbers, rules and agents name the queue by it") {
                if !ConfigurationReader.isBotId(name) { problem("\(path).name", line, "'\(name)' must be letters, digits, -, _ and . only") }
                queue.name = name
            }
            if let (text, line) = string(f, "assignment", path) {
                if let method = AssignmentMethod(rawValue: text) { queue.assignment = method }
                else { problem("\(path).assignment", line, "must be one of: \(AssignmentMethod.allCases.map(\.rawValue).joined(separator: ", "))") }
            }
            if let v = f["bots"] { queue.bots = queueBots(v, "\(path).bots") }
            queue.ringTimeoutSeconds = double(f, "ringTimeoutSeconds", path, 1...300, default: queue.ringTimeoutSeconds)
            if f["maxWaitSeconds"] != nil { queue.maxWaitSeconds = double(f, "maxWaitSeconds", path, 1...86_400, default: 86_400) }
            if f["maxLength"] != nil { queue.maxLength = int(f, "maxLength", path, 1...100_000, default: 100_000) }
            if let v = f["overflow"] { queue.overflow = overflow(v, "\(path).overflow", queue: queue.name) }
            if let v = f["hold"], let hold = hold(v, "\(path).hold") { queue.hold = hold }
            if let v = f["announceEverySeconds"] {
                let fieldPath = "\(path).announceEverySeconds"
                switch v {
                case .null: queue.announceEverySeconds = nil
                case .number(let n, _) where n == 0: queue.announceEverySeconds = nil
                case .number(let n, _) where (5...3_600).contains(n): queue.announceEverySeconds = n
                case .number(let n, let line): problem(fieldPath, line, "must be from 5 to 3600, or 0 or null for never, not \(ConfigurationReader.text(n))")
                default: problem(fieldPath, v.line, "must be a number of seconds, or null for never, not \(v.kindName)")
                }
            }
            queue.missedOffersBeforeAway = int(f, "missedOffersBeforeAway", path, 1...100, default: queue.missedOffersBeforeAway)
            queue.unitsPerCall = int(f, "unitsPerCall", path, 1...1_000, default: queue.unitsPerCall)
            out.append(queue)
        }
        return out
    }

    mutating func queueBots(_ value: LocatedJSON, _ path: String) -> [QueueBotMember] {
        var out: [QueueBotMember] = []
        for (i, item) in list(value, path).enumerated() {
            let itemPath = "\(path)[\(i)]"
            let f = members(item, itemPath, known: ["bot", "capacity"])
            var member = QueueBotMember(bot: "", capacity: 1)
            if let (bot, line) = required(f, "bot", itemPath, in: item, why: ": the id of a bot that takes conversations from the queue") {
                if out.contains(where: { $0.bot == bot }) { problem("\(itemPath).bot", line, "'\(bot)' is in this queue already") } else { member.bot = bot }
            }
            if f["capacity"] != nil { member.capacity = int(f, "capacity", itemPath, 1...100_000, default: 1) }
            else if case .object = item { problem("\(itemPath).capacity", item.line, "is missing: the bot's capacity, like an agent's, 1 to 100000") }
            out.append(member)
        }
        return out
    }

    /// Which one of `keys` an object holds, or nil with the problem reported: none (unless only
    /// unknown fields, reported already), or several.
    mutating func oneOf(_ f: [String: LocatedJSON], _ keys: [String], _ value: LocatedJSON, _ path: String, meaning: String) -> String? {
        let given = keys.filter { f[$0] != nil }
        if given.count > 1 {
            problem(path, value.line, "has \(given.joined(separator: " and ")): it takes one of \(keys.joined(separator: ", "))")
            return nil
        }
        if given.isEmpty, case .object(let list, _) = value, list.isEmpty {
            problem(path, value.line, "must have one of: \(meaning)")
        }
        return given.first
    }

    /// `queue`: the name of the queue it belongs to, which it may not overflow into.
    mutating func overflow(_ value: LocatedJSON, _ path: String, queue: String) -> OverflowAction? {
        let keys = ["queue", "transfer", "bot", "message"]
        let f = members(value, path, known: keys)
        guard let key = oneOf(f, keys, value, path, meaning: "queue (another queue), transfer (an E.164 number), bot (a bot's id), message (spoken, then the call ends)"),
              let (text, line) = required(f, key, path, in: value) else { return nil }
        switch key {
        case "queue":
            if text == queue { problem("\(path).queue", line, "'\(text)' is this queue itself: overflow goes somewhere else"); return nil }
            return .queue(text)
        case "transfer":
            if !ConfigurationReader.isE164(text) { problem("\(path).transfer", line, ConfigurationReader.notE164(text, orAny: false)); return nil }
            return .transfer(text)
        case "bot":
            return .bot(text)
        default:
            if text.trimmingCharacters(in: .whitespaces).isEmpty { problem("\(path).message", line, "must say something"); return nil }
            return .message(text)
        }
    }

    /// The file is not read here (the core does no I/O): `voicegate check-config` and start-up do.
    mutating func hold(_ value: LocatedJSON, _ path: String) -> HoldAudio? {
        let keys = ["wav", "text"]
        let f = members(value, path, known: keys)
        guard let key = oneOf(f, keys, value, path, meaning: "wav (a WAV file, looped) or text (synthesized, looped)"),
              let (text, line) = required(f, key, path, in: value) else { return nil }
        if key == "wav" { return .wav(path: text) }
        if text.trimmingCharacters(in: .whitespaces).isEmpty { problem("\(path).text", line, "must say something"); return nil }
        return .text(text)
    }

    mutating func routing(_ value: LocatedJSON, into r: inout RoutingSettings) {
        let path = "routing"
        let f = members(value, path, known: ["rules", "defaultQueue", "agentToBotCode", "agentToBotTarget", "conversationLinkBase"])
        if let v = f["rules"] {
            for (i, item) in list(v, "\(path).rules").enumerated() {
                let itemPath = "\(path).rules[\(i)]"
                let rf = members(item, itemPath, known: ["name", "when", "queue"])
                let name = required(rf, "name", itemPath, in: item, why: ": logs say which rule routed a conversation")?.0 ?? ""
                var condition: Condition?
                if let w = rf["when"] { condition = self.condition(w, "\(itemPath).when") }
                else if case .object = item {
                    problem("\(itemPath).when", item.line, #"is missing: the condition on context variables, like {"variable": "Language", "op": "equals", "value": "es"}"#)
                }
                let queue = required(rf, "queue", itemPath, in: item, why: ": the queue the rule sends conversations to")?.0 ?? ""
                // A condition that could not be read is reported: the placeholder never runs.
                r.rules.append(RoutingRule(name: name, condition: condition ?? .all([]), queue: queue))
            }
        }
        // Given but unusable: "" (reported), so numbers relying on it are not reported again.
        if f["defaultQueue"] != nil { r.defaultQueue = required(f, "defaultQueue", path, in: value)?.0 ?? "" }
        if let (code, line) = string(f, "agentToBotCode", path) {
            if (1...8).contains(code.unicodeScalars.count), code.unicodeScalars.allSatisfy({ ConfigurationReader.isDigit($0) || $0 == "*" || $0 == "#" }) {
                r.agentToBotCode = code
            } else {
                problem("\(path).agentToBotCode", line, "must be 1 to 8 of the keys 0-9, * and #, like \"*9\", not '\(code)'")
            }
        }
        if f["agentToBotTarget"] != nil { r.agentToBotTarget = required(f, "agentToBotTarget", path, in: value)?.0 ?? "" }
        if let (link, line) = string(f, "conversationLinkBase", path) {
            if let trouble = ConfigurationReader.linkBaseProblem(link) { problem("\(path).conversationLinkBase", line, trouble) }
            else { r.conversationLinkBase = link }
        }
    }

    static let conditionForms = #"{"variable": "Language", "op": "equals", "value": "es"}, or {"and": [...]}, {"or": [...]}, {"not": {...}}"#

    /// A condition on context variables, or nil with every problem reported (not-nil does not
    /// mean no problem: an unknown field beside a usable condition is reported and read past).
    mutating func condition(_ value: LocatedJSON, _ path: String) -> Condition? {
        guard case .object(let entries, _) = value else {
            problem(path, value.line, "must be a condition, an object like \(ConfigurationReader.conditionForms); not \(value.kindName)")
            return nil
        }
        if entries.isEmpty {
            problem(path, value.line, "is empty: a condition is \(ConfigurationReader.conditionForms)")
            return nil
        }
        let combinators = ["and", "or", "not"].filter { key in entries.contains { $0.key == key } }
        if combinators.count > 1 {
            problem(path, value.line, "has \(combinators.map { "\"\($0)\"" }.joined(separator: " and ")): a condition is one of and, or, not, or a comparison; nest them to combine")
            return nil
        }
        if let key = combinators.first {
            let f = members(value, path, known: [key])
            guard let inner = f[key] else { return nil }
            let innerPath = "\(path).\(key)"
            if key == "not" { return condition(inner, innerPath).map { .not($0) } }
            let items = list(inner, innerPath)
            guard case .array = inner else { return nil }
            if items.isEmpty {
                problem(innerPath, inner.line, "must list at least one condition")
                return nil
            }
            let parts = items.enumerated().map { condition($1, "\(innerPath)[\($0)]") }
            guard parts.allSatisfy({ $0 != nil }) else { return nil }
            return key == "and" ? .all(parts.compactMap { $0 }) : .any(parts.compactMap { $0 })
        }
        return comparison(value, path)
    }

    mutating func comparison(_ value: LocatedJSON, _ path: String) -> Condition? {
        let f = members(value, path, known: ["variable", "op", "value"])
        let ops = Condition.Operator.allCases.map(\.rawValue).joined(separator: ", ")
        var variable: String?
        if let (name, line) = required(f, "variable", path, in: value, why: ": the context variable to test, like \"Language\"") {
            if ConfigurationReader.isVariableName(name) { variable = name }
            else { problem("\(path).variable", line, "'\(name)' is not a variable name (a letter or _, then letters, digits, _ and .)") }
        }
        var op: Condition.Operator?
        if let (text, line) = required(f, "op", path, in: value, why: ": one of \(ops)") {
            op = Condition.Operator(rawValue: text)
            if op == nil { problem("\(path).op", line, "must be one of: \(ops)") }
        }
        guard let op else { return nil }
        let valuePath = "\(path).value"
        switch op {
        case .isEmpty, .isNotEmpty:
            if let v = f["value"] { problem(valuePath, v.line, "\(op.rawValue) compares with nothing: leave value out"); return nil }
            return variable.map { .compare(variable: $0, op: op, value: nil) }
        case .in:
            guard let v = f["value"] else {
                problem(valuePath, value.line, #"is missing: "in" takes a list of strings, like ["es", "pt"]"#)
                return nil
            }
            guard case .array = v else {
                problem(valuePath, v.line, #""in" takes a list of strings, like ["es", "pt"], not "# + v.kindName)
                return nil
            }
            let items = list(v, valuePath)
            if items.isEmpty { problem(valuePath, v.line, "must list at least one string (an empty list matches nothing)"); return nil }
            var values: [String] = []
            var usable = true
            for (i, item) in items.enumerated() {
                guard case .string(let text, let line) = item else {
                    problem("\(valuePath)[\(i)]", item.line, "must be a string, not \(item.kindName)")
                    usable = false
                    continue
                }
                let key = text.trimmingCharacters(in: .whitespaces).lowercased()
                if values.contains(where: { $0.trimmingCharacters(in: .whitespaces).lowercased() == key }) {
                    problem("\(valuePath)[\(i)]", line, "'\(text)' is listed twice (the comparison ignores case and surrounding spaces)")
                    usable = false
                }
                values.append(text)
            }
            guard usable, let variable else { return nil }
            return .oneOf(variable: variable, values: values)
        default:
            guard let v = f["value"] else {
                problem(valuePath, value.line, "is missing: what \(op.rawValue) compares the variable with")
                return nil
            }
            let text: String
            switch v {
            case .string(let s, _): text = s
            case .number(let n, _): text = VariableText.text(.number(n))
            case .bool(let b, _): text = b ? "true" : "false"
            default:
                problem(valuePath, v.line, "must be a string, a number or true or false, not \(v.kindName)\(op == .equals ? #" (a list goes with "in")"# : "")")
                return nil
            }
            if [.greaterThan, .lessThan, .greaterOrEqual, .lessOrEqual].contains(op), Double(text.trimmingCharacters(in: .whitespaces)) == nil {
                problem(valuePath, v.line, "\(op.rawValue) compares numbers: '\(text)' is not one")
                return nil
            }
            return variable.map { .compare(variable: $0, op: op, value: text) }
        }
    }

    /// What is wrong with an agent's static contact, or nil. Never quotes it back: a SIP URI can
    /// carry a password.
    static func contactProblem(_ s: String) -> String? {
        let form = "must be a SIP URI like sip:alice@192.0.2.7:5060 (sip: or sips:, an optional user, a host, an optional port)"
        guard let scheme = ["sip:", "sips:"].first(where: { s.lowercased().hasPrefix($0) }),
              !s.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value >= 0x7f || "<>\"".unicodeScalars.contains($0) }) else {
            return form
        }
        var rest = Substring(s.dropFirst(scheme.count))
        if let cut = rest.firstIndex(where: { $0 == ";" || $0 == "?" }) { rest = rest[..<cut] }
        if let at = rest.lastIndex(of: "@") {
            let user = rest[..<at]
            if user.isEmpty { return form }
            if user.contains(":") { return "must not hold a password: a phone that registers has username and password instead" }
            rest = rest[rest.index(after: at)...]
        }
        var host = rest, port: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return form }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return form }
                port = after.dropFirst()
            }
            guard let address = IPAddress(String(host)), !address.isIPv4 else { return form }
        } else {
            if let colon = rest.lastIndex(of: ":") {
                host = rest[..<colon]
                port = rest[rest.index(after: colon)...]
            }
            guard IPAddress(String(host)) != nil || isHostName(String(host)) else { return form }
        }
        if let port {
            guard let n = Int(port), port.unicodeScalars.allSatisfy(isDigit), (1...65_535).contains(n) else { return form }
        }
        return nil
    }

    /// What is wrong with `routing.conversationLinkBase`, or nil; never quotes it, like an endpoint.
    static func linkBaseProblem(_ s: String) -> String? {
        guard let url = URLComponents(string: s), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              s.lowercased().hasPrefix("\(scheme)://"), let host = url.host, !host.isEmpty else {
            return "must start with http:// or https:// and name a host, like https://vg.example.net/conversations/"
        }
        if url.percentEncodedUser != nil || url.percentEncodedPassword != nil {
            return "must not hold a user name or password: agents' phones show the link"
        }
        return nil
    }
}

extension ConfigurationParser {
    /// The routing rules between entries: agent ids and usernames, queue and rule names are
    /// unique; every queue and bot that agents, queues, rules and numbers name exists; overflow
    /// does not go round in a circle; a number with neither bot nor queue has rules to route it.
    static func routingCrossCheck(_ config: GatewayConfiguration, lines: [String: Int]) -> [ConfigurationProblem] {
        var out: [ConfigurationProblem] = []
        func report(_ path: String, _ message: String) { out.append(located(path, message, lines: lines)) }
        let routing = config.routing, agents = routing.agents, queues = routing.queues, rules = routing.rules

        out += duplicates(agents.map(\.id), { "agents[\($0)].id" }, { i, _ in "another agent already has the id '\(agents[i].id)'" }, lines: lines)
        // Not quoted: a username typed into the wrong field may be a secret.
        out += duplicates(agents.map { $0.credentials?.username ?? "" }, { "agents[\($0)].username" }, { _, first in
            "agents[\(first)] has this username already: a registration must say which agent it is"
        }, lines: lines)
        out += duplicates(queues.map(\.name), { "queues[\($0)].name" }, { i, _ in "another queue is already named '\(queues[i].name)'" }, lines: lines)
        out += duplicates(rules.map(\.name), { "routing.rules[\($0)].name" }, { i, _ in "another rule is already named '\(rules[i].name)'" }, lines: lines)

        let queueNames = queues.map(\.name).filter { !$0.isEmpty }, botIds = config.bots.map(\.id).filter { !$0.isEmpty }
        func unknownQueue(_ name: String) -> String {
            queueNames.isEmpty ? "no queue is named '\(name)': no queue is configured"
                               : "no queue is named '\(name)'; queues: \(queueNames.joined(separator: ", "))"
        }
        func unknownBot(_ id: String) -> String {
            botIds.isEmpty ? "no bot has the id '\(id)': no bot is configured" : "no bot has the id '\(id)'; bots: \(botIds.joined(separator: ", "))"
        }

        for (i, agent) in agents.enumerated() {
            for (j, name) in agent.queues.enumerated() where !name.isEmpty {
                guard let queue = routing.queue(named: name) else { report("agents[\(i)].queues[\(j)]", unknownQueue(name)); continue }
                if agent.capacity < queue.unitsPerCall {
                    report("agents[\(i)].capacity", "\(agent.capacity) is less than the \(queue.unitsPerCall) units a call from queue '\(name)' takes (its unitsPerCall): the agent would never be offered one")
                }
            }
        }
        for (i, queue) in queues.enumerated() {
            for (j, member) in queue.bots.enumerated() where !member.bot.isEmpty && !botIds.contains(member.bot) {
                report("queues[\(i)].bots[\(j)].bot", unknownBot(member.bot))
            }
            switch queue.overflow {
            case .queue(let name)? where !name.isEmpty && !queueNames.contains(name): report("queues[\(i)].overflow.queue", unknownQueue(name))
            case .bot(let id)? where !id.isEmpty && !botIds.contains(id): report("queues[\(i)].overflow.bot", unknownBot(id))
            default: break
            }
        }
        // Overflow into overflow into the first queue: a caller no queue can keep would go round
        // for ever. Reported once, at the circle's first queue.
        for (i, queue) in queues.enumerated() where !queue.name.isEmpty {
            var circle = [queue.name]
            var next = queue.overflow
            while case .queue(let name)? = next, let target = routing.queue(named: name), !circle.dropFirst().contains(name) {
                if name == queue.name {
                    if circle.allSatisfy({ n in queues.firstIndex { $0.name == n }! >= i }) {
                        report("queues[\(i)].overflow.queue", "overflow goes round in a circle (\((circle + [name]).joined(separator: " → "))): one queue in it must end with transfer, bot or message")
                    }
                    break
                }
                circle.append(name)
                next = target.overflow
            }
        }
        for (i, rule) in rules.enumerated() where !rule.queue.isEmpty && !queueNames.contains(rule.queue) {
            report("routing.rules[\(i)].queue", unknownQueue(rule.queue))
        }
        if let name = routing.defaultQueue, !name.isEmpty, !queueNames.contains(name) { report("routing.defaultQueue", unknownQueue(name)) }
        if let id = routing.agentToBotTarget, !id.isEmpty, !botIds.contains(id) { report("routing.agentToBotTarget", unknownBot(id)) }

        for (i, number) in config.phoneNumbers.enumerated() where number.bot.isEmpty {
            if let name = number.queue {
                if !name.isEmpty && !queueNames.contains(name) { report("phoneNumbers[\(i)].queue", unknownQueue(name)) }
            } else if rules.isEmpty && routing.defaultQueue == nil {
                report("phoneNumbers[\(i)].bot", "is missing: the id of the bot that answers it (or queue, the queue calls go to; with neither, routing.rules or routing.defaultQueue must pick one)")
            }
        }
        return out
    }
}

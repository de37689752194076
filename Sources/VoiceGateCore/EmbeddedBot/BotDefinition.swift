import Foundation

/// An embedded bot: topics the caller's words (or keys) trigger, each a list of nodes. Read from a
/// JSON file (deploy/bots/demo.json is the shipped example); `validate()` names every problem.
public struct BotDefinition: Sendable, Equatable, Decodable {
    public var name: String
    public var settings: Settings
    public var topics: [Topic]

    public struct Settings: Sendable, Equatable, Decodable {
        /// A caller's utterance triggers a topic at this similarity or above (0...1).
        public var matchThreshold: Double = 0.6
        /// Misses in a row (fallback topic) before the bot escalates to an agent.
        public var fallbackLimit: Int = 2
        /// Seconds without input before the silence topic runs.
        public var silenceSeconds: Double = 8
        /// Silences in a row before the bot gives up (goodbye topic).
        public var silenceLimit: Int = 2
        /// Queue for escalations when the fallback limit is reached.
        public var escalationQueue: String?

        public init() {}

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            matchThreshold = try c.decodeIfPresent(Double.self, forKey: .matchThreshold) ?? matchThreshold
            fallbackLimit = try c.decodeIfPresent(Int.self, forKey: .fallbackLimit) ?? fallbackLimit
            silenceSeconds = try c.decodeIfPresent(Double.self, forKey: .silenceSeconds) ?? silenceSeconds
            silenceLimit = try c.decodeIfPresent(Int.self, forKey: .silenceLimit) ?? silenceLimit
            escalationQueue = try c.decodeIfPresent(String.self, forKey: .escalationQueue)
        }
        enum CodingKeys: String, CodingKey { case matchThreshold, fallbackLimit, silenceSeconds, silenceLimit, escalationQueue }
    }

    /// System topics run on events rather than triggers.
    public enum SystemTopic: String, Sendable, Equatable, Decodable, CaseIterable {
        case greeting, fallback, silence, goodbye
    }

    public struct Topic: Sendable, Equatable, Decodable {
        public var name: String
        public var system: SystemTopic?
        /// Phrases that trigger the topic (matched fuzzily).
        public var triggers: [String]
        /// Keys that trigger the topic outside a question (a menu: "1").
        public var keys: [String]
        public var nodes: [Node]

        public init(name: String, system: SystemTopic? = nil, triggers: [String] = [], keys: [String] = [], nodes: [Node]) {
            self.name = name
            self.system = system
            self.triggers = triggers
            self.keys = keys
            self.nodes = nodes
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            system = try c.decodeIfPresent(SystemTopic.self, forKey: .system)
            triggers = try c.decodeIfPresent([String].self, forKey: .triggers) ?? []
            keys = try c.decodeIfPresent([String].self, forKey: .keys) ?? []
            nodes = try c.decode([Node].self, forKey: .nodes)
        }
        enum CodingKeys: String, CodingKey { case name, system, triggers, keys, nodes }
    }

    public init(name: String, settings: Settings = Settings(), topics: [Topic]) {
        self.name = name
        self.settings = settings
        self.topics = topics
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        settings = try c.decodeIfPresent(Settings.self, forKey: .settings) ?? Settings()
        topics = try c.decode([Topic].self, forKey: .topics)
    }
    enum CodingKeys: String, CodingKey { case name, settings, topics }

    /// Reads a definition from JSON, with the decoding error made readable.
    public static func parse(_ data: Data) throws -> BotDefinition {
        do {
            return try JSONDecoder().decode(BotDefinition.self, from: data)
        } catch let error as DecodingError {
            throw BotDefinitionError(problems: [BotDefinitionError.describe(error)])
        }
    }

    public func topic(named name: String) -> Topic? { topics.first { $0.name == name } }

    /// What the bot says that does not depend on variables (no `{name}`): prompts worth
    /// synthesizing before the first caller needs them. Pairs of (text, speak).
    public var fixedPrompts: [(text: String?, speak: String?)] {
        var out: [(String?, String?)] = []
        func fixed(_ s: String?) -> Bool { !(s ?? "").contains("{") }
        func visit(_ nodes: [Node]) {
            for node in nodes {
                switch node {
                case .message(let text, let speak) where fixed(text) && fixed(speak): out.append((text, speak))
                case .question(let q):
                    if fixed(q.prompt) && fixed(q.speak) { out.append((q.prompt, q.speak)) }
                    if let r = q.reprompt, fixed(r) { out.append((r, nil)) }
                case .action(.uninterruptibleMessage(let text)) where fixed(text): out.append((text, nil))
                case .condition(_, let a, let b): visit(a); visit(b)
                default: break
                }
            }
        }
        topics.forEach { visit($0.nodes) }
        return out
    }
    public func topic(_ system: SystemTopic) -> Topic? { topics.first { $0.system == system } }

    /// Every problem: unknown goto targets, repeated topic names, questions without a variable,
    /// empty choices, limits out of range.
    public func validate() -> [String] {
        var problems: [String] = []
        var seen = Set<String>()
        for topic in topics {
            if !seen.insert(topic.name).inserted { problems.append("topic '\(topic.name)' is defined twice") }
            if topic.system == nil && topic.triggers.isEmpty && topic.keys.isEmpty && !isGoneTo(topic.name) {
                problems.append("topic '\(topic.name)' has no triggers, no keys and no goto leads to it")
            }
            problems += Self.problems(in: topic.nodes, topic: topic.name, names: Set(topics.map(\.name)))
        }
        if topic(.greeting) == nil { problems.append("there is no greeting topic (system: greeting): callers would hear nothing") }
        if !(0...1).contains(settings.matchThreshold) { problems.append("settings.matchThreshold must be from 0 to 1") }
        if settings.fallbackLimit < 1 || settings.silenceLimit < 1 { problems.append("settings.fallbackLimit and silenceLimit must be 1 or more") }
        return problems
    }

    private func isGoneTo(_ name: String) -> Bool {
        func visit(_ nodes: [Node]) -> Bool {
            nodes.contains { node in
                switch node {
                case .goto(let target): return target == name
                case .condition(_, let then, let otherwise): return visit(then) || visit(otherwise)
                default: return false
                }
            }
        }
        return topics.contains { visit($0.nodes) }
    }

    private static func problems(in nodes: [Node], topic: String, names: Set<String>) -> [String] {
        var out: [String] = []
        for node in nodes {
            switch node {
            case .goto(let target) where !names.contains(target):
                out.append("topic '\(topic)': goto '\(target)' names no topic")
            case .question(let q):
                if q.variable.isEmpty { out.append("topic '\(topic)': a question has no variable") }
                if q.kind == .choice && q.choices.isEmpty { out.append("topic '\(topic)': choice question '\(q.variable)' has no choices") }
            case .condition(_, let then, let otherwise):
                out += problems(in: then, topic: topic, names: names) + problems(in: otherwise, topic: topic, names: names)
            default: break
            }
        }
        return out
    }
}

public struct BotDefinitionError: Error, Sendable, Equatable, CustomStringConvertible {
    public let problems: [String]
    public var description: String { problems.joined(separator: "\n") }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(path(context)).\(key.stringValue) is missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(path(context)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}

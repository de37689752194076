/// One step of a topic.
public indirect enum Node: Sendable, Equatable, Decodable {
    /// Say something; `speak` (SSML or plain) wins over `text` for the voice.
    case message(text: String, speak: String?)
    case question(Question)
    case condition(Condition, then: [Node], otherwise: [Node])
    /// Set a variable (the value's text interpolates `{names}`).
    case set(variable: String, value: String)
    case action(VoiceAction)
    case goto(String)
    /// End the conversation (resolved).
    case end

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        let present = Key.kinds.filter { c.contains($0) }
        guard present.count == 1, let kind = present.first else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "a node has exactly one of: \(Key.kinds.map(\.stringValue).joined(separator: ", ")) (found \(present.map(\.stringValue)))"))
        }
        switch kind {
        case .message:
            if let text = try? c.decode(String.self, forKey: .message) {
                self = .message(text: text, speak: try c.decodeIfPresent(String.self, forKey: .speak))
            } else {
                let m = try c.decode(MessageBody.self, forKey: .message)
                self = .message(text: m.text, speak: m.speak)
            }
        case .question: self = .question(try c.decode(Question.self, forKey: .question))
        case .condition:
            let body = try c.decode(ConditionBody.self, forKey: .condition)
            self = .condition(body.if, then: body.then ?? [], otherwise: body.else ?? [])
        case .set:
            let body = try c.decode(SetBody.self, forKey: .set)
            self = .set(variable: body.variable, value: body.value)
        case .action: self = .action(try c.decode(VoiceAction.self, forKey: .action))
        case .goto: self = .goto(try c.decode(String.self, forKey: .goto))
        case .end: self = .end
        default: fatalError("unreachable: \(kind)")
        }
    }

    enum Key: String, CodingKey {
        case message, speak, question, condition, set, action, goto, end
        static let kinds: [Key] = [.message, .question, .condition, .set, .action, .goto, .end]
    }
    private struct MessageBody: Decodable { var text: String; var speak: String? }
    private struct ConditionBody: Decodable { var `if`: Condition; var then: [Node]?; var `else`: [Node]? }
    private struct SetBody: Decodable { var variable: String; var value: String }
}

/// A question: asks, reads the answer from speech or keys, stores it in a variable.
public struct Question: Sendable, Equatable, Decodable {
    public enum Kind: String, Sendable, Equatable, Decodable {
        case choice, yesNo, number, digits, text
    }
    public struct Choice: Sendable, Equatable, Decodable {
        public var value: String
        public var synonyms: [String]
        /// The key that picks it.
        public var key: String?
        public init(value: String, synonyms: [String] = [], key: String? = nil) {
            self.value = value
            self.synonyms = synonyms
            self.key = key
        }
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            value = try c.decode(String.self, forKey: .value)
            synonyms = try c.decodeIfPresent([String].self, forKey: .synonyms) ?? []
            key = try c.decodeIfPresent(String.self, forKey: .key)
        }
        enum CodingKeys: String, CodingKey { case value, synonyms, key }
    }

    public var prompt: String
    public var speak: String?
    public var kind: Kind
    public var variable: String
    public var choices: [Choice]
    /// Said when an answer does not fit; the prompt again when absent.
    public var reprompt: String?
    /// Reprompts before the bot gives up on the question (fallback topic).
    public var retries: Int
    /// For digits: how many are expected (a '#' ends early).
    public var minDigits: Int
    public var maxDigits: Int

    public init(prompt: String, speak: String? = nil, kind: Kind, variable: String, choices: [Choice] = [],
                reprompt: String? = nil, retries: Int = 2, minDigits: Int = 1, maxDigits: Int = 20) {
        self.prompt = prompt
        self.speak = speak
        self.kind = kind
        self.variable = variable
        self.choices = choices
        self.reprompt = reprompt
        self.retries = retries
        self.minDigits = minDigits
        self.maxDigits = maxDigits
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        prompt = try c.decode(String.self, forKey: .prompt)
        speak = try c.decodeIfPresent(String.self, forKey: .speak)
        kind = try c.decode(Kind.self, forKey: .kind)
        variable = try c.decode(String.self, forKey: .variable)
        choices = try c.decodeIfPresent([Choice].self, forKey: .choices) ?? []
        reprompt = try c.decodeIfPresent(String.self, forKey: .reprompt)
        retries = try c.decodeIfPresent(Int.self, forKey: .retries) ?? 2
        minDigits = try c.decodeIfPresent(Int.self, forKey: .minDigits) ?? 1
        maxDigits = try c.decodeIfPresent(Int.self, forKey: .maxDigits) ?? 20
    }
    enum CodingKeys: String, CodingKey { case prompt, speak, kind, variable, choices, reprompt, retries, minDigits, maxDigits }
}

/// The voice actions of bot-protocol.md, as an embedded bot writes them.
public enum VoiceAction: Sendable, Equatable, Decodable {
    case uninterruptibleMessage(String)
    case transferToPhoneNumber(String)
    case hangUp
    case setVariables([String: JSONValue])
    case handoff(queue: String?)

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let name = try c.decode(String.self, forKey: .name)
        switch name {
        case "UninterruptibleMessage": self = .uninterruptibleMessage(try c.decode(String.self, forKey: .text))
        case "TransferToPhoneNumber": self = .transferToPhoneNumber(try c.decode(String.self, forKey: .number))
        case "HangUp": self = .hangUp
        case "SetVariables": self = .setVariables(try c.decode([String: JSONValue].self, forKey: .variables))
        case "handoff": self = .handoff(queue: try c.decodeIfPresent(String.self, forKey: .queue))
        default:
            throw DecodingError.dataCorruptedError(forKey: .name, in: c,
                debugDescription: "unknown action '\(name)': UninterruptibleMessage, TransferToPhoneNumber, HangUp, SetVariables or handoff")
        }
    }
    enum CodingKeys: String, CodingKey { case name, text, number, variables, queue }
}

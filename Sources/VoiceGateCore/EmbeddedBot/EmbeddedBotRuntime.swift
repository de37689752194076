import Foundation

/// What reaches an embedded bot from the caller.
public enum BotInput: Sendable, Equatable {
    /// A recognized utterance and the recognizer's confidence (0...1).
    case speech(String, confidence: Double)
    /// Keypad digits (a '#' may end them).
    case keys(String)
    /// No input for the bot's silence time.
    case silence
    /// What became of the bot's transfer request.
    case transferResult(TransferResult)
}

/// One conversation with an embedded bot: the topic and node it is at, the question it waits on,
/// the variables. Feed it the start and each input; it answers with the bot's activities in the
/// bot protocol's shape (message, UninterruptibleMessage, TransferToPhoneNumber, HangUp,
/// SetVariables, handoff.initiate, endOfConversation), plus `trace` activities naming the topic
/// matched and its score, for the transcript. A value: no I/O, no threads.
public struct EmbeddedBotRuntime: Sendable {
    public let definition: BotDefinition
    public private(set) var variables: [String: JSONValue]
    /// Once true, the conversation is over (end node, HangUp, handoff); inputs are ignored.
    public private(set) var finished = false

    private let matcher: TopicMatcher
    private let programs: [String: [Instruction]]
    private var waiting: Waiting?
    private var misses = 0
    private var silences = 0

    private struct Waiting: Sendable {
        var topic: String
        var resume: Int
        var question: Question
        var retriesUsed: Int
    }

    /// A guard against goto cycles: a bot that loops forever gets cut off, not the gateway.
    static let maxStepsPerTurn = 500

    public init(definition: BotDefinition, variables: [String: JSONValue]) {
        self.definition = definition
        self.variables = variables
        self.matcher = TopicMatcher(definition)
        var programs: [String: [Instruction]] = [:]
        for topic in definition.topics { programs[topic.name] = Instruction.compile(topic.nodes) }
        self.programs = programs
    }

    /// The greeting topic.
    public mutating func start() -> [Activity] {
        guard let greeting = definition.topic(.greeting) else { return [] }
        return run(greeting.name, from: 0)
    }

    public mutating func receive(_ input: BotInput) -> [Activity] {
        guard !finished else { return [] }
        // A topic's transfer node has no branch on its result: the topic went on at once (a
        // failed transfer leaves the caller with the bot, where the topic left them).
        if case .transferResult = input { return [] }
        if input == .silence {
            silences += 1
        } else {
            silences = 0
        }
        if let w = waiting { return answer(w, input) }
        switch input {
        case .silence:
            return silence()
        case .keys(let keys):
            if let topic = definition.topics.first(where: { $0.keys.contains(String(keys.prefix(while: { $0 != "#" }))) }) {
                misses = 0
                return [trace(topic.name, score: 1, phrase: "key \(keys)")] + run(topic.name, from: 0)
            }
            return fallback(heard: keys)
        case .speech(let text, _):
            if let match = matcher.best(text), match.score >= definition.settings.matchThreshold {
                misses = 0
                return [trace(match.topic, score: match.score, phrase: match.phrase)] + run(match.topic, from: 0)
            }
            return fallback(heard: text)
        case .transferResult:
            return []
        }
    }

    // MARK: - Questions

    private mutating func answer(_ w: Waiting, _ input: BotInput) -> [Activity] {
        if let value = AnswerReader.read(input, for: w.question, threshold: definition.settings.matchThreshold) {
            waiting = nil
            variables[w.question.variable] = value
            return [traceAnswer(w.question.variable, value)] + run(w.topic, from: w.resume)
        }
        // Speech that is no answer may still be a way out ("talk to an agent" mid-question).
        if case .speech(let text, _) = input, let match = matcher.best(text),
           match.score >= max(definition.settings.matchThreshold, 0.8), match.topic != w.topic {
            waiting = nil
            return [trace(match.topic, score: match.score, phrase: match.phrase)] + run(match.topic, from: 0)
        }
        guard w.retriesUsed < w.question.retries else {
            waiting = nil
            if input == .silence, silences >= definition.settings.silenceLimit { return silence() }
            return fallback(heard: nil)
        }
        waiting?.retriesUsed += 1
        let text = VariableText.interpolate(w.question.reprompt ?? w.question.prompt, variables)
        return [message(text, speak: w.question.reprompt == nil ? w.question.speak.map { interpolate($0) } : nil, hint: "expectingInput")]
    }

    // MARK: - System topics

    private mutating func fallback(heard: String?) -> [Activity] {
        misses += 1
        if misses > definition.settings.fallbackLimit {
            misses = 0
            finished = true
            var value: [String: JSONValue] = ["reason": "fallbackLimit"]
            if let queue = definition.settings.escalationQueue { value["queue"] = .string(queue) }
            return [Activity(type: "event", name: "handoff.initiate", value: .object(value))]
        }
        guard let topic = definition.topic(.fallback) else { return [] }
        return run(topic.name, from: 0)
    }

    private mutating func silence() -> [Activity] {
        if silences > definition.settings.silenceLimit, let goodbye = definition.topic(.goodbye) {
            return run(goodbye.name, from: 0) + (finished ? [] : [Activity(type: "event", name: "HangUp")])
        }
        guard let topic = definition.topic(.silence) else { return [] }
        return run(topic.name, from: 0)
    }

    // MARK: - Running a topic

    private mutating func run(_ topicName: String, from start: Int) -> [Activity] {
        var out: [Activity] = []
        var topic = topicName
        var pc = start
        var steps = 0
        while !finished {
            steps += 1
            guard steps <= Self.maxStepsPerTurn else {
                out.append(Activity(type: "trace", name: "BotError", value: .object(["error": .string("more than \(Self.maxStepsPerTurn) steps in one turn (a goto loop?)")])))
                return out
            }
            guard let program = programs[topic], pc < program.count else { return out }   // topic done: wait for a trigger
            switch program[pc] {
            case .say(let text, let speak):
                out.append(message(interpolate(text), speak: speak.map { interpolate($0) }, hint: "acceptingInput"))
                pc += 1
            case .ask(let question):
                out.append(message(interpolate(question.prompt), speak: question.speak.map { interpolate($0) }, hint: "expectingInput"))
                waiting = Waiting(topic: topic, resume: pc + 1, question: question, retriesUsed: 0)
                return out
            case .branch(let condition, let elseTarget):
                pc = condition.evaluate(variables) ? pc + 1 : elseTarget
            case .jump(let target):
                pc = target
            case .set(let name, let value):
                variables[name] = .string(interpolate(value))
                pc += 1
            case .action(let action):
                out += perform(action)
                pc += 1
            case .goto(let target):
                topic = target
                pc = 0
            case .end:
                finished = true
                out.append(Activity(type: "endOfConversation"))
            }
        }
        return out
    }

    private mutating func perform(_ action: VoiceAction) -> [Activity] {
        switch action {
        case .uninterruptibleMessage(let text):
            return [Activity(type: "event", name: "UninterruptibleMessage", value: .object(["UninterruptibleMessage": .string(interpolate(text))]))]
        case .transferToPhoneNumber(let number):
            return [Activity(type: "event", name: "TransferToPhoneNumber", value: .object(["TargetPhoneNumber": .string(interpolate(number))]))]
        case .hangUp:
            finished = true
            return [Activity(type: "event", name: "HangUp")]
        case .setVariables(let values):
            var resolved: [String: JSONValue] = [:]
            for (name, value) in values {
                resolved[name] = value.stringValue.map { .string(interpolate($0)) } ?? value
            }
            variables.merge(resolved) { $1 }
            if resolved[ContextVariable.closeConversation] == .bool(true) { finished = true }
            return [Activity(type: "event", name: "SetVariables", value: .object(resolved))]
        case .handoff(let queue):
            finished = true
            return [Activity(type: "event", name: "handoff.initiate", value: queue.map { .object(["queue": .string($0)]) })]
        }
    }

    private func interpolate(_ text: String) -> String { VariableText.interpolate(text, variables) }

    private func message(_ text: String, speak: String?, hint: String) -> Activity {
        Activity(type: "message", text: text, speak: speak, inputHint: hint)
    }

    private func trace(_ topic: String, score: Double, phrase: String) -> Activity {
        Activity(type: "trace", name: "TopicMatched",
                 value: .object(["topic": .string(topic), "score": .number((score * 100).rounded() / 100), "trigger": .string(phrase)]))
    }

    private func traceAnswer(_ variable: String, _ value: JSONValue) -> Activity {
        Activity(type: "trace", name: "QuestionAnswered", value: .object(["variable": .string(variable), "value": value]))
    }
}

/// A topic's nodes flattened into a program: conditions become branches and jumps, so the
/// runtime keeps one program counter instead of a stack of nested node lists.
enum Instruction: Sendable, Equatable {
    case say(String, speak: String?)
    case ask(Question)
    /// When the condition fails, go to `elseTarget`.
    case branch(Condition, elseTarget: Int)
    case jump(Int)
    case set(String, String)
    case action(VoiceAction)
    case goto(String)
    case end

    static func compile(_ nodes: [Node]) -> [Instruction] {
        var out: [Instruction] = []
        append(nodes, to: &out)
        return out
    }

    private static func append(_ nodes: [Node], to out: inout [Instruction]) {
        for node in nodes {
            switch node {
            case .message(let text, let speak): out.append(.say(text, speak: speak))
            case .question(let q): out.append(.ask(q))
            case .set(let name, let value): out.append(.set(name, value))
            case .action(let a): out.append(.action(a))
            case .goto(let t): out.append(.goto(t))
            case .end: out.append(.end)
            case .condition(let condition, let then, let otherwise):
                let branchAt = out.count
                out.append(.jump(-1))                 // placeholder for the branch
                append(then, to: &out)
                let jumpAt = out.count
                out.append(.jump(-1))                 // placeholder: skip the else part
                let elseStart = out.count
                append(otherwise, to: &out)
                out[branchAt] = .branch(condition, elseTarget: elseStart)
                out[jumpAt] = .jump(out.count)
            }
        }
    }
}

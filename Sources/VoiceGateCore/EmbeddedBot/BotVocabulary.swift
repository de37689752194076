import Foundation

/// What the callers of one embedded bot can be expected to say, read from its definition alone: the
/// phrases a speech recognizer should favour for that bot (a general-purpose language model does not
/// know that "billing" or "appointment" are likely on this line, and hears "book an appointment" as
/// "but can a blind man").
///
/// Two kinds, kept apart so a recognizer can weigh them differently:
/// - `answers`: what the bot itself acts on. Every topic's trigger phrases, every choice with its
///   synonyms, and for each kind of question the bot asks, the words `AnswerReader` reads for it
///   (yes/no words, digit words, number words).
/// - `prompts`: what the bot says, with `{variables}` cut out. Callers echo the options a prompt
///   reads out ("you can say order status, billing ..."), so its words are likelier than average too.
///
/// A value: any thread.
public struct BotVocabulary: Sendable, Equatable {
    /// Phrases the bot acts on, each once, in the order the definition gives them.
    public var answers: [String]
    /// What the bot says, split where a variable's value goes, each once.
    public var prompts: [String]

    public init(answers: [String], prompts: [String] = []) {
        self.answers = answers
        self.prompts = prompts
    }

    public init(_ definition: BotDefinition) {
        var answers = Phrases()
        var prompts = Phrases()
        var kinds = Set<Question.Kind>()
        for topic in definition.topics {
            topic.triggers.forEach { answers.add($0) }
        }
        func visit(_ nodes: [Node]) {
            for node in nodes {
                switch node {
                case .message(let text, _):
                    prompts.addSpoken(text)
                case .question(let question):
                    kinds.insert(question.kind)
                    for choice in question.choices { ([choice.value] + choice.synonyms).forEach { answers.add($0) } }
                    prompts.addSpoken(question.prompt)
                    if let reprompt = question.reprompt { prompts.addSpoken(reprompt) }
                case .action(.uninterruptibleMessage(let text)):
                    prompts.addSpoken(text)
                case .condition(_, let then, let otherwise):
                    visit(then)
                    visit(otherwise)
                default:
                    break
                }
            }
        }
        definition.topics.forEach { visit($0.nodes) }
        // In a fixed order, so the same definition always gives the same vocabulary.
        if kinds.contains(.yesNo) {
            AnswerReader.yesWords.sorted().forEach { answers.add($0) }
            AnswerReader.noWords.sorted().forEach { answers.add($0) }
        }
        if kinds.contains(.digits) {
            // The digits' names, not the words AnswerReader also takes for them ("to", "for"):
            // those stand in for what a recognizer mishears, callers do not say them.
            (SpokenDigits.names + ["oh"]).forEach { answers.add($0) }
        }
        if kinds.contains(.number) {
            AnswerReader.units.keys.sorted().forEach { answers.add($0) }
            ["hundred", "thousand", "and"].forEach { answers.add($0) }
        }
        self.answers = answers.list
        self.prompts = prompts.list
    }

    /// Phrases without repeats (compared without case, punctuation or spacing), first seen first.
    private struct Phrases {
        var list: [String] = []
        var seen = Set<[String]>()

        mutating func add(_ phrase: String) {
            let trimmed = phrase.trimmingCharacters(in: .whitespacesAndNewlines)
            let key = TopicMatcher.words(trimmed)
            guard !key.isEmpty, seen.insert(key).inserted else { return }
            list.append(trimmed)
        }

        /// A prompt, less the `{variables}` in it: the words either side are separate phrases,
        /// since what comes between them is not known.
        mutating func addSpoken(_ text: String) {
            var piece = ""
            var depth = 0
            for character in text {
                if character == "{" { depth += 1; add(piece); piece = "" }
                else if character == "}" { depth = max(0, depth - 1) }
                else if depth == 0 { piece.append(character) }
            }
            add(piece)
        }
    }
}

import Foundation
import VoiceGateCore

/// What a bot makes of a text, to tell whether a hypothesis does what its reference does: the topic
/// it triggers (TopicMatcher at the bot's threshold), or else the answer to a yes/no question
/// (AnswerReader), or else nothing. Digits and free text answer whatever is asked, so they add
/// nothing to tell apart.
struct BotJudge {
    let definition: BotDefinition
    private let matcher: TopicMatcher

    init(definition: BotDefinition) {
        self.definition = definition
        matcher = TopicMatcher(definition)
    }

    init(file: String) throws {
        guard let data = FileManager.default.contents(atPath: file) else { throw CocoaError(.fileReadNoSuchFile) }
        self.init(definition: try BotDefinition.parse(data))
    }

    func outcome(of text: String) -> String {
        if let match = matcher.best(text), match.score >= definition.settings.matchThreshold { return "topic:\(match.topic)" }
        let yesNo = Question(prompt: "", kind: .yesNo, variable: "x")
        if case .bool(let answer)? = AnswerReader.read(.speech(text, confidence: 1), for: yesNo, threshold: definition.settings.matchThreshold) {
            return answer ? "yes" : "no"
        }
        return "nothing"
    }
}

import Testing
@testable import VoiceGateCore

@Suite struct BotVocabularyTests {
    @Test("the demo bot: every trigger, the yes/no words for its yes/no questions, digit names for its digits question")
    func demo() throws {
        let demo = try EmbeddedBotTests.demo()
        let vocabulary = BotVocabulary(demo)
        let triggers = demo.topics.flatMap(\.triggers)
        #expect(Array(vocabulary.answers.prefix(triggers.count)) == triggers)
        for word in AnswerReader.yesWords.union(AnswerReader.noWords) { #expect(vocabulary.answers.contains(word), "\(word)") }
        for word in ["zero", "oh", "one", "nine"] { #expect(vocabulary.answers.contains(word), "\(word)") }
        // No number question: no number words ("twenty"); "to" and "for" stand for digits only
        // in what a recognizer hears, callers do not say them as digits.
        #expect(!vocabulary.answers.contains("twenty") && !vocabulary.answers.contains("hundred"))
        #expect(!vocabulary.answers.contains("to") && !vocabulary.answers.contains("for"))
        // "yes" and "no" are both answer words and (in "no thank you") trigger words: each phrase once.
        #expect(Set(vocabulary.answers).count == vocabulary.answers.count)
    }

    @Test("prompts: messages, questions, reprompts and uninterruptible messages, cut where a variable goes")
    func prompts() throws {
        let vocabulary = BotVocabulary(try EmbeddedBotTests.demo())
        #expect(vocabulary.prompts.contains("Which day suits you?"))
        #expect(vocabulary.prompts.contains("Sorry, an order number has four to ten digits. Please try again."))
        #expect(vocabulary.prompts.contains("This call may be recorded to help us serve you better."))
        // "I cannot find order {OrderNumber}." and "You are booked for {AppointmentDay}. We will ..."
        #expect(vocabulary.prompts.contains("I cannot find order"))
        #expect(vocabulary.prompts.contains(". We will send a confirmation."))
        #expect(vocabulary.prompts.allSatisfy { !$0.contains("{") && !$0.contains("}") })
        #expect(!vocabulary.answers.contains("Which day suits you?"))
    }

    @Test("choices and their synonyms; number words for a number question; nothing from a bot that asks nothing")
    func questionKinds() {
        let ask = { (question: Question) in
            BotDefinition(name: "t", topics: [
                .init(name: "Greeting", system: .greeting, nodes: [.question(question)]),
                .init(name: "Size", triggers: ["Change my size!", "change  my SIZE", "size"], nodes: [.message(text: "Sure.", speak: nil)]),
            ])
        }
        let choice = BotVocabulary(ask(Question(prompt: "Which size?", kind: .choice, variable: "Size",
                                                choices: [.init(value: "small", synonyms: ["tiny", "little one"]), .init(value: "large")])))
        // The triggers (two of them the same words), then the choices.
        #expect(choice.answers == ["Change my size!", "size", "small", "tiny", "little one", "large"])
        #expect(choice.prompts == ["Which size?", "Sure."])

        let number = BotVocabulary(ask(Question(prompt: "How many?", kind: .number, variable: "N")))
        for word in ["seven", "twelve", "ninety", "hundred", "thousand"] { #expect(number.answers.contains(word), "\(word)") }
        #expect(!number.answers.contains("yes"))

        let quiet = BotVocabulary(BotDefinition(name: "q", topics: [.init(name: "Greeting", system: .greeting, nodes: [.message(text: "Hi {Name}", speak: nil)])]))
        #expect(quiet.answers.isEmpty)
        #expect(quiet.prompts == ["Hi"])
    }
}

import Testing
import Foundation
@testable import VoiceGateCore

@Suite struct EmbeddedBotTests {
    static let demoURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("deploy/bots/demo.json")

    static func demo() throws -> BotDefinition { try BotDefinition.parse(Data(contentsOf: demoURL)) }

    func runtime(caller: String = "+14155550123") throws -> EmbeddedBotRuntime {
        EmbeddedBotRuntime(definition: try Self.demo(), variables: [
            ContextVariable.customerPhoneNumber: .string(caller), ContextVariable.organizationPhoneNumber: "+18005550100"])
    }

    func texts(_ activities: [Activity]) -> [String] { activities.filter { $0.type == "message" }.compactMap(\.text) }
    func events(_ activities: [Activity]) -> [String] { activities.filter { $0.type == "event" }.compactMap(\.name) }
    func matched(_ activities: [Activity]) -> String? {
        activities.first { $0.type == "trace" && $0.name == "TopicMatched" }?.value.flatMap {
            if case .object(let o) = $0 { return o["topic"]?.stringValue }
            return nil
        }
    }

    @Test("the shipped demo bot is valid and uses every node kind")
    func demoIsValid() throws {
        let demo = try Self.demo()
        #expect(demo.validate() == [])
        var kinds = Set<String>()
        func visit(_ nodes: [Node]) {
            for node in nodes {
                switch node {
                case .message: kinds.insert("message")
                case .question(let q): kinds.insert("question.\(q.kind)")
                case .condition(_, let a, let b): kinds.insert("condition"); visit(a); visit(b)
                case .set: kinds.insert("set")
                case .action(let a): kinds.insert("action.\(String(describing: a).prefix(while: { $0 != "(" }))")
                case .goto: kinds.insert("goto")
                case .end: kinds.insert("end")
                }
            }
        }
        demo.topics.forEach { visit($0.nodes) }
        let expected: Set<String> = ["message", "question.digits", "question.yesNo", "question.text", "condition", "set", "goto", "end",
                                     "action.uninterruptibleMessage", "action.transferToPhoneNumber", "action.hangUp",
                                     "action.setVariables", "action.handoff"]
        #expect(expected.isSubset(of: kinds), "missing: \(expected.subtracting(kinds))")
        #expect(Set(demo.topics.compactMap(\.system)) == Set(BotDefinition.SystemTopic.allCases))
    }

    @Test("the greeting reads back the caller's number, plays the legal notice uninterruptibly, then the menu")
    func greeting() throws {
        var bot = try runtime()
        let out = bot.start()
        #expect(texts(out).first == "Hello, and welcome to VoiceGate.")
        #expect(out.contains { $0.speak?.contains("<say-as interpret-as=\"telephone\">+14155550123</say-as>") == true })
        #expect(events(out) == ["UninterruptibleMessage"])
        #expect(texts(out).last?.hasPrefix("You can say order status") == true)
        var withheld = try runtime(caller: "")
        #expect(texts(withheld.start()).contains("Your number is withheld, which is fine."))
    }

    @Test("every intent of the speech corpus triggers its topic (text as recognized perfectly)", arguments: [
        ("I want to talk to an agent", "Agent"), ("Can I speak to a person please", "Agent"), ("Check my order status", "Order status"),
        ("Where is my package", "Order status"), ("I need to reset my password", "Password"), ("Transfer me to billing", "Billing"),
        ("What are your opening hours", "Opening hours"), ("Goodbye", "Goodbye"), ("That's all thanks", "Goodbye"),
        ("Representative", "Agent"), ("My account number is one two three four five", "Account"),
        ("I would like to cancel my subscription", "Cancel"), ("Repeat that please", "Main menu"), ("Help", "Main menu"),
        ("Main menu", "Main menu"), ("I want to pay my bill", "Billing"), ("Speak to someone in sales", "Sales"),
        ("The internet is not working", "Technical support"), ("Book an appointment for tomorrow", "Appointment"),
        ("Hang up", "Hang up"), ("No thank you", "Goodbye"),
    ])
    func intents(utterance: String, topic: String) throws {
        var bot = try runtime()
        _ = bot.start()
        #expect(matched(bot.receive(.speech(utterance, confidence: 0.9))) == topic)
    }

    @Test("recognition errors are tolerated: misheard words still find their topic")
    func fuzzy() throws {
        var bot = try runtime()
        _ = bot.start()
        #expect(matched(bot.receive(.speech("check my oder stats", confidence: 0.5))) == "Order status")
        var other = try runtime()
        _ = other.start()
        #expect(matched(other.receive(.speech("i want to talk to a agents", confidence: 0.5))) == "Agent")
    }

    @Test("order status by keys: the number, the answer, then goodbye ends the conversation")
    func orderByKeys() throws {
        var bot = try runtime()
        _ = bot.start()
        let asked = bot.receive(.keys("1"))
        #expect(matched(asked) == "Order status")
        #expect(asked.last?.inputHint == "expectingInput")
        let answered = bot.receive(.keys("12345#"))
        #expect(texts(answered).contains("Order 12345 has shipped and arrives tomorrow."))
        #expect(bot.variables["OrderNumber"] == "12345" && bot.variables["LastOrder"] == "12345")
        let bye = bot.receive(.keys("2"))
        #expect(texts(bye).contains("Thank you for calling. Goodbye."))
        #expect(bye.last?.type == "endOfConversation")
        #expect(bot.finished)
        #expect(bot.receive(.keys("1")).isEmpty, "a finished conversation takes no more input")
    }

    @Test("order status by speech, with a reprompt for a number that does not fit")
    func orderBySpeech() throws {
        var bot = try runtime()
        _ = bot.start()
        #expect(matched(bot.receive(.speech("where is my order", confidence: 0.8))) == "Order status")
        let reprompt = bot.receive(.speech("twelve", confidence: 0.8))
        #expect(texts(reprompt) == ["Sorry, an order number has four to ten digits. Please try again."])
        let answered = bot.receive(.speech("one two three four five", confidence: 0.8))
        #expect(texts(answered).first == "Order 12345 has shipped and arrives tomorrow.")
        let more = bot.receive(.speech("yes please", confidence: 0.9))
        #expect(texts(more).first?.hasPrefix("You can say order status") == true)
    }

    @Test("billing transfers on yes; an agent request hands off to the support queue")
    func actions() throws {
        var bot = try runtime()
        _ = bot.start()
        _ = bot.receive(.speech("billing", confidence: 0.9))
        let transfer = bot.receive(.speech("yes", confidence: 0.9))
        let event = try #require(transfer.first { $0.name == "TransferToPhoneNumber" })
        #expect(event.value == .object(["TargetPhoneNumber": "+18005550199"]))
        var agent = try runtime()
        _ = agent.start()
        let handoff = agent.receive(.keys("0"))
        #expect(handoff.last?.name == "handoff.initiate" && handoff.last?.value == .object(["queue": "support"]))
        #expect(agent.finished)
    }

    @Test("nothing matched: the fallback topic, then escalation after the limit")
    func fallback() throws {
        var bot = try runtime()
        _ = bot.start()
        for _ in 0..<2 {
            #expect(texts(bot.receive(.speech("purple elephants dancing", confidence: 0.4))).first?.hasPrefix("Sorry, I did not catch that") == true)
        }
        let escalated = bot.receive(.speech("purple elephants dancing", confidence: 0.4))
        #expect(escalated.last?.name == "handoff.initiate")
        #expect(escalated.last?.value == .object(["reason": "fallbackLimit", "queue": "support"]))
    }

    @Test("silence: the silence topic, then goodbye after the limit")
    func silence() throws {
        var bot = try runtime()
        _ = bot.start()
        #expect(texts(bot.receive(.silence)).first?.hasPrefix("Are you still there?") == true)
        #expect(texts(bot.receive(.silence)).first?.hasPrefix("Are you still there?") == true)
        let gone = bot.receive(.silence)
        #expect(texts(gone).contains("Thank you for calling. Goodbye."))
        #expect(bot.finished)
    }

    @Test("a goto loop is cut off, not followed forever")
    func gotoLoop() throws {
        let looping = BotDefinition(name: "loop", topics: [
            .init(name: "A", system: .greeting, nodes: [.goto("B")]), .init(name: "B", nodes: [.goto("A")])])
        var bot = EmbeddedBotRuntime(definition: looping, variables: [:])
        #expect(bot.start().contains { $0.name == "BotError" })
    }

    @Test("validation names goto targets that do not exist and repeated topics")
    func validation() throws {
        let bad = BotDefinition(name: "bad", topics: [
            .init(name: "A", system: .greeting, nodes: [.goto("Nowhere")]), .init(name: "A", triggers: ["x"], nodes: [])])
        let problems = bad.validate()
        #expect(problems.contains("topic 'A': goto 'Nowhere' names no topic"))
        #expect(problems.contains("topic 'A' is defined twice"))
        #expect(throws: BotDefinitionError.self) { try BotDefinition.parse(Data(#"{"name": "x", "topics": [{"name": "A", "nodes": [{"message": "a", "goto": "B"}]}]}"#.utf8)) }
    }

    @Test("conditions, interpolation and spoken numbers")
    func pieces() throws {
        let vars: [String: JSONValue] = ["N": .number(42), "S": "Gold", "E": ""]
        #expect(Condition.compare(variable: "N", op: .greaterThan, value: "41").evaluate(vars))
        #expect(!Condition.compare(variable: "S", op: .lessThan, value: "3").evaluate(vars))
        #expect(Condition.compare(variable: "S", op: .equals, value: "gold").evaluate(vars))
        #expect(Condition.all([.compare(variable: "E", op: .isEmpty, value: nil), .not(.compare(variable: "S", op: .contains, value: "x"))]).evaluate(vars))
        #expect(VariableText.interpolate("{S} has {N} points{{}} {Missing}.", vars) == "Gold has 42 points{} .")
        #expect(AnswerReader.spokenNumber("one hundred and forty two") == 142)
        #expect(AnswerReader.spokenNumber("two thousand five") == 2005)
        #expect(AnswerReader.spokenDigits("my account number is one two three four five") == "12345")
    }
}

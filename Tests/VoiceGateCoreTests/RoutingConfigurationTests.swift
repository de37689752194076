import Foundation
import Testing
@testable import VoiceGateCore

/// The start of a routing rule whose `when` follows.
private let routingRule = #"{"name": "r", "queue": "support", "when": "#

/// The `agents`, `queues` and `routing` sections, routing conditions (with `in`), and
/// `phoneNumbers[].queue`.
struct RoutingConfigurationTests {
    let base = ConfigurationParserTests()

    static let bots = #"""
    [{"id": "demo", "kind": "embedded", "applicationId": "demo"},
     {"id": "botA", "kind": "embedded", "applicationId": "a"},
     {"id": "botB", "kind": "embedded", "applicationId": "b"}]
    """#
    static let queues = #"[{"name": "support"}, {"name": "sales"}]"#

    /// The essentials, three bots and two queues, with `fields` replacing or adding top-level members.
    func file(_ fields: [String: String]) -> String {
        base.file(["bots": Self.bots, "queues": Self.queues].merging(fields) { $1 })
    }

    func problems(_ fields: [String: String]) -> [ConfigurationProblem] { base.problems(file(fields)) }

    @Test("a full routing configuration: every key read")
    func fullExample() throws {
        let text = #"""
        {
          "trunks": [{"name": "t", "sources": ["10.0.0.1"]}],
          "bots": [{"id": "demo", "kind": "embedded", "applicationId": "demo"},
                   {"id": "botA", "kind": "embedded", "applicationId": "a"},
                   {"id": "botB", "kind": "embedded", "applicationId": "b"}],
          "phoneNumbers": [{"number": "+14155550100", "bot": "demo"},
                           {"number": "+14155550101", "queue": "support"},
                           {"number": "*", "makeCalls": true}],
          "agents": [{"id": "alice", "name": "Alice Smith", "username": "alice", "password": "s3cret",
                      "algorithms": ["MD5"], "contact": "sip:alice@192.0.2.7:5060",
                      "capacity": 10, "queues": ["support", "support-es"], "wrapUpSeconds": 5},
                     {"id": "bob", "contact": "sips:[2001:db8::7]:5061;transport=tls"},
                     {"id": "carol", "username": "carol", "password": "pw"}],
          "queues": [{"name": "support", "assignment": "roundRobin",
                      "bots": [{"bot": "botA", "capacity": 100}, {"bot": "botB", "capacity": 5}],
                      "ringTimeoutSeconds": 15, "maxWaitSeconds": 300, "maxLength": 50,
                      "overflow": {"queue": "support-es"}, "hold": {"wav": "hold/music.wav"},
                      "announceEverySeconds": 45, "missedOffersBeforeAway": 2, "unitsPerCall": 2},
                     {"name": "support-es", "assignment": "longestIdle", "overflow": {"transfer": "+14155550123"},
                      "hold": {"text": "Espere, por favor"}, "announceEverySeconds": null},
                     {"name": "vip", "assignment": "leastActive", "overflow": {"bot": "botB"}, "announceEverySeconds": 0},
                     {"name": "last", "overflow": {"message": "Sorry, nobody can take your call."}}],
          "routing": {"rules": [{"name": "spanish", "when": {"variable": "Language", "op": "in", "value": ["es", "es-MX"]},
                                 "queue": "support-es"},
                                {"name": "vip", "when": {"and": [{"variable": "Tier", "op": "equals", "value": "gold"},
                                                                 {"not": {"variable": "Balance", "op": "lessThan", "value": 0}},
                                                                 {"or": [{"variable": "Vip", "op": "equals", "value": true},
                                                                         {"variable": "Note", "op": "isNotEmpty"}]}]},
                                 "queue": "vip"}],
                      "defaultQueue": "support", "agentToBotCode": "#0*", "agentToBotTarget": "botB",
                      "conversationLinkBase": "https://vg.example.net/conversations/"}
        }
        """#
        let config = try ConfigurationParser.parse(text).get()
        let expected = RoutingSettings(
            agents: [
                AgentSettings(id: "alice", name: "Alice Smith", credentials: DigestCredentials(username: "alice", password: "s3cret", algorithms: [.md5]),
                              contact: "sip:alice@192.0.2.7:5060", capacity: 10, queues: ["support", "support-es"], wrapUpSeconds: 5),
                AgentSettings(id: "bob", name: "bob", contact: "sips:[2001:db8::7]:5061;transport=tls"),
                AgentSettings(id: "carol", name: "carol", credentials: DigestCredentials(username: "carol", password: "pw")),
            ],
            queues: [
                QueueSettings(name: "support", assignment: .roundRobin, bots: [QueueBotMember(bot: "botA", capacity: 100), QueueBotMember(bot: "botB", capacity: 5)],
                              ringTimeoutSeconds: 15, maxWaitSeconds: 300, maxLength: 50, overflow: .queue("support-es"),
                              hold: .wav(path: "hold/music.wav"), announceEverySeconds: 45, missedOffersBeforeAway: 2, unitsPerCall: 2),
                QueueSettings(name: "support-es", assignment: .longestIdle, overflow: .transfer("+14155550123"),
                              hold: .text("Espere, por favor"), announceEverySeconds: nil),
                QueueSettings(name: "vip", assignment: .leastActive, overflow: .bot("botB"), announceEverySeconds: nil),
                QueueSettings(name: "last", overflow: .message("Sorry, nobody can take your call.")),
            ],
            rules: [
                RoutingRule(name: "spanish", condition: .oneOf(variable: "Language", values: ["es", "es-MX"]), queue: "support-es"),
                RoutingRule(name: "vip", condition: .all([
                    .compare(variable: "Tier", op: .equals, value: "gold"),
                    .not(.compare(variable: "Balance", op: .lessThan, value: "0")),
                    .any([.compare(variable: "Vip", op: .equals, value: "true"), .compare(variable: "Note", op: .isNotEmpty, value: nil)]),
                ]), queue: "vip"),
            ],
            defaultQueue: "support", agentToBotCode: "#0*", agentToBotTarget: "botB",
            conversationLinkBase: "https://vg.example.net/conversations/")
        #expect(config.routing == expected)
        var toQueue = PhoneNumberSettings(number: "+14155550101", bot: "")
        toQueue.queue = "support"
        #expect(config.phoneNumbers == [PhoneNumberSettings(number: "+14155550100", bot: "demo"), toQueue,
                                        PhoneNumberSettings(number: "*", bot: "", makeCalls: true)])
        #expect(!config.phoneNumbers[0].routesToQueue && config.phoneNumbers[1].routesToQueue && config.phoneNumbers[2].routesToQueue)
        #expect(config.phoneNumbers[2].queue == nil, "routed by the rules")
    }

    @Test("without agents, queues and routing a file parses as before; a queue's defaults")
    func defaults() throws {
        let plain = try ConfigurationParser.parse(base.file([:])).get()
        #expect(plain.routing == RoutingSettings())
        #expect(plain.phoneNumbers == [PhoneNumberSettings(number: "*", bot: "demo")])
        #expect(plain.phoneNumbers[0].queue == nil && !plain.phoneNumbers[0].routesToQueue)

        let config = try ConfigurationParser.parse(file([
            "agents": #"[{"id": "a", "contact": "sip:10.0.0.9"}]"#,
            "routing": #"{"defaultQueue": "support"}"#,
            "phoneNumbers": #"[{"number": "*"}]"#,
        ])).get()
        #expect(config.routing.queues[0] == QueueSettings(name: "support"))
        #expect(config.routing.queues[0].assignment == .highestCapacity && config.routing.queues[0].ringTimeoutSeconds == 20)
        #expect(config.routing.queues[0].maxWaitSeconds == nil && config.routing.queues[0].maxLength == nil && config.routing.queues[0].overflow == nil)
        #expect(config.routing.queues[0].announceEverySeconds == 30 && config.routing.queues[0].missedOffersBeforeAway == 3)
        #expect(config.routing.agents == [AgentSettings(id: "a", name: "a", contact: "sip:10.0.0.9", capacity: 1, queues: [], wrapUpSeconds: 0)])
        #expect(config.routing.agentToBotCode == "*9" && config.routing.agentToBotTarget == nil && config.routing.conversationLinkBase == nil)
        #expect(config.routing.rules.isEmpty && config.routing.defaultQueue == "support")
        // Routed by rules alone (no default queue) is fine too.
        #expect(problems(["phoneNumbers": #"[{"number": "*"}]"#,
                          "routing": #"{"rules": [{"name": "r", "when": {"variable": "x", "op": "isEmpty"}, "queue": "sales"}]}"#]).isEmpty)
    }

    /// One bad file each: the top-level members to replace, where the one problem is, what it says.
    @Test("each problem at its field, with its line", arguments: [
        // agents
        (["agents": #"[{"id": "a", "username": "u"}]"#], "agents[0].password", "is missing: username and password go together (the agent's phone registers with both)"),
        (["agents": #"[{"id": "a", "password": "p"}]"#], "agents[0].username", "is missing: password and username go together (the agent's phone registers with both)"),
        (["agents": #"[{"id": "a"}]"#], "agents[0]",
         "needs username and password (the agent's phone registers with them) or contact (a SIP URI to call the agent at), or both"),
        (["agents": #"[{"contact": "sip:h"}]"#], "agents[0].id", "is missing: the admin API and the supervisor know the agent by it"),
        (["agents": #"[{"id": "a b", "contact": "sip:h"}]"#], "agents[0].id", "'a b' must be letters, digits, _, . and - only"),
        (["agents": #"[{"id": "a", "contact": "sip:h"}, {"id": "a", "contact": "sip:h"}]"#], "agents[1].id", "another agent already has the id 'a'"),
        (["agents": #"[{"id": "a", "username": "u", "password": "p"}, {"id": "b", "username": "u", "password": "q"}]"#], "agents[1].username",
         "agents[0] has this username already: a registration must say which agent it is"),
        (["agents": #"[{"id": "a", "username": "", "password": "p"}]"#], "agents[0].username", "must not be empty"),
        (["agents": #"[{"id": "a", "username": "u", "password": "p\"q"}]"#], "agents[0].password",
         "must not contain '\"', '\\' or control characters: digest authentication carries it between quotes"),
        (["agents": #"[{"id": "a", "username": "u", "password": "p", "algorithms": ["SHA-1"]}]"#], "agents[0].algorithms[0]", "must be one of: SHA-256, MD5"),
        (["agents": #"[{"id": "a", "contact": "sip:h", "algorithms": ["MD5"]}]"#], "agents[0].algorithms", "only an agent with username and password has algorithms"),
        (["agents": #"[{"id": "a", "name": " ", "contact": "sip:h"}]"#], "agents[0].name", "must say something, without control characters (leave it out to show the id)"),
        (["agents": #"[{"id": "a", "contact": "tel:+14155550100"}]"#], "agents[0].contact",
         "must be a SIP URI like sip:alice@192.0.2.7:5060 (sip: or sips:, an optional user, a host, an optional port)"),
        (["agents": #"[{"id": "a", "contact": "sip:alice@192.0.2.7:70000"}]"#], "agents[0].contact",
         "must be a SIP URI like sip:alice@192.0.2.7:5060 (sip: or sips:, an optional user, a host, an optional port)"),
        (["agents": #"[{"id": "a", "contact": "sip:alice@bad host"}]"#], "agents[0].contact",
         "must be a SIP URI like sip:alice@192.0.2.7:5060 (sip: or sips:, an optional user, a host, an optional port)"),
        (["agents": #"[{"id": "a", "contact": "sip:alice:Hunter2@h"}]"#], "agents[0].contact",
         "must not hold a password: a phone that registers has username and password instead"),
        (["agents": #"[{"id": "a", "contact": "sip:h", "capacity": 0}]"#], "agents[0].capacity", "must be from 1 to 1000, not 0"),
        (["agents": #"[{"id": "a", "contact": "sip:h", "capacity": 1001}]"#], "agents[0].capacity", "must be from 1 to 1000, not 1001"),
        (["agents": #"[{"id": "a", "contact": "sip:h", "wrapUpSeconds": 3601}]"#], "agents[0].wrapUpSeconds", "must be from 0 to 3600, not 3601"),
        (["agents": #"[{"id": "a", "contact": "sip:h", "queues": ["nope"]}]"#], "agents[0].queues[0]", "no queue is named 'nope'; queues: support, sales"),
        (["agents": #"[{"id": "a", "contact": "sip:h", "queues": ["sales", "sales"]}]"#], "agents[0].queues[1]", "'sales' is listed twice"),
        (["agents": #"[{"id": "a", "contact": "sip:h", "queues": [1]}]"#], "agents[0].queues[0]", "must be a queue's name, a string, not a number"),
        (["agents": #"[{"id": "a", "contact": "sip:h", "capacty": 2}]"#], "agents[0].capacty",
         "unknown field (did you mean 'capacity'?); known fields here: id, name, username, password, algorithms, contact, capacity, queues, wrapUpSeconds"),
        (["agents": #"[{"id": "a", "contact": "sip:h", "queues": ["sales"]}]"#, "queues": #"[{"name": "sales", "unitsPerCall": 2}]"#], "agents[0].capacity",
         "1 is less than the 2 units a call from queue 'sales' takes (its unitsPerCall): the agent would never be offered one"),
        (["agents": #"{"id": "a"}"#], "agents", "must be a list, not an object"),
        // queues
        (["queues": #"[{"name": "support"}, {"name": "support"}]"#], "queues[1].name", "another queue is already named 'support'"),
        (["queues": #"[{"name": "a b"}]"#], "queues[0].name", "'a b' must be letters, digits, -, _ and . only"),
        (["queues": #"[{"name": ""}]"#], "queues[0].name", "must not be empty"),
        (["queues": #"[{"ringTimeoutSeconds": 5}]"#], "queues[0].name", "is missing: phone numbers, rules and agents name the queue by it"),
        (["queues": #"[{"name": "q", "assignment": "random"}]"#], "queues[0].assignment",
         "must be one of: highestCapacity, roundRobin, longestIdle, leastActive"),
        (["queues": #"[{"name": "q", "ringTimeoutSeconds": 0}]"#], "queues[0].ringTimeoutSeconds", "must be from 1 to 300, not 0"),
        (["queues": #"[{"name": "q", "ringTimeoutSeconds": 301}]"#], "queues[0].ringTimeoutSeconds", "must be from 1 to 300, not 301"),
        (["queues": #"[{"name": "q", "maxWaitSeconds": 86401}]"#], "queues[0].maxWaitSeconds", "must be from 1 to 86400, not 86401"),
        (["queues": #"[{"name": "q", "maxLength": 0}]"#], "queues[0].maxLength", "must be from 1 to 100000, not 0"),
        (["queues": #"[{"name": "q", "maxLength": 2.5}]"#], "queues[0].maxLength", "must be a whole number, not 2.5"),
        (["queues": #"[{"name": "q", "missedOffersBeforeAway": 101}]"#], "queues[0].missedOffersBeforeAway", "must be from 1 to 100, not 101"),
        (["queues": #"[{"name": "q", "unitsPerCall": 0}]"#], "queues[0].unitsPerCall", "must be from 1 to 1000, not 0"),
        (["queues": #"[{"name": "q", "announceEverySeconds": 2}]"#], "queues[0].announceEverySeconds", "must be from 5 to 3600, or 0 or null for never, not 2"),
        (["queues": #"[{"name": "q", "announceEverySeconds": "30"}]"#], "queues[0].announceEverySeconds", "must be a number of seconds, or null for never, not a string"),
        (["queues": #"[{"name": "q", "bots": [{"bot": "nobody", "capacity": 1}]}]"#], "queues[0].bots[0].bot", "no bot has the id 'nobody'; bots: demo, botA, botB"),
        (["queues": #"[{"name": "q", "bots": [{"bot": "botA", "capacity": 0}]}]"#], "queues[0].bots[0].capacity", "must be from 1 to 100000, not 0"),
        (["queues": #"[{"name": "q", "bots": [{"bot": "botA"}]}]"#], "queues[0].bots[0].capacity", "is missing: the bot's capacity, like an agent's, 1 to 100000"),
        (["queues": #"[{"name": "q", "bots": [{"bot": "botA", "capacity": 1}, {"bot": "botA", "capacity": 2}]}]"#], "queues[0].bots[1].bot", "'botA' is in this queue already"),
        (["queues": #"[{"name": "q", "overflow": {}}]"#], "queues[0].overflow",
         "must have one of: queue (another queue), transfer (an E.164 number), bot (a bot's id), message (spoken, then the call ends)"),
        (["queues": #"[{"name": "q", "overflow": {"queue": "support", "bot": "botA"}}, {"name": "support"}]"#], "queues[0].overflow",
         "has queue and bot: it takes one of queue, transfer, bot, message"),
        (["queues": #"[{"name": "q", "overflow": {"queue": "q"}}]"#], "queues[0].overflow.queue", "'q' is this queue itself: overflow goes somewhere else"),
        (["queues": #"[{"name": "q", "overflow": {"queue": "nope"}}]"#], "queues[0].overflow.queue", "no queue is named 'nope'; queues: q"),
        (["queues": #"[{"name": "q", "overflow": {"transfer": "4155550123"}}]"#], "queues[0].overflow.transfer",
         "'4155550123' is not an E.164 number: + then 2 to 15 digits, the first not 0, like +14155550100"),
        (["queues": #"[{"name": "q", "overflow": {"transfer": "+1 415 555 0123"}}]"#], "queues[0].overflow.transfer",
         "'+1 415 555 0123' is not an E.164 number: + then 2 to 15 digits, the first not 0, like +14155550100; write it '+14155550123'"),
        (["queues": #"[{"name": "q", "overflow": {"bot": "nobody"}}]"#], "queues[0].overflow.bot", "no bot has the id 'nobody'; bots: demo, botA, botB"),
        (["queues": #"[{"name": "q", "overflow": {"message": " "}}]"#], "queues[0].overflow.message", "must say something"),
        (["queues": #"[{"name": "q", "overflow": {"voicemail": "x"}}]"#], "queues[0].overflow.voicemail",
         "unknown field; known fields here: queue, transfer, bot, message"),
        (["queues": #"[{"name": "a", "overflow": {"queue": "b"}}, {"name": "b", "overflow": {"queue": "c"}}, {"name": "c", "overflow": {"queue": "a"}}]"#],
         "queues[0].overflow.queue", "overflow goes round in a circle (a → b → c → a): one queue in it must end with transfer, bot or message"),
        (["queues": #"[{"name": "q", "hold": {}}]"#], "queues[0].hold", "must have one of: wav (a WAV file, looped) or text (synthesized, looped)"),
        (["queues": #"[{"name": "q", "hold": {"wav": "a.wav", "text": "x"}}]"#], "queues[0].hold", "has wav and text: it takes one of wav, text"),
        (["queues": #"[{"name": "q", "hold": {"wav": ""}}]"#], "queues[0].hold.wav", "must not be empty"),
        (["queues": #"[{"name": "q", "hold": {"text": "  "}}]"#], "queues[0].hold.text", "must say something"),
        (["queues": #"[{"name": "q", "hold": "music.wav"}]"#], "queues[0].hold", "must be an object, not a string"),
        // routing
        (["routing": #"{"rules": [{"name": "r", "when": {"variable": "x", "op": "isEmpty"}, "queue": "nope"}]}"#], "routing.rules[0].queue",
         "no queue is named 'nope'; queues: support, sales"),
        (["routing": #"{"rules": [{"when": {"variable": "x", "op": "isEmpty"}, "queue": "sales"}]}"#], "routing.rules[0].name",
         "is missing: logs say which rule routed a conversation"),
        (["routing": #"{"rules": [{"name": "r", "queue": "sales"}]}"#], "routing.rules[0].when",
         #"is missing: the condition on context variables, like {"variable": "Language", "op": "equals", "value": "es"}"#),
        (["routing": #"{"rules": [{"name": "r", "when": {"variable": "x", "op": "isEmpty"}}]}"#], "routing.rules[0].queue",
         "is missing: the queue the rule sends conversations to"),
        (["routing": #"{"rules": [{"name": "r", "when": {"variable": "x", "op": "isEmpty"}, "queue": "sales"}, {"name": "r", "when": {"variable": "y", "op": "isEmpty"}, "queue": "sales"}]}"#],
         "routing.rules[1].name", "another rule is already named 'r'"),
        (["routing": #"{"defaultQueue": "nope"}"#], "routing.defaultQueue", "no queue is named 'nope'; queues: support, sales"),
        (["routing": #"{"defaultQueue": ""}"#], "routing.defaultQueue", "must not be empty"),
        (["routing": #"{"defaultQueue": "sales"}"#, "queues": ""], "routing.defaultQueue", "no queue is named 'sales': no queue is configured"),
        (["routing": #"{"agentToBotCode": "9a"}"#], "routing.agentToBotCode", "must be 1 to 8 of the keys 0-9, * and #, like \"*9\", not '9a'"),
        (["routing": #"{"agentToBotCode": ""}"#], "routing.agentToBotCode", "must be 1 to 8 of the keys 0-9, * and #, like \"*9\", not ''"),
        (["routing": #"{"agentToBotCode": "123456789"}"#], "routing.agentToBotCode", "must be 1 to 8 of the keys 0-9, * and #, like \"*9\", not '123456789'"),
        (["routing": #"{"agentToBotTarget": "nobody"}"#], "routing.agentToBotTarget", "no bot has the id 'nobody'; bots: demo, botA, botB"),
        (["routing": #"{"conversationLinkBase": "ftp://vg.example.net/c/"}"#], "routing.conversationLinkBase",
         "must start with http:// or https:// and name a host, like https://vg.example.net/conversations/"),
        (["routing": #"{"conversationLinkBase": "vg.example.net/c/"}"#], "routing.conversationLinkBase",
         "must start with http:// or https:// and name a host, like https://vg.example.net/conversations/"),
        (["routing": #"{"conversationLinkBase": "https://u:pw@vg.example.net/c/"}"#], "routing.conversationLinkBase",
         "must not hold a user name or password: agents' phones show the link"),
        (["routing": #"{"defaultQueues": "sales"}"#], "routing.defaultQueues",
         "unknown field (did you mean 'defaultQueue'?); known fields here: rules, defaultQueue, agentToBotCode, agentToBotTarget, conversationLinkBase"),
        (["routing": #"{"rules": {}}"#], "routing.rules", "must be a list, not an object"),
        // conditions
        (["routing": "{\"rules\": [\(routingRule)\"x\"}]}"], "routing.rules[0].when",
         #"must be a condition, an object like {"variable": "Language", "op": "equals", "value": "es"}, or {"and": [...]}, {"or": [...]}, {"not": {...}}; not a string"#),
        (["routing": "{\"rules\": [\(routingRule){}}]}"], "routing.rules[0].when",
         #"is empty: a condition is {"variable": "Language", "op": "equals", "value": "es"}, or {"and": [...]}, {"or": [...]}, {"not": {...}}"#),
        (["routing": "{\"rules\": [\(routingRule){\"and\": [], \"or\": []}}]}"], "routing.rules[0].when",
         #"has "and" and "or": a condition is one of and, or, not, or a comparison; nest them to combine"#),
        (["routing": "{\"rules\": [\(routingRule){\"and\": []}}]}"], "routing.rules[0].when.and", "must list at least one condition"),
        (["routing": "{\"rules\": [\(routingRule){\"or\": {}}}]}"], "routing.rules[0].when.or", "must be a list, not an object"),
        (["routing": "{\"rules\": [\(routingRule){\"not\": [1]}}]}"], "routing.rules[0].when.not",
         #"must be a condition, an object like {"variable": "Language", "op": "equals", "value": "es"}, or {"and": [...]}, {"or": [...]}, {"not": {...}}; not a list"#),
        (["routing": "{\"rules\": [\(routingRule){\"or\": [{\"variable\": \"a\", \"op\": \"equals\", \"value\": \"x\"}, {\"variable\": \"b\", \"op\": \"like\", \"value\": \"y\"}]}}]}"],
         "routing.rules[0].when.or[1].op",
         "must be one of: equals, notEquals, contains, isEmpty, isNotEmpty, greaterThan, lessThan, greaterOrEqual, lessOrEqual, in"),
        (["routing": "{\"rules\": [\(routingRule){\"and\": [{\"not\": {\"variable\": \"a b\", \"op\": \"isEmpty\"}}]}}]}"], "routing.rules[0].when.and[0].not.variable",
         "'a b' is not a variable name (a letter or _, then letters, digits, _ and .)"),
        (["routing": "{\"rules\": [\(routingRule){\"op\": \"isEmpty\"}}]}"], "routing.rules[0].when.variable", "is missing: the context variable to test, like \"Language\""),
        (["routing": "{\"rules\": [\(routingRule){\"variable\": \"a\"}}]}"], "routing.rules[0].when.op",
         "is missing: one of equals, notEquals, contains, isEmpty, isNotEmpty, greaterThan, lessThan, greaterOrEqual, lessOrEqual, in"),
        (["routing": "{\"rules\": [\(routingRule){\"variable\": \"a\", \"op\": \"isNotEmpty\", \"valu\": \"x\"}}]}"], "routing.rules[0].when.valu",
         "unknown field (did you mean 'value'?); known fields here: variable, op, value"),
        (["routing": "{\"rules\": [\(routingRule){\"variable\": \"a\", \"op\": \"in\", \"value\": \"es\"}}]}"], "routing.rules[0].when.value",
         #""in" takes a list of strings, like ["es", "pt"], not a string"#),
        (["routing": "{\"rules\": [\(routingRule){\"variable\": \"a\", \"op\": \"in\"}}]}"], "routing.rules[0].when.value",
         #"is missing: "in" takes a list of strings, like ["es", "pt"]"#),
        (["routing": "{\"rules\": [\(routingRule){\"variable\": \"a\", \"op\": \"in\", \"value\": []}}]}"], "routing.rules[0].when.value",
         "must list at least one string (an empty list matches nothing)"),
        (["routing": "{\"rules\": [\(routingRule){\"variable\": \"a\", \"op\": \"in\", \"value\": [\"es\", 1]}}]}"], "routing.rules[0].when.value[1]",
         "must be a string, not a number"),
        (["routing": "{\"rules\": [\(routingRule){\"variable\": \"a\", \"op\": \"in\", \"value\": [\"es\", \" ES\"]}}]}"], "routing.rules[0].when.value[1]",
         "' ES' is listed twice (the comparison ignores case and surrounding spaces)"),
        (["routing": "{\"rules\": [\(routingRule){\"variable\": \"a\", \"op\": \"isEmpty\", \"value\": \"x\"}}]}"], "routing.rules[0].when.value",
         "isEmpty compares with nothing: leave value out"),
        (["routing": "{\"rules\": [\(routingRule){\"variable\": \"a\", \"op\": \"greaterThan\", \"value\": \"ten\"}}]}"], "routing.rules[0].when.value",
         "greaterThan compares numbers: 'ten' is not one"),
        (["routing": "{\"rules\": [\(routingRule){\"variable\": \"a\", \"op\": \"equals\"}}]}"], "routing.rules[0].when.value",
         "is missing: what equals compares the variable with"),
        (["routing": "{\"rules\": [\(routingRule){\"variable\": \"a\", \"op\": \"equals\", \"value\": [\"x\"]}}]}"], "routing.rules[0].when.value",
         #"must be a string, a number or true or false, not a list (a list goes with "in")"#),
        // phone numbers
        (["phoneNumbers": #"[{"number": "*", "bot": "demo", "queue": "support"}]"#], "phoneNumbers[0].queue",
         "a number goes to a bot or to a queue, not both (leave both out to route its calls by routing.rules)"),
        (["phoneNumbers": #"[{"number": "*", "queue": "nope"}]"#], "phoneNumbers[0].queue", "no queue is named 'nope'; queues: support, sales"),
        (["phoneNumbers": #"[{"number": "*", "queue": ""}]"#], "phoneNumbers[0].queue", "must not be empty"),
        (["phoneNumbers": #"[{"number": "*", "bot": ""}]"#], "phoneNumbers[0].bot", "must not be empty"),
        (["phoneNumbers": #"[{"number": "*", "bot": 7}]"#], "phoneNumbers[0].bot", "must be a string, not a number"),
        (["phoneNumbers": #"[{"number": "*"}]"#], "phoneNumbers[0].bot",
         "is missing: the id of the bot that answers it (or queue, the queue calls go to; with neither, routing.rules or routing.defaultQueue must pick one)"),
        (["phoneNumbers": #"[{"number": "*"}]"#, "routing": #"{"defaultQueue": 5}"#], "routing.defaultQueue", "must be a string, not a number"),
        (["queue": "[]"], "queue",
         "unknown field (did you mean 'queues'?); known fields here: sip, http, calls, shutdown, trunks, phoneNumbers, sipHeaders, bots, store, admin, greeting, speech, sentiment, log, outboundPolicy, agents, queues, routing"),
    ])
    func problemAtItsField(fields: [String: String], path: String, message: String) {
        let found = problems(fields)
        #expect(found.count == 1, "\(found)")
        #expect(found.first?.path == path, "\(found)")
        #expect(found.first?.message == message)
        #expect(found.first?.line != nil)
    }

    @Test("lines are the file's: a problem deep in a queue and one the cross-check finds")
    func lines() {
        let found = base.problems("""
        {
          "trunks": [{"name": "t", "sources": ["10.0.0.1"]}],
          "phoneNumbers": [{"number": "*", "queue": "support"}],
          "queues": [{"name": "support",
                      "overflow": {"queue": "elsewhere"},
                      "hold": {"text": ""}}],
          "routing": {"rules": [{"name": "r", "queue": "support",
                                 "when": {"and": [{"variable": "a", "op": "in",
                                                   "value": ["x", 3]}]}}]}
        }
        """)
        #expect(Set(found.map(\.description)) == [
            "line 6, queues[0].hold.text: must not be empty",
            "line 5, queues[0].overflow.queue: no queue is named 'elsewhere'; queues: support",
            "line 9, routing.rules[0].when.and[0].value[1]: must be a string, not a number",
        ], "\(found)")
    }

    @Test("in: membership ignoring case and surrounding spaces; parsed and decoded alike")
    func inOperator() throws {
        let spanish = Condition.oneOf(variable: "Language", values: ["es", " pt-BR "])
        #expect(spanish.evaluate(["Language": "ES"]))
        #expect(spanish.evaluate(["Language": " pt-br"]))
        #expect(!spanish.evaluate(["Language": "en"]))
        #expect(!spanish.evaluate([:]))
        #expect(Condition.oneOf(variable: "N", values: ["1", "42"]).evaluate(["N": .number(42)]))
        #expect(Condition.not(spanish).evaluate(["Language": "fr"]))
        // A single value with "in", built in code, is "equals".
        #expect(Condition.compare(variable: "L", op: .in, value: "es").evaluate(["L": "Es"]))

        let json = #"{"variable": "Language", "op": "in", "value": ["es", " pt-BR "]}"#
        #expect(try JSONDecoder().decode(Condition.self, from: Data(json.utf8)) == spanish)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Condition.self, from: Data(#"{"variable": "L", "op": "in", "value": "es"}"#.utf8))
        }
        let config = try ConfigurationParser.parse(file([
            "routing": "{\"rules\": [\(routingRule)\(json)}]}"])).get()
        #expect(config.routing.rules[0].condition == spanish)

        // A topic bot's condition with "in" decodes as before: the embedded bots share the type.
        let definition = try BotDefinition.parse(Data(#"""
        {"name": "x", "topics": [{"name": "Greeting", "system": "greeting", "nodes": [
          {"condition": {"if": {"variable": "Tier", "op": "in", "value": ["gold", "platinum"]}, "then": [{"message": "VIP"}]}}]}]}
        """#.utf8))
        guard case .condition(let condition, _, _)? = definition.topics.first?.nodes.first else {
            Issue.record("no condition node in \(definition)")
            return
        }
        #expect(condition == .oneOf(variable: "Tier", values: ["gold", "platinum"]))
    }

    @Test("routing rules: the first matching rule's queue, else the default")
    func ruleOrder() {
        var routing = RoutingSettings(
            queues: [QueueSettings(name: "support"), QueueSettings(name: "support-es"), QueueSettings(name: "vip")],
            rules: [RoutingRule(name: "spanish", condition: .oneOf(variable: "Language", values: ["es", "es-MX"]), queue: "support-es"),
                    RoutingRule(name: "vip", condition: .compare(variable: "Tier", op: .equals, value: "gold"), queue: "vip"),
                    RoutingRule(name: "also spanish", condition: .compare(variable: "Language", op: .contains, value: "es"), queue: "vip")],
            defaultQueue: "support")
        #expect(routing.queue(for: ["Language": "ES ", "Tier": "gold"]) == "support-es", "both match: the first wins")
        #expect(routing.queue(for: ["Language": "en", "Tier": "Gold"]) == "vip")
        #expect(routing.queue(for: ["Language": "es-ES"]) == "vip", "not in the list; the third rule's contains matches")
        #expect(routing.queue(for: [:]) == "support")
        routing.defaultQueue = nil
        #expect(routing.queue(for: ["Language": "de"]) == nil)
    }

    @Test("agent passwords never show: not in descriptions, reflection or problems")
    func passwordsRedacted() throws {
        let password = "Agent-Hunter2"
        let config = try ConfigurationParser.parse(file([
            "agents": #"[{"id": "alice", "username": "alice", "password": "\#(password)", "contact": "sip:alice@10.0.0.7"}]"#])).get()
        let agent = try #require(config.routing.agents.first)
        #expect(agent.credentials?.password == password)
        var dumped = ""
        dump(config, to: &dumped)
        for printed in ["\(agent)", String(reflecting: agent), "\(config)", String(reflecting: config), "\(config.routing)", dumped] {
            #expect(!printed.contains(password), "\(printed)")
        }
        #expect("\(agent)".contains("alice") && "\(agent)".contains("<redacted>"))
        #expect(Mirror(reflecting: agent).children.allSatisfy { !"\($0.value)".contains(password) })

        let bad = "Agent\\\"Hunter2"
        let output = problems(["agents": #"[{"id": "a", "username": "u", "password": "\#(bad)"}]"#]).map(\.description).joined(separator: "\n")
        #expect(output.contains("agents[0].password"), "\(output)")
        #expect(!output.contains("Hunter2"), "\(output)")
    }
}

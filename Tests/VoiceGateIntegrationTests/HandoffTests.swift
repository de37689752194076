import Foundation
import Testing

extension Integration {
    /// Issue 7's hand-off to agent queues, end to end: a real gateway, external test bots (real
    /// Python HTTP processes), agents as `voicegate call --listen` softphones or sipp scenarios,
    /// callers as softphones or sipp.
    @Suite(.serialized)
    struct HandoffTests {
        static let organization = "+18005550100"
        static let caller = ExternalBotHarness.caller
        static let reply = Paths.packageRoot.appendingPathComponent("Sources/voicegate/Resources/reply.wav").path

        /// A gateway with these bots (id -> test bot), numbers, agents and queues.
        static func gateway(bots: [String: TestBot], numbers: [[String: Any]], agents: [[String: Any]],
                            queues: [[String: Any]], routing: [String: Any] = [:]) throws -> GatewayProcess {
            var config: [String: Any] = [
                "trunks": [["name": "carrier", "sources": ["127.0.0.0/8"], "defaultCountryCode": "1"]],
                "phoneNumbers": numbers,
                "bots": bots.map { id, bot in ["id": id, "kind": "external", "endpoint": bot.endpoint, "applicationId": id] },
                "agents": agents, "queues": queues,
            ]
            if !routing.isEmpty { config["routing"] = routing }
            return try GatewayProcess(configuration: config)
        }

        static func handoff(_ queue: String? = nil) -> [String: Any] {
            var event: [String: Any] = ["type": "event", "name": "handoff.initiate"]
            if let queue { event["value"] = ["queue": queue] }
            return event
        }

        static func say(_ text: String) -> [String: Any] { ["type": "message", "text": text] }

        /// An agent softphone at a fixed contact: answers, plays `play`, records.
        static func agent(calls: Int = 1, play: String? = reply, script: String? = nil) throws -> (SoftphoneProcess, Int) {
            var args = ["--listen", "0", "--calls", String(calls), "--record", "agent.wav"]
            var files: [String: String] = [:]
            if let script {
                args += ["--script", "a.txt"]
                files["a.txt"] = script
            } else if let play {
                args += ["--play", play]
            }
            let phone = try SoftphoneProcess(args, files: files)
            let port = try #require(phone.waitUntilListening(), "stderr: \(phone.stderr)")
            return (phone, port)
        }

        static func conversation(_ gateway: GatewayProcess, _ id: String) async throws -> [String: Any] {
            try await gateway.api("/api/v1/conversations/\(id)").1
        }

        static func activities(_ bot: TestBot, type: String, name: String? = nil) -> [[String: Any]] {
            bot.received.map(\.activity).filter { $0["type"] as? String == type && (name == nil || $0["name"] as? String == name) }
        }

        @Test("a bot's hand-off rings the agent with the caller's number and the conversation; caller and agent hear each other")
        func handOffBridgesCallerAndAgent() async throws {
            // The agent says nothing for 2 s after answering, then plays a WAV: the caller hears it apart from the bot.
            let (agent, agentPort) = try Self.agent(script: "pause 2\nplay \(Self.reply)\npause 8\n")
            let bot = try TestBot(rules: [["on": ["name": "SetContext"], "reply": [Self.say("Let me get you an agent."), Self.handoff("support")]]])
            let gateway = try Self.gateway(
                bots: ["front": bot], numbers: [["number": Self.organization, "bot": "front"]],
                agents: [["id": "alice", "name": "Alice", "contact": "sip:alice@127.0.0.1:\(agentPort)", "capacity": 1, "queues": ["support"]]],
                queues: [["name": "support", "ringTimeoutSeconds": 10, "announceEverySeconds": 0]])
            let caller = try ExternalBotHarness.phone(gateway, script: """
                expect speech within 15
                pause 5
                play \(Paths.corpus.appendingPathComponent("speech/01.wav").path)
                pause 1
                hangup
                """)
            #expect(caller.waitForExit(timeout: 60) == 0, "caller: \(caller.stdout) \(caller.stderr)")
            #expect(agent.waitForExit(timeout: 30) != nil, "agent: \(agent.stdout) \(agent.stderr)")
            // The agent's phone showed the caller's number.
            #expect((agent.report["from"] as? String)?.contains(Self.caller) == true, "agent saw: \(agent.stdout)")
            // The agent heard the caller's recording, and the caller heard the agent's.
            #expect(try PCMWave(contentsOf: agent.folder.appendingPathComponent("agent.wav")).frameLevels.filter { $0 >= 300 }.count >= 25)
            let heard = caller.report["heard"] as? [[String: Any]] ?? []
            let heardMs = heard.reduce(0.0) { $0 + (($1["endMs"] as? Double ?? 0) - ($1["startMs"] as? Double ?? 0)) }
            let bridged = try #require(gateway.waitFor(event: "agent.bridged"))
            #expect(bridged["agent"] == "alice")
            #expect(heardMs >= 2500, "the caller heard the bot and then the agent's prompt: \(heard)")
            // The last thing the caller heard is the agent's WAV (1.98 s, about 1.5 s of it speech), whole.
            #expect(ExternalBotHarness.heard(caller).count >= 2, "\(heard)")
            let last = try #require(ExternalBotHarness.heard(caller).last)
            #expect((1200...2300).contains(last.end - last.start), "the agent's WAV as the caller heard it: \(heard)")

            let ended = try #require(gateway.waitFor(event: "call.ended"))
            let id = try #require(ended["conversation"])
            let conversation = try #require(try await ExternalBotHarness.closed(gateway, id))
            #expect(conversation["outcome"] as? String == "escalated")
            #expect(conversation["agent"] as? String == "alice" && conversation["queue"] as? String == "support", "\(conversation)")
            let texts = ExternalBotHarness.turns(conversation).map { $0["text"] as? String ?? "" }
            #expect(texts.contains("waiting in queue support") && texts.contains("agent alice answered"), "\(texts)")
            #expect(try await eventually {
                Self.activities(bot, type: "endOfConversation").contains { ($0["channelData"] as? [String: Any])?["reason"] as? String == "handedOff" }
            }, "the bot heard it was handed off")
            #expect(gateway.stop() == 0)
        }

        static func time(_ line: [String: String]) -> Date? {
            let f = ISO8601DateFormatter()
            f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            return line["ts"].flatMap { f.date(from: $0) }
        }

        static func routing(_ gateway: GatewayProcess, _ id: String) async throws -> [String: Any] {
            try await gateway.api("/api/v1/conversations/\(id)/routing").1
        }

        static func agents(_ gateway: GatewayProcess) async throws -> [String: [String: Any]] {
            let list = try await gateway.api("/api/v1/agents").1["agents"] as? [[String: Any]] ?? []
            return Dictionary(uniqueKeysWithValues: list.map { ($0["id"] as? String ?? "", $0) })
        }

        @Test("highest capacity rings first; an agent who lets it ring is cancelled after the ring timeout and the next rings at once; the agent sees the conversation before answering")
        func rolloverOnNoAnswer() async throws {
            let free = try RawSocket(type: SOCK_DGRAM, bindTo: "127.0.0.1")
            let ringerPort = free.localPort
            free.close()
            let ringer = try SIPp.start("uas_agent_rings.xml", port: 9, extra: ["-p", String(ringerPort)])
            let (alice, alicePort) = try Self.agent()
            let bot = try TestBot(rules: [["on": ["name": "SetContext"], "reply": [
                ["type": "event", "name": "SetVariables", "value": ["Topic": "billing"]],
                Self.say("Let me get you an agent."), Self.handoff()]]])
            let gateway = try Self.gateway(
                bots: ["front": bot], numbers: [["number": Self.organization, "bot": "front"]],
                agents: [["id": "bob", "contact": "sip:bob@127.0.0.1:\(ringerPort)", "capacity": 10, "queues": ["billing"]],
                         ["id": "alice", "contact": "sip:alice@127.0.0.1:\(alicePort)", "capacity": 5, "queues": ["billing"]]],
                queues: [["name": "billing", "assignment": "highestCapacity", "ringTimeoutSeconds": 3, "missedOffersBeforeAway": 1,
                          "announceEverySeconds": 0],
                         ["name": "general", "announceEverySeconds": 0]],
                routing: ["rules": [["name": "billing", "when": ["variable": "Topic", "op": "equals", "value": "billing"], "queue": "billing"]],
                          "defaultQueue": "general"])
            let caller = try ExternalBotHarness.phone(gateway, script: "expect speech within 15\npause 6\nhangup\n")
            let first = try #require(gateway.waitFor(event: "agent.offer"))
            #expect(first["agent"] == "bob" && first["queue"] == "billing", "the rule on Topic picked billing; bob has the most capacity: \(first)")
            let id = try #require(first["conversation"])
            // While bob's phone rings, the conversation is there to read: waiting, with the bot's words and the variables
            // (the store commits the routing columns in its next batch, moments after the offer is logged).
            var seen: [String: Any] = [:]
            _ = try await eventually(timeout: 3) {
                seen = try await Self.conversation(gateway, id)
                return seen["state"] as? String == "waiting"
            }
            #expect(seen["state"] as? String == "waiting" && seen["queue"] as? String == "billing", "\(seen)")
            #expect((seen["variables"] as? [String: Any])?["bot.CustomerPhoneNumber"] as? String == Self.caller)
            #expect((seen["variables"] as? [String: Any])?["Topic"] as? String == "billing")
            #expect(ExternalBotHarness.botMessages(seen).contains("Let me get you an agent."), "\(seen)")

            let cancelled = try #require(gateway.waitFor(event: "agent.ring_cancelled", timeout: 10))
            let second = try #require(gateway.waitFor(event: "agent.offer", skipping: 1, timeout: 10))
            #expect(cancelled["agent"] == "bob" && second["agent"] == "alice")
            let t0 = try #require(Self.time(first)), t1 = try #require(Self.time(cancelled)), t2 = try #require(Self.time(second))
            #expect(t1.timeIntervalSince(t0) >= 2.9 && t1.timeIntervalSince(t0) <= 3.6, "rang \(t1.timeIntervalSince(t0)) s of 3")
            #expect(t2.timeIntervalSince(t1) < 0.5, "no gap before the next agent: \(t2.timeIntervalSince(t1)) s")
            #expect(ringer.wait().succeeded, "bob's phone saw the caller's number, the conversation headers, and the CANCEL")
            #expect(caller.waitForExit(timeout: 30) == 0, "caller: \(caller.stdout)")
            _ = alice.waitForExit(timeout: 20)
            // One missed offer is bob's limit here: he is away now.
            let agents = try await Self.agents(gateway)
            #expect(agents["bob"]?["presence"] as? String == "away" && agents["alice"]?["presence"] as? String != "away", "\(agents)")
            #expect(gateway.events("agent.presence").contains { $0["agent"] == "bob" && $0["reason"] == "missedOffers" })
            #expect(gateway.stop() == 0)
        }

        @Test("presence set through the API stops offers; after the maximum wait the queue overflows with its message and the call ends")
        func overflowAfterMaxWait() async throws {
            let (alice, alicePort) = try Self.agent()
            let bot = try TestBot(rules: [["on": ["name": "SetContext"], "reply": [Self.say("Connecting you."), Self.handoff("support")]]])
            let gateway = try Self.gateway(
                bots: ["front": bot], numbers: [["number": Self.organization, "bot": "front"]],
                agents: [["id": "alice", "contact": "sip:alice@127.0.0.1:\(alicePort)", "queues": ["support"]]],
                queues: [["name": "support", "maxWaitSeconds": 3, "announceEverySeconds": 0,
                          "overflow": ["message": "Sorry, everyone is busy. Please call again later."]]])
            let (status, body) = try await gateway.api("/api/v1/agents/alice/presence", method: "PUT", body: #"{"presence": "away"}"#)
            #expect(status == 200 && body["presence"] as? String == "away", "\(body)")
            #expect(try await Self.agents(gateway)["alice"]?["presence"] as? String == "away")
            #expect(try await eventually { try await gateway.get("/metrics").1.contains("voicegate_agents{presence=\"away\"} 1") },
                    "/metrics counts agents by presence")
            let caller = try ExternalBotHarness.phone(gateway, script: "expect hangup within 30\n")
            #expect(caller.waitForExit(timeout: 40) == 0, "caller: \(caller.stdout)")
            let overflow = try #require(gateway.waitFor(event: "queue.overflow"))
            #expect(overflow["reason"] == "maxWait" && overflow["action"] == "message")
            #expect(gateway.events("agent.offer").isEmpty, "an away agent is not offered calls")
            let id = try #require(overflow["conversation"])
            let conversation = try #require(try await ExternalBotHarness.closed(gateway, id))
            let texts = ExternalBotHarness.turns(conversation).map { $0["text"] as? String ?? "" }
            #expect(texts.contains("Sorry, everyone is busy. Please call again later."), "\(texts)")
            let routing = try await Self.routing(gateway, id)
            let entries = routing["queueEntries"] as? [[String: Any]] ?? []
            #expect(entries.count == 1 && entries.first?["result"] as? String == "overflowed", "\(routing)")
            #expect((entries.first?["waitSeconds"] as? Double ?? 0) >= 2.9)
            // Back to available: the API says so.
            let (back, _) = try await gateway.api("/api/v1/agents/alice/presence", method: "PUT", body: #"{"presence": "available"}"#)
            #expect(back == 200)
            #expect(try await Self.agents(gateway)["alice"]?["presence"] as? String == "available")
            alice.signal(SIGTERM)
            #expect(gateway.stop() == 0)
        }

        @Test("a caller who hangs up while waiting is abandoned, with the wait; the segments say how long each part took")
        func abandonedWhileWaiting() async throws {
            let bot = try TestBot(rules: [["on": ["name": "SetContext"], "reply": [Self.say("Please hold."), Self.handoff("support")]]])
            let gateway = try Self.gateway(
                bots: ["front": bot], numbers: [["number": Self.organization, "bot": "front"]],
                agents: [["id": "alice", "contact": "sip:alice@127.0.0.1:9", "queues": ["support"]]],
                queues: [["name": "support", "announceEverySeconds": 0]])
            #expect(try await gateway.api("/api/v1/agents/alice/presence", method: "PUT", body: #"{"presence": "offline"}"#).0 == 200)
            let caller = try ExternalBotHarness.phone(gateway, script: "expect speech within 15\npause 3\nhangup\n")
            #expect(caller.waitForExit(timeout: 30) == 0, "caller: \(caller.stdout)")
            let ended = try #require(gateway.waitFor(event: "call.ended"))
            let id = try #require(ended["conversation"])
            let conversation = try #require(try await ExternalBotHarness.closed(gateway, id))
            #expect(conversation["outcome"] as? String == "abandoned" && conversation["endReason"] as? String == "customerHangUp")
            let last = ExternalBotHarness.turns(conversation).last { $0["text"] as? String == "call ended" }
            let wait = (last?["data"] as? [String: Any])?["waitSeconds"] as? Double ?? 0
            #expect(wait >= 1.0 && wait <= 5, "waited \(wait) s: \(String(describing: last))")
            let routing = try await Self.routing(gateway, id)
            #expect((routing["queueEntries"] as? [[String: Any]])?.first?["result"] as? String == "abandoned", "\(routing)")
            let seconds = routing["segmentSeconds"] as? [String: Double] ?? [:]
            #expect((seconds["bot"] ?? 0) > 0 && (seconds["waiting"] ?? 0) >= 1.0 && (seconds["agent"] ?? 0) == 0, "\(seconds)")
            #expect(gateway.stop() == 0)
        }

        @Test("the agent's keypad code hands the caller to a bot: the agent leg ends, the bot gets conversationUpdate and SetContext with the transcript, and greets")
        func agentHandsBackByKeypad() async throws {
            let (agent, agentPort) = try Self.agent(script: "play \(Self.reply)\npause 1\ndtmf *9\npause 8\n")
            let botA = try TestBot(rules: [["on": ["name": "SetContext"], "reply": [Self.say("Let me get you an agent."), Self.handoff("support")]]])
            let botB = try TestBot(rules: [["on": ["name": "SetContext"], "reply": [Self.say("Hello again, this is the billing assistant. How can I help?")]]])
            let gateway = try Self.gateway(
                bots: ["front": botA, "billing": botB], numbers: [["number": Self.organization, "bot": "front"]],
                agents: [["id": "alice", "contact": "sip:alice@127.0.0.1:\(agentPort)", "queues": ["support"]]],
                queues: [["name": "support", "announceEverySeconds": 0]],
                routing: ["agentToBotCode": "*9", "agentToBotTarget": "billing", "defaultQueue": "support"])
            let caller = try ExternalBotHarness.phone(gateway, script: "expect speech within 15\npause 14\nhangup\n")
            let handBack = try #require(gateway.waitFor(event: "agent.hand_back", timeout: 30))
            #expect(handBack["bot"] == "billing")
            #expect(caller.waitForExit(timeout: 40) == 0, "caller: \(caller.stdout)")
            _ = agent.waitForExit(timeout: 20)
            let id = try #require(handBack["conversation"])
            // Bot B: conversationUpdate (bot added), then SetContext with the transcript so far.
            let received = botB.received.map(\.activity)
            #expect(received.first?["type"] as? String == "conversationUpdate", "\(received)")
            let context = try #require(received.first { $0["name"] as? String == "SetContext" })
            let transcript = (context["channelData"] as? [String: Any])?["transcript"] as? [[String: Any]] ?? []
            #expect(transcript.contains { $0["text"] as? String == "Let me get you an agent." }, "\(transcript)")
            #expect(transcript.contains { $0["text"] as? String == "agent alice answered" })
            #expect(gateway.events("agent.leg_ended").contains { $0["agent"] == "alice" && $0["by"] == "gateway" })
            // The caller heard bot B's greeting after the hand-back.
            let prompts = gateway.events("speech.prompt").filter { $0["conversation"] == id }
            #expect(prompts.count == 2, "bot A's line and bot B's greeting were played: \(prompts)")
            // Bot B's greeting (about 3.5 s of speech) is the last thing the caller heard, and whole.
            let greetingSeconds = Double(prompts.last?["speech_seconds"] ?? "") ?? 0
            let heard = ExternalBotHarness.heard(caller)
            let last = try #require(heard.last, "\(caller.stdout)")
            #expect(greetingSeconds > 2.5 && abs((last.end - last.start) / 1000 - greetingSeconds) < 0.4,
                    "heard \(heard) against a greeting of \(greetingSeconds) s")
            let conversation = try #require(try await ExternalBotHarness.closed(gateway, id))
            #expect(ExternalBotHarness.botMessages(conversation).contains("Hello again, this is the billing assistant. How can I help?"))
            #expect(conversation["bot"] as? String == "billing")
            #expect(gateway.stop() == 0)
        }

        /// The seed's "two bots in two queues": bot A in queue 1 takes the call, escalates to an
        /// agent of queue 1, the agent hands the conversation to queue 2, where bot B greets.
        @Test("seed: two bots in two queues")
        func twoBotsInTwoQueues() async throws {
            let (agent, agentPort) = try Self.agent(script: "play \(Self.reply)\npause 20\n")
            let botA = try TestBot(rules: [["on": ["name": "SetContext"], "reply": [Self.say("This is bot A. An agent will help you."), Self.handoff()]]])
            let botB = try TestBot(rules: [["on": ["name": "SetContext"], "reply": [Self.say("This is bot B, taking over from the agent.")]]])
            let gateway = try Self.gateway(
                bots: ["botA": botA, "botB": botB], numbers: [["number": Self.organization, "queue": "queue1"]],
                agents: [["id": "alice", "contact": "sip:alice@127.0.0.1:\(agentPort)", "capacity": 10, "queues": ["queue1"]]],
                queues: [["name": "queue1", "bots": [["bot": "botA", "capacity": 100]], "announceEverySeconds": 0],
                         ["name": "queue2", "bots": [["bot": "botB", "capacity": 100]], "announceEverySeconds": 0]],
                routing: ["defaultQueue": "queue1"])
            let caller = try ExternalBotHarness.phone(gateway, script: "expect speech within 15\npause 16\nhangup\n")
            let bridged = try #require(gateway.waitFor(event: "agent.bridged", timeout: 30))
            let id = try #require(bridged["conversation"])
            #expect(gateway.events("routing.to_bot").first?["bot"] == "botA")
            let (status, body) = try await gateway.api("/api/v1/conversations/\(id)/transfer", method: "POST", body: #"{"queue": "queue2"}"#)
            #expect(status == 200, "\(body)")
            #expect(try await eventually { Self.activities(botB, type: "event", name: "SetContext").count == 1 })
            #expect(caller.waitForExit(timeout: 40) == 0, "caller: \(caller.stdout)")
            agent.signal(SIGTERM)
            #expect(botB.received.first?.activity["type"] as? String == "conversationUpdate")
            let toBot = gateway.events("routing.to_bot").filter { $0["conversation"] == id }.map { $0["bot"] ?? "" }
            #expect(toBot == ["botA", "botB"], "\(toBot)")
            let conversation = try #require(try await ExternalBotHarness.closed(gateway, id))
            #expect(ExternalBotHarness.botMessages(conversation).contains("This is bot B, taking over from the agent."))
            #expect(conversation["queue"] as? String == "queue2" && conversation["bot"] as? String == "botB", "\(conversation)")
            #expect(gateway.stop() == 0)
        }

        /// The seed's "two bots in one queue": bot A (highest capacity) takes the call, the agent
        /// (next) gets the escalation, and when the agent hands back to the queue, bot B (lowest).
        @Test("seed: two bots in one queue, ordered by capacity")
        func twoBotsInOneQueue() async throws {
            let (agent, agentPort) = try Self.agent(script: "play \(Self.reply)\npause 20\n")
            let botA = try TestBot(rules: [["on": ["name": "SetContext"], "reply": [Self.say("This is bot A. An agent will help you."), Self.handoff()]]])
            let botB = try TestBot(rules: [["on": ["name": "SetContext"], "reply": [Self.say("This is bot B, taking over from the agent.")]]])
            let gateway = try Self.gateway(
                bots: ["botA": botA, "botB": botB], numbers: [["number": Self.organization, "queue": "shared"]],
                agents: [["id": "alice", "contact": "sip:alice@127.0.0.1:\(agentPort)", "capacity": 10, "queues": ["shared"]]],
                queues: [["name": "shared", "assignment": "highestCapacity",
                          "bots": [["bot": "botB", "capacity": 1], ["bot": "botA", "capacity": 100]], "announceEverySeconds": 0]],
                routing: ["defaultQueue": "shared"])
            let caller = try ExternalBotHarness.phone(gateway, script: "expect speech within 15\npause 16\nhangup\n")
            let bridged = try #require(gateway.waitFor(event: "agent.bridged", timeout: 30))
            let id = try #require(bridged["conversation"])
            #expect(Self.activities(botB, type: "event", name: "SetContext").isEmpty, "bot B has not had it yet")
            let (status, body) = try await gateway.api("/api/v1/conversations/\(id)/transfer", method: "POST", body: #"{"queue": "shared"}"#)
            #expect(status == 200, "\(body)")
            #expect(try await eventually { Self.activities(botB, type: "event", name: "SetContext").count == 1 })
            #expect(caller.waitForExit(timeout: 40) == 0, "caller: \(caller.stdout)")
            agent.signal(SIGTERM)
            let order = gateway.events("routing.to_bot").filter { $0["conversation"] == id }.map { $0["bot"] ?? "" }
            #expect(order == ["botA", "botB"], "bot A first, then the agent, then bot B: \(order)")
            #expect(Self.activities(botA, type: "event", name: "SetContext").count == 1, "bot A did not get the conversation back")
            let conversation = try #require(try await ExternalBotHarness.closed(gateway, id))
            #expect(ExternalBotHarness.botMessages(conversation).contains("This is bot B, taking over from the agent."))
            #expect(gateway.stop() == 0)
        }

        @Test("50 callers waiting at once with 5 agents: every caller is served or overflowed, none is lost, and announced positions never go up")
        func fiftyCallersFiveAgents() async throws {
            var agents: [(SoftphoneProcess, Int)] = []
            for _ in 0..<5 { agents.append(try Self.agent(calls: 50, script: "pause 1\nhangup\n")) }
            let gateway = try Self.gateway(
                bots: [:], numbers: [["number": Self.organization, "queue": "line"]],
                agents: agents.enumerated().map { i, a in
                    ["id": "agent\(i + 1)", "contact": "sip:agent\(i + 1)@127.0.0.1:\(a.1)", "capacity": 1, "queues": ["line"]]
                },
                queues: [["name": "line", "assignment": "longestIdle", "ringTimeoutSeconds": 10, "announceEverySeconds": 5,
                          "maxWaitSeconds": 120, "hold": ["text": "Please hold."],
                          "overflow": ["message": "Sorry, please call again later."]]])
            let callers = try SIPp.start("uac_waits_in_queue.xml", port: gateway.sipPort, service: Self.organization,
                                         extra: ["-m", "50", "-l", "50", "-r", "50", "-timeout", "170"])
            let result = callers.wait()
            #expect(result.succeeded, "every caller got the gateway's BYE: \(result.output.suffix(3000))")
            for (phone, _) in agents { phone.signal(SIGTERM) }

            let entered = gateway.events("queue.entered")
            let left = gateway.events("queue.left")
            let ids = Set(entered.compactMap { $0["conversation"] })
            #expect(entered.count == 50 && ids.count == 50, "\(entered.count) entries for \(ids.count) conversations")
            #expect(Set(left.compactMap { $0["conversation"] }) == ids && left.count == 50, "every entry ended once: \(left.count)")
            let results = Dictionary(grouping: left, by: { $0["result"] ?? "" }).mapValues(\.count)
            #expect((results["served"] ?? 0) + (results["overflowed"] ?? 0) == 50, "\(results)")
            #expect(results["abandoned"] == nil, "\(results)")
            let waits = left.compactMap { Double($0["wait_seconds"] ?? "") }
            print("fifty callers, five agents: \(results), longest wait \(waits.max() ?? 0) s, mean wait \(waits.reduce(0, +) / Double(max(1, waits.count))) s, announcements \(gateway.events("queue.announce").count)")
            // Positions announced to each caller never went up.
            var rising: [String] = []
            for id in ids {
                let positions = gateway.events("queue.announce").filter { $0["conversation"] == id }.compactMap { Int($0["position"] ?? "") }
                if zip(positions, positions.dropFirst()).contains(where: { $1 > $0 }) { rising.append("\(id): \(positions)") }
            }
            #expect(rising.isEmpty, "\(rising)")
            #expect(gateway.events("queue.announce").count >= 50, "every caller heard at least their first position")
            // No agent ever had two callers at once: each answered offer was followed by that agent's leg ending.
            let ended = gateway.events("call.ended")
            #expect(ended.count == 50)
            var closed = 0
            #expect(try await eventually(timeout: 30) {
                closed = try await gateway.api("/api/v1/conversations?state=closed&limit=500").1["conversations"].map { ($0 as? [Any])?.count ?? 0 } ?? 0
                return closed == 50
            }, "\(closed) of 50 conversations closed")
            #expect(gateway.stop() == 0)
        }

        @Test("the queue's assignment method picks who rings: three calls in a row to alice (capacity 5) and bob (capacity 3)",
              arguments: [("highestCapacity", ["alice", "alice", "alice"]), ("roundRobin", ["alice", "bob", "alice"]),
                          ("longestIdle", ["alice", "bob", "alice"])])
        func assignmentMethod(method: String, expected: [String]) async throws {
            let (alice, alicePort) = try Self.agent(calls: 3, script: "pause 1\nhangup\n")
            let (bob, bobPort) = try Self.agent(calls: 3, script: "pause 1\nhangup\n")
            let gateway = try Self.gateway(
                bots: [:], numbers: [["number": Self.organization, "queue": "line"]],
                agents: [["id": "alice", "contact": "sip:alice@127.0.0.1:\(alicePort)", "capacity": 5, "queues": ["line"]],
                         ["id": "bob", "contact": "sip:bob@127.0.0.1:\(bobPort)", "capacity": 3, "queues": ["line"]]],
                queues: [["name": "line", "assignment": method, "announceEverySeconds": 0]])
            // One caller at a time: each call starts after the one before it ended.
            let callers = try SIPp.start("uac_waits_in_queue.xml", port: gateway.sipPort, service: Self.organization,
                                         extra: ["-m", "3", "-l", "1", "-r", "1"])
            #expect(callers.wait().succeeded)
            alice.signal(SIGTERM)
            bob.signal(SIGTERM)
            let answered = gateway.events("agent.answered").map { $0["agent"] ?? "" }
            #expect(answered == expected, "\(method): \(answered)")
            #expect(gateway.stop() == 0)
        }

        @Test("an agent whose softphone registered with Digest is rung at its registered contact; unregistered, it is not offered calls")
        func registeredAgentIsRung() async throws {
            let bot = try TestBot(rules: [["on": ["name": "SetContext"], "reply": [Self.say("Let me get you an agent."), Self.handoff("support")]]])
            let gateway = try Self.gateway(
                bots: ["front": bot], numbers: [["number": Self.organization, "bot": "front"]],
                agents: [["id": "alice", "username": "alice", "password": "alice-secret-1", "algorithms": ["MD5"], "queues": ["support"]]],
                queues: [["name": "support", "announceEverySeconds": 0]])
            #expect(try await Self.agents(gateway)["alice"]?["registered"] as? Bool == false)
            let agent = try SoftphoneProcess(["--listen", "0", "--register", "sip:127.0.0.1:\(gateway.sipPort)", "--user", "alice",
                                              "--password", "alice-secret-1", "--calls", "1", "--play", Self.reply, "--record", "agent.wav"])
            _ = try #require(agent.waitForEvent("softphone.registered", timeout: 20), "stderr: \(agent.stderr)")
            #expect(try await eventually { try await Self.agents(gateway)["alice"]?["registered"] as? Bool == true })
            let caller = try ExternalBotHarness.phone(gateway, script: """
                expect speech within 15
                pause 3
                play \(Paths.corpus.appendingPathComponent("speech/01.wav").path)
                pause 1
                hangup
                """)
            #expect(caller.waitForExit(timeout: 60) == 0, "caller: \(caller.stdout)")
            let bridged = try #require(gateway.waitFor(event: "agent.bridged"))
            #expect(bridged["agent"] == "alice")
            #expect(agent.waitForExit(timeout: 30) == 0, "agent: \(agent.stdout) \(agent.stderr)")
            #expect((agent.report["from"] as? String)?.contains(Self.caller) == true)
            #expect(try PCMWave(contentsOf: agent.folder.appendingPathComponent("agent.wav")).frameLevels.filter { $0 >= 300 }.count >= 25)
            // It unregistered on exit: the agent is no longer reachable.
            #expect(try await eventually { try await Self.agents(gateway)["alice"]?["registered"] as? Bool == false })
            #expect(try await Self.agents(gateway)["alice"]?["reachable"] as? Bool == false)
            #expect(gateway.stop() == 0)
        }

        @Test("bad requests to the routing API get clear errors and change nothing")
        func routingAPIBadInput() async throws {
            let bot = try TestBot(rules: [["on": ["name": "SetContext"], "reply": [Self.say("Hello, I am the bot and I keep talking for a while.")]]])
            let gateway = try Self.gateway(
                bots: ["front": bot], numbers: [["number": Self.organization, "bot": "front"]],
                agents: [["id": "alice", "contact": "sip:alice@127.0.0.1:9", "queues": ["support"]]],
                queues: [["name": "support", "announceEverySeconds": 0]])
            let presence = "/api/v1/agents/alice/presence"
            #expect(try await gateway.api("/api/v1/agents/nobody/presence", method: "PUT", body: #"{"presence": "away"}"#).0 == 404)
            #expect(try await gateway.api(presence, method: "PUT", body: #"{"presence": "sleeping"}"#).0 == 400)
            #expect(try await gateway.api(presence, method: "PUT", body: "not json").0 == 400)
            #expect(try await gateway.api(presence, token: nil, method: "PUT", body: #"{"presence": "away"}"#).0 == 401)
            #expect(try await Self.agents(gateway)["alice"]?["presence"] as? String == "available", "nothing changed")
            let unknown = "/api/v1/conversations/00000000-0000-0000-0000-000000000000/transfer"
            #expect(try await gateway.api(unknown, method: "POST", body: #"{"bot": "front"}"#).0 == 404)
            let caller = try ExternalBotHarness.phone(gateway, script: "expect speech within 15\npause 2\nhangup\n")
            let started = try #require(gateway.waitFor(event: "call.media_started"))
            let id = try #require(started["conversation"])
            let transfer = "/api/v1/conversations/\(id)/transfer"
            #expect(try await gateway.api(transfer, method: "POST", body: #"{"bot": "nobody"}"#).0 == 400)
            #expect(try await gateway.api(transfer, method: "POST", body: #"{"queue": "nowhere"}"#).0 == 400)
            #expect(try await gateway.api(transfer, method: "POST", body: #"{"bot": "front", "queue": "support"}"#).0 == 400)
            let (status, body) = try await gateway.api(transfer, method: "POST", body: #"{"queue": "support"}"#)
            #expect(status == 409 && (body["error"] as? [String: Any])?["code"] as? String == "not_with_an_agent", "a bot has the caller: \(body)")
            #expect(caller.waitForExit(timeout: 30) == 0, "the call went on with its bot: \(caller.stdout)")
            #expect(gateway.events("routing.enqueue").isEmpty)
            #expect(gateway.stop() == 0)
        }

        @Test("kill -9 while a caller waits: after the restart the gateway shows who was waiting (entry interrupted, with the wait) and agents keep their presence")
        func restartShowsWhoWasWaiting() async throws {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("voicegate-queue-kill-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let bot = try TestBot(rules: [["on": ["name": "SetContext"], "reply": [Self.say("Please hold."), Self.handoff("support")]]])
            func start() throws -> GatewayProcess {
                var config: [String: Any] = [
                    "trunks": [["name": "carrier", "sources": ["127.0.0.0/8"], "defaultCountryCode": "1"]],
                    "phoneNumbers": [["number": Self.organization, "bot": "front"]],
                    "bots": [["id": "front", "kind": "external", "endpoint": bot.endpoint, "applicationId": "front"]],
                    "agents": [["id": "alice", "contact": "sip:alice@127.0.0.1:9", "queues": ["support"]]],
                    "queues": [["name": "support", "announceEverySeconds": 0]],
                ]
                config["store"] = ["path": folder.appendingPathComponent("voicegate.db").path]
                return try GatewayProcess(configuration: config)
            }
            let first = try start()
            #expect(try await first.api("/api/v1/agents/alice/presence", method: "PUT", body: #"{"presence": "away"}"#).0 == 200)
            let caller = try ExternalBotHarness.phone(first, script: "pause 60\n")
            let entered = try #require(first.waitFor(event: "queue.entered", timeout: 20))
            let id = try #require(entered["conversation"])
            // Durable once the read side shows the open entry.
            #expect(try await eventually {
                let entries = try await Self.routing(first, id)["queueEntries"] as? [[String: Any]] ?? []
                return entries.count == 1 && entries[0]["result"] is NSNull
            })
            try await Task.sleep(for: .seconds(1))   // a wait worth measuring, not synchronization
            first.sendSignal(SIGKILL)
            #expect(first.waitForExit(timeout: 10) != nil)
            caller.signal(SIGKILL)

            let second = try start()
            let interrupted = try #require(second.waitFor(event: "queue.interrupted"))
            #expect(interrupted["conversation"] == id && interrupted["queue"] == "support")
            #expect((Double(interrupted["wait_seconds"] ?? "") ?? 0) >= 1.0, "\(interrupted)")
            let entries = try await Self.routing(second, id)["queueEntries"] as? [[String: Any]] ?? []
            #expect(entries.first?["result"] as? String == "interrupted", "\(entries)")
            let conversation = try await Self.conversation(second, id)
            #expect(conversation["endReason"] as? String == "gatewayRestart")
            #expect(try await Self.agents(second)["alice"]?["presence"] as? String == "away", "presence survives the restart")
            #expect(second.stop() == 0)
        }
    }
}

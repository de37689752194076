import Foundation
import Testing
import VoiceGateBots
import VoiceGateCore

/// The external bot client and a conversation's start, against the real test bot over HTTP.
struct ExternalBotTests {
    static let secret = "s3cret-Bearer-Token-42"
    static let serviceUrl = "http://127.0.0.1:8080"

    static func conversation(caller: String = "+14155550123", transcript: [Turn] = []) -> Conversation {
        Conversation(id: "6f1c1a52-3c8e-4d1e-9b43-2f4e2a7f0c11", startedAt: Date(timeIntervalSince1970: 1_780_000_000),
                     bot: "support", trunk: "carrier", sipCallId: "abc@10.0.0.1", callerWithheld: caller.isEmpty,
                     variables: [ContextVariable.customerPhoneNumber: .string(caller),
                                 ContextVariable.organizationPhoneNumber: "+14155550100",
                                 "CustomerTier": "gold",
                                 ContextVariable.sipCallId: "abc@10.0.0.1"],
                     transcript: transcript)
    }

    static func client(_ bot: TestBotProcess, timeout: Double = 10) -> ExternalBotClient {
        ExternalBotClient(endpoint: bot.endpoint, secret: secret, timeoutSeconds: timeout, serviceUrl: serviceUrl)
    }

    static func session(_ bot: TestBotProcess, timeout: Double = 10, caller: String = "+14155550123") -> BotConversation {
        BotConversation(client: client(bot, timeout: timeout), conversation: conversation(caller: caller), botId: "support")
    }

    @Test func startSendsConversationUpdateThenSetContextAndReturnsTheGreeting() async throws {
        let bot = try TestBotProcess(["--secret", Self.secret, "--greeting", "Hello, how can I help?"])
        let conversation = Self.conversation()
        let result = await Self.session(bot).start(conversation: conversation)

        #expect(result.failure == nil)
        #expect(result.activities.map(\.type) == ["message"])
        #expect(result.activities.first?.text == "Hello, how can I help?")

        let records = bot.records()
        try #require(records.count == 2)
        #expect(records.allSatisfy { $0.authorization == "Bearer \(Self.secret)" })
        let update = try #require(records[0].activity)
        let context = try #require(records[1].activity)

        #expect(update.type == "conversationUpdate")
        #expect(update.membersAdded == [.init(id: "support", role: "bot")])
        for activity in [update, context] {
            #expect(activity.channelId == "voice")
            #expect(activity.serviceUrl == Self.serviceUrl)
            #expect(activity.conversation?.id == conversation.id)
            #expect(activity.from == .init(id: "+14155550123", role: "user"))
            #expect(activity.recipient == .init(id: "support", role: "bot"))
            #expect(activity.timestamp != nil)
            #expect(activity.id != nil)
        }
        #expect(update.id != context.id)

        #expect(context.type == "event")
        #expect(context.name == "SetContext")
        #expect(context.value == .object(conversation.variables))
        guard case .object(let value)? = context.value else { Issue.record("SetContext has no value object"); return }
        #expect(value["bot.CustomerPhoneNumber"] == "+14155550123")
        #expect(value["bot.OrganizationPhoneNumber"] == "+14155550100")
        #expect(value["CustomerTier"] == "gold")
        #expect(context.channelData == .object(["transcript": .array([])]))

        // On the wire: ISO 8601 UTC, and no keys for what an activity does not carry.
        guard case .object(let raw) = records[1].json else { Issue.record("not an object"); return }
        #expect(raw["timestamp"]?.stringValue?.hasSuffix("Z") == true)
        #expect(raw["text"] == nil && raw["membersAdded"] == nil && raw["attachments"] == nil)
    }

    @Test func theCallbackStartCarriesTheTranscriptAndNamesAWithheldCallerAnonymous() async throws {
        let bot = try TestBotProcess(["--secret", Self.secret])
        let turn = Turn(at: Date(timeIntervalSince1970: 1_780_000_001.5), from: .customer, kind: .dtmf, text: "1",
                        data: ["digits": "1"])
        let conversation = Self.conversation(caller: "", transcript: [turn])
        let session = BotConversation(client: Self.client(bot), conversation: conversation, botId: "support")

        // As the SIP thread would: call from a plain thread, get the answer on another.
        let result = await withCheckedContinuation { continuation in
            Thread {
                session.start(conversation: conversation) { activities, failure in
                    continuation.resume(returning: BotExchange(activities: activities, failure: failure))
                }
            }.start()
        }
        #expect(result == BotExchange(activities: [], failure: nil))

        let records = bot.records()
        try #require(records.count == 2)
        let context = try #require(records[1].activity)
        #expect(records[0].activity?.from == .init(id: "anonymous", role: "user"))
        #expect(context.from == .init(id: "anonymous", role: "user"))
        guard case .object(let value)? = context.value else { Issue.record("SetContext has no value object"); return }
        #expect(value["bot.CustomerPhoneNumber"] == "")
        #expect(context.channelData == .object(["transcript": .array([
            .object(["at": "2026-05-28T20:26:41.500Z", "from": "customer", "kind": "dtmf", "text": "1",
                     "data": .object(["digits": "1"])]),
        ])]))
    }

    @Test func activitiesOfOneConversationArriveInTheOrderTheyWereGiven() async throws {
        let bot = try TestBotProcess(["--delay", "0.2"])
        let session = Self.session(bot)
        let address = session.address
        let texts = ["one", "two", "three"]
        // Handed in back to back without waiting, as the voice channel does; each completion
        // notes its place. The send after `end` is refused at once, so it may note first.
        let order = OrderBox()
        await withCheckedContinuation { (finished: CheckedContinuation<Void, Never>) in
            session.start(conversation: Self.conversation()) { _, _ in order.note("start") }
            for text in texts {
                session.send(.message(text: text, inputMode: .dtmf, address: address)) { _, _ in order.note(text) }
            }
            session.end(reason: .customerHangUp) { _, _ in
                order.note("end")
                finished.resume()
            }
            session.send(.message(text: "after the end", inputMode: .dtmf, address: address)) { activities, failure in
                order.note(activities.isEmpty && failure == nil ? "refused" : "sent after the end")
            }
        }
        let notes = order.notes
        #expect(notes.contains("refused"))
        #expect(notes.filter { $0 != "refused" } == ["start"] + texts + ["end"])

        let activities = bot.records().compactMap(\.activity)
        #expect(activities.map(\.type) == ["conversationUpdate", "event", "message", "message", "message", "endOfConversation"])
        #expect(activities.compactMap(\.text) == texts)
        #expect(activities.last?.channelData == .object(["reason": "customerHangUp"]))
    }

    @Test func aBotSlowerThanItsTimeoutFailsWithTimeout() async throws {
        let bot = try TestBotProcess(["--delay", "20"])
        let client = Self.client(bot, timeout: 1)
        let activity = Activity.conversationUpdate(address: Self.session(bot).address)
        // Timed where the client answers, not where this task resumes: the integration suites
        // running beside this one block the test threads for seconds at a time.
        let started = Date()
        let (reply, elapsed) = await withCheckedContinuation { (continuation: CheckedContinuation<(BotReply, TimeInterval), Never>) in
            client.send(activity) { continuation.resume(returning: ($0, Date().timeIntervalSince(started))) }
        }
        let failure = try #require(Self.failure(reply))
        #expect(failure.kind == .timeout)
        #expect(elapsed < 15, "returned on the client's timeout, not the bot's answer")
        #expect(failure.description.contains("within 1 s"))
        Self.expectSafe(failure)
    }

    @Test func aServerErrorIsAnHTTPStatusFailureAndStopsTheStart() async throws {
        let bot = try TestBotProcess(["--status", "500"])
        let result = await Self.session(bot).start(conversation: Self.conversation())
        let failure = try #require(result.failure)
        #expect(failure.kind == .httpStatus(500))
        #expect(result.activities.isEmpty)
        #expect(bot.records().count == 1, "SetContext is not sent after conversationUpdate failed")
        Self.expectSafe(failure)
    }

    @Test func aWrongSecretIsRefusedWith401() async throws {
        let bot = try TestBotProcess(["--secret", "another-secret"])
        let reply = await Self.client(bot).send(.conversationUpdate(address: Self.session(bot).address))
        let failure = try #require(Self.failure(reply))
        #expect(failure.kind == .httpStatus(401))
        Self.expectSafe(failure)
    }

    @Test func accepted202MeansNoActivitiesYet() async throws {
        let bot = try TestBotProcess(["--status", "202"])
        let result = await Self.session(bot).start(conversation: Self.conversation())
        #expect(result == BotExchange(activities: [], failure: nil))
        #expect(bot.records().count == 2)
    }

    @Test func garbageIsMalformed() async throws {
        let bot = try TestBotProcess(["--garbage"])
        let reply = await Self.client(bot).send(.conversationUpdate(address: Self.session(bot).address))
        let failure = try #require(Self.failure(reply))
        guard case .malformed = failure.kind else { Issue.record("not malformed: \(failure)"); return }
        Self.expectSafe(failure)
    }

    /// Declared too large (refused on the headers) and streamed too large (cut off while read).
    @Test(arguments: [[], ["--chunked"]])
    func anOversizedReplyIsMalformed(framing: [String]) async throws {
        let bot = try TestBotProcess(["--pad", String(3 << 20)] + framing)
        let reply = await Self.client(bot).send(.conversationUpdate(address: Self.session(bot).address))
        let failure = try #require(Self.failure(reply))
        #expect(failure.kind == .malformed("the reply is larger than 1024 KiB"))
        Self.expectSafe(failure)
    }

    @Test func aChunkedReplyUnderTheLimitIsRead() async throws {
        let bot = try TestBotProcess(["--chunked", "--pad", String(200_000), "--greeting", "Hi"])
        let result = await Self.session(bot).start(conversation: Self.conversation())
        #expect(result.failure == nil)
        #expect(result.activities.map(\.text) == ["Hi"])
    }

    @Test func nobodyListeningIsUnreachable() async throws {
        let endpoint = URL(string: "http://127.0.0.1:\(closedLoopbackPort())/api/messages?code=\(Self.secret)")!
        let client = ExternalBotClient(endpoint: endpoint, secret: Self.secret, timeoutSeconds: 5, serviceUrl: Self.serviceUrl)
        let address = ActivityAddress(conversation: Self.conversation(), botId: "support")
        let reply = await client.send(.conversationUpdate(address: address))
        let failure = try #require(Self.failure(reply))
        guard case .unreachable = failure.kind else { Issue.record("not unreachable: \(failure)"); return }
        #expect(failure.description.contains("127.0.0.1"))
        Self.expectSafe(failure)
        #expect(!String(describing: client).contains(Self.secret))
        #expect(!String(reflecting: client).contains(Self.secret))
    }

    @Test func clientsAreOnlyMadeForExternalBotsWithHTTPEndpoints() {
        let external = BotSettings(id: "b", kind: .external(endpoint: "https://bot.example/api/messages", secret: "x"),
                                   applicationId: "app", timeoutSeconds: 3)
        let client = ExternalBotClient(settings: external, serviceUrl: Self.serviceUrl)
        #expect(client?.timeoutSeconds == 3)
        #expect(client?.endpoint.absoluteString == "https://bot.example/api/messages")
        #expect(ExternalBotClient(settings: BotSettings(id: "e", kind: .embedded, applicationId: "e"), serviceUrl: "") == nil)
        let ftp = BotSettings(id: "f", kind: .external(endpoint: "ftp://bot.example/", secret: nil), applicationId: "f")
        #expect(ExternalBotClient(settings: ftp, serviceUrl: "") == nil)
    }

    static func failure(_ reply: BotReply) -> BotFailure? {
        if case .failure(let failure) = reply { return failure }
        Issue.record("expected a failure, got \(reply)")
        return nil
    }

    static func expectSafe(_ failure: BotFailure) {
        #expect(!failure.description.contains(secret))
        #expect(!failure.description.contains("Bearer"))
        #expect(!String(describing: failure).contains(secret))
        #expect(!String(reflecting: failure).contains(secret))
    }
}

/// What completions noted, in the order they ran.
final class OrderBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    func note(_ value: String) { lock.lock(); stored.append(value); lock.unlock() }
    var notes: [String] { lock.lock(); defer { lock.unlock() }; return stored }
}

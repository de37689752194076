import Foundation
import Synchronization
import VoiceGateCore
import VoiceGateTelephony
import VoiceGateStore
import VoiceGateBots

/// Keeps every call's conversation: written before the call is answered, every turn as it
/// happens, the end with its outcome. Starts external bots with SetContext and records what they
/// answer (speaking it waits for the speech synthesizer).
///
/// Called on the pj control thread; hands everything to the store's writer thread or the bot
/// client's queue and returns at once.
final class ConversationRecorder: CallObserver {
    private let store: ConversationStore
    private let log: LogSink
    /// External bots by conversation. A start waits for the conversation's commit; the call may
    /// end before it, and then the bot must not be started at all.
    private enum BotState {
        case starting
        /// With the bot's secret, which its asynchronous replies must carry.
        case running(BotConversation, secret: String?)
        case callEnded
    }
    private let bots = Mutex<[String: BotState]>([:])
    /// One HTTP client (one URLSession, its connections kept alive) per external bot, not per call.
    private let clients = Mutex<[String: ExternalBotClient]>([:])
    private let baseURL = Mutex("")

    init(store: ConversationStore, log: LogSink) {
        self.store = store
        self.log = log
    }

    /// Where bots send asynchronous replies (the bot protocol's serviceUrl): known once the
    /// HTTP listener is bound.
    var serviceUrl: String {
        get { baseURL.withLock { $0 } }
        set { baseURL.withLock { $0 = newValue } }
    }

    func callArrived(_ call: InboundCall, ready: @escaping @Sendable (Bool) -> Void) {
        let started = Turn(at: call.arrivedAt, from: .system, kind: .event, text: "call started", data: [
            "source": .string(call.source), "transport": .string(call.transport),
            "callerIdFrom": .string(call.route.identity.callerSource), "trunk": .string(call.route.trunk.name)])
        let conversation = Conversation(id: call.conversationID, startedAt: call.arrivedAt, bot: call.route.bot.id,
                                        trunk: call.route.trunk.name, sipCallId: call.sipCallID,
                                        callerWithheld: call.route.identity.callerWithheld, variables: call.variables,
                                        transcript: [started])
        if case .external = call.route.bot.kind { bots.withLock { $0[call.conversationID] = .starting } }
        store.create(conversation) { [self] result in
            switch result {
            case .success:
                ready(true)
                startBot(conversation, call.route.bot)
            case .failure(let error):
                log.write(LogLine(.error, "conversation.store_failed", [("conversation", call.conversationID),
                                                                        ("operation", "create"), ("error", error.description)]))
                _ = bots.withLock { $0.removeValue(forKey: call.conversationID) }
                ready(false)
            }
        }
    }

    func callTurn(_ conversationID: String, _ turn: Turn) {
        store.appendTurn(turn, to: conversationID)
        guard turn.from == .customer, turn.kind == .dtmf,
              case .running(let bot, _)? = bots.withLock({ $0[conversationID] }) else { return }
        let activity = Activity.message(text: turn.text, inputMode: .dtmf, address: bot.address)
        bot.send(activity) { [self] replies, failure in record(replies, failure, conversationID) }
    }

    func callEnded(_ conversationID: String, outcome: Conversation.Outcome, reason: String) {
        let now = Date()
        store.appendTurn(Turn(at: now, from: .system, kind: .event, text: "call ended", data: ["reason": .string(reason)]),
                         to: conversationID)
        store.close(conversationID, outcome: outcome, reason: reason, at: now)
        let state: BotState? = bots.withLock { table in
            let state = table.removeValue(forKey: conversationID)
            if case .starting? = state { table[conversationID] = .callEnded }
            return state
        }
        guard case .running(let bot, _)? = state else { return }
        bot.end(reason: reason == "customerHangUp" ? .customerHangUp : .closed) { [self] replies, failure in
            if let failure { logFailure(failure, conversationID, during: "endOfConversation") }
            _ = replies
        }
    }

    /// An external bot hears of the conversation: conversationUpdate, then SetContext.
    private func startBot(_ conversation: Conversation, _ settings: BotSettings) {
        guard case .external = settings.kind else { return }
        let url = serviceUrl
        let made: ExternalBotClient? = clients.withLock { table in
            if let existing = table[settings.id] { return existing }
            let client = ExternalBotClient(settings: settings, serviceUrl: url)
            table[settings.id] = client
            return client
        }
        guard let client = made else {
            bots.withLock { _ = $0.removeValue(forKey: conversation.id) }
            return
        }
        let bot = BotConversation(client: client, conversation: conversation, botId: settings.id)
        let callGoesOn: Bool = bots.withLock { table in
            guard case .starting? = table[conversation.id] else {
                table.removeValue(forKey: conversation.id)
                return false
            }
            var secret: String?
            if case .external(_, let s) = settings.kind { secret = s }
            table[conversation.id] = .running(bot, secret: secret)
            return true
        }
        guard callGoesOn else { return }
        bot.start(conversation: conversation) { [self] replies, failure in record(replies, failure, conversation.id) }
    }

    /// The answer to a bot's asynchronous reply (bot-protocol.md: `POST {serviceUrl}/v1/
    /// conversations/{id}/activities`).
    enum CallbackResult: Equatable {
        case accepted(Int)
        case malformed(String)
        case unauthorized
        case unknownConversation
    }

    /// A bot's asynchronous reply: checked against the conversation's bot secret (constant time),
    /// parsed leniently, recorded like an inline reply. Runs on the HTTP thread.
    func botCallback(conversationID: String, authorization: String?, body: [UInt8]) -> CallbackResult {
        guard case .running(_, let secret)? = bots.withLock({ $0[conversationID] }) else { return .unknownConversation }
        if let secret {
            guard AdminAccess(token: secret).allows(authorization) else { return .unauthorized }
        }
        let activities: [Activity]
        do {
            activities = try ActivityPayload.activities(from: Data(body))
        } catch {
            return .malformed("\(error)")
        }
        record(activities, nil, conversationID)
        return .accepted(activities.count)
    }

    /// What a bot answered, as transcript turns. A failure is a turn too: never silent.
    private func record(_ replies: [Activity], _ failure: BotFailure?, _ conversationID: String) {
        let now = Date()
        for activity in replies {
            let turn: Turn
            switch activity.type {
            case "message":
                turn = Turn(at: now, from: .bot, kind: .message, text: activity.speak ?? activity.text ?? "",
                            data: activity.inputHint.map { ["inputHint": .string($0)] } ?? [:])
            case "event":
                turn = Turn(at: now, from: .bot, kind: .action, text: activity.name ?? "",
                            data: activity.value.map { ["value": $0] } ?? [:])
            default:
                turn = Turn(at: now, from: .bot, kind: .note, text: "ignored activity of type \(activity.type)")
            }
            store.appendTurn(turn, to: conversationID)
        }
        if let failure {
            logFailure(failure, conversationID, during: "activity")
            store.appendTurn(Turn(at: now, from: .system, kind: .event, text: "bot failure",
                                  data: ["failure": .string(failure.description)]), to: conversationID)
        }
    }

    private func logFailure(_ failure: BotFailure, _ conversationID: String, during: String) {
        log.write(LogLine(.warning, "bot.failed", [("conversation", conversationID), ("during", during),
                                                   ("error", failure.description)]))
    }
}

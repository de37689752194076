import Foundation
import VoiceGateCore

/// One conversation with one bot: delivers the gateway's activities to the bot strictly one after
/// another, in the order they were handed in, whichever threads hand them in. (The bot protocol
/// has no sequence numbers: two activities of one conversation in flight at once could arrive
/// out of order.) Every method returns at once; completions run on the client's queue, one at a
/// time, in order. Thread-safe.
public final class BotConversation: BotSession, @unchecked Sendable {
    /// The caller and the bot every activity of this conversation is from and to.
    public let address: ActivityAddress
    private let client: any BotClient

    private struct Job {
        var activities: [Activity]
        var completion: @Sendable ([Activity], BotFailure?) -> Void
    }

    private let lock = NSLock()
    private var waiting: [Job] = []   // guarded by lock
    private var busy = false          // guarded by lock: a job is being delivered
    private var ended = false         // guarded by lock: `end` was called

    /// A conversation carried by `client` (one client serves all conversations with its bot).
    public init(client: any BotClient, address: ActivityAddress) {
        self.client = client
        self.address = address
    }

    /// The conversation `conversation` with the bot `botId`, addressed from its caller.
    public convenience init(client: any BotClient, conversation: Conversation, botId: String) {
        self.init(client: client, address: ActivityAddress(conversation: conversation, botId: botId))
    }

    /// `conversationUpdate`, then `SetContext` from `conversation`'s variables and transcript;
    /// `completion` gets both replies concatenated (see `BotSession`).
    public func start(conversation: Conversation, completion: @escaping @Sendable ([Activity], BotFailure?) -> Void) {
        enqueue([.conversationUpdate(address: address),
                 .setContext(variables: conversation.variables, transcript: conversation.transcript, address: address)],
                completion: completion)
    }

    /// One activity, after everything handed in before it (see `BotSession`).
    public func send(_ activity: Activity, completion: @escaping @Sendable ([Activity], BotFailure?) -> Void) {
        enqueue([activity], completion: completion)
    }

    /// `endOfConversation` with `reason`, after everything handed in before it.
    /// After this, `start` and `send` send nothing and complete with no activities and no
    /// failure: the conversation is over, so there is nothing left to tell the caller.
    public func end(reason: EndOfConversationReason, completion: @escaping @Sendable ([Activity], BotFailure?) -> Void) {
        enqueue([.endOfConversation(reason: reason, address: address)], completion: completion, ending: true)
    }

    private func enqueue(_ activities: [Activity], completion: @escaping @Sendable ([Activity], BotFailure?) -> Void,
                         ending: Bool = false) {
        lock.lock()
        if ended {
            lock.unlock()
            // Never complete inside the caller's call: it may hold its own locks.
            DispatchQueue.global().async { completion([], nil) }
            return
        }
        if ending { ended = true }
        waiting.append(Job(activities: activities, completion: completion))
        let idle = !busy
        busy = true
        lock.unlock()
        if idle { deliverNext() }
    }

    private func deliverNext() {
        lock.lock()
        guard !waiting.isEmpty else {
            busy = false
            lock.unlock()
            return
        }
        let job = waiting.removeFirst()
        lock.unlock()
        deliver(job.activities[...], replies: []) { [self] replies, failure in
            job.completion(replies, failure)
            deliverNext()
        }
    }

    /// Sends `remaining` one by one, stopping at the first failure.
    private func deliver(_ remaining: ArraySlice<Activity>, replies: [Activity],
                         done: @escaping @Sendable ([Activity], BotFailure?) -> Void) {
        guard let next = remaining.first else {
            done(replies, nil)
            return
        }
        client.send(next) { [self] reply in
            switch reply {
            case .activities(let more):
                deliver(remaining.dropFirst(), replies: replies + more, done: done)
            case .failure(let failure):
                done(replies, failure)
            }
        }
    }
}

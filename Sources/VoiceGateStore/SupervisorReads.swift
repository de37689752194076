import Foundation
import VoiceGateCore

extension ConversationStore {
    /// The conversations in progress (active or waiting), newest first, as the live view shows
    /// them: who has each now comes from its open segment. Any thread.
    public func liveConversations(limit: Int = 500) throws -> [LiveConversation] {
        try onReader("read live conversations") { reader in
            try reader.db.withStatement("""
                SELECT c.id, c.state, c.started_at, c.bot, c.queue, c.agent, c.caller_withheld,
                       json_extract(c.variables, '$."bot.CustomerPhoneNumber"'), c.organization_number, c.sentiment_recent,
                       o.kind, o.party,
                       (SELECT t.text FROM turns AS t WHERE t.conversation_id = c.id AND t.from_party = 'customer'
                           AND t.kind IN ('speech', 'message') ORDER BY t.seq DESC LIMIT 1)
                FROM conversations AS c
                LEFT JOIN conversation_segments AS o ON o.conversation_id = c.id AND o.ended_at IS NULL
                WHERE c.state IN ('active', 'waiting')
                ORDER BY c.started_at DESC, c.id DESC LIMIT ?1
                """, "read live conversations") { s in
                try s.bind(1, limit)
                var list: [LiveConversation] = []
                while try s.step() {
                    let kind = s.text(10).flatMap(ConversationSegment.Kind.init(rawValue:))
                    let party = s.text(11)
                    let state: LiveConversation.State
                    switch kind {
                    case .waiting?: state = .waiting
                    case .agent?: state = .agent
                    case .bot?: state = .bot
                    case nil: state = s.text(1) == "waiting" ? .waiting : .bot
                    }
                    let withheld = (s.int64(6) ?? 0) != 0
                    list.append(LiveConversation(
                        id: s.text(0) ?? "", state: state, startedAt: StoreTime.date(s.int64(2) ?? 0),
                        caller: withheld ? "anonymous" : (s.text(7) ?? "anonymous"), dialed: s.text(8),
                        bot: kind == .bot ? party : (state == .bot ? s.text(3) : nil),
                        queue: kind == .waiting ? party : s.text(4),
                        agent: kind == .agent ? party : nil,
                        sentiment: s.double(9), lastCustomerText: s.text(12)))
                }
                return list
            }
        }
    }

    /// Conversations that started in `range`, oldest first, with their transcripts (CSV export);
    /// at most `limit`, and whether there were more. Any thread.
    public func conversations(in range: AnalyticsRange, limit: Int) throws -> (conversations: [Conversation], more: Bool) {
        let operation = "read conversations of a range"
        return try onReader(operation) { reader in
            try reader.inReadTransaction(operation) {
                func bind(_ s: SQLiteStatement) throws {
                    try s.bind(1, StoreTime.milliseconds(range.from))
                    try s.bind(2, StoreTime.milliseconds(range.to))
                    try s.bind(3, limit + 1)
                }
                func page(_ columns: String) -> String {
                    "SELECT \(columns) FROM conversations WHERE started_at >= ?1 AND started_at < ?2 ORDER BY started_at, id LIMIT ?3"
                }
                var list = try reader.withTranscripts(page, bind, operation)
                let more = list.count > limit
                if more { list.removeLast() }
                return (list, more)
            }
        }
    }
}

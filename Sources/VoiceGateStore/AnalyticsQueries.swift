import Foundation
import VoiceGateCore

extension ConversationStore {
    /// The historical figures of the conversations that started in `range`, counted and averaged
    /// in SQL, in one statement over one read snapshot. `now` ends the parts still open (a live
    /// call's bot time so far). Any thread.
    public func analytics(_ range: AnalyticsRange, now: Date = Date()) throws -> AnalyticsReport {
        try onReader("read analytics") { try AnalyticsQueries(reader: $0, range: range, now: now).report() }
    }
}

/// The SQL of the figures: one statement, so that what each conversation needs is worked out
/// once (materialized CTEs) and every grouping (overall, per bot, queue, number, time bucket,
/// and the bot and agent parts) reads it: a UNION ALL of groupings, each row tagged with its
/// grouping and key. Benchmarks/analytics.sh measures it.
struct AnalyticsQueries {
    let reader: ConversationReader
    let range: AnalyticsRange
    let now: Date
    private let operation = "read analytics"

    init(reader: ConversationReader, range: AnalyticsRange, now: Date) {
        self.reader = reader
        self.range = range
        self.now = now
    }

    /// ?1 from, ?2 to, ?3 now (ms); ?4 the series' bucket width (ms).
    ///
    /// c: the conversations of the range with their mean sentiment, when a bot handed each to a
    /// queue (the first wait that follows a bot's part) and how long each waited (finished waits).
    /// bots, queues: which bots a conversation talked to, which queues it waited in (and how long
    /// in each). parts: per conversation and kind of part (bot, agent) its time (open parts up to
    /// now) and the customer's mean sentiment in it; last: the kind of its last part.
    private static let common = """
        WITH c AS MATERIALIZED (
            SELECT c.id, c.state, c.outcome, c.started_at, c.ended_at, c.organization_number,
                   CASE WHEN c.sentiment_turns > 0 THEN c.sentiment_sum / c.sentiment_turns END AS sentiment,
                   (SELECT MIN(w.started_at) FROM conversation_segments AS w
                     WHERE w.conversation_id = c.id AND w.kind = 'waiting'
                       AND EXISTS (SELECT 1 FROM conversation_segments AS b
                                    WHERE b.conversation_id = c.id AND b.kind = 'bot' AND b.seq < w.seq)) - c.started_at AS escalated_after,
                   (SELECT SUM(q.wait_ms) FROM queue_entries AS q WHERE q.conversation_id = c.id AND q.wait_ms IS NOT NULL) AS wait,
                   (SELECT l.kind FROM conversation_segments AS l WHERE l.conversation_id = c.id ORDER BY l.seq DESC LIMIT 1) AS last_kind
            FROM conversations AS c
            WHERE c.started_at >= ?1 AND c.started_at < ?2
        ),
        bots AS MATERIALIZED (
            SELECT DISTINCT s.conversation_id, s.party FROM c JOIN conversation_segments AS s ON s.conversation_id = c.id AND s.kind = 'bot'
        ),
        queues AS MATERIALIZED (
            SELECT q.conversation_id, q.queue, SUM(q.wait_ms) AS wait FROM c JOIN queue_entries AS q ON q.conversation_id = c.id
            GROUP BY q.conversation_id, q.queue
        ),
        parts AS MATERIALIZED (
            SELECT s.conversation_id AS id, s.kind, SUM(COALESCE(s.ended_at, ?3) - s.started_at) AS handle,
                   (SELECT AVG(t.sentiment) FROM conversation_segments AS k JOIN turns AS t
                       ON t.conversation_id = k.conversation_id AND t.sentiment IS NOT NULL
                      AND t.at >= k.started_at AND (k.ended_at IS NULL OR t.at < k.ended_at)
                    WHERE k.conversation_id = s.conversation_id AND k.kind = s.kind) AS sentiment,
                   EXISTS (SELECT 1 FROM conversation_segments AS a JOIN conversation_segments AS b
                              ON b.conversation_id = a.conversation_id AND b.seq > a.seq AND b.kind = 'bot'
                            WHERE a.conversation_id = s.conversation_id AND a.kind = 'agent') AS handed_back
            FROM c JOIN conversation_segments AS s ON s.conversation_id = c.id AND s.kind IN ('bot', 'agent')
            GROUP BY s.conversation_id, s.kind
        )
        """

    /// The outcome figures' columns over rows of `c`, the wait taken from `wait`.
    private static func figures(wait: String) -> String {
        """
        COUNT(*), SUM(c.state = 'closed'), SUM(c.outcome = 'resolved'), SUM(c.outcome = 'escalated'),
        SUM(c.outcome = 'abandoned'), SUM(c.outcome = 'transferred'), SUM(c.outcome = 'failed'),
        AVG(CASE WHEN c.outcome = 'resolved' THEN c.ended_at - c.started_at END),
        AVG(c.escalated_after), AVG(\(wait)), AVG(c.sentiment)
        """
    }

    /// A part's row in the same 13 columns: conversations, the two conditions' counts, time, sentiment.
    private static func part(_ kind: String, _ first: String, _ second: String) -> String {
        """
        SELECT 'part', '\(kind)', COUNT(*), SUM(\(first)), SUM(\(second)), AVG(p.handle), AVG(p.sentiment),
               NULL, NULL, NULL, NULL, NULL, NULL
        FROM parts AS p JOIN c ON c.id = p.id WHERE p.kind = '\(kind)'
        """
    }

    private static let statement = """
        \(common)
        SELECT 'all', '', \(figures(wait: "c.wait")) FROM c
        UNION ALL
        SELECT 'bot', m.party, \(figures(wait: "c.wait")) FROM c JOIN bots AS m ON m.conversation_id = c.id GROUP BY m.party
        UNION ALL
        SELECT 'queue', m.queue, \(figures(wait: "m.wait")) FROM c JOIN queues AS m ON m.conversation_id = c.id GROUP BY m.queue
        UNION ALL
        SELECT 'number', c.organization_number, \(figures(wait: "c.wait")) FROM c
        WHERE c.organization_number IS NOT NULL GROUP BY c.organization_number
        UNION ALL
        SELECT 'series', CAST((c.started_at - ?1) / ?4 AS TEXT), \(figures(wait: "c.wait")) FROM c GROUP BY (c.started_at - ?1) / ?4
        UNION ALL
        \(part("bot", "c.outcome = 'resolved' AND c.last_kind = 'bot'", "c.escalated_after IS NOT NULL"))
        UNION ALL
        \(part("agent", "c.state = 'closed' AND c.last_kind = 'agent'", "p.handed_back"))
        """

    func report() throws -> AnalyticsReport {
        var overall = OutcomeFigures()
        var groups: [String: [(key: String, figures: OutcomeFigures)]] = [:]
        var bot = BotSegmentFigures()
        var human = HumanSegmentFigures()
        var series = (0..<range.bucketCount).map { i in
            SeriesBucket(start: range.from.addingTimeInterval(Double(i * range.bucketSeconds)))
        }
        try reader.inReadTransaction(operation) {
            try reader.db.withStatement(Self.statement, operation) { s in
                try s.bind(1, StoreTime.milliseconds(range.from))
                try s.bind(2, StoreTime.milliseconds(range.to))
                try s.bind(3, StoreTime.milliseconds(now))
                try s.bind(4, Int64(range.bucketSeconds) * 1000)
                while try s.step() {
                    let grouping = s.text(0) ?? ""
                    let key = s.text(1) ?? ""
                    func count(_ column: Int32) -> Int { Int(s.int64(column) ?? 0) }
                    switch grouping {
                    case "part":
                        let handle = s.double(5).map { $0 / 1000 }
                        if key == "bot" {
                            (bot.conversations, bot.resolved, bot.escalated, bot.averageHandleSeconds, bot.averageSentiment) =
                                (count(2), count(3), count(4), handle, s.double(6))
                        } else {
                            (human.conversations, human.resolved, human.handedBack, human.averageHandleSeconds, human.averageSentiment) =
                                (count(2), count(3), count(4), handle, s.double(6))
                        }
                    default:
                        var f = OutcomeFigures()
                        (f.conversations, f.closed, f.resolved, f.escalated) = (count(2), count(3), count(4), count(5))
                        (f.abandoned, f.transferred, f.failed) = (count(6), count(7), count(8))
                        f.averageResolutionSeconds = s.double(9).map { $0 / 1000 }
                        f.averageEscalationSeconds = s.double(10).map { $0 / 1000 }
                        f.averageWaitSeconds = s.double(11).map { $0 / 1000 }
                        f.averageSentiment = s.double(12)
                        switch grouping {
                        case "all": overall = f
                        case "series":
                            guard let i = Int(key), series.indices.contains(i) else { break }
                            (series[i].conversations, series[i].resolved, series[i].escalated) = (f.conversations, f.resolved, f.escalated)
                            (series[i].abandoned, series[i].transferred, series[i].failed) = (f.abandoned, f.transferred, f.failed)
                        default: groups[grouping, default: []].append((key, f))
                        }
                    }
                }
            }
        }
        // Most conversations first, then by name.
        func ordered(_ grouping: String) -> [(key: String, figures: OutcomeFigures)] {
            (groups[grouping] ?? []).sorted { ($0.figures.conversations, $1.key) > ($1.figures.conversations, $0.key) }
        }
        return AnalyticsReport(range: range, overall: overall, bot: bot, human: human, byBot: ordered("bot"),
                               byQueue: ordered("queue"), byPhoneNumber: ordered("number"), series: series)
    }
}

import Foundation
import VoiceGateCore

extension ConversationStore {
    /// The historical figures of the conversations that started in `range`, counted and averaged
    /// in SQL in one read transaction (one snapshot). `now` ends the parts still open (a live
    /// call's bot time so far). Any thread.
    public func analytics(_ range: AnalyticsRange, now: Date = Date()) throws -> AnalyticsReport {
        try onReader("read analytics") { try AnalyticsQueries(reader: $0, range: range, now: now).report() }
    }
}

/// The SQL of the figures. Every query starts from `c`, the conversations of the range with what
/// each needs computed once: its mean sentiment, when a bot handed it to a queue, and how long it
/// waited in queues.
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

    /// ?1 from, ?2 to (ms). escalated_after: from the start to the first wait that follows a bot's
    /// part. wait: the finished waits' sum (a caller still waiting has none yet).
    private static let conversationsOfRange = """
        WITH c AS (
            SELECT c.id, c.state, c.outcome, c.started_at, c.ended_at, c.organization_number,
                   CASE WHEN c.sentiment_turns > 0 THEN c.sentiment_sum / c.sentiment_turns END AS sentiment,
                   (SELECT MIN(w.started_at) FROM conversation_segments AS w
                     WHERE w.conversation_id = c.id AND w.kind = 'waiting'
                       AND EXISTS (SELECT 1 FROM conversation_segments AS b
                                    WHERE b.conversation_id = c.id AND b.kind = 'bot' AND b.seq < w.seq)) - c.started_at AS escalated_after,
                   (SELECT SUM(q.wait_ms) FROM queue_entries AS q WHERE q.conversation_id = c.id AND q.wait_ms IS NOT NULL) AS wait
            FROM conversations AS c
            WHERE c.started_at >= ?1 AND c.started_at < ?2
        )
        """

    /// The outcome figures' columns, over rows of `c` (and `waitColumn`).
    private static func figureColumns(wait waitColumn: String) -> String {
        """
        COUNT(*), SUM(c.state = 'closed'), SUM(c.outcome = 'resolved'), SUM(c.outcome = 'escalated'),
        SUM(c.outcome = 'abandoned'), SUM(c.outcome = 'transferred'), SUM(c.outcome = 'failed'),
        AVG(CASE WHEN c.outcome = 'resolved' THEN c.ended_at - c.started_at END),
        AVG(c.escalated_after), AVG(\(waitColumn)), AVG(c.sentiment)
        """
    }

    func report() throws -> AnalyticsReport {
        try reader.inReadTransaction(operation) {
            AnalyticsReport(
                range: range,
                overall: try figures(group: nil, from: "c").first?.figures ?? OutcomeFigures(),
                bot: try botFigures(),
                human: try humanFigures(),
                // Each conversation once per bot it talked to: DISTINCT over its bot parts.
                byBot: try figures(group: "m.party", from: """
                    c JOIN (SELECT DISTINCT s.conversation_id, s.party FROM c AS r
                            JOIN conversation_segments AS s ON s.conversation_id = r.id AND s.kind = 'bot') AS m
                      ON m.conversation_id = c.id
                    """),
                // The wait of a queue's row is the wait in that queue.
                byQueue: try figures(group: "m.queue", wait: "m.wait", from: """
                    c JOIN (SELECT q.conversation_id, q.queue, SUM(q.wait_ms) AS wait FROM c AS r
                            JOIN queue_entries AS q ON q.conversation_id = r.id GROUP BY q.conversation_id, q.queue) AS m
                      ON m.conversation_id = c.id
                    """),
                byPhoneNumber: try figures(group: "c.organization_number", from: "c WHERE c.organization_number IS NOT NULL"),
                series: try series())
        }
    }

    private func bindRange(_ s: SQLiteStatement) throws {
        try s.bind(1, StoreTime.milliseconds(range.from))
        try s.bind(2, StoreTime.milliseconds(range.to))
    }

    /// One row of figures per value of `group` (one row in all without), most conversations first.
    private func figures(group: String?, wait: String = "c.wait", from: String) throws -> [(key: String, figures: OutcomeFigures)] {
        let sql = """
            \(Self.conversationsOfRange)
            SELECT \(group ?? "''"), \(Self.figureColumns(wait: wait)) FROM \(from)
            \(group.map { "GROUP BY \($0) ORDER BY COUNT(*) DESC, \($0)" } ?? "")
            """
        return try reader.db.withStatement(sql, operation) { s in
            try bindRange(s)
            var rows: [(key: String, figures: OutcomeFigures)] = []
            while try s.step() {
                var f = OutcomeFigures()
                f.conversations = Int(s.int64(1) ?? 0)
                f.closed = Int(s.int64(2) ?? 0)
                f.resolved = Int(s.int64(3) ?? 0)
                f.escalated = Int(s.int64(4) ?? 0)
                f.abandoned = Int(s.int64(5) ?? 0)
                f.transferred = Int(s.int64(6) ?? 0)
                f.failed = Int(s.int64(7) ?? 0)
                f.averageResolutionSeconds = s.double(8).map { $0 / 1000 }
                f.averageEscalationSeconds = s.double(9).map { $0 / 1000 }
                f.averageWaitSeconds = s.double(10).map { $0 / 1000 }
                f.averageSentiment = s.double(11)
                rows.append((s.text(0) ?? "", f))
            }
            return rows
        }
    }

    /// Per conversation with a part of `kind`: that part's time (open parts up to now, ?3) and
    /// the customer's mean sentiment in it. Rows: id, handle ms, sentiment.
    private func parts(_ kind: String) -> String {
        """
        p AS (
            SELECT s.conversation_id AS id, SUM(COALESCE(s.ended_at, ?3) - s.started_at) AS handle,
                   (SELECT AVG(t.sentiment) FROM conversation_segments AS k JOIN turns AS t
                       ON t.conversation_id = k.conversation_id AND t.sentiment IS NOT NULL
                      AND t.at >= k.started_at AND (k.ended_at IS NULL OR t.at < k.ended_at)
                    WHERE k.conversation_id = s.conversation_id AND k.kind = '\(kind)') AS sentiment
            FROM c JOIN conversation_segments AS s ON s.conversation_id = c.id AND s.kind = '\(kind)'
            GROUP BY s.conversation_id
        ),
        last AS (
            SELECT p.id, (SELECT l.kind FROM conversation_segments AS l WHERE l.conversation_id = p.id ORDER BY l.seq DESC LIMIT 1) AS kind
            FROM p
        )
        """
    }

    private func botFigures() throws -> BotSegmentFigures {
        let row = try partFigures("bot", counting: "c.outcome = 'resolved' AND last.kind = 'bot'", "c.escalated_after IS NOT NULL")
        var f = BotSegmentFigures()
        (f.conversations, f.resolved, f.escalated, f.averageHandleSeconds, f.averageSentiment) = row
        return f
    }

    private func humanFigures() throws -> HumanSegmentFigures {
        let row = try partFigures("agent", counting: "c.state = 'closed' AND last.kind = 'agent'", """
            EXISTS (SELECT 1 FROM conversation_segments AS a JOIN conversation_segments AS b
                       ON b.conversation_id = a.conversation_id AND b.seq > a.seq AND b.kind = 'bot'
                     WHERE a.conversation_id = p.id AND a.kind = 'agent')
            """)
        var f = HumanSegmentFigures()
        (f.conversations, f.resolved, f.handedBack, f.averageHandleSeconds, f.averageSentiment) = row
        return f
    }

    /// Over the conversations with a part of `kind`: how many, how many fit each of the two
    /// conditions (over `c`, `p` and `last`), the mean time in such parts and the mean sentiment.
    private func partFigures(_ kind: String, counting first: String, _ second: String) throws -> (Int, Int, Int, Double?, Double?) {
        let sql = """
            \(Self.conversationsOfRange), \(parts(kind))
            SELECT COUNT(*), SUM(\(first)), SUM(\(second)), AVG(p.handle), AVG(p.sentiment)
            FROM p JOIN c ON c.id = p.id JOIN last ON last.id = p.id
            """
        return try reader.db.withStatement(sql, operation) { s in
            try bindRange(s)
            try s.bind(3, StoreTime.milliseconds(now))
            guard try s.step() else { return (0, 0, 0, nil, nil) }
            return (Int(s.int64(0) ?? 0), Int(s.int64(1) ?? 0), Int(s.int64(2) ?? 0), s.double(3).map { $0 / 1000 }, s.double(4))
        }
    }

    /// Every bucket of the range, the empty ones too (a chart needs its zeros).
    private func series() throws -> [SeriesBucket] {
        let width = Int64(range.bucketSeconds) * 1000
        var buckets = (0..<range.bucketCount).map { i in
            SeriesBucket(start: range.from.addingTimeInterval(Double(i * range.bucketSeconds)))
        }
        let sql = """
            \(Self.conversationsOfRange)
            SELECT (c.started_at - ?1) / ?3, COUNT(*), SUM(c.outcome = 'resolved'), SUM(c.outcome = 'escalated'),
                   SUM(c.outcome = 'abandoned'), SUM(c.outcome = 'transferred'), SUM(c.outcome = 'failed')
            FROM c GROUP BY 1
            """
        try reader.db.withStatement(sql, operation) { s in
            try bindRange(s)
            try s.bind(3, width)
            while try s.step() {
                let i = Int(s.int64(0) ?? 0)
                guard buckets.indices.contains(i) else { continue }
                buckets[i].conversations = Int(s.int64(1) ?? 0)
                buckets[i].resolved = Int(s.int64(2) ?? 0)
                buckets[i].escalated = Int(s.int64(3) ?? 0)
                buckets[i].abandoned = Int(s.int64(4) ?? 0)
                buckets[i].transferred = Int(s.int64(5) ?? 0)
                buckets[i].failed = Int(s.int64(6) ?? 0)
            }
        }
        return buckets
    }
}

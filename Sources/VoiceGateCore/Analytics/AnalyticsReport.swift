import Foundation

/// The historical figures of a range (GET /api/v1/analytics): overall, split into the bot and
/// the human part of the conversations, per bot, per queue, per dialed number, and a series
/// over time for charts.
public struct AnalyticsReport: Sendable, Equatable {
    public var range: AnalyticsRange
    public var overall: OutcomeFigures
    public var bot: BotSegmentFigures
    public var human: HumanSegmentFigures
    /// A conversation counts for every bot it talked to, every queue it waited in.
    public var byBot: [(key: String, figures: OutcomeFigures)]
    public var byQueue: [(key: String, figures: OutcomeFigures)]
    /// By the number the caller dialed.
    public var byPhoneNumber: [(key: String, figures: OutcomeFigures)]
    /// Every bucket of the range, empty ones included, oldest first.
    public var series: [SeriesBucket]

    public init(range: AnalyticsRange, overall: OutcomeFigures, bot: BotSegmentFigures, human: HumanSegmentFigures,
                byBot: [(key: String, figures: OutcomeFigures)], byQueue: [(key: String, figures: OutcomeFigures)],
                byPhoneNumber: [(key: String, figures: OutcomeFigures)], series: [SeriesBucket]) {
        self.range = range
        self.overall = overall
        self.bot = bot
        self.human = human
        self.byBot = byBot
        self.byQueue = byQueue
        self.byPhoneNumber = byPhoneNumber
        self.series = series
    }

    public static func == (a: AnalyticsReport, b: AnalyticsReport) -> Bool {
        a.range == b.range && a.overall == b.overall && a.bot == b.bot && a.human == b.human
            && a.byBot.map(\.key) == b.byBot.map(\.key) && a.byBot.map(\.figures) == b.byBot.map(\.figures)
            && a.byQueue.map(\.key) == b.byQueue.map(\.key) && a.byQueue.map(\.figures) == b.byQueue.map(\.figures)
            && a.byPhoneNumber.map(\.key) == b.byPhoneNumber.map(\.key) && a.byPhoneNumber.map(\.figures) == b.byPhoneNumber.map(\.figures)
            && a.series == b.series
    }

    /// The admin API's JSON: the overall figures at the top level (the spec's fields and more),
    /// with `from`, `to`, `segments`, `byBot`, `byQueue`, `byPhoneNumber` and `series`.
    public var json: JSONValue {
        var fields = overall.jsonFields
        fields["from"] = .string(ISO8601Milliseconds.string(from: range.from))
        fields["to"] = .string(ISO8601Milliseconds.string(from: range.to))
        fields["bucketSeconds"] = .number(Double(range.bucketSeconds))
        fields["segments"] = .object(["bot": bot.json, "human": human.json])
        func list(_ rows: [(key: String, figures: OutcomeFigures)], _ name: String) -> JSONValue {
            .array(rows.map { row in
                var f = row.figures.jsonFields
                f[name] = .string(row.key)
                return .object(f)
            })
        }
        fields["byBot"] = list(byBot, "bot")
        fields["byQueue"] = list(byQueue, "queue")
        fields["byPhoneNumber"] = list(byPhoneNumber, "phoneNumber")
        fields["series"] = .array(series.map(\.json))
        return .object(fields)
    }
}

/// The bots' part: conversations a bot talked in, how many it resolved itself and how many it
/// handed to a queue (the escalation rate of Omnichannel's bot dashboards: a share of the bot's
/// conversations, whatever happened after the hand-off).
public struct BotSegmentFigures: Sendable, Equatable {
    public var conversations = 0
    /// Resolved while a bot had the conversation (its last part was a bot's).
    public var resolved = 0
    /// Handed from a bot to a queue at least once.
    public var escalated = 0
    /// The time bots had a conversation, summed per conversation, averaged.
    public var averageHandleSeconds: Double?
    /// Customers' sentiment in the bot parts, per conversation, averaged.
    public var averageSentiment: Double?

    public init() {}

    public var json: JSONValue {
        .object([
            "conversations": .number(Double(conversations)), "resolved": .number(Double(resolved)),
            "escalated": .number(Double(escalated)), "resolutionRate": .share(resolved, of: conversations), "escalationRate": .share(escalated, of: conversations),
            "averageHandleSeconds": .figure(averageHandleSeconds, places: 3), "averageSentiment": .figure(averageSentiment),
        ])
    }
}

/// The agents' part: conversations an agent talked in, how many ended with the agent and how
/// many the agent handed back to a bot.
public struct HumanSegmentFigures: Sendable, Equatable {
    public var conversations = 0
    /// Closed while an agent had the conversation.
    public var resolved = 0
    /// Handed from an agent to a bot.
    public var handedBack = 0
    public var averageHandleSeconds: Double?
    /// Customers' sentiment in the agent parts, where recognized.
    public var averageSentiment: Double?

    public init() {}

    public var json: JSONValue {
        .object([
            "conversations": .number(Double(conversations)), "resolved": .number(Double(resolved)),
            "handedBack": .number(Double(handedBack)), "resolutionRate": .share(resolved, of: conversations),
            "averageHandleSeconds": .figure(averageHandleSeconds, places: 3), "averageSentiment": .figure(averageSentiment),
        ])
    }
}

/// One bucket of the series: conversations that started in it, by outcome.
public struct SeriesBucket: Sendable, Equatable {
    public var start: Date
    public var conversations = 0
    public var resolved = 0
    public var escalated = 0
    public var abandoned = 0
    public var transferred = 0
    public var failed = 0

    public init(start: Date) { self.start = start }

    public var json: JSONValue {
        .object([
            "start": .string(ISO8601Milliseconds.string(from: start)), "conversations": .number(Double(conversations)),
            "resolved": .number(Double(resolved)), "escalated": .number(Double(escalated)),
            "abandoned": .number(Double(abandoned)), "transferred": .number(Double(transferred)),
            "failed": .number(Double(failed)),
        ])
    }
}

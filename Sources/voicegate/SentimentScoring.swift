import Foundation
import VoiceGateCore
import VoiceGateTelephony

/// The gateway's sentiment scorer: VADER with the lexicon deploy/setup.sh installs. A missing or
/// unreadable lexicon is logged, not fatal: calls go on, their turns unscored.
enum SentimentScoring {
    /// The scorer the store applies to customers' words (their VADER compound), or nil.
    /// Each score also goes to `voicegate_customer_sentiment`.
    static func make(_ settings: SentimentSettings, log: LogSink, metrics: GatewayMetrics? = nil) -> (@Sendable (String) -> Double)? {
        guard settings.analyzer == .vader else {
            log.write(LogLine(.info, "sentiment.analyzer", [("analyzer", "none")]))
            return nil
        }
        let lexicon: SentimentLexicon
        do {
            let text = try String(contentsOfFile: settings.lexiconPath, encoding: .utf8)
            lexicon = try SentimentLexicon(text: text)
        } catch {
            log.write(LogLine(.warning, "sentiment.lexicon_unavailable", [("path", settings.lexiconPath), ("error", "\(error)"),
                                                                          ("effect", "turns are not scored; run deploy/setup.sh")]))
            return nil
        }
        log.write(LogLine(.info, "sentiment.analyzer", [("analyzer", "vader"), ("lexicon", settings.lexiconPath),
                                                        ("words", String(lexicon.count))]))
        let analyzer = SentimentAnalyzer(lexicon: lexicon)
        return { text in
            let compound = analyzer.score(text).compound
            metrics?.observe("voicegate_customer_sentiment", compound)
            return compound
        }
    }
}

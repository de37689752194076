/// Which topic an utterance triggers, tolerating recognition errors: text is normalized (case,
/// punctuation, spaces), and a trigger phrase scores by how many of its words the utterance holds,
/// each word matched exactly or by spelling similarity (edit distance), in order where possible.
public struct TopicMatcher: Sendable {
    public struct Match: Sendable, Equatable {
        public var topic: String
        public var score: Double
        public var phrase: String
    }

    private let entries: [(topic: String, phrase: String, words: [String])]

    public init(_ definition: BotDefinition) {
        var entries: [(String, String, [String])] = []
        for topic in definition.topics {
            for phrase in topic.triggers { entries.append((topic.name, phrase, TopicMatcher.words(phrase))) }
        }
        self.entries = entries
    }

    /// The best-scoring topic, if any trigger scores above zero.
    public func best(_ utterance: String) -> Match? {
        let words = TopicMatcher.words(utterance)
        guard !words.isEmpty else { return nil }
        var best: Match?
        for entry in entries where !entry.words.isEmpty {
            let score = TopicMatcher.score(trigger: entry.words, utterance: words)
            // On a tie the longer phrase wins: "speak to someone in sales" is more specific than
            // "speak to someone".
            let better = score > (best?.score ?? 0) + 1e-9
                || (best != nil && abs(score - best!.score) <= 1e-9 && entry.words.count > TopicMatcher.words(best!.phrase).count)
            if better { best = Match(topic: entry.topic, score: score, phrase: entry.phrase) }
        }
        return best
    }

    /// Words in lower case without punctuation; digits kept.
    public static func words(_ text: String) -> [String] {
        text.lowercased().map { $0.isLetter || $0.isNumber || $0 == "'" ? $0 : " " }
            .split(separator: " ").map { String($0).replacingOccurrences(of: "'", with: "") }.filter { !$0.isEmpty }
    }

    /// Recall of the trigger's words in the utterance (each by its best similarity), times a small
    /// penalty when the words come out of order. 1.0: every word present, in order.
    static func score(trigger: [String], utterance: [String]) -> Double {
        var total = 0.0
        var positions: [Int] = []
        for word in trigger {
            var bestSimilarity = 0.0, bestIndex = -1
            for (i, candidate) in utterance.enumerated() {
                let s = similarity(word, candidate)
                if s > bestSimilarity { bestSimilarity = s; bestIndex = i }
            }
            // Short words ("to", "my") carry little: half weight.
            let weight = word.count <= 2 ? 0.5 : 1.0
            total += weight * (bestSimilarity >= 0.75 ? bestSimilarity : 0)
            if bestSimilarity >= 0.75 { positions.append(bestIndex) }
        }
        let weights = trigger.reduce(0.0) { $0 + ($1.count <= 2 ? 0.5 : 1.0) }
        var score = total / weights
        if positions != positions.sorted() { score *= 0.9 }
        return score
    }

    /// 1 - edit distance / length of the longer word.
    static func similarity(_ a: String, _ b: String) -> Double {
        if a == b { return 1 }
        let x = Array(a), y = Array(b)
        guard !x.isEmpty, !y.isEmpty else { return 0 }
        var previous = Array(0...y.count)
        for i in 1...x.count {
            var current = [i] + Array(repeating: 0, count: y.count)
            for j in 1...y.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return 1 - Double(previous[y.count]) / Double(max(x.count, y.count))
    }
}

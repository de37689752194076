/// Whether recognized speech says a phrase, with the tolerance recognition needs: the topic
/// matcher's word-by-word similarity, so "check my orders added" says "check my order". Used by
/// the softphone's `expect text`. Pure: any thread.
public enum HeardText {
    /// The score at or above which the phrase counts as said (the topic matcher's word threshold).
    public static let threshold = 0.75

    public static func contains(_ phrase: String, in heard: String) -> Bool {
        score(phrase, in: heard) >= threshold
    }

    /// 0...1: how much of the phrase the heard words carry, in order.
    public static func score(_ phrase: String, in heard: String) -> Double {
        let words = TopicMatcher.words(phrase)
        guard !words.isEmpty else { return 1 }
        return TopicMatcher.score(trigger: words, utterance: TopicMatcher.words(heard))
    }
}

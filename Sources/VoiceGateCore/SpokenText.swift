/// What the gateway says for one bot message: words to synthesize and the pauses between them,
/// in order. Built from a bot message by `from(speak:text:attachments:)`; the synthesizer turns
/// it into audio and the prompt cache keys on it, so two messages that sound the same share a
/// cache entry.
///
/// A value type: build and read it on any thread.
public struct SpokenText: Sendable, Hashable, CustomStringConvertible {
    public enum Segment: Sendable, Hashable {
        /// Words, whitespace already collapsed; never empty.
        case text(String)
        /// Silence; never zero.
        case pause(milliseconds: Int)
    }

    /// Normalized: no empty text, no zero pause, no two texts or two pauses in a row.
    public let segments: [Segment]

    /// The segments, normalized: whitespace collapsed, neighbouring texts joined by a space (none
    /// before closing punctuation: "two" and ". Bye" make "two. Bye"), neighbouring pauses added
    /// up, empty texts and pauses of 0 ms or less dropped.
    public init(_ segments: [Segment]) {
        var out: [Segment] = []
        for segment in segments {
            switch (segment, out.last) {
            case (.text(let words), _):
                let collapsed = SpokenText.collapsingWhitespace(words)
                guard !collapsed.isEmpty else { continue }
                if case .text(let before)? = out.last {
                    let joiner = ".,;:!?)".contains(collapsed.first!) ? "" : " "
                    out[out.count - 1] = .text(before + joiner + collapsed)
                } else {
                    out.append(.text(collapsed))
                }
            case (.pause(let ms), .pause(let before)?):
                if ms > 0 { out[out.count - 1] = .pause(milliseconds: before + ms) }
            case (.pause(let ms), _):
                if ms > 0 { out.append(.pause(milliseconds: ms)) }
            }
        }
        self.segments = out
    }

    /// Plain words, read as they are.
    public init(plain: String) {
        self.init([.text(plain)])
    }

    /// Whether there is anything to say (pauses alone are not).
    public var hasWords: Bool {
        segments.contains { if case .text = $0 { return true }; return false }
    }

    /// The words alone, for transcripts and logs.
    public var words: String {
        segments.compactMap { if case .text(let t) = $0 { return t }; return nil }.joined(separator: " ")
    }

    /// The words with pauses shown as `[500 ms]`, for logs and test failures.
    public var description: String {
        segments.map {
            switch $0 {
            case .text(let t): return t
            case .pause(let ms): return "[\(ms) ms]"
            }
        }.joined(separator: " ")
    }

    /// What a bot message says, by bot-protocol.md: `speak` (plain text or SSML) when it has words,
    /// else the `speak` of its adaptive cards in order, else `text` with its markdown removed.
    /// Nil when none of them has words to say: a source of pauses alone counts as absent.
    public static func from(speak: String?, text: String?, attachments: [JSONValue]?) -> SpokenText? {
        if let speak {
            let spoken = SpokenText(ssml: speak)
            if spoken.hasWords { return spoken }
        }
        let cards = (attachments ?? []).compactMap(adaptiveCardSpeak).map(SpokenText.init(ssml:))
        let fromCards = SpokenText(cards.flatMap(\.segments))
        if fromCards.hasWords { return fromCards }
        if let text {
            let spoken = SpokenText(markdown: text)
            if spoken.hasWords { return spoken }
        }
        return nil
    }

    static let adaptiveCardContentType = "application/vnd.microsoft.card.adaptive"

    /// An adaptive card attachment's `speak`, nil for any other attachment.
    static func adaptiveCardSpeak(_ attachment: JSONValue) -> String? {
        guard case .object(let fields) = attachment,
              fields["contentType"]?.stringValue?.lowercased() == adaptiveCardContentType,
              case .object(let content)? = fields["content"] else { return nil }
        return content["speak"]?.stringValue
    }

    static func collapsingWhitespace(_ s: String) -> String {
        s.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}

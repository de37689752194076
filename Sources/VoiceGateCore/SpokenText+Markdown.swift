import Foundation

extension SpokenText {
    /// A bot's `text` as a caller should hear it: markdown is never read aloud.
    ///
    /// - Emphasis and strike-through markers (`*`, `_`, `**`, `__`, `~~`) go; an underscore inside
    ///   a word (`order_id`) becomes a space, and no `*` is ever left to be read as "asterisk".
    /// - `code` keeps its text without backticks; fenced blocks keep their lines without fences.
    /// - Headings, bullets, block quotes, task boxes, rules, table dividers and link definitions
    ///   lose their markers; each heading, list item and paragraph ends as a sentence, so the
    ///   synthesizer pauses between them. Ordered items keep their number ("1. Track an order").
    /// - `[label](url)` says the label; images are dropped with their alt text.
    /// - A URL (bare, autolinked, or a link without a label) is said as its host,
    ///   "example dot com": a caller can neither click it nor note a path read aloud.
    /// - Inline HTML tags are dropped; entities are decoded.
    public init(markdown: String) {
        self.init(plain: MarkdownSpeech.words(markdown))
    }
}

enum MarkdownSpeech {
    static func words(_ markdown: String) -> String {
        var blocks: [String] = []
        var paragraph: [String] = []
        var fence: String?
        func endParagraph() {
            if !paragraph.isEmpty { blocks.append(paragraph.joined(separator: " ")) }
            paragraph = []
        }
        for raw in markdown.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let line = String(raw.drop(while: \.isWhitespace))
            if let open = fence {
                if line.hasPrefix(open) { fence = nil } else { blocks.append(code(line)) }
                continue
            }
            if line.hasPrefix("```") || line.hasPrefix("~~~") {
                endParagraph()
                fence = String(line.prefix(3))
                continue
            }
            if line.isEmpty || isRule(line) || isTableDivider(line) || line.contains(#/^\[[^\]]+\]:\s*\S/#) {
                endParagraph()
                continue
            }
            var content = Substring(line)
            while content.first == ">" { content = content.dropFirst().drop(while: \.isWhitespace) }
            if let m = content.wholeMatch(of: #/#{1,6}(?:\s+(.*?))?[\s#]*/#) {
                endParagraph()
                blocks.append(inline(String(m.1 ?? "")))
            } else if let m = content.wholeMatch(of: #/[-*+]\s+(?:\[[ xX]\]\s+)?(.*)/#) {
                endParagraph()
                blocks.append(inline(String(m.1)))
            } else if let m = content.wholeMatch(of: #/(\d{1,9})[.)]\s+(.*)/#) {
                endParagraph()
                blocks.append("\(m.1). " + inline(String(m.2)))
            } else if content.contains("|") {
                endParagraph()
                let cells = content.split(separator: "|").map { SpokenText.collapsingWhitespace(inline(String($0))) }.filter { !$0.isEmpty }
                blocks.append(cells.joined(separator: ", "))
            } else {
                paragraph.append(inline(String(content)))
            }
        }
        endParagraph()
        return blocks.map(SpokenText.collapsingWhitespace).filter { !$0.isEmpty }.map { block in
            ".!?:;,".contains(block.last!) ? block : block + "."
        }.joined(separator: " ")
    }

    /// `---`, `***`, `___`, `===` (three or more, spaces allowed).
    static func isRule(_ line: String) -> Bool {
        let marks = line.filter { !$0.isWhitespace }
        guard marks.count >= 3, let first = marks.first, "-*_=".contains(first) else { return false }
        return marks.allSatisfy { $0 == first }
    }

    /// `| --- | :-: |`
    static func isTableDivider(_ line: String) -> Bool {
        line.contains("-") && line.contains("|") && line.allSatisfy { "|-: \t".contains($0) }
    }

    /// One line's inline markup: code spans keep their text untouched by the other rules.
    static func inline(_ line: String) -> String {
        let pieces = line.split(separator: "`", omittingEmptySubsequences: false)
        var out = ""
        for (index, piece) in pieces.enumerated() {
            // Odd pieces sit between backticks, unless the last backtick never closed.
            let isCode = index % 2 == 1 && (pieces.count % 2 == 1 || index < pieces.count - 1)
            out += isCode ? code(String(piece)) : prose(String(piece))
        }
        return out
    }

    /// Code read as words: only its underscores would otherwise be read out.
    static func code(_ text: String) -> String {
        text.replacingOccurrences(of: "_", with: " ")
    }

    static func prose(_ text: String) -> String {
        var s = text
        s = s.replacing(#/!\[[^\]]*\](?:\([^)]*\)|\[[^\]]*\])/#, with: " ")
        s = s.replacing(#/\[([^\]]*)\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/#) { m in
            m.1.isEmpty ? " " + spokenHost(String(m.2)) + " " : String(m.1)
        }
        s = s.replacing(#/\[([^\]]+)\]\[[^\]]*\]/#) { m in String(m.1) }
        s = s.replacing(#/<(?:mailto:)?([^<>\s@]+@[^<>\s]+)>/#) { m in String(m.1) }
        s = s.replacing(#/<((?:https?|ftp):\/\/[^<>\s]+)>/#) { m in spokenHost(String(m.1)) }
        s = s.replacing(#/<\/?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?\/?>/#, with: " ")
        s = s.replacing(#/(?:(?:https?|ftp):\/\/|www\.)[^\s<>()\[\]]+/#) { m in
            // Sentence punctuation after a URL belongs to the sentence.
            let url = String(m.0)
            let trailing = url.reversed().prefix { ".,;:!?'\"".contains($0) }
            return spokenHost(String(url.dropLast(trailing.count))) + String(trailing.reversed())
        }
        s = s.replacing(#/\\([!-\/:-@\[-`{-~])/#) { m in String(m.1) }
        s = s.replacingOccurrences(of: "~~", with: "")
        s = s.replacingOccurrences(of: "*", with: "")
        s = underscoresRemoved(s)
        return XMLEntities.decode(s)
    }

    /// Emphasis underscores (at a word's edge) go; one inside a word becomes a space.
    static func underscoresRemoved(_ s: String) -> String {
        guard s.contains("_") else { return s }
        let chars = Array(s)
        var out = ""
        var i = 0
        while i < chars.count {
            guard chars[i] == "_" else { out.append(chars[i]); i += 1; continue }
            var j = i
            while j < chars.count, chars[j] == "_" { j += 1 }
            let before = i > 0 && (chars[i - 1].isLetter || chars[i - 1].isNumber)
            let after = j < chars.count && (chars[j].isLetter || chars[j].isNumber)
            if before && after { out.append(" ") }
            i = j
        }
        return out
    }

    /// "https://www.example.com/orders?id=1" → "example dot com".
    static func spokenHost(_ url: String) -> String {
        var rest = Substring(url)
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        if let at = rest.firstIndex(of: "@"), !rest[..<at].contains("/") { rest = rest[rest.index(after: at)...] }
        var host = rest.prefix { !"/?#:".contains($0) }
        if host.lowercased().hasPrefix("www.") { host = host.dropFirst(4) }
        return host.split(separator: ".").joined(separator: " dot ")
    }
}

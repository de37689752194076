import Foundation

/// Text as flite can read it. Flite reads bytes, not Unicode: "café" comes out as "caf" and a
/// curly apostrophe splits "don’t" into two words. Accents are folded, typographic punctuation
/// becomes ASCII, and anything else outside ASCII (emoji, other scripts) becomes a space.
enum FliteText {
    static func ascii(_ text: String) -> String {
        let folded = text.folding(options: [.diacriticInsensitive, .widthInsensitive], locale: nil)
        var out = ""
        out.reserveCapacity(folded.utf8.count)
        for scalar in folded.unicodeScalars {
            switch scalar {
            case "\u{2018}", "\u{2019}", "\u{02BC}": out += "'"
            case "\u{201C}", "\u{201D}": out += "\""
            case "\u{2013}", "\u{2014}": out += ", "
            case "\u{2026}": out += "..."
            case "\u{00DF}": out += "ss"
            case "\u{00E6}": out += "ae"
            case "\u{0153}": out += "oe"
            default:
                if scalar.isASCII && scalar.value >= 0x20 {
                    out.unicodeScalars.append(scalar)
                } else {
                    out += " "
                }
            }
        }
        return out
    }
}

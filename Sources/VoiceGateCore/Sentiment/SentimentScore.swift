/// The sentiment of one text, as VADER's `polarity_scores` gives it.
///
/// `compound` is the one number to use: the sum of the words' valences, adjusted by VADER's
/// rules and normalized to −1 (most negative) ... +1 (most positive). VADER's authors read
/// compound ≥ 0.05 as positive, ≤ −0.05 as negative and anything between as neutral.
///
/// `positive`, `negative` and `neutral` are the shares of the text (0...1, adding up to about 1)
/// that carry positive, negative and no sentiment. All four are rounded as VADER rounds them:
/// compound to 4 decimal places, the shares to 3 (see `SentimentScore.round`).
public struct SentimentScore: Sendable, Equatable, Codable {
    /// Normalized, weighted sum: −1 ... +1.
    public var compound: Double
    /// Share of the text with positive sentiment, 0 ... 1.
    public var positive: Double
    /// Share of the text with negative sentiment, 0 ... 1.
    public var negative: Double
    /// Share of the text without sentiment, 0 ... 1 (0 for a text without words).
    public var neutral: Double

    /// A score from its four numbers, taken as they are.
    public init(compound: Double, positive: Double, negative: Double, neutral: Double) {
        self.compound = compound
        self.positive = positive
        self.negative = negative
        self.neutral = neutral
    }

    /// VADER's reading of `compound`: true at 0.05 and above.
    public var isPositive: Bool { compound >= 0.05 }
    /// VADER's reading of `compound`: true at −0.05 and below.
    public var isNegative: Bool { compound <= -0.05 }

    /// Python's `round(x, digits)` for 0 ≤ digits ≤ 4: rounds the double's exact binary value,
    /// ties to even, and returns the double nearest to the decimal result. Rounding `x * 10^digits`
    /// in floating point instead would get cases like round(2.675, 2) = 2.67 wrong (2.675 is
    /// 2.67499999... in binary).
    ///
    /// Exact while |x| · 10^digits < 2^53, which VADER's scores (−1 ... 1) are far inside.
    static func round(_ x: Double, digits: Int) -> Double {
        precondition((0...4).contains(digits), "round supports 0...4 digits")
        guard x.isFinite, x != 0 else { return x }
        // |x| = m · 2^e exactly, so |x| · 10^d = m · 5^d / 2^(−e−d); m · 5^4 < 2^63 fits in 64 bits.
        let m: UInt64, e: Int
        if x.exponentBitPattern == 0 {
            (m, e) = (x.significandBitPattern, -1074)
        } else {
            (m, e) = (x.significandBitPattern | (1 << 52), Int(x.exponentBitPattern) - 1075)
        }
        var power: UInt64 = 1
        for _ in 0..<digits { power *= 5 }
        let scaled = m * power
        let shift = -e - digits
        if shift <= 0 { return x }  // already a multiple of 10^−digits
        var units: UInt64
        if shift >= 64 {
            units = 0  // scaled < 2^63 ≤ half a unit
        } else {
            units = scaled >> UInt64(shift)
            let remainder = scaled & ((1 << UInt64(shift)) - 1)
            let half: UInt64 = 1 << UInt64(shift - 1)
            if remainder > half || (remainder == half && units % 2 == 1) { units += 1 }
        }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        // Both operands are exact, and IEEE division rounds correctly: the nearest double.
        let magnitude = Double(units) / scale
        return x < 0 ? -magnitude : magnitude
    }
}

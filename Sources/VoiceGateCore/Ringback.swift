import Foundation

/// The tone a caller hears while the gateway rings a transfer target for them: 440 + 480 Hz,
/// 2 s on, 4 s off (the North American ringback, which callers everywhere read as "ringing"),
/// at about -19 dBFS per tone.
public enum Ringback {
    /// One 6-second cycle at `sampleRate`.
    public static func cycle(sampleRate: Int) -> [Int16] {
        let on = 2 * sampleRate, total = 6 * sampleRate
        var out = [Int16](repeating: 0, count: total)
        let amplitude = 3500.0
        for i in 0..<on {
            let t = Double(i) / Double(sampleRate)
            let v = amplitude * (sin(2 * .pi * 440 * t) + sin(2 * .pi * 480 * t))
            out[i] = Int16(max(-32767, min(32767, v)))
        }
        return out
    }
}

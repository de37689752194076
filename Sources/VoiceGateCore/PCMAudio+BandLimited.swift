import Foundation

extension PCMAudio {
    /// The audio at another rate through a windowed-sinc low-pass filter (Blackman window, 24 zero
    /// crossings each side, cut-off at 94 % of the lower Nyquist frequency: for 16 → 8 kHz flat
    /// to 3.4 kHz, −27 dB at 4 kHz, more than 75 dB down from 4.2 kHz). Unlike `resampled(to:)`
    /// it does not fold the 4–8 kHz hiss of 16 kHz speech back into a phone call's band: on
    /// flite's 16 kHz voice, linear interpolation differs from this by −24 dB, the hiss folded
    /// back. About 100 multiply-adds per output sample: for prompts, not for a 20 ms audio
    /// callback. Any thread.
    public func resampledBandLimited(to rate: Int) -> PCMAudio {
        guard rate > 0, rate != sampleRate, !samples.isEmpty else { return PCMAudio(sampleRate: rate, samples: samples) }
        let filter = BandLimitedFilter(from: sampleRate, to: rate)
        let count = Int((Double(samples.count) * Double(rate) / Double(sampleRate)).rounded())
        var out = [Int16](repeating: 0, count: count)
        samples.withUnsafeBufferPointer { x in
            for n in 0..<count {
                // Output n sits at input position n·M/L: an integer part and one of L phases.
                let position = n * filter.decimation
                let base = position / filter.phases
                let taps = filter.taps(phase: position % filter.phases)
                var sum = 0.0
                var k = base - filter.halfWidth + 1
                for tap in taps {
                    if k >= 0 && k < x.count { sum += Double(x[k]) * tap }
                    k += 1
                }
                out[n] = Int16(max(-32768, min(32767, sum.rounded())))
            }
        }
        return PCMAudio(sampleRate: rate, samples: out)
    }
}

/// The polyphase windowed-sinc kernel for one pair of rates. Tables up to 1024 phases (every
/// pair of common rates: 16000→8000 has 1, 22050→8000 has 160); beyond that each phase's taps
/// are computed when needed.
struct BandLimitedFilter {
    /// L: output samples per `decimation` input samples, both reduced by their gcd.
    let phases: Int
    /// M.
    let decimation: Int
    /// Taps each side of the output position, in input samples.
    let halfWidth: Int
    private let cutoff: Double
    private let table: [[Double]]

    static let zeroCrossings = 24.0

    init(from input: Int, to output: Int) {
        func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
        let g = gcd(input, output)
        phases = output / g
        decimation = input / g
        // Cycles per input sample; 0.94 keeps the telephone band (to 3.4 kHz of 4) flat while
        // what leaks past Nyquist folds back above 3.8 kHz.
        cutoff = 0.5 * min(1, Double(output) / Double(input)) * 0.94
        halfWidth = Int((BandLimitedFilter.zeroCrossings / (2 * cutoff)).rounded(.up))
        let (phases, cutoff, halfWidth) = (phases, cutoff, halfWidth)
        table = phases <= 1024 ? (0..<phases).map { BandLimitedFilter.kernel(phase: $0, of: phases, cutoff: cutoff, halfWidth: halfWidth) } : []
    }

    func taps(phase: Int) -> [Double] {
        table.isEmpty ? BandLimitedFilter.kernel(phase: phase, of: phases, cutoff: cutoff, halfWidth: halfWidth) : table[phase]
    }

    /// Taps for input samples base-H+1 ... base+H around position base + phase/L, summing to 1
    /// so silence stays silence and a constant stays that constant.
    private static func kernel(phase: Int, of phases: Int, cutoff: Double, halfWidth: Int) -> [Double] {
        let fraction = Double(phase) / Double(phases)
        var taps = (0..<(2 * halfWidth)).map { i -> Double in
            let t = Double(i - halfWidth + 1) - fraction
            let x = 2 * cutoff * t
            let sinc = x == 0 ? 1 : sin(Double.pi * x) / (Double.pi * x)
            let w = t / Double(halfWidth)   // -1...1 over the kernel
            guard abs(w) < 1 else { return 0 }
            let blackman = 0.42 + 0.5 * cos(Double.pi * w) + 0.08 * cos(2 * Double.pi * w)
            return sinc * blackman
        }
        let sum = taps.reduce(0, +)
        if sum != 0 { taps = taps.map { $0 / sum } }
        return taps
    }
}

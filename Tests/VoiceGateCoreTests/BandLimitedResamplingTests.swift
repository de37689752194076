import Foundation
import Testing
@testable import VoiceGateCore

/// The windowed-sinc resampler: the telephone band passes, what lies above the new Nyquist
/// frequency does not fold back into it.
struct BandLimitedResamplingTests {
    func tone(_ hz: Double, rate: Int, seconds: Double = 0.5, amplitude: Double = 10_000) -> PCMAudio {
        let n = Int(Double(rate) * seconds)
        return PCMAudio(sampleRate: rate, samples: (0..<n).map { Int16((amplitude * sin(2 * .pi * hz * Double($0) / Double(rate))).rounded()) })
    }

    /// RMS of the middle half, away from the edges' zero padding.
    func rms(_ audio: PCMAudio) -> Double {
        let middle = audio.samples[audio.samples.count / 4 ..< audio.samples.count * 3 / 4]
        return (middle.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(middle.count)).squareRoot()
    }

    @Test("16 kHz to 8 kHz keeps the telephone band", arguments: [300.0, 1000, 3000, 3400])
    func passband(hz: Double) {
        let input = tone(hz, rate: 16000)
        let out = input.resampledBandLimited(to: 8000)
        #expect(out.sampleRate == 8000 && out.samples.count == input.samples.count / 2)
        #expect(abs(20 * log10(rms(out) / rms(input))) < 0.5, "\(hz) Hz")
    }

    @Test("16 kHz to 8 kHz removes what would fold back", arguments: [4500.0, 6000, 7000])
    func stopband(hz: Double) {
        let input = tone(hz, rate: 16000)
        let banded = input.resampledBandLimited(to: 8000)
        #expect(20 * log10(rms(banded) / rms(input)) < -60, "\(hz) Hz")
        // Linear interpolation lets it through, aliased: the reason this resampler exists.
        #expect(20 * log10(rms(input.resampled(to: 8000)) / rms(input)) > -20, "\(hz) Hz")
    }

    @Test func oddRatiosAndUpsamplingWork() {
        let input = tone(1000, rate: 22050)
        let down = input.resampledBandLimited(to: 8000)
        #expect(down.samples.count == Int((Double(input.samples.count) * 8000 / 22050).rounded()))
        #expect(abs(20 * log10(rms(down) / rms(input))) < 0.5)
        let up = tone(1000, rate: 8000).resampledBandLimited(to: 16000)
        #expect(abs(20 * log10(rms(up) / rms(tone(1000, rate: 16000)))) < 0.5)
        #expect(PCMAudio(sampleRate: 16000, samples: [Int16](repeating: 1000, count: 400)).resampledBandLimited(to: 8000).samples[100] == 1000,
                "a constant stays that constant")
        #expect(PCMAudio(sampleRate: 16000, samples: []).resampledBandLimited(to: 8000).samples.isEmpty)
    }
}

import Foundation

/// Mono 16-bit PCM audio as WAV files hold it: enough to make a test softphone's microphone and to
/// measure what a softphone recorded.
struct PCMWave {
    struct FormatError: Error, CustomStringConvertible { let description: String }

    var sampleRate: Int
    var samples: [Int16]

    /// A sine tone, e.g. as a caller's audio that cannot be mistaken for the gateway's greeting.
    static func tone(hertz: Double, amplitude: Double, seconds: Double, sampleRate: Int = 8000) -> PCMWave {
        let count = Int(seconds * Double(sampleRate))
        let samples = (0..<count).map { Int16(amplitude * sin(2 * .pi * hertz * Double($0) / Double(sampleRate))) }
        return PCMWave(sampleRate: sampleRate, samples: samples)
    }

    /// Reads a RIFF/WAVE file of mono 16-bit PCM. A data chunk whose size was never filled in (a
    /// writer killed mid-file) is read to the end of the file.
    init(contentsOf url: URL) throws {
        let data = [UInt8](try Data(contentsOf: url))
        func u32(_ i: Int) -> Int { Int(data[i]) | Int(data[i + 1]) << 8 | Int(data[i + 2]) << 16 | Int(data[i + 3]) << 24 }
        func u16(_ i: Int) -> Int { Int(data[i]) | Int(data[i + 1]) << 8 }
        guard data.count >= 12, data[0..<4].elementsEqual("RIFF".utf8), data[8..<12].elementsEqual("WAVE".utf8) else {
            throw FormatError(description: "\(url.lastPathComponent): not a WAV file")
        }
        var rate: Int?
        var offset = 12
        while offset + 8 <= data.count {
            let id = String(decoding: data[offset..<offset + 4], as: UTF8.self)
            let size = u32(offset + 4)
            let body = offset + 8
            if id == "fmt " {
                guard u16(body) == 1, u16(body + 2) == 1, u16(body + 14) == 16 else {
                    throw FormatError(description: "\(url.lastPathComponent): not mono 16-bit PCM")
                }
                rate = u32(body + 4)
            } else if id == "data" {
                guard let rate else { break }
                let end = size == 0 ? data.count : min(data.count, body + size)
                sampleRate = rate
                samples = stride(from: body, to: end - 1, by: 2).map { Int16(bitPattern: UInt16(u16($0))) }
                return
            }
            offset = body + size + (size & 1)
        }
        throw FormatError(description: "\(url.lastPathComponent): no fmt and data chunks")
    }

    init(sampleRate: Int, samples: [Int16]) {
        self.sampleRate = sampleRate
        self.samples = samples
    }

    func write(to url: URL) throws {
        var bytes: [UInt8] = []
        func u32(_ v: Int) { bytes += [UInt8(v & 0xff), UInt8(v >> 8 & 0xff), UInt8(v >> 16 & 0xff), UInt8(v >> 24 & 0xff)] }
        func u16(_ v: Int) { bytes += [UInt8(v & 0xff), UInt8(v >> 8 & 0xff)] }
        let dataSize = samples.count * 2
        bytes += Array("RIFF".utf8); u32(36 + dataSize); bytes += Array("WAVE".utf8)
        bytes += Array("fmt ".utf8); u32(16); u16(1); u16(1); u32(sampleRate); u32(sampleRate * 2); u16(2); u16(16)
        bytes += Array("data".utf8); u32(dataSize)
        for s in samples { u16(Int(UInt16(bitPattern: s))) }
        try Data(bytes).write(to: url)
    }

    /// The RMS level of each 20 ms frame.
    var frameLevels: [Double] {
        let frame = sampleRate / 50
        return stride(from: 0, to: samples.count - frame + 1, by: frame).map { start in
            let sum = samples[start..<start + frame].reduce(0.0) { $0 + Double($1) * Double($1) }
            return (sum / Double(frame)).squareRoot()
        }
    }

    /// The best Pearson correlation of two level envelopes with `a` shifted against `b` by up to
    /// `maxLag` frames either way: near 1 when both are the same audio, near 0 for unrelated audio.
    static func envelopeCorrelation(_ a: [Double], _ b: [Double], maxLag: Int) -> Double {
        func pearson(_ x: ArraySlice<Double>, _ y: ArraySlice<Double>) -> Double {
            let n = min(x.count, y.count)
            guard n > 10 else { return 0 }
            let x = Array(x.prefix(n)), y = Array(y.prefix(n))
            let mx = x.reduce(0, +) / Double(n), my = y.reduce(0, +) / Double(n)
            var sxy = 0.0, sxx = 0.0, syy = 0.0
            for i in 0..<n {
                sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) * (x[i] - mx); syy += (y[i] - my) * (y[i] - my)
            }
            return sxx > 0 && syy > 0 ? sxy / (sxx * syy).squareRoot() : 0
        }
        var best = -1.0
        for lag in 0...maxLag {
            best = max(best, pearson(a.dropFirst(lag), b[...]), pearson(a[...], b.dropFirst(lag)))
        }
        return best
    }
}

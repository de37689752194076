/// Mono 16-bit PCM audio at a sample rate: what prompts and synthesized speech are before they
/// reach a call.
public struct PCMAudio: Sendable, Equatable {
    public var sampleRate: Int
    public var samples: [Int16]

    public init(sampleRate: Int, samples: [Int16]) {
        self.sampleRate = sampleRate
        self.samples = samples
    }

    public var durationSeconds: Double { Double(samples.count) / Double(sampleRate) }

    public enum WAVError: Error, Equatable, CustomStringConvertible {
        case notRIFFWave
        case missingChunk(String)
        case unsupportedFormat(String)

        public var description: String {
            switch self {
            case .notRIFFWave: return "not a RIFF/WAVE file"
            case .missingChunk(let name): return "the WAV file has no '\(name)' chunk"
            case .unsupportedFormat(let what): return "unsupported WAV format: \(what) (need 16-bit PCM, mono)"
            }
        }
    }

    /// Reads a RIFF/WAVE file of 16-bit little-endian PCM, mono.
    public init(wav bytes: [UInt8]) throws(WAVError) {
        func u32(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24 }
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        guard bytes.count >= 12, bytes[0..<4] == [0x52, 0x49, 0x46, 0x46][...], bytes[8..<12] == [0x57, 0x41, 0x56, 0x45][...] else {
            throw .notRIFFWave
        }
        var offset = 12
        var format: (tag: Int, channels: Int, rate: Int, bits: Int)?
        var data: Range<Int>?
        while offset + 8 <= bytes.count {
            let id = String(decoding: bytes[offset..<offset + 4], as: UTF8.self)
            let size = u32(offset + 4)
            let body = offset + 8
            let end = min(bytes.count, body + size)
            if id == "fmt ", end - body >= 16 {
                format = (u16(body), u16(body + 2), u32(body + 4), u16(body + 14))
            } else if id == "data" {
                data = body..<end
            }
            offset = body + size + (size & 1)
        }
        guard let f = format else { throw .missingChunk("fmt ") }
        guard let d = data else { throw .missingChunk("data") }
        guard f.tag == 1 || f.tag == 0xfffe else { throw .unsupportedFormat("format tag \(f.tag) is not PCM") }
        guard f.bits == 16 else { throw .unsupportedFormat("\(f.bits) bits per sample") }
        guard f.channels == 1 else { throw .unsupportedFormat("\(f.channels) channels") }
        guard f.rate > 0 else { throw .unsupportedFormat("sample rate 0") }
        var out = [Int16](repeating: 0, count: d.count / 2)
        for i in 0..<out.count {
            out[i] = Int16(bitPattern: UInt16(bytes[d.lowerBound + 2 * i]) | UInt16(bytes[d.lowerBound + 2 * i + 1]) << 8)
        }
        self.init(sampleRate: f.rate, samples: out)
    }

    /// The audio at another rate, by linear interpolation. Good enough for prompts moving between
    /// 8, 16 and 48 kHz; speech that keeps energy above the lower rate's band (synthesized
    /// speech on its way into a call) uses `resampledBandLimited(to:)`.
    public func resampled(to rate: Int) -> PCMAudio {
        guard rate != sampleRate, !samples.isEmpty else { return PCMAudio(sampleRate: rate, samples: samples) }
        let count = Int((Double(samples.count) * Double(rate) / Double(sampleRate)).rounded())
        var out = [Int16](repeating: 0, count: count)
        let step = Double(sampleRate) / Double(rate)
        for i in 0..<count {
            let position = Double(i) * step
            let index = Int(position)
            let fraction = position - Double(index)
            let a = Double(samples[min(index, samples.count - 1)])
            let b = Double(samples[min(index + 1, samples.count - 1)])
            out[i] = Int16(max(-32768, min(32767, (a + (b - a) * fraction).rounded())))
        }
        return PCMAudio(sampleRate: rate, samples: out)
    }
}

extension PCMAudio {
    /// The audio as a RIFF/WAVE file: 16-bit little-endian PCM, mono.
    public var wavBytes: [UInt8] {
        func le32(_ v: Int) -> [UInt8] { [UInt8(v & 0xff), UInt8(v >> 8 & 0xff), UInt8(v >> 16 & 0xff), UInt8(v >> 24 & 0xff)] }
        func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xff), UInt8(v >> 8 & 0xff)] }
        let dataSize = samples.count * 2
        var out: [UInt8] = []
        out.reserveCapacity(44 + dataSize)
        out += Array("RIFF".utf8) + le32(36 + dataSize) + Array("WAVEfmt ".utf8) + le32(16)
        out += le16(1) + le16(1) + le32(sampleRate) + le32(sampleRate * 2) + le16(2) + le16(16)
        out += Array("data".utf8) + le32(dataSize)
        for s in samples { out += le16(Int(UInt16(bitPattern: s))) }
        return out
    }
}

import Testing
@testable import VoiceGateCore

struct PCMAudioTests {
    func wav(rate: Int, channels: Int = 1, bits: Int = 16, samples: [Int16]) -> [UInt8] {
        func le32(_ v: Int) -> [UInt8] { [UInt8(v & 0xff), UInt8(v >> 8 & 0xff), UInt8(v >> 16 & 0xff), UInt8(v >> 24 & 0xff)] }
        func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xff), UInt8(v >> 8 & 0xff)] }
        let data = samples.flatMap { le16(Int(UInt16(bitPattern: $0))) }
        let fmt = le16(1) + le16(channels) + le32(rate) + le32(rate * channels * bits / 8) + le16(channels * bits / 8) + le16(bits)
        let list: [UInt8] = Array("LIST".utf8) + le32(3) + [1, 2, 3, 0]   // odd-sized chunk with its pad byte
        let body = Array("WAVE".utf8) + Array("fmt ".utf8) + le32(16) + fmt + list + Array("data".utf8) + le32(data.count) + data
        return Array("RIFF".utf8) + le32(body.count) + body
    }

    @Test func readsPCM16Mono() throws {
        let audio = try PCMAudio(wav: wav(rate: 8000, samples: [0, 1, -1, 32767, -32768]))
        #expect(audio.sampleRate == 8000)
        #expect(audio.samples == [0, 1, -1, 32767, -32768])
    }

    @Test func refusesWhatItCannotPlay() {
        #expect(throws: PCMAudio.WAVError.notRIFFWave) { try PCMAudio(wav: Array("hello".utf8)) }
        #expect(throws: PCMAudio.WAVError.unsupportedFormat("2 channels")) { try PCMAudio(wav: wav(rate: 8000, channels: 2, samples: [0, 0])) }
        #expect(throws: PCMAudio.WAVError.unsupportedFormat("8 bits per sample")) { try PCMAudio(wav: wav(rate: 8000, bits: 8, samples: [])) }
        var truncated = wav(rate: 8000, samples: [1, 2])
        truncated.removeLast(30)
        #expect(throws: (any Error).self) { try PCMAudio(wav: truncated) }
    }

    @Test func resamplesByRate() {
        let audio = PCMAudio(sampleRate: 16000, samples: (0..<1600).map { Int16($0 % 100) })
        let down = audio.resampled(to: 8000)
        #expect(down.sampleRate == 8000)
        #expect(down.samples.count == 800)
        #expect(down.durationSeconds == audio.durationSeconds)
    }
}

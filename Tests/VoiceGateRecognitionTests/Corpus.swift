import Foundation
import VoiceGateCore

/// The speech corpus beside the project: ../shared/corpus/speech (CI clones the project with
/// shared/ next to it). 8 kHz, mono, 16-bit WAV files and transcripts.tsv.
enum Corpus {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let speech = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus/speech")

    static func samples(_ file: String) throws -> [Int16] {
        let audio = try PCMAudio(wav: Array(try Data(contentsOf: speech.appendingPathComponent(file))))
        precondition(audio.sampleRate == 8000, "\(file) is not 8 kHz")
        return audio.samples
    }

    static func transcript(_ file: String) throws -> String {
        let tsv = try String(contentsOf: speech.appendingPathComponent("transcripts.tsv"), encoding: .utf8)
        for line in tsv.split(separator: "\n") {
            let fields = line.split(separator: "\t", maxSplits: 1)
            if fields.count == 2, fields[0] == file { return String(fields[1]) }
        }
        throw CocoaError(.fileReadCorruptFile)
    }

    static func silence(_ seconds: Double) -> [Int16] { [Int16](repeating: 0, count: Int(seconds * 8000)) }
}

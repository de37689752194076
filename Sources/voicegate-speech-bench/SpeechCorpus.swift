import Foundation
import VoiceGateCore

/// A corpus folder: WAV files and a transcripts.tsv (file TAB words) naming them.
struct SpeechCorpus {
    struct Item {
        let file: String
        let reference: String
        /// 8 kHz, as calls deliver it.
        let audio: PCMAudio
    }

    let folder: URL
    let items: [Item]

    init(folder: URL) throws {
        self.folder = folder
        let tsv = try String(contentsOf: folder.appendingPathComponent("transcripts.tsv"), encoding: .utf8)
        items = try tsv.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: "\t", maxSplits: 1).map(String.init)
            guard fields.count == 2 else { return nil }
            let audio = try PCMAudio(wav: Array(try Data(contentsOf: folder.appendingPathComponent(fields[0]))))
            return Item(file: fields[0], reference: fields[1], audio: audio.sampleRate == 8000 ? audio : audio.resampled(to: 8000))
        }
    }

    var seconds: Double { items.reduce(0) { $0 + $1.audio.durationSeconds } }
}

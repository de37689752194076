// voicegate-speech-bench: the embedded recognizer on a corpus of WAV files with a transcripts.tsv
// (file TAB words), as a call would feed it: 8 kHz, in 20 ms chunks, one session per file.
// Prints each file's hypothesis, then word error rate and real-time factor. Benchmarks/speech.sh
// runs it on ../shared/corpus/speech.
import Foundation
import VoiceGateCore
import VoiceGateRecognition

let usage = """
    usage: voicegate-speech-bench [options] [corpus-dir]     (default ../shared/corpus/speech)
      --chunk N                samples per feed (default 160: 20 ms at 8 kHz)
      --front-end wideband|narrowband:HZ
                               how 8 kHz audio meets the model (default wideband)
      --cepstral-mean none|default|V1,...,V13
                               the starting cepstral mean (default: the telephone one)
      --set NAME=VALUE         a PocketSphinx parameter, repeatable (e.g. --set lw=7.5)
      --pre-roll S             feed each file only from S seconds before the utterance detector's
                               start, as the voice channel will (default: the whole file)
      --estimate-cepstral-mean print the corpus's mean cepstrum for --cepstral-mean, then exit
      --quiet                  totals only
    """

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("voicegate-speech-bench: \(message)\n".utf8))
    exit(2)
}

var settings = PocketSphinxRecognizer.Settings()
var chunk = 160
var corpus = "../shared/corpus/speech"
var estimate = false
var quiet = false
var preRoll: Double?
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    func value() -> String {
        guard let v = arguments.popFirst() else { fail("\(argument) needs a value\n\(usage)") }
        return v
    }
    switch argument {
    case "--chunk":
        guard let n = Int(value()), n > 0 else { fail("--chunk needs a positive number") }
        chunk = n
    case "--front-end":
        let v = value()
        if v == "wideband" { settings.frontEnd = .wideband }
        else if v.hasPrefix("narrowband:"), let hz = Double(v.dropFirst("narrowband:".count)) { settings.frontEnd = .narrowband(upperFrequency: hz) }
        else { fail("--front-end: wideband or narrowband:HZ") }
    case "--cepstral-mean":
        let v = value()
        settings.cepstralMean = v == "none" ? nil : v == "default" ? PocketSphinxRecognizer.Settings.telephoneCepstralMean : v
    case "--set":
        let v = value()
        guard let eq = v.firstIndex(of: "=") else { fail("--set NAME=VALUE") }
        settings.parameters[String(v[..<eq])] = String(v[v.index(after: eq)...])
    case "--pre-roll":
        guard let s = Double(value()), s >= 0 else { fail("--pre-roll needs seconds") }
        preRoll = s
    case "--estimate-cepstral-mean": estimate = true
    case "--quiet": quiet = true
    case "-h", "--help": print(usage); exit(0)
    default:
        if argument.hasPrefix("-") { fail("unknown option \(argument)\n\(usage)") }
        corpus = argument
    }
}

// The corpus: transcripts.tsv names the files and what was said in each.
let folder = URL(fileURLWithPath: corpus)
guard let tsv = try? String(contentsOf: folder.appendingPathComponent("transcripts.tsv"), encoding: .utf8) else {
    fail("no transcripts.tsv in \(folder.path)")
}
struct Item { let file: String; let reference: String; let audio: PCMAudio }
let items: [Item] = tsv.split(separator: "\n").compactMap { line in
    let fields = line.split(separator: "\t", maxSplits: 1).map(String.init)
    guard fields.count == 2 else { return nil }
    let url = folder.appendingPathComponent(fields[0])
    do {
        let audio = try PCMAudio(wav: Array(try Data(contentsOf: url)))
        return Item(file: fields[0], reference: fields[1], audio: audio.sampleRate == 8000 ? audio : audio.resampled(to: 8000))
    } catch {
        fail("\(url.path): \(error)")
    }
}
guard !items.isEmpty else { fail("transcripts.tsv lists no files") }

let recognizer: PocketSphinxRecognizer
do { recognizer = try PocketSphinxRecognizer(settings: settings) } catch { fail("\(error)") }

if estimate {
    do { print(try recognizer.estimateCepstralMean(of: items.map(\.audio.samples))) } catch { fail("\(error)") }
    exit(0)
}

func residentMegabytes() -> Double {
    guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
          let pages = statm.split(separator: " ").dropFirst().first.flatMap({ Double($0) }) else { return 0 }
    return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
}

let clock = ContinuousClock()
func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

// Loading decoders is a start-up cost, kept out of the per-file figures.
let rssBefore = residentMegabytes()
var loadTimes: [Double] = []
for n in 1...2 {
    let began = clock.now
    do { try recognizer.prepare(decoders: n) } catch { fail("\(error)") }
    loadTimes.append(seconds(clock.now - began))
}
let rssAfter = residentMegabytes()

/// What the demo bot (deploy/bots/demo.json, from the working directory: Benchmarks/speech.sh runs
/// at the package root) makes of a text: the topic it triggers, or for a yes/no or digits answer
/// the answer read. A file counts as right when its hypothesis does what its reference does.
let topicOf: ((String) -> String?)? = {
    guard let data = FileManager.default.contents(atPath: "deploy/bots/demo.json"),
          let demo = try? BotDefinition.parse(data) else { return nil }
    let matcher = TopicMatcher(demo)
    return { text in
        if let match = matcher.best(text), match.score >= demo.settings.matchThreshold { return "topic:\(match.topic)" }
        let yesNo = Question(prompt: "", kind: .yesNo, variable: "x")
        if case .bool(let answer)? = AnswerReader.read(.speech(text, confidence: 1), for: yesNo, threshold: demo.settings.matchThreshold) {
            return answer ? "yes" : "no"
        }
        return "nothing"
    }
}()

var total = WordErrorRate()
var audioSeconds = 0.0
var workSeconds = 0.0
var finishLatencies: [Double] = []
var startLatencies: [Double] = []
var topicHits = 0
if !quiet { print("file\terrors/words\tconfidence\tRTF\tspeech (detector)\thypothesis | reference") }
for item in items {
    var samples = item.audio.samples
    // Where the utterance detector puts the speech, as a check on it; not timed.
    var span = "-"
    var speechStart: Double?
    if let detector = try? UtteranceDetector() {
        var events = detector.feed(samples)
        if let last = detector.finish() { events.append(last) }
        span = events.compactMap { event -> String? in
            if case .ended(let s) = event { return String(format: "%.2f-%.2f", s.start, s.end) }
            return nil
        }.joined(separator: ",")
        for case .started(let at) in events { speechStart = speechStart ?? at }
    }
    if let preRoll, let speechStart {
        samples = Array(samples[max(0, Int((speechStart - preRoll) * 8000))...])
    }
    let began = clock.now
    let result: Recognition
    do {
        let session = try recognizer.start()
        startLatencies.append(seconds(clock.now - began))
        var offset = 0
        while offset < samples.count {
            session.feed(samples[offset..<min(samples.count, offset + chunk)])
            offset += chunk
        }
        let finishing = clock.now
        result = try session.finish()
        finishLatencies.append(seconds(clock.now - finishing))
    } catch {
        fail("\(item.file): \(error)")
    }
    let work = seconds(clock.now - began)
    let wer = WordErrorRate(reference: item.reference, hypothesis: result.text)
    total += wer
    audioSeconds += item.audio.durationSeconds
    workSeconds += work
    if let topicOf, topicOf(result.text) == topicOf(item.reference) { topicHits += 1 }
    if !quiet {
        print("\(item.file)\t\(wer.errors)/\(wer.referenceWords)\t\(String(format: "%.2f", result.confidence))\t"
              + "\(String(format: "%.3f", work / item.audio.durationSeconds))\t\(span)\t\(result.text) | \(item.reference)")
    }
}

let frontEnd: String
switch settings.frontEnd {
case .wideband: frontEnd = "wideband (upsampled to 16 kHz)"
case .narrowband(let hz): frontEnd = "narrowband (8 kHz, filters to \(Int(hz)) Hz)"
}
let extras = settings.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
print("""
    corpus: \(folder.path), \(items.count) files, \(String(format: "%.1f", audioSeconds)) s of audio, \(total.referenceWords) words
    settings: front end \(frontEnd); cepstral mean \(settings.cepstralMean ?? "model default"); chunk \(chunk) samples\(preRoll.map { String(format: "; fed from %.2f s before the detected start", $0) } ?? "")\(extras.isEmpty ? "" : "; " + extras)
    WER: \(String(format: "%.1f", total.rate * 100)) % (\(total.errors) errors: \(total.substitutions) substitutions, \(total.deletions) deletions, \(total.insertions) insertions)
    real-time factor: \(String(format: "%.3f", workSeconds / audioSeconds)) (\(String(format: "%.2f", workSeconds)) s of recognition for \(String(format: "%.1f", audioSeconds)) s of audio, one thread)
    start latency: mean \(String(format: "%.1f", startLatencies.reduce(0, +) / Double(startLatencies.count) * 1000)) ms (a pooled decoder, its front end renewed)
    finish latency: mean \(String(format: "%.0f", finishLatencies.reduce(0, +) / Double(finishLatencies.count) * 1000)) ms, max \(String(format: "%.0f", (finishLatencies.max() ?? 0) * 1000)) ms (from the last feed to the result)
    decoder load: \(String(format: "%.2f", loadTimes[0])) s first, \(String(format: "%.2f", loadTimes[1])) s second; resident memory +\(String(format: "%.0f", rssAfter - rssBefore)) MB for 2
    topic accuracy: \(topicOf == nil ? "not measured (no topics yet: set topicOf in Sources/voicegate-speech-bench/main.swift)" : String(format: "%.1f %% (%d/%d)", Double(topicHits) * 100 / Double(items.count), topicHits, items.count))
    """)

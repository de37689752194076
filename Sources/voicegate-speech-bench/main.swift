// voicegate-speech-bench: the embedded recognizer on a corpus of WAV files with a transcripts.tsv
// (file TAB words), as a call would feed it: 8 kHz, in 20 ms chunks, one session per file. Runs
// the open-vocabulary recognizer and the one biased towards a bot's phrases (deploy/bots/demo.json
// unless --bot says otherwise) on the same files in the same process, and prints each file's
// hypotheses, then for each the word error rate, topic accuracy for the bot, real-time factor and
// what a decoder costs. Benchmarks/speech.sh runs it on ../shared/corpus/speech.
import Foundation
import VoiceGateCore
import VoiceGateRecognition

let usage = """
    usage: voicegate-speech-bench [options] [corpus-dir]     (default ../shared/corpus/speech)
      --bot FILE               the bot whose topics judge the hypotheses and whose phrases bias the
                               second recognizer (default deploy/bots/demo.json)
      --passes open,biased     which recognizers to run (default both)
      --phrases answers|all    the bot's phrases the biased recognizer gets: what the bot acts on
                               (triggers, choices, yes/no and digit words), or those and its prompts
                               (default answers)
      --phrase-weight W        the phrase model's share in the interpolation (default \(PocketSphinxRecognizer.Settings.defaultPhraseWeight))
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
var corpusPath = "../shared/corpus/speech"
var botPath = "deploy/bots/demo.json"
var passes = ["open", "biased"]
var withPrompts = false
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
    case "--bot": botPath = value()
    case "--passes":
        passes = value().split(separator: ",").map(String.init)
        guard !passes.isEmpty, passes.allSatisfy({ $0 == "open" || $0 == "biased" }) else { fail("--passes: open, biased or open,biased") }
    case "--phrases":
        let v = value()
        guard v == "answers" || v == "all" else { fail("--phrases: answers or all") }
        withPrompts = v == "all"
    case "--phrase-weight":
        guard let w = Double(value()), (0...1).contains(w) else { fail("--phrase-weight needs a number from 0 to 1") }
        settings.phraseWeight = w
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
        corpusPath = argument
    }
}

let corpus: SpeechCorpus
do { corpus = try SpeechCorpus(folder: URL(fileURLWithPath: corpusPath)) } catch { fail("\(corpusPath): \(error)") }
guard !corpus.items.isEmpty else { fail("transcripts.tsv lists no files") }

if estimate {
    do { print(try PocketSphinxRecognizer(settings: settings).estimateCepstralMean(of: corpus.items.map(\.audio.samples))) } catch { fail("\(error)") }
    exit(0)
}

let judge: BotJudge
do { judge = try BotJudge(file: botPath) } catch { fail("\(botPath): \(error)") }

func residentMegabytes() -> Double {
    guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
          let pages = statm.split(separator: " ").dropFirst().first.flatMap({ Double($0) }) else { return 0 }
    return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
}

/// One recognizer's figures, kept for the comparison at the end.
struct PassSummary {
    let name: String
    let run: CorpusRun
    let topicHits: Int
    let loadTimes: [Double]
    /// Resident megabytes each decoder added.
    let memory: [Double]
}

var summaries: [PassSummary] = []
for pass in passes {
    var passSettings = settings
    if pass == "biased" {
        let vocabulary = BotVocabulary(judge.definition)
        passSettings = passSettings.biased(towards: vocabulary)
        if withPrompts { passSettings.phrases += vocabulary.prompts }
    }
    let recognizer: PocketSphinxRecognizer
    do { recognizer = try PocketSphinxRecognizer(settings: passSettings) } catch { fail("\(error)") }

    // Loading decoders is a start-up cost, kept out of the per-file figures.
    // The first decoder's memory includes what the process loads once (and heap a recognizer of
    // an earlier pass left); the second's is what each further decoder costs.
    var loadTimes: [Double] = []
    var memory: [Double] = []
    for n in 1...2 {
        let rssBefore = residentMegabytes()
        let began = CorpusRun.clock.now
        do { try recognizer.prepare(decoders: n) } catch { fail("\(error)") }
        loadTimes.append(CorpusRun.seconds(CorpusRun.clock.now - began))
        memory.append(residentMegabytes() - rssBefore)
    }

    let run: CorpusRun
    do { run = try CorpusRun(recognizer: recognizer, corpus: corpus, chunk: chunk, preRoll: preRoll) } catch { fail("\(error)") }
    var hits = 0
    print(pass == "open"
          ? "== open vocabulary: the general en-us language model"
          : "== biased towards \(judge.definition.name) (\(botPath)): \(passSettings.phrases.count) phrases interpolated at \(passSettings.phraseWeight)\(withPrompts ? ", prompts included" : "")")
    if pass == "biased", let missing = try? recognizer.wordsMissingFromDictionary(), !missing.isEmpty {
        print("words not in the dictionary, left out: \(missing.joined(separator: " "))")
    }
    if !quiet { print("file\terrors/words\tconfidence\tRTF\tspeech (detector)\tbot does\thypothesis | reference") }
    for file in run.files {
        let expected = judge.outcome(of: file.item.reference), got = judge.outcome(of: file.recognition.text)
        if expected == got { hits += 1 }
        if !quiet {
            let verdict = expected == got ? "ok \(got)" : "MISS \(got), not \(expected)"
            print("\(file.item.file)\t\(file.wer.errors)/\(file.wer.referenceWords)\t\(String(format: "%.2f", file.recognition.confidence))\t"
                  + "\(String(format: "%.3f", file.work / file.item.audio.durationSeconds))\t\(CorpusRun.detectedSpans(of: file.item.audio.samples))\t"
                  + "\(verdict)\t\(file.recognition.text) | \(file.item.reference)")
        }
    }
    let finish = run.finishLatencies
    print("""
        WER: \(String(format: "%.1f", run.total.rate * 100)) % (\(run.total.errors) errors: \(run.total.substitutions) substitutions, \(run.total.deletions) deletions, \(run.total.insertions) insertions)
        topic accuracy: \(String(format: "%.1f %% (%d/%d)", Double(hits) * 100 / Double(corpus.items.count), hits, corpus.items.count))
        real-time factor: \(String(format: "%.3f", run.realTimeFactor)) (\(String(format: "%.2f", run.workSeconds)) s of recognition for \(String(format: "%.1f", run.audioSeconds)) s of audio, one thread)
        start latency: mean \(String(format: "%.1f", run.startLatencies.reduce(0, +) / Double(run.startLatencies.count) * 1000)) ms (a pooled decoder, its front end renewed)
        finish latency: mean \(String(format: "%.0f", finish.reduce(0, +) / Double(finish.count) * 1000)) ms, max \(String(format: "%.0f", (finish.max() ?? 0) * 1000)) ms (from the last feed to the result)
        decoder load: \(String(format: "%.2f", loadTimes[0])) s first, \(String(format: "%.2f", loadTimes[1])) s second; resident memory +\(String(format: "%.0f", memory[0])) MB first, +\(String(format: "%.0f", memory[1])) MB second

        """)
    summaries.append(PassSummary(name: pass, run: run, topicHits: hits, loadTimes: loadTimes, memory: memory))
}

let frontEnd: String
switch settings.frontEnd {
case .wideband: frontEnd = "wideband (upsampled to 16 kHz)"
case .narrowband(let hz): frontEnd = "narrowband (8 kHz, filters to \(Int(hz)) Hz)"
}
let extras = settings.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
print("""
    corpus: \(corpus.folder.path), \(corpus.items.count) files, \(String(format: "%.1f", corpus.seconds)) s of audio, \(summaries.first?.run.total.referenceWords ?? 0) words; topics judged by \(botPath)
    settings: front end \(frontEnd); cepstral mean \(settings.cepstralMean ?? "model default"); chunk \(chunk) samples\(preRoll.map { String(format: "; fed from %.2f s before the detected start", $0) } ?? "; whole files")\(extras.isEmpty ? "" : "; " + extras)
    """)
print("recognizer\tWER\ttopic accuracy\tRTF\tdecoder load\tmemory per decoder")
for s in summaries {
    print("\(s.name)\t\(String(format: "%.1f %%", s.run.total.rate * 100))\t\(String(format: "%.1f %% (%d/%d)", Double(s.topicHits) * 100 / Double(corpus.items.count), s.topicHits, corpus.items.count))\t"
          + "\(String(format: "%.3f", s.run.realTimeFactor))\t\(String(format: "%.2f s", s.loadTimes[1]))\t\(String(format: "+%.0f MB", s.memory[1]))")
}
if summaries.count == 2, summaries[0].run.total.rate > 0 {
    let (open, biased) = (summaries[0], summaries[1])
    print(String(format: "biased / open: WER x%.2f, topic errors %d -> %d, RTF x%.2f", biased.run.total.rate / open.run.total.rate,
                 corpus.items.count - open.topicHits, corpus.items.count - biased.topicHits, biased.run.realTimeFactor / open.run.realTimeFactor))
}

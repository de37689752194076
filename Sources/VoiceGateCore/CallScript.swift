/// What a test call does once it is answered: a list of steps, from `voicegate call`'s options in
/// the order given, or from a script file with one step per line.
///
/// Script syntax (a line starting with `#` is a comment; quotes are optional around text):
///
///     wait [TIMEOUT]                  until the far end has spoken and been quiet for 1 s (default 15 s)
///     say TEXT                        speak TEXT, synthesized (plain text, or SSML as a bot's speak)
///     play FILE.wav                   send a WAV file
///     dtmf DIGITS                     send RFC 4733 digits: 0-9 * # A-D
///     pause SECONDS                   do nothing for a while
///     expect speech [within SECONDS]  speech heard since the previous step started (default 10 s)
///     expect text "WORDS" [within S]  a transcribed segment contains WORDS (needs the recognizer)
///     expect hangup [within SECONDS]  the far end hangs up (default 10 s)
///     hangup                          end the call
public struct CallScript: Sendable, Equatable {
    public enum Step: Sendable, Equatable {
        case wait(timeout: Double)
        case say(String)
        case play(path: String)
        case dtmf(String)
        case pause(seconds: Double)
        case expect(Expectation)
        case hangUp

        /// The step as a script line, for reports and error messages.
        public var text: String {
            switch self {
            case .wait(let t): return "wait \(CallScript.seconds(t))"
            case .say(let s): return "say \(s)"
            case .play(let p): return "play \(p)"
            case .dtmf(let d): return "dtmf \(d)"
            case .pause(let s): return "pause \(CallScript.seconds(s))"
            case .expect(let e): return "expect \(e.text)"
            case .hangUp: return "hangup"
            }
        }

        /// Whether the step sends something to the far end.
        public var sends: Bool {
            switch self {
            case .say, .play, .dtmf: return true
            default: return false
            }
        }
    }

    public enum Expectation: Sendable, Equatable {
        case speech(within: Double)
        case text(String, within: Double)
        case hangUp(within: Double)

        public var text: String {
            switch self {
            case .speech(let w): return "speech within \(CallScript.seconds(w))"
            case .text(let t, let w): return "text \"\(t)\" within \(CallScript.seconds(w))"
            case .hangUp(let w): return "hangup within \(CallScript.seconds(w))"
            }
        }
    }

    /// A step and the script line it came from (0 for a command-line option).
    public struct Line: Sendable, Equatable {
        public var number: Int
        public var step: Step

        public init(number: Int, step: Step) {
            self.number = number
            self.step = step
        }

        /// How reports and errors name the step: "line 4: expect speech within 10".
        public var name: String { number > 0 ? "line \(number): \(step.text)" : step.text }
    }

    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public var problems: [String]
        public var description: String { problems.joined(separator: "\n") }
    }

    public static let defaultWait = 15.0
    public static let defaultExpectWithin = 10.0
    public static let dtmfDigits = Set("0123456789*#ABCDabcd")

    public var lines: [Line]

    public init(lines: [Line]) { self.lines = lines }

    /// Parses a script; every problem is reported with its line number.
    public static func parse(_ source: String) throws(ParseError) -> CallScript {
        var lines: [Line] = []
        var problems: [String] = []
        for (index, raw) in source.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            let trimmed = Substring(raw).trimmingSpaces
            // Whole-line comments only: '#' is also a DTMF digit.
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            switch parseStep(trimmed) {
            case .success(let step): lines.append(Line(number: number, step: step))
            case .failure(let problem): problems.append("line \(number): \(problem.message)")
            }
        }
        if !problems.isEmpty { throw ParseError(problems: problems) }
        return CallScript(lines: lines)
    }

    /// One problem with one step, before its line number is added.
    public struct Problem: Error, Sendable, Equatable { public let message: String }

    static func parseStep(_ line: Substring) -> Result<Step, Problem> {
        let (verb, rest) = line.splitFirstWord
        switch verb.lowercased() {
        case "wait":
            if rest.isEmpty { return .success(.wait(timeout: defaultWait)) }
            return seconds(rest, what: "wait's timeout").map { .wait(timeout: $0) }
        case "say":
            let text = unquote(rest)
            return text.isEmpty ? .failure(Problem(message: "say needs text")) : .success(.say(text))
        case "play":
            let path = unquote(rest)
            return path.isEmpty ? .failure(Problem(message: "play needs a WAV file")) : .success(.play(path: path))
        case "dtmf":
            return dtmf(String(rest)).map { .dtmf($0) }
        case "pause":
            return seconds(rest, what: "pause").map { .pause(seconds: $0) }
        case "expect":
            return expectation(rest).map { .expect($0) }
        case "hangup", "hang-up", "bye":
            return rest.isEmpty ? .success(.hangUp) : .failure(Problem(message: "hangup takes nothing after it"))
        default:
            return .failure(Problem(message: "unknown step '\(verb)' (steps: wait, say, play, dtmf, pause, expect, hangup)"))
        }
    }

    /// Checks DTMF digits as given on the command line or in a script.
    public static func dtmf(_ digits: String) -> Result<String, Problem> {
        let d = digits.filter { $0 != " " }
        guard !d.isEmpty else { return .failure(Problem(message: "dtmf needs digits")) }
        guard d.allSatisfy({ dtmfDigits.contains($0) }) else {
            return .failure(Problem(message: "dtmf digits are 0-9, *, # and A-D, not '\(digits)'"))
        }
        return .success(d.uppercased())
    }

    static func expectation(_ rest: Substring) -> Result<Expectation, Problem> {
        var (kind, tail) = rest.splitFirstWord
        var phrase = ""
        if kind.lowercased() == "text" {
            let t = tail.trimmingSpaces
            if t.hasPrefix("\"") {
                let afterQuote = t.dropFirst()
                guard let close = afterQuote.firstIndex(of: "\"") else { return .failure(Problem(message: "expect text: missing closing quote")) }
                phrase = String(afterQuote[..<close])
                tail = afterQuote[afterQuote.index(after: close)...].trimmingSpaces
            } else if let within = t.range(of: " within ") {
                phrase = String(t[..<within.lowerBound])
                tail = t[within.lowerBound...].trimmingSpaces
            } else {
                phrase = String(t)
                tail = ""
            }
            if phrase.isEmpty { return .failure(Problem(message: "expect text needs the words to look for")) }
        }
        var within = defaultExpectWithin
        if !tail.isEmpty {
            let (word, value) = tail.splitFirstWord
            guard word.lowercased() == "within" else { return .failure(Problem(message: "expect: unexpected '\(tail)' (did you mean 'within SECONDS'?)")) }
            switch seconds(value, what: "within") {
            case .success(let s): within = s
            case .failure(let p): return .failure(p)
            }
        }
        switch kind.lowercased() {
        case "speech": return .success(.speech(within: within))
        case "text": return .success(.text(phrase, within: within))
        case "hangup", "hang-up", "bye": return .success(.hangUp(within: within))
        default: return .failure(Problem(message: "expect what? '\(kind)' (expect speech, expect text \"...\", expect hangup)"))
        }
    }

    static func seconds(_ text: Substring, what: String) -> Result<Double, Problem> {
        var t = text.trimmingSpaces
        if t.hasSuffix("s") { t = t.dropLast() }
        guard let value = Double(t), value.isFinite, value >= 0, value <= 3600 else {
            return .failure(Problem(message: "\(what) must be seconds from 0 to 3600, not '\(text)'"))
        }
        return .success(value)
    }

    /// Seconds as a script writes them: "10", "0.5".
    public static func seconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }

    static func unquote(_ text: Substring) -> String {
        let t = text.trimmingSpaces
        if t.count >= 2, t.hasPrefix("\""), t.hasSuffix("\"") { return String(t.dropFirst().dropLast()) }
        return String(t)
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s = s.dropLast() }
        return s
    }

    var splitFirstWord: (Substring, Substring) {
        let t = trimmingSpaces
        guard let space = t.firstIndex(where: { $0 == " " || $0 == "\t" }) else { return (t, "") }
        return (t[..<space], t[space...].trimmingSpaces)
    }
}

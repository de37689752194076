/// Reads a question's answer from what the caller said or keyed. nil: the answer does not fit
/// (the bot reprompts).
public enum AnswerReader {
    static let yesWords: Set<String> = ["yes", "yeah", "yep", "sure", "correct", "right", "ok", "okay", "affirmative", "please"]
    static let noWords: Set<String> = ["no", "nope", "nah", "negative", "wrong", "incorrect"]
    static let digitWords: [String: String] = [
        "zero": "0", "oh": "0", "o": "0", "one": "1", "two": "2", "to": "2", "too": "2", "three": "3", "four": "4",
        "for": "4", "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
    ]
    static let units: [String: Int] = [
        "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
        "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
        "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
        "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    ]

    public static func read(_ input: BotInput, for question: Question, threshold: Double) -> JSONValue? {
        switch (question.kind, input) {
        case (_, .silence), (_, .transferResult): return nil
        case (.text, .speech(let text, _)): return text.isEmpty ? nil : .string(text)
        case (.text, .keys(let keys)): return .string(KeypadCollector.value(of: keys))
        case (.digits, .keys(let keys)):
            let digits = String(keys.filter { $0 != "#" })
            return (question.minDigits...max(question.minDigits, question.maxDigits)).contains(digits.count) ? .string(digits) : nil
        case (.digits, .speech(let text, _)):
            let digits = spokenDigits(text)
            return (question.minDigits...max(question.minDigits, question.maxDigits)).contains(digits.count) ? .string(digits) : nil
        case (.number, .keys(let keys)):
            return Double(keys.filter { $0 != "#" }).map(JSONValue.number)
        case (.number, .speech(let text, _)):
            return spokenNumber(text).map { .number(Double($0)) }
        case (.yesNo, .keys(let keys)):
            if keys.hasPrefix("1") { return .bool(true) }
            if keys.hasPrefix("2") { return .bool(false) }
            return nil
        case (.yesNo, .speech(let text, _)):
            let words = Set(TopicMatcher.words(text))
            let yes = !words.isDisjoint(with: yesWords), no = !words.isDisjoint(with: noWords)
            return yes == no ? nil : .bool(yes)
        case (.choice, .keys(let keys)):
            return question.choices.first { $0.key != nil && $0.key == String(keys.prefix(while: { $0 != "#" })) }.map { .string($0.value) }
        case (.choice, .speech(let text, _)):
            let words = TopicMatcher.words(text)
            var best: (String, Double)?
            for choice in question.choices {
                for phrase in [choice.value] + choice.synonyms {
                    let s = TopicMatcher.score(trigger: TopicMatcher.words(phrase), utterance: words)
                    if s >= threshold && s > (best?.1 ?? 0) { best = (choice.value, s) }
                }
            }
            return best.map { .string($0.0) }
        }
    }

    /// "one two three", "1 2 3", "one 23" -> "123". Words that are not digits are skipped.
    public static func spokenDigits(_ text: String) -> String {
        TopicMatcher.words(text).map { word in
            if word.allSatisfy(\.isNumber) { return word }
            return digitWords[word] ?? ""
        }.joined()
    }

    /// "forty two", "42", "one hundred and five", "two thousand" -> the number.
    public static func spokenNumber(_ text: String) -> Int? {
        let words = TopicMatcher.words(text).filter { $0 != "and" }
        if let n = words.first(where: { $0.allSatisfy(\.isNumber) }).flatMap({ Int($0) }) { return n }
        var total = 0, current = 0, seen = false
        for word in words {
            if let u = units[word] { current += u; seen = true }
            else if word == "hundred" { current = max(current, 1) * 100; seen = true }
            else if word == "thousand" { total += max(current, 1) * 1000; current = 0; seen = true }
        }
        return seen ? total + current : nil
    }
}

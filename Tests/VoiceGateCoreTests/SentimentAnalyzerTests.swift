import Foundation
import Testing
@testable import VoiceGateCore

/// The port against the Python reference: the four scores of vaderSentiment 3.3.2's
/// `SentimentIntensityAnalyzer().polarity_scores(text)` (run once under CPython 3.11 and pasted
/// here) must come out the same, with the lexicon deploy/setup.sh installs.
struct SentimentAnalyzerTests {
    static let lexiconPath = "/usr/local/share/voicegate/sentiment/vader_lexicon.txt"

    /// The installed lexicon, read once for all tests.
    static let installedLexicon: Result<SentimentLexicon, InstalledLexiconError> = {
        guard let text = try? String(contentsOfFile: lexiconPath, encoding: .utf8) else { return .failure(.missing(lexiconPath)) }
        do { return .success(try SentimentLexicon(text: text)) } catch { return .failure(.unreadable("\(error)")) }
    }()

    enum InstalledLexiconError: Error, CustomStringConvertible {
        case missing(String), unreadable(String)
        var description: String {
            switch self {
            case .missing(let path): return "no sentiment lexicon at \(path): run deploy/setup.sh"
            case .unreadable(let problem): return "the installed sentiment lexicon does not parse (\(problem)): run deploy/setup.sh"
            }
        }
    }

    func analyzer() throws -> SentimentAnalyzer { SentimentAnalyzer(lexicon: try Self.installedLexicon.get()) }

    struct Reference: Sendable, CustomTestStringConvertible {
        var text: String
        var expected: SentimentScore
        init(_ text: String, compound: Double, positive: Double, negative: Double, neutral: Double) {
            self.text = text
            expected = SentimentScore(compound: compound, positive: positive, negative: negative, neutral: neutral)
        }
        var testDescription: String { "\"\(text)\"" }
    }

    // Produced by vaderSentiment 3.3.2 itself (vaderSentiment.py and vader_lexicon.txt from the
    // sdist), not by this port.
    static let reference: [Reference] = [
        // VADER's README examples
        .init("VADER is smart, handsome, and funny.", compound: 0.8316, positive: 0.746, negative: 0.0, neutral: 0.254),
        .init("VADER is smart, handsome, and funny!", compound: 0.8439, positive: 0.752, negative: 0.0, neutral: 0.248),
        .init("VADER is very smart, handsome, and funny.", compound: 0.8545, positive: 0.701, negative: 0.0, neutral: 0.299),
        .init("VADER is VERY SMART, handsome, and FUNNY.", compound: 0.9227, positive: 0.754, negative: 0.0, neutral: 0.246),
        .init("VADER is VERY SMART, handsome, and FUNNY!!!", compound: 0.9342, positive: 0.767, negative: 0.0, neutral: 0.233),
        .init("VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!", compound: 0.9469, positive: 0.706, negative: 0.0, neutral: 0.294),
        .init("VADER is not smart, handsome, nor funny.", compound: -0.7424, positive: 0.0, negative: 0.646, neutral: 0.354),
        .init("The book was good.", compound: 0.4404, positive: 0.492, negative: 0.0, neutral: 0.508),
        .init("At least it isn't a horrible book.", compound: 0.431, positive: 0.322, negative: 0.0, neutral: 0.678),
        .init("The book was only kind of good.", compound: 0.3832, positive: 0.303, negative: 0.0, neutral: 0.697),
        .init("The plot was good, but the characters are uncompelling and the dialog is not great.", compound: -0.7042, positive: 0.094, negative: 0.327, neutral: 0.579),
        .init("Today SUX!", compound: -0.5461, positive: 0.0, negative: 0.779, neutral: 0.221),
        .init("Today only kinda sux! But I'll get by, lol", compound: 0.5249, positive: 0.317, negative: 0.127, neutral: 0.556),
        .init("Make sure you :) or :D today!", compound: 0.8633, positive: 0.706, negative: 0.0, neutral: 0.294),
        .init("Not bad at all", compound: 0.431, positive: 0.487, negative: 0.0, neutral: 0.513),
        // VADER's tricky sentences
        .init("Sentiment analysis has never been good.", compound: -0.3412, positive: 0.0, negative: 0.325, neutral: 0.675),
        .init("Sentiment analysis has never been this good!", compound: 0.5672, positive: 0.379, negative: 0.0, neutral: 0.621),
        .init("Most automated sentiment analysis tools are shit.", compound: -0.5574, positive: 0.0, negative: 0.375, neutral: 0.625),
        .init("With VADER, sentiment analysis is the shit!", compound: 0.6476, positive: 0.417, negative: 0.0, neutral: 0.583),
        .init("Other sentiment analysis tools can be quite bad.", compound: -0.5849, positive: 0.0, negative: 0.351, neutral: 0.649),
        .init("On the other hand, VADER is quite bad ass", compound: 0.802, positive: 0.577, negative: 0.0, neutral: 0.423),
        .init("VADER is such a badass!", compound: 0.4003, positive: 0.402, negative: 0.0, neutral: 0.598),
        .init("Without a doubt, excellent idea.", compound: 0.7013, positive: 0.659, negative: 0.0, neutral: 0.341),
        .init("Roger Dodger is one of the most compelling variations on this theme.", compound: 0.2944, positive: 0.166, negative: 0.0, neutral: 0.834),
        .init("Roger Dodger is at least compelling as a variation on the theme.", compound: 0.2263, positive: 0.147, negative: 0.0, neutral: 0.853),
        .init("Roger Dodger is one of the least compelling variations on this theme.", compound: -0.1695, positive: 0.0, negative: 0.132, neutral: 0.868),
        .init("Not such a badass after all.", compound: -0.2584, positive: 0.0, negative: 0.289, neutral: 0.711),
        .init("Without a doubt, an excellent idea.", compound: 0.7013, positive: 0.592, negative: 0.0, neutral: 0.408),
        // Boosters, dampeners, kind of, sort of
        .init("the agent was extremely helpful", compound: 0.4754, positive: 0.436, negative: 0.0, neutral: 0.564),
        .init("the agent was barely helpful", compound: 0.3626, positive: 0.385, negative: 0.0, neutral: 0.615),
        .init("the service was kind of helpful", compound: 0.3626, positive: 0.334, negative: 0.0, neutral: 0.666),
        .init("it was sort of okay to be honest", compound: 0.6003, positive: 0.45, negative: 0.0, neutral: 0.55),
        .init("that was just enough help for me", compound: 0.3415, positive: 0.286, negative: 0.0, neutral: 0.714),
        // ALL CAPS when the text mixes case, and when it does not
        .init("the agent was EXTREMELY helpful", compound: 0.5894, positive: 0.489, negative: 0.0, neutral: 0.511),
        .init("this is TERRIBLE", compound: -0.5904, positive: 0.0, negative: 0.657, neutral: 0.343),
        .init("THIS IS TERRIBLE", compound: -0.4767, positive: 0.0, negative: 0.608, neutral: 0.392),
        // Negations
        .init("i don't like this", compound: -0.2755, positive: 0.0, negative: 0.413, neutral: 0.587),
        .init("i am not unhappy", compound: 0.3252, positive: 0.437, negative: 0.0, neutral: 0.563),
        .init("i couldn't've been happier", compound: -0.4168, positive: 0.0, negative: 0.481, neutral: 0.519),
        .init("this is never so good", compound: 0.6626, positive: 0.525, negative: 0.0, neutral: 0.475),
        .init("without doubt the best", compound: 0.7438, positive: 0.759, negative: 0.0, neutral: 0.241),
        .init("it isn't really that good", compound: -0.3843, positive: 0.0, negative: 0.395, neutral: 0.605),
        // no
        .init("no", compound: -0.296, positive: 0.0, negative: 1.0, neutral: 0.0),
        .init("no problem", compound: 0.3089, positive: 0.693, negative: 0.0, neutral: 0.307),
        .init("there is no love or hope", compound: -0.6979, positive: 0.0, negative: 0.591, neutral: 0.409),
        .init("no no no", compound: 0.4168, positive: 0.791, negative: 0.0, neutral: 0.209),
        // least
        .init("the least helpful call ever", compound: -0.3252, positive: 0.0, negative: 0.368, neutral: 0.632),
        .init("at least you tried", compound: 0.0, positive: 0.0, negative: 0.0, neutral: 1.0),
        .init("it was the very least helpful", compound: 0.4728, positive: 0.381, negative: 0.0, neutral: 0.619),
        // but, including the reference's list.index quirk
        .init("the app is good but the support is awful", compound: 0.128, positive: 0.355, negative: 0.258, neutral: 0.387),
        .init("i like it but alright", compound: 0.5023, positive: 0.586, negative: 0.0, neutral: 0.414),
        .init("i am grateful but it is alright", compound: 0.3612, positive: 0.412, negative: 0.0, neutral: 0.588),
        // Phrases
        .init("the food here is to die for", compound: -0.5994, positive: 0.0, negative: 0.394, neutral: 0.606),
        .init("that was the kiss of death for us", compound: -0.6124, positive: 0.0, negative: 0.455, neutral: 0.545),
        .init("oh my god this is the bomb", compound: 0.7269, positive: 0.55, negative: 0.0, neutral: 0.45),
        .init("so you say yeah right", compound: -0.4588, positive: 0.0, negative: 0.429, neutral: 0.571),
        .init("i will wait at the bus stop", compound: 0.0, positive: 0.0, negative: 0.0, neutral: 1.0),
        // Punctuation
        .init("this is great!!!!!!", compound: 0.7405, positive: 0.725, negative: 0.0, neutral: 0.275),
        .init("is this good?", compound: 0.4404, positive: 0.592, negative: 0.0, neutral: 0.408),
        .init("why is this so bad??", compound: -0.7051, positive: 0.0, negative: 0.548, neutral: 0.452),
        .init("why is this so bad????", compound: -0.7544, positive: 0.0, negative: 0.577, neutral: 0.423),
        // Call-centre turns as recognized speech
        .init("this is terrible i am very angry", compound: -0.7713, positive: 0.0, negative: 0.572, neutral: 0.428),
        .init("thank you that was great", compound: 0.765, positive: 0.688, negative: 0.0, neutral: 0.312),
        .init("i want to check my order status", compound: 0.0772, positive: 0.178, negative: 0.0, neutral: 0.822),
        .init("no i am not happy with this", compound: -0.6367, positive: 0.0, negative: 0.51, neutral: 0.49),
        .init("that is not bad at all", compound: 0.431, positive: 0.363, negative: 0.0, neutral: 0.637),
        .init("my package never arrived and nobody helps me", compound: 0.3818, positive: 0.271, negative: 0.0, neutral: 0.729),
        .init("great thanks bye", compound: 0.7906, positive: 0.875, negative: 0.0, neutral: 0.125),
        .init("you have been very helpful thank you so much", compound: 0.707, positive: 0.456, negative: 0.0, neutral: 0.544),
        .init("this is the worst service ever", compound: -0.6249, positive: 0.0, negative: 0.451, neutral: 0.549),
        .init("i want to speak to a human this bot is useless", compound: -0.3612, positive: 0.099, negative: 0.214, neutral: 0.687),
        .init("nothing works and i am fed up", compound: 0.0, positive: 0.0, negative: 0.0, neutral: 1.0),
        .init("cancel my subscription", compound: -0.25, positive: 0.0, negative: 0.5, neutral: 0.5),
        .init("yes please", compound: 0.6124, positive: 1.0, negative: 0.0, neutral: 0.0),
        // Typed text, empty text, punctuation only, digits
        .init("this is terrible, I am very angry", compound: -0.7713, positive: 0.0, negative: 0.572, neutral: 0.428),
        .init("thank you, that was great", compound: 0.765, positive: 0.688, negative: 0.0, neutral: 0.312),
        .init("", compound: 0.0, positive: 0.0, negative: 0.0, neutral: 0.0),
        .init("?!?!", compound: 0.0, positive: 0.0, negative: 0.0, neutral: 1.0),
        .init("...", compound: 0.0, positive: 0.0, negative: 0.0, neutral: 1.0),
        .init("12345", compound: 0.0, positive: 0.0, negative: 0.0, neutral: 1.0),
        .init("my number is 0 7 7 0 0 9 0 0 1 2 3", compound: 0.0772, positive: 0.091, negative: 0.0, neutral: 0.909),
        .init("order 4711 is 3 days late!", compound: 0.0, positive: 0.0, negative: 0.0, neutral: 1.0),
    ]

    @Test func installedLexiconHasEveryEntry() throws {
        // 7,520 lines; 14 tokens appear twice ("lol", "ok", "xd", ...), the later line winning.
        let lexicon = try Self.installedLexicon.get()
        #expect(lexicon.count == 7506)
        #expect(lexicon.valence(of: "good") == 1.9)
        #expect(lexicon.valence(of: "GOOD") == 1.9)
        #expect(lexicon.valence(of: "lol") == 1.8)
        #expect(lexicon.valence(of: ":)") == 2.0)
        // As in VADER, look-ups are lower-cased and entries spelled with capitals never match:
        // ":P" (1.4) finds ":p" (1.0), and ":Þ" finds nothing.
        #expect(lexicon.valence(of: ":P") == 1.0)
        #expect(lexicon.valence(of: ":Þ") == nil)
        #expect(lexicon.valence(of: "order") == nil)
    }

    @Test(arguments: reference)
    func scoresAsTheReferenceImplementation(_ reference: Reference) throws {
        let score = try analyzer().score(reference.text)
        let expected = reference.expected
        #expect(abs(score.compound - expected.compound) <= 0.0001, "compound \(score.compound), reference \(expected.compound)")
        #expect(abs(score.positive - expected.positive) <= 0.001, "positive \(score.positive), reference \(expected.positive)")
        #expect(abs(score.negative - expected.negative) <= 0.001, "negative \(score.negative), reference \(expected.negative)")
        #expect(abs(score.neutral - expected.neutral) <= 0.001, "neutral \(score.neutral), reference \(expected.neutral)")
    }

    @Test func angryCallerIsNegativeAndThankfulCallerPositive() throws {
        let analyzer = try analyzer()
        let angry = analyzer.score("this is terrible, I am very angry")
        let thankful = analyzer.score("thank you, that was great")
        #expect(angry.compound < -0.05)
        #expect(angry.isNegative && !angry.isPositive)
        #expect(thankful.compound > 0.05)
        #expect(thankful.isPositive && !thankful.isNegative)
    }

    @Test func scoreIsCodable() throws {
        let score = try analyzer().score("great thanks bye")
        #expect(score == SentimentScore(compound: 0.7906, positive: 0.875, negative: 0.0, neutral: 0.125))
        let decoded = try JSONDecoder().decode(SentimentScore.self, from: JSONEncoder().encode(score))
        #expect(decoded == score)
    }

    /// Python's round(): the exact binary value decides, ties go to even.
    @Test func roundsAsPython() {
        #expect(SentimentScore.round(2.675, digits: 2) == 2.67)  // 2.67499999... in binary
        #expect(SentimentScore.round(0.125, digits: 2) == 0.12)  // an exact tie: to even
        #expect(SentimentScore.round(0.375, digits: 2) == 0.38)
        #expect(SentimentScore.round(0.0005, digits: 3) == 0.001)  // 0.000500000000000000010...
        #expect(SentimentScore.round(-0.77125, digits: 4) == -0.7712)  // -0.771249999...
        #expect(SentimentScore.round(0.1234567, digits: 4) == 0.1235)
        #expect(SentimentScore.round(1.0, digits: 4) == 1.0)
        #expect(SentimentScore.round(1e-300, digits: 3) == 0.0)
        #expect(SentimentScore.round(-1e-9, digits: 3).sign == .minus)  // -0.0, as Python
    }
}

struct SentimentLexiconTests {
    @Test func parsesEntriesWithCRLFAndBlankLines() throws {
        let lexicon = try SentimentLexicon(text: "good\t1.9\t0.9434\t[2, 1, 1, 3, 2, 4, 2, 2, 1, 1]\r\n\r\n:D\t2.9\t0.83066\t[3, 3]\r\nok\t1.6\t0.1\t[2]\r\nok\t1.2\t0.1\t[1]")
        #expect(lexicon.count == 3)
        #expect(lexicon.valence(of: "Good") == 1.9)
        #expect(lexicon.valence(of: "ok") == 1.2)
        #expect(lexicon.valence(of: ":D") == nil)
    }

    @Test func malformedLineIsNamedByItsNumber() {
        #expect(throws: SentimentLexicon.ParseError.malformedLine(number: 3, problem:
            "expected 4 tab-separated fields (token, mean, standard deviation, ratings), found 3")) {
            // A space where a tab belongs.
            try SentimentLexicon(text: "good\t1.9\t0.9\t[2]\nbad\t-2.5\t0.6\t[-2]\nugly -2.3\t1.1\t[-3]\n")
        }
        #expect(throws: SentimentLexicon.ParseError.malformedLine(number: 2, problem: "mean 'high' of 'nice' is not a number")) {
            try SentimentLexicon(text: "good\t1.9\t0.9\t[2]\nnice\thigh\t0.5\t[2]\n")
        }
        let error = SentimentLexicon.ParseError.malformedLine(number: 7, problem: "empty token")
        #expect(error.description == "sentiment lexicon line 7: empty token")
    }

    /// An empty file is a broken installation: refused, not a lexicon that finds nothing.
    @Test func emptyTextIsRefused() {
        #expect(throws: SentimentLexicon.ParseError.noEntries) { try SentimentLexicon(text: "") }
        #expect(throws: SentimentLexicon.ParseError.noEntries) { try SentimentLexicon(text: "\r\n\n  \n") }
    }
}

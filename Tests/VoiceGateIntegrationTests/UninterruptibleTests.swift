import Testing
import Foundation

/// Uninterruptible messages end to end: the external test bot greets with an
/// UninterruptibleMessage of about six seconds, a caller in `voicegate call` keys and speaks into
/// it. What the bot got is read from its record, what the caller heard from the softphone's
/// report (against the synthesized length the gateway logs in `speech.prompt`), what the gateway
/// made of the input from the transcript.
extension Integration {
    @Suite struct UninterruptibleTests {
        /// One sentence without commas: the softphone hears it as one stretch of speech.
        static let noticeText = "This recorded notice about our terms of service and the privacy of your personal data must be played in full before we continue."
        static var notice: [String: Any] { ["type": "event", "name": "UninterruptibleMessage", "value": ["UninterruptibleMessage": noticeText]] }

        /// A message that starts with a pause: longer than the softphone's 0.5 s segment hangover,
        /// so it is heard as speech of its own, after the one before it.
        static func apart(_ text: String) -> [String: Any] {
            ["type": "message", "text": text, "speak": "<speak><break time=\"1500ms\"/>\(text)</speak>"]
        }

        static func messages(_ bot: TestBot) -> [[String: Any]] {
            bot.received.map(\.activity).filter { $0["type"] as? String == "message" }
        }

        static func digits(_ message: [String: Any]) -> String? { (message["channelData"] as? [String: Any])?["digits"] as? String }

        /// The heard segments of the first prompt, `seconds` long, when what follows it starts at
        /// least the `apart` pause after its end.
        static func firstPrompt(_ heard: [(start: Double, end: Double)], seconds: Double) -> [(start: Double, end: Double)] {
            guard let first = heard.first else { return [] }
            return heard.filter { $0.start < first.start + seconds * 1000 + 750 }
        }

        static func notes(_ turns: [[String: Any]], _ text: String) -> [[String: Any]] {
            turns.filter { $0["kind"] as? String == "note" && $0["text"] as? String == text }
        }

        static func gateway(_ bot: TestBot, keys: String? = nil) throws -> GatewayProcess {
            let gateway = try ExternalBotHarness.gateway(endpoint: bot.endpoint, bot: keys.map { ["keysDuringUninterruptible": $0] } ?? [:])
            // Speech into the notice must be heard (and then ignored), not missed for want of a model.
            _ = gateway.waitFor(event: "speech.recognizer_ready", timeout: 60)
            return gateway
        }

        @Test("keys and speech during an uninterruptible message: nothing reaches the bot, the message is heard whole, each ignored input is noted; keys after it reach the bot")
        func discardsInputDuringTheMessage() async throws {
            let bot = try TestBot(rules: [
                ["on": ["name": "SetContext"], "reply": [Self.notice, Self.apart("Please key in five.")]],
                ["on": ["digits": "5#"], "reply": [["type": "message", "text": "You keyed five."]]],
            ])
            let gateway = try Self.gateway(bot)
            // Into the notice: keys a second after it starts, then an utterance; after it (once
            // the next prompt has been heard): 5#, and the bot's answer.
            let phone = try ExternalBotHarness.phone(gateway, script: """
                expect speech within 15
                pause 1
                dtmf 12#
                play \(Paths.corpus.appendingPathComponent("speech/03.wav").path)
                wait 20
                dtmf 5#
                wait 15
                hangup
                """)
            #expect(phone.waitForExit(timeout: 90) == 0, "\(phone.report)")
            let notice = try #require(PromptTiming.waitForPrompts(gateway, count: 1)?.first)
            #expect(notice.uninterruptible)

            // Only the keys after the notice reached the bot.
            let keyed = Self.messages(bot)
            #expect(keyed.map(Self.digits) == ["5#"], "\(keyed)")
            #expect(!keyed.contains { ($0["channelData"] as? [String: Any])?["inputMode"] as? String == "speech" })

            // The notice was heard whole, and the keys and speech went in while it played.
            let heard = ExternalBotHarness.heard(phone)
            let noticeHeard = Self.firstPrompt(heard, seconds: notice.seconds)
            let heardSeconds = PromptTiming.span(noticeHeard)
            print("uninterruptible (discard): heard \(heardSeconds) s of a \(notice) notice; segments \(heard)")
            #expect(PromptTiming.matches(heardSeconds, notice.speechSeconds), "heard \(heardSeconds) s of \(notice): \(heard)")
            let sent = phone.report["sent"] as? [[String: Any]] ?? []
            let noticeEnd = try #require(noticeHeard.last?.end)
            let intoNotice = sent.filter { ($0["endMs"] as? Double ?? .infinity) < noticeEnd }
            #expect(intoNotice.map { $0["kind"] as? String } == ["dtmf", "play"], "\(sent) against the notice's end at \(noticeEnd) ms")

            let id = try #require(gateway.waitFor(event: "call.ended")?["conversation"])
            let conversation = try #require(try await ExternalBotHarness.closed(gateway, id))
            let turns = ExternalBotHarness.turns(conversation)
            let ignored = Self.notes(turns, "input ignored: uninterruptible message").map { $0["data"] as? [String: Any] ?? [:] }
            #expect(ignored.filter { $0["input"] as? String == "dtmf" }.map { $0["digits"] as? String } == ["12#"], "\(ignored)")
            #expect(ignored.filter { $0["input"] as? String == "speech" }.count == 1, "the utterance is noted, once: \(ignored)")
            #expect(turns.filter { $0["kind"] as? String == "dtmf" }.map { $0["text"] as? String } == ["5"])
            #expect(!turns.contains { $0["text"] as? String == "barge-in" })
            #expect(gateway.stop() == 0)
        }

        @Test("the contrast: the same keys during an ordinary message cut it short and reach the bot")
        func keysInterruptAnOrdinaryMessage() async throws {
            let bot = try TestBot(rules: [
                ["on": ["name": "SetContext"], "reply": [["type": "message", "text": Self.noticeText]]],
                ["on": ["digits": "12#"], "reply": [Self.apart("You keyed one two.")]],
            ])
            let gateway = try Self.gateway(bot)
            let phone = try ExternalBotHarness.phone(gateway, script: "expect speech within 15\npause 1\ndtmf 12#\nwait 15\nhangup\n")
            #expect(phone.waitForExit(timeout: 60) == 0, "\(phone.report)")
            let message = try #require(PromptTiming.waitForPrompts(gateway, count: 1)?.first)
            #expect(!message.uninterruptible)

            #expect(Self.messages(bot).map(Self.digits) == ["12#"])
            let heard = ExternalBotHarness.heard(phone)
            let key = try #require((phone.report["sent"] as? [[String: Any]])?.first?["startMs"] as? Double)
            // The message's speech is what started before the key; the bot's answer comes after.
            let heardSeconds = PromptTiming.span(heard.filter { $0.start < key })
            print("ordinary: heard \(heardSeconds) s of a \(message) message; segments \(heard)")
            #expect(heardSeconds < message.speechSeconds / 2, "heard \(heardSeconds) s of \(message): \(heard)")
            #expect(heard.contains { $0.start > key }, "the bot's answer was heard: \(heard)")

            let id = try #require(gateway.waitFor(event: "call.ended")?["conversation"])
            let conversation = try #require(try await ExternalBotHarness.closed(gateway, id))
            let turns = ExternalBotHarness.turns(conversation)
            #expect(turns.contains { $0["text"] as? String == "barge-in" })
            #expect(Self.notes(turns, "input ignored: uninterruptible message").isEmpty)
            #expect(gateway.stop() == 0)
        }

        @Test("keysDuringUninterruptible buffer: keys pressed during the message reach the bot once it has finished playing")
        func bufferedKeysReachTheBotAfterTheMessage() async throws {
            let bot = try TestBot(rules: [
                ["on": ["name": "SetContext"], "reply": [Self.notice]],
                ["on": ["digits": "12#"], "reply": [Self.apart("You keyed one two.")]],
            ])
            let gateway = try Self.gateway(bot, keys: "buffer")
            let phone = try ExternalBotHarness.phone(gateway, script: "expect speech within 15\npause 1\ndtmf 12#\nwait 20\nhangup\n")
            #expect(phone.waitForExit(timeout: 60) == 0, "\(phone.report)")
            let notice = try #require(PromptTiming.waitForPrompts(gateway, count: 1)?.first)
            #expect(notice.uninterruptible)

            let heard = ExternalBotHarness.heard(phone)
            let noticeHeard = Self.firstPrompt(heard, seconds: notice.seconds)
            let heardSeconds = PromptTiming.span(noticeHeard)
            print("uninterruptible (buffer): heard \(heardSeconds) s of a \(notice) notice; segments \(heard)")
            #expect(PromptTiming.matches(heardSeconds, notice.speechSeconds), "heard \(heardSeconds) s of \(notice): \(heard)")
            let keyEnd = try #require((phone.report["sent"] as? [[String: Any]])?.first?["endMs"] as? Double)
            #expect(keyEnd < (noticeHeard.last?.end ?? 0), "the keys went in while the notice played")
            #expect(heard.count > noticeHeard.count, "the bot's answer to the keys was heard after the notice: \(heard)")

            // The bot got the keys, and only after the notice had played to its end: the gateway
            // stamps the message when it sends it, and the notice's turn when it starts playing it.
            let keyed = Self.messages(bot)
            #expect(keyed.map(Self.digits) == ["12#"], "\(keyed)")
            let sentAt = try #require(PromptTiming.date(keyed.first?["timestamp"]))
            let id = try #require(gateway.waitFor(event: "call.ended")?["conversation"])
            let conversation = try #require(try await ExternalBotHarness.closed(gateway, id))
            let turns = ExternalBotHarness.turns(conversation)
            let noticeTurn = try #require(turns.first { $0["kind"] as? String == "message" && $0["text"] as? String == Self.noticeText })
            let noticeStarted = try #require(PromptTiming.date(noticeTurn["at"]))
            print("uninterruptible (buffer): keys sent to the bot \(sentAt.timeIntervalSince(noticeStarted)) s after the \(notice) notice started")
            #expect(sentAt.timeIntervalSince(noticeStarted) >= notice.seconds, "sent \(sentAt.timeIntervalSince(noticeStarted)) s after a \(notice) notice started")
            #expect(Self.notes(turns, "keys held until the uninterruptible message ends").count == 1)
            #expect(Self.notes(turns, "input ignored: uninterruptible message").isEmpty)
            #expect(turns.filter { $0["kind"] as? String == "dtmf" }.map { $0["text"] as? String } == ["12"])
            #expect(gateway.stop() == 0)
        }
    }
}

import Testing
@testable import VoiceGateCore

/// What a caller hears for a bot message: speak over cards over text, markdown never read aloud,
/// the SSML subset, digits read one by one.
struct SpokenTextTests {
    func card(speak: String?, contentType: String = "application/vnd.microsoft.card.adaptive") -> JSONValue {
        var content: [String: JSONValue] = ["type": "AdaptiveCard", "body": .array([])]
        if let speak { content["speak"] = .string(speak) }
        return .object(["contentType": .string(contentType), "content": .object(content)])
    }

    // MARK: - Which field is spoken

    @Test func speakIsPreferredOverCardsAndText() {
        let spoken = SpokenText.from(speak: "Your order has shipped.", text: "**Shipped**", attachments: [card(speak: "A card")])
        #expect(spoken == SpokenText(plain: "Your order has shipped."))
    }

    @Test func anAdaptiveCardsSpeakIsUsedWhenThereIsNoSpeak() {
        let spoken = SpokenText.from(speak: nil, text: "See the card", attachments: [
            card(speak: "ignored", contentType: "application/vnd.microsoft.card.hero"),
            card(speak: "Pick a <break time=\"300ms\"/> size"),
            card(speak: nil),
            card(speak: "Small or large?"),
        ])
        #expect(spoken?.segments == [.text("Pick a"), .pause(milliseconds: 300), .text("size Small or large?")])
    }

    @Test func textIsTheLastResortAndLosesItsMarkdown() {
        let spoken = SpokenText.from(speak: nil, text: "**Hello** *there*", attachments: [card(speak: "  ")])
        #expect(spoken?.segments == [.text("Hello there.")])
    }

    @Test func emptySourcesFallThroughAndNothingToSayIsNil() {
        #expect(SpokenText.from(speak: "   ", text: "Hi", attachments: nil)?.words == "Hi.")
        #expect(SpokenText.from(speak: "<speak><break time=\"1s\"/></speak>", text: "Hi", attachments: nil)?.words == "Hi.",
                "pauses alone are not something to say")
        #expect(SpokenText.from(speak: nil, text: nil, attachments: nil) == nil)
        #expect(SpokenText.from(speak: "", text: "***", attachments: []) == nil)
    }

    // MARK: - Markdown

    @Test("markdown is never read aloud", arguments: [
        ("**bold** and __strong__", "bold and strong."),
        ("*emphasis* and _this_", "emphasis and this."),
        ("***both***", "both."),
        ("~~old~~ new", "old new."),
        ("run `make test` now", "run make test now."),
        ("your order_id is 7", "your order id is 7."),
        ("2 * 3 is 6", "2 3 is 6."),
        ("# Orders", "Orders."),
        ("## Status ##", "Status."),
        ("#hashtag stays", "#hashtag stays."),
        ("see [the FAQ](https://example.com/faq \"FAQ\")", "see the FAQ."),
        ("see [tracking][1]\n\n[1]: https://example.com/t", "see tracking."),
        ("![logo](https://example.com/logo.png) Welcome", "Welcome."),
        ("visit https://www.example.com/help?x=1.", "visit example dot com."),
        ("visit <https://shop.example.org/a>", "visit shop dot example dot org."),
        ("[](https://example.com)", "example dot com."),
        ("mail <help@example.com>", "mail help@example.com."),
        ("line<br/>break", "line break."),
        ("Tom &amp; Jerry", "Tom & Jerry."),
        ("\\*not emphasis\\*", "not emphasis."),
    ])
    func markdownInline(markdown: String, spoken: String) {
        #expect(SpokenText(markdown: markdown).words == spoken)
    }

    @Test func markdownBlocksBecomeSentences() {
        let markdown = """
        # Your options
        Here is what I can do,
        for you today

        - Track an order
        * [x] Cancel an order
        1. Talk to an agent
        2) Hear this again?
        > Quoted words
        ---
        | Item | Price |
        |------|------:|
        | Tea  | $3    |
        ```
        let answer = 42
        ```
        """
        #expect(SpokenText(markdown: markdown).words == """
            Your options. Here is what I can do, for you today. Track an order. Cancel an order. \
            1. Talk to an agent. 2. Hear this again? Quoted words. Item, Price. Tea, $3. let answer = 42.
            """)
    }

    @Test func noAsteriskSurvivesAnyMarkdown() {
        for markdown in ["* a\n** b **\n*c", "a**b", "*", "\\*", "`x` * y", "| * |"] {
            #expect(!SpokenText(markdown: markdown).description.contains("*"), "\(markdown)")
        }
    }

    // MARK: - SSML

    @Test func plainSpeakIsReadAsItIs() {
        #expect(SpokenText(ssml: "Tom & Jerry at 5 o'clock").segments == [.text("Tom & Jerry at 5 o'clock")])
    }

    @Test func breaksBecomePauses() {
        let spoken = SpokenText(ssml: """
        <speak>One<break time="500ms"/>two <break time="2s"/> three<break time="1.5s"></break>four
        <break strength="weak"/>five<break/>six<break strength="none"/>seven <break time="60s"/>eight</speak>
        """)
        #expect(spoken.segments == [
            .text("One"), .pause(milliseconds: 500), .text("two"), .pause(milliseconds: 2000), .text("three"),
            .pause(milliseconds: 1500), .text("four"), .pause(milliseconds: 500), .text("five"), .pause(milliseconds: 750),
            .text("six seven"), .pause(milliseconds: 10_000), .text("eight"),
        ])
    }

    @Test func aBareFragmentWithoutTheSpeakRootWorks() {
        #expect(SpokenText(ssml: "Hello<break time='1s'/>there").segments == [.text("Hello"), .pause(milliseconds: 1000), .text("there")])
    }

    @Test func telephoneAndDigitsAreReadDigitByDigit() {
        let spoken = SpokenText(ssml: """
        <speak>Call <say-as interpret-as="telephone">+1 415</say-as> or \
        <say-as interpret-as="telephone">(415) 555-0100 ext. 12</say-as>. \
        Your code is <say-as interpret-as="digits">4071</say-as>.</speak>
        """)
        #expect(spoken.words == """
            Call plus one, four one five or four one five, five five five, zero one zero zero, \
            extension one two. Your code is four zero seven one.
            """)
    }

    @Test func otherTagsKeepTheirText() {
        let spoken = SpokenText(ssml: """
        <?xml version="1.0"?><speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis">\
        <!-- a comment --><voice name="x"><prosody rate="slow"><emphasis>Really</emphasis> sure?</prosody></voice>\
        <say-as interpret-as="date">2024-05-01</say-as> <sub alias="World Wide Web">WWW</sub>\
        <audio src="beep.wav">beep</audio><mark name="m"/><![CDATA[a < b]]></speak>
        """)
        #expect(spoken.words == "Really sure? 2024-05-01 World Wide Web beep a < b")
    }

    @Test("malformed SSML falls back to its text without tags", arguments: [
        ("<speak>Hello <break time=\"1s\"/> world", "Hello world"),
        ("<speak><say-as interpret-as=\"digits\">12</speak></say-as>", "12"),
        ("Hello <break time='1s' world", "Hello world"),
        ("<speak>Press <emphasis>one</speak>", "Press one"),
        ("</speak>Bye", "Bye"),
        ("Hi <break x <![CDATA[there]]>", "Hi x there"),
    ])
    func malformed(ssml: String, text: String) {
        let spoken = SpokenText(ssml: ssml)
        #expect(spoken.segments == [.text(text)], "\(spoken)")
    }

    @Test func aLessThanThatStartsNoTagIsNotRead() {
        #expect(SpokenText(ssml: "if a < b or c > d").words == "if a b or c d")
        #expect(SpokenText(ssml: "I <3 you").words == "I 3 you")
    }

    @Test func entitiesAreDecoded() {
        #expect(SpokenText(ssml: "<speak>R&amp;D &lt;team&gt; &#65;&#x42; &unknown; &</speak>").words == "R&D <team> AB &unknown; &")
    }

    // MARK: - Segments

    @Test func segmentsAreNormalized() {
        let spoken = SpokenText([.pause(milliseconds: 0), .text("  a \n b "), .text(""), .text("c"), .pause(milliseconds: 100),
                                 .pause(milliseconds: 200), .text(" "), .pause(milliseconds: -5)])
        #expect(spoken.segments == [.text("a b c"), .pause(milliseconds: 300)])
        #expect(spoken.description == "a b c [300 ms]")
        #expect(!SpokenText([.pause(milliseconds: 500)]).hasWords)
    }

    @Test func digitsReading() {
        #expect(SpokenDigits.telephone("+44 (0)20 7946 0958") == "plus four four, zero, two zero, seven nine four six, zero nine five eight")
        #expect(SpokenDigits.telephone("*72#") == "star seven two pound")
        #expect(SpokenDigits.telephone("1-800-FLOWERS") == "one, eight zero zero, FLOWERS")
        #expect(SpokenDigits.digits("12 34") == "one two, three four")
        #expect(SpokenDigits.digits("") == "")
    }
}

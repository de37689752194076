import Testing
import VoiceGateCore

struct HeardTextTests {
    @Test("a phrase is heard inside longer speech, with recognition slips, but not when its words are missing")
    func contains() {
        #expect(HeardText.contains("order status", in: "you can say order status billing or agent"))
        #expect(HeardText.contains("check my order", in: "check my orders added"))
        #expect(HeardText.contains("Order status.", in: "ORDER STATUS"))
        #expect(!HeardText.contains("order status", in: "you can say billing or agent"))
        #expect(!HeardText.contains("order status", in: ""))
        #expect(HeardText.score("welcome to voicegate", in: "hello and welcome to voyager date") < HeardText.threshold)
    }
}

import Foundation
import Testing
@testable import VoiceGateCore

struct ConversationJSONTests {
    let active = Conversation(
        id: "3f2a", startedAt: Date(timeIntervalSince1970: 1_700_000_000.123), bot: "demo", trunk: "main",
        sipCallId: "abc@10.0.0.1", callerWithheld: true, variables: ["bot.CustomerPhoneNumber": ""],
        transcript: [Turn(at: Date(timeIntervalSince1970: 1_700_000_001.5), from: .bot, kind: .speech,
                          text: "Hello", data: ["voice": "en-US"])])

    private func json(_ value: some Encodable) throws -> String {
        String(decoding: try Conversation.adminAPIEncoder().encode(value), as: UTF8.self)
    }

    @Test func anActiveConversationHasNullsForWhatIsNotSetAndISOTimes() throws {
        let text = try json(active)
        #expect(text == #"{"agent":null,"bot":"demo","callerWithheld":true,"endReason":null,"endedAt":null,"#
                     + #""id":"3f2a","outcome":null,"queue":null,"recentSentiment":null,"sentiment":null,"sipCallId":"abc@10.0.0.1","#
                     + #""startedAt":"2023-11-14T22:13:20.123Z","state":"active","#
                     + #""transcript":[{"at":"2023-11-14T22:13:21.500Z","data":{"voice":"en-US"},"from":"bot","kind":"speech","text":"Hello"}],"#
                     + #""trunk":"main","variables":{"bot.CustomerPhoneNumber":""}}"#)
    }

    @Test func decodingTakesBackWhatEncodingWrote() throws {
        var closed = active
        closed.state = .closed
        closed.outcome = .escalated
        closed.endReason = "handoff"
        closed.endedAt = Date(timeIntervalSince1970: 1_700_000_090.007)
        closed.queue = "billing"
        closed.agent = "alice"
        for conversation in [active, closed] {
            let data = try Conversation.adminAPIEncoder().encode(conversation)
            #expect(try Conversation.adminAPIDecoder().decode(Conversation.self, from: data) == conversation)
        }
        #expect(try json(closed).contains(#""endedAt":"2023-11-14T22:14:50.007Z""#))
        #expect(try json(closed).contains(#""outcome":"escalated""#))
    }

    @Test func millisecondTimesRoundTripExactly() throws {
        // Whole milliseconds, as the store keeps them; ISO8601DateFormatter gets some of these
        // one millisecond low.
        for ms: Int64 in [0, 1, 999, 1_700_000_000_123, 1_700_000_000_999, 951_782_400_000, -1, -86_400_001, 253_402_300_799_999] {
            let date = Date(timeIntervalSince1970: Double(ms) / 1000)
            let text = ISO8601Milliseconds.string(from: date)
            #expect(ISO8601Milliseconds.date(from: text) == date, "\(ms) -> \(text)")
        }
        #expect(ISO8601Milliseconds.string(from: Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00.000Z")
        #expect(ISO8601Milliseconds.string(from: Date(timeIntervalSince1970: -0.001)) == "1969-12-31T23:59:59.999Z")
    }

    @Test func parsingTakesOffsetsAndAnyFractionAndRefusesTheRest() {
        let expected = Date(timeIntervalSince1970: 1_700_000_000.123)
        #expect(ISO8601Milliseconds.date(from: "2023-11-14T22:13:20.123Z") == expected)
        #expect(ISO8601Milliseconds.date(from: "2023-11-14T23:13:20.123+01:00") == expected)
        #expect(ISO8601Milliseconds.date(from: "2023-11-14T17:13:20.123-0500") == expected)
        #expect(ISO8601Milliseconds.date(from: "2023-11-14T22:13:20.1234999Z") == expected)
        #expect(ISO8601Milliseconds.date(from: "2023-11-14T22:13:20Z") == Date(timeIntervalSince1970: 1_700_000_000))
        for bad in ["", "2023-11-14", "2023-11-14T22:13:20", "2023-02-29T00:00:00Z", "2023-11-14T24:00:00Z",
                    "2023-11-14T22:13:20.Z", "2023-11-14T22:13:20Zjunk", "2023-13-01T00:00:00Z"] {
            #expect(ISO8601Milliseconds.date(from: bad) == nil, "\(bad)")
        }
    }
}

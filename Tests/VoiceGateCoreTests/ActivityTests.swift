import Foundation
import Testing
@testable import VoiceGateCore

struct ActivityTests {
    static func activities(_ json: String) throws(ActivityDecodingError) -> [Activity] {
        try ActivityPayload.activities(from: Data(json.utf8))
    }

    static func refusal(_ json: String) -> String? {
        do {
            _ = try activities(json)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func unknownFieldsAreIgnoredAndMissingOptionalsAreNil() throws {
        let list = try Self.activities("""
            {"activities": [
              {"type": "message", "text": "Hi", "locale": "en-US", "replyToId": "x",
               "from": {"id": "bot-1", "name": "Support", "aadObjectId": "q"},
               "conversation": {"id": "c1", "isGroup": false, "tenantId": "t"},
               "suggestedActions": {"actions": []}, "entities": [{"type": "x"}]},
              {"type": "event", "name": "HangUp"}
            ]}
            """)
        #expect(list == [
            Activity(type: "message", conversation: .init(id: "c1"), from: .init(id: "bot-1"), text: "Hi"),
            Activity(type: "event", name: "HangUp"),
        ])
    }

    @Test func knownFieldsOfTheWrongShapeReadAsAbsent() throws {
        let list = try Self.activities("""
            {"activities": [{"type": "message", "text": 5, "speak": null, "inputHint": ["x"], "value": null,
              "timestamp": "yesterday", "from": "bot", "recipient": {"role": "user"},
              "membersAdded": [{"id": "a"}, 7, {"name": "no id"}], "attachments": {"not": "a list"},
              "channelData": {"kept": true}}]}
            """)
        #expect(list == [Activity(type: "message", membersAdded: [.init(id: "a")], channelData: .object(["kept": true]))])
    }

    @Test func timestampsFromBotsAreReadWithOrWithoutFractionsAndOffsets() throws {
        let list = try Self.activities("""
            {"activities": [{"type": "a", "timestamp": "2024-05-01T12:00:00.250Z"},
                            {"type": "b", "timestamp": "2024-05-01T12:00:00Z"},
                            {"type": "c", "timestamp": "2024-05-01T14:00:00+02:00"}]}
            """)
        let noon = Date(timeIntervalSince1970: 1_714_564_800)
        #expect(list.map(\.timestamp) == [noon.addingTimeInterval(0.25), noon, noon])
    }

    @Test func otherBodiesThatCarryNoActivitiesAreEmptyNotErrors() throws {
        #expect(try Self.activities("").isEmpty)
        #expect(try Self.activities(" \n").isEmpty)
        #expect(try Self.activities(#"{"activities": []}"#).isEmpty)
        #expect(try Self.activities(#"{"id": "receipt-1"}"#).isEmpty)
        #expect(try Self.activities(#"{"type": "event", "name": "HangUp"}"#) == [Activity(type: "event", name: "HangUp")])
    }

    @Test func bodiesThatAreNotActivitiesAreRefused() {
        #expect(Self.refusal(#"{"activities": "x"}"#) == "`activities` is not a list")
        #expect(Self.refusal("not json") == "the body is not JSON")
        #expect(Self.refusal("<html>") == "the body is not JSON")
        #expect(Self.refusal(#"[{"type": "message"}]"#) == "the body is not a JSON object")
        #expect(Self.refusal(#""text""#) == "the body is not a JSON object")
        #expect(Self.refusal(#"{"activities": [1]}"#) == "activity 0 is not a JSON object")
        #expect(Self.refusal(#"{"activities": [{"type": "message"}, {"text": "no type"}]}"#)
                == "activity 1: an activity has no `type` string")
        #expect(Self.refusal(#"{"activities": [{"type": 3}]}"#) == "activity 0: an activity has no `type` string")
    }

    @Test func refusalsNeverQuoteTheBody() {
        let secret = "caller-said-4111111111111111"
        for body in [secret, #"{"activities": "\#(secret)"}"#, #"{"activities": [{"text": "\#(secret)"}]}"#] {
            #expect(Self.refusal(body)?.contains(secret) == false)
        }
    }

    @Test func encodingOmitsAbsentFieldsAndRoundTrips() throws {
        let at = Date(timeIntervalSince1970: 1_714_564_800.125)
        let activity = Activity(type: "message", id: "1", timestamp: at, channelId: "voice",
                                from: .user("+14155550123"), text: "hi", value: .object(["n": .number(2)]))
        let data = ActivityPayload.body(activity)
        let json = try JSONDecoder().decode(JSONValue.self, from: data)
        #expect(json == .object(["type": "message", "id": "1", "timestamp": "2024-05-01T12:00:00.125Z", "channelId": "voice",
                                 "from": .object(["id": "+14155550123", "role": "user"]), "text": "hi",
                                 "value": .object(["n": .number(2)])]))
        #expect(try JSONDecoder().decode(Activity.self, from: data) == activity)
        #expect(try ActivityPayload.activities(from: ActivityPayload.body([activity, activity])) == [activity, activity])
    }

    @Test func decodingThroughCodableRefusesAnActivityWithoutType() {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Activity.self, from: Data(#"{"text": "x"}"#.utf8)) }
    }
}

struct ActivityBuilderTests {
    static let address = ActivityAddress(conversationId: "c1", caller: .user("+14155550123"), bot: .bot("support"))
    static let at = Date(timeIntervalSince1970: 1_714_564_800)

    @Test func conversationUpdateAddsTheBot() {
        let activity = Activity.conversationUpdate(address: Self.address, id: "a1", timestamp: Self.at)
        #expect(activity == Activity(type: "conversationUpdate", id: "a1", timestamp: Self.at, channelId: "voice",
                                     conversation: .init(id: "c1"), from: .init(id: "+14155550123", role: "user"),
                                     recipient: .init(id: "support", role: "bot"),
                                     membersAdded: [.init(id: "support", role: "bot")]))
    }

    @Test func setContextCarriesVariablesAndTheTranscriptAsTheAdminAPIShowsTurns() {
        let turn = Turn(at: Self.at, from: .bot, kind: .speech, text: "Hello", data: ["confidence": .number(0.5)])
        let activity = Activity.setContext(variables: ["bot.CustomerPhoneNumber": "+14155550123", "x": .number(1)],
                                           transcript: [turn], address: Self.address)
        #expect(activity.type == "event" && activity.name == "SetContext")
        #expect(activity.value == .object(["bot.CustomerPhoneNumber": "+14155550123", "x": .number(1)]))
        #expect(activity.channelData == .object(["transcript": .array([.object([
            "at": "2024-05-01T12:00:00.000Z", "from": "bot", "kind": "speech", "text": "Hello",
            "data": .object(["confidence": .number(0.5)]),
        ])])]))
    }

    @Test func endAndMessagesCarryTheirChannelData() {
        #expect(Activity.endOfConversation(reason: .handedOff, address: Self.address).channelData
                == .object(["reason": "handedOff"]))
        let digits = Activity.message(text: "12#", inputMode: .dtmf, address: Self.address)
        #expect(digits.text == "12" && digits.channelData == .object(["inputMode": "dtmf", "digits": "12#"]),
                "bot-protocol.md: the text is the digits, channelData.digits the keys as keyed")
        let pound = Activity.message(text: "#", inputMode: .dtmf, address: Self.address)
        #expect(pound.text == "#" && pound.channelData == .object(["inputMode": "dtmf", "digits": "#"]))
        let paused = Activity.message(text: "5", inputMode: .dtmf, address: Self.address)
        #expect(paused.text == "5" && paused.channelData == .object(["inputMode": "dtmf", "digits": "5"]))
        let speech = Activity.message(text: "billing", inputMode: .speech(confidence: 0.75), address: Self.address)
        #expect(speech.channelData == .object(["inputMode": "speech", "confidence": .number(0.75)]))
    }

    @Test func aWithheldCallerIsAnonymous() {
        func caller(_ variables: [String: JSONValue]) -> String {
            let conversation = Conversation(id: "c", startedAt: Self.at, trunk: "t", sipCallId: "s",
                                            callerWithheld: false, variables: variables)
            return ActivityAddress(conversation: conversation, botId: "b").caller.id
        }
        #expect(caller([ContextVariable.customerPhoneNumber: ""]) == "anonymous")
        #expect(caller([:]) == "anonymous")
        #expect(caller([ContextVariable.customerPhoneNumber: "+441234567890"]) == "+441234567890")
    }
}

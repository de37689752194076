import Foundation

/// `channelData.reason` of the gateway's `endOfConversation`.
public enum EndOfConversationReason: String, Sendable, Equatable, CaseIterable {
    case customerHangUp, inactivityTimeout, handedOff, transferred, closed
}

extension EndOfConversationReason {
    /// Why the bot hears its conversation ended, from the reason its call ended with: the caller
    /// hung up (`customerHangUp`), the voice channel closed an idle line (`inactivity`), or
    /// anything else the gateway or the bot ended it for (the bot's HangUp, endOfConversation or
    /// CloseOmnichannelConversation, shutdown, the duration limit): `closed`.
    public init(callEndReason reason: String) {
        switch reason {
        case "customerHangUp": self = .customerHangUp
        case "inactivity": self = .inactivityTimeout
        case "transferred": self = .transferred
        case "handedOff", "handed_off": self = .handedOff
        default: self = .closed
        }
    }
}

/// How the caller said what a `message` carries.
public enum CallerInputMode: Sendable, Equatable {
    /// Recognized speech, with the recognizer's confidence from 0 to 1.
    case speech(confidence: Double)
    /// Keypad digits; the message's text is their value, `channelData.digits` the keys as keyed.
    case dtmf
}

/// The activities the gateway sends a bot (bot-protocol.md, "Gateway -> bot"). Each is from the
/// caller to the bot in `address`'s conversation, on channel `voice`, with a fresh lower-case
/// UUID as id. `serviceUrl` is left to the client that sends it: it knows where the gateway
/// listens. Pure functions: safe from any thread.
extension Activity {
    /// The start of a bot's part of a conversation: the bot joins (`membersAdded` is the bot).
    public static func conversationUpdate(address: ActivityAddress, id: String = newId(),
                                          timestamp: Date = Date()) -> Activity {
        var activity = gatewayActivity("conversationUpdate", address, id, timestamp)
        activity.membersAdded = [address.bot]
        return activity
    }

    /// The event `SetContext`: `value` is every context variable, `channelData.transcript` the
    /// turns so far (empty on a new call).
    public static func setContext(variables: [String: JSONValue], transcript: [Turn], address: ActivityAddress,
                                  id: String = newId(), timestamp: Date = Date()) -> Activity {
        var activity = gatewayActivity("event", address, id, timestamp)
        activity.name = "SetContext"
        activity.value = .object(variables)
        activity.channelData = .object(["transcript": .array(transcript.map(\.json))])
        return activity
    }

    /// The end of the bot's part of the conversation, and why.
    public static func endOfConversation(reason: EndOfConversationReason, address: ActivityAddress,
                                         id: String = newId(), timestamp: Date = Date()) -> Activity {
        var activity = gatewayActivity("endOfConversation", address, id, timestamp)
        activity.channelData = .object(["reason": .string(reason.rawValue)])
        return activity
    }

    /// The `TransferResult` event: what became of the bot's transfer request.
    public static func transferResult(_ result: TransferResult, address: ActivityAddress,
                                      id: String = newId(), timestamp: Date = Date()) -> Activity {
        var activity = gatewayActivity("event", address, id, timestamp)
        activity.name = "TransferResult"
        activity.value = result.json
        return activity
    }

    /// What the caller said (`text` is the utterance) or keyed in (`text` is the keys as keyed,
    /// "12#"). bot-protocol.md gives a keyed message both: `text` the digits ("12"), and
    /// `channelData.digits` the keys with the '#' that ended them ("12#").
    public static func message(text: String, inputMode: CallerInputMode, address: ActivityAddress,
                               id: String = newId(), timestamp: Date = Date()) -> Activity {
        var activity = gatewayActivity("message", address, id, timestamp)
        activity.text = text
        switch inputMode {
        case .speech(let confidence):
            activity.channelData = .object(["inputMode": "speech", "confidence": .number(confidence)])
        case .dtmf:
            activity.text = KeypadCollector.value(of: text)
            activity.channelData = .object(["inputMode": "dtmf", "digits": .string(text)])
        }
        return activity
    }

    /// A lower-case UUID, the gateway's activity ids.
    public static func newId() -> String { UUID().uuidString.lowercased() }

    private static func gatewayActivity(_ type: String, _ address: ActivityAddress, _ id: String,
                                        _ timestamp: Date) -> Activity {
        Activity(type: type, id: id, timestamp: timestamp, channelId: "voice",
                 conversation: ConversationAccount(id: address.conversationId),
                 from: address.caller, recipient: address.bot)
    }
}

import Foundation

/// One activity of ../shared/spec/bot-protocol.md: what the gateway and a bot send each other.
/// The Bot Framework Activity schema reduced to what a voice channel needs; optional fields are
/// nil when absent and left out when encoded. A plain value: use it from any thread.
///
/// Decoding is lenient, because bots built on many frameworks send many extra fields: unknown
/// fields are ignored, and a known optional field that is null or of the wrong shape reads as
/// absent (a voice channel ignores what it cannot use rather than failing the call). Only `type`
/// is required: without it nothing says what the activity is.
public struct Activity: Sendable, Equatable, Codable {
    /// `{id}` of the protocol's `conversation`.
    public struct ConversationAccount: Sendable, Equatable {
        public var id: String
        public init(id: String) { self.id = id }
    }

    /// `{id, role}` of `from`, `recipient` and `membersAdded`.
    public struct ChannelAccount: Sendable, Equatable {
        public var id: String
        /// `"user"` or `"bot"` in the protocol; kept as sent.
        public var role: String?
        public init(id: String, role: String? = nil) {
            self.id = id
            self.role = role
        }
        /// The caller's side of a conversation.
        public static func user(_ id: String) -> ChannelAccount { ChannelAccount(id: id, role: "user") }
        public static func bot(_ id: String) -> ChannelAccount { ChannelAccount(id: id, role: "bot") }
    }

    /// `message`, `event`, `conversationUpdate`, `endOfConversation`, or whatever a bot sends.
    public var type: String
    /// The gateway's are lower-case UUIDs; bots' are kept as sent.
    public var id: String?
    /// Sent as ISO 8601 UTC with milliseconds; an unreadable one from a bot reads as nil.
    public var timestamp: Date?
    /// `voice` on everything the gateway sends.
    public var channelId: String?
    /// Where the bot posts asynchronous replies (the gateway's HTTP listener).
    public var serviceUrl: String?
    public var conversation: ConversationAccount?
    /// The caller on what the gateway sends; the bot on what it answers.
    public var from: ChannelAccount?
    public var recipient: ChannelAccount?
    /// What the caller said or keyed in; what a bot's message shows (and says, without `speak`).
    public var text: String?
    /// What a bot's message says: plain text or SSML `<speak>`.
    public var speak: String?
    /// `ignoringInput` makes a bot's message uninterruptible.
    public var inputHint: String?
    /// The event name of an `event`.
    public var name: String?
    /// The payload of an `event` (`SetContext`'s variables, `TransferToPhoneNumber`'s target).
    public var value: JSONValue?
    /// Who joined, on a `conversationUpdate`.
    public var membersAdded: [ChannelAccount]?
    /// Channel specifics: input mode and confidence, the transcript, an end reason.
    public var channelData: JSONValue?
    /// Cards and the like, kept as JSON; the voice channel reads an adaptive card's `speak`.
    public var attachments: [JSONValue]?

    public init(type: String, id: String? = nil, timestamp: Date? = nil, channelId: String? = nil,
                serviceUrl: String? = nil, conversation: ConversationAccount? = nil, from: ChannelAccount? = nil,
                recipient: ChannelAccount? = nil, text: String? = nil, speak: String? = nil, inputHint: String? = nil,
                name: String? = nil, value: JSONValue? = nil, membersAdded: [ChannelAccount]? = nil,
                channelData: JSONValue? = nil, attachments: [JSONValue]? = nil) {
        self.type = type
        self.id = id
        self.timestamp = timestamp
        self.channelId = channelId
        self.serviceUrl = serviceUrl
        self.conversation = conversation
        self.from = from
        self.recipient = recipient
        self.text = text
        self.speak = speak
        self.inputHint = inputHint
        self.name = name
        self.value = value
        self.membersAdded = membersAdded
        self.channelData = channelData
        self.attachments = attachments
    }
}

extension Activity {
    /// Reads one activity from a JSON object, leniently (see the type's notes).
    /// Throws `ActivityDecodingError` when `type` is missing or not a string.
    public init(json object: [String: JSONValue]) throws(ActivityDecodingError) {
        guard let type = object["type"]?.stringValue else {
            throw ActivityDecodingError("an activity has no `type` string")
        }
        self.init(type: type)
        id = object["id"]?.stringValue
        timestamp = object["timestamp"]?.stringValue.flatMap(Timestamp.date(from:))
        channelId = object["channelId"]?.stringValue
        serviceUrl = object["serviceUrl"]?.stringValue
        if case .object(let c)? = object["conversation"], let cid = c["id"]?.stringValue {
            conversation = ConversationAccount(id: cid)
        }
        from = object["from"].flatMap(ChannelAccount.init(json:))
        recipient = object["recipient"].flatMap(ChannelAccount.init(json:))
        text = object["text"]?.stringValue
        speak = object["speak"]?.stringValue
        inputHint = object["inputHint"]?.stringValue
        name = object["name"]?.stringValue
        value = object["value"].flatMap(Self.unlessNull)
        if case .array(let members)? = object["membersAdded"] {
            membersAdded = members.compactMap(ChannelAccount.init(json:))
        }
        channelData = object["channelData"].flatMap(Self.unlessNull)
        if case .array(let items)? = object["attachments"] { attachments = items }
    }

    private static func unlessNull(_ value: JSONValue) -> JSONValue? { value == .null ? nil : value }

    private enum Key: String, CodingKey {
        case type, id, timestamp, channelId, serviceUrl, conversation, from, recipient, text, speak,
             inputHint, name, value, membersAdded, channelData, attachments
    }

    public init(from decoder: any Decoder) throws {
        let object = try decoder.singleValueContainer().decode([String: JSONValue].self)
        do {
            try self.init(json: object)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(type, forKey: .type)
        try c.encodeIfPresent(id, forKey: .id)
        try c.encodeIfPresent(timestamp.map(Timestamp.string(from:)), forKey: .timestamp)
        try c.encodeIfPresent(channelId, forKey: .channelId)
        try c.encodeIfPresent(serviceUrl, forKey: .serviceUrl)
        try c.encodeIfPresent(conversation.map { ["id": $0.id] }, forKey: .conversation)
        try c.encodeIfPresent(from?.json, forKey: .from)
        try c.encodeIfPresent(recipient?.json, forKey: .recipient)
        try c.encodeIfPresent(text, forKey: .text)
        try c.encodeIfPresent(speak, forKey: .speak)
        try c.encodeIfPresent(inputHint, forKey: .inputHint)
        try c.encodeIfPresent(name, forKey: .name)
        try c.encodeIfPresent(value, forKey: .value)
        try c.encodeIfPresent(membersAdded?.map(\.json), forKey: .membersAdded)
        try c.encodeIfPresent(channelData, forKey: .channelData)
        try c.encodeIfPresent(attachments, forKey: .attachments)
    }
}

extension Activity.ChannelAccount {
    /// nil unless an object with an `id` string: an account nobody can name is no account.
    init?(json: JSONValue) {
        guard case .object(let o) = json, let id = o["id"]?.stringValue else { return nil }
        self.init(id: id, role: o["role"]?.stringValue)
    }

    var json: [String: String] {
        var o = ["id": id]
        if let role { o["role"] = role }
        return o
    }
}

/// Why a body could not be read as activities. The message names the structural problem only,
/// never the body's content (bots may echo callers' words or credentials): safe to log.
public struct ActivityDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

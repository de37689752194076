import Foundation
import Testing
@testable import VoiceGateCore

/// The routing state's value types in the admin API's JSON, and segment lengths.
struct RoutingStateRecordTests {
    let entered = Date(timeIntervalSince1970: 1_700_000_000.123)

    private func json(_ value: some Encodable) throws -> String {
        String(decoding: try Conversation.adminAPIEncoder().encode(value), as: UTF8.self)
    }

    @Test("a waiting entry has nulls for what is not known yet; a closed one has them all; both decode back")
    func queueEntryJSON() throws {
        let waiting = QueueEntryRecord(id: "e1", conversationID: "c1", queue: "billing", enteredAt: entered, initialPosition: 2)
        #expect(try json(waiting) == #"{"by":null,"conversationId":"c1","enteredAt":"2023-11-14T22:13:20.123Z","id":"e1","#
                                  + #""initialPosition":2,"leftAt":null,"queue":"billing","result":null,"waitSeconds":null}"#)
        var served = waiting
        served.leftAt = entered.addingTimeInterval(42.5)
        served.result = .served
        served.by = "alice"
        served.waitSeconds = 42.5
        #expect(try json(served).contains(#""by":"alice""#))
        #expect(try json(served).contains(#""result":"served""#))
        #expect(try json(served).contains(#""waitSeconds":42.5"#))
        #expect(try json(QueueEntryRecord.Result.tookByBot) == #""tookByBot""#)
        for entry in [waiting, served] {
            let data = try Conversation.adminAPIEncoder().encode(entry)
            #expect(try Conversation.adminAPIDecoder().decode(QueueEntryRecord.self, from: data) == entry)
        }
    }

    @Test("a segment shows its seconds once ended, null while open; seconds are not read back")
    func segmentJSON() throws {
        let open = ConversationSegment(kind: .waiting, party: "billing", startedAt: entered)
        #expect(try json(open) == #"{"endedAt":null,"kind":"waiting","party":"billing","seconds":null,"startedAt":"2023-11-14T22:13:20.123Z"}"#)
        let ended = ConversationSegment(kind: .agent, party: "alice", startedAt: entered, endedAt: entered.addingTimeInterval(61.25))
        #expect(try json(ended).contains(#""seconds":61.25"#))
        for segment in [open, ended] {
            let data = try Conversation.adminAPIEncoder().encode(segment)
            #expect(try Conversation.adminAPIDecoder().decode(ConversationSegment.self, from: data) == segment)
        }
    }

    @Test("lengths are to the millisecond and never negative; sums have every kind")
    func lengths() {
        let start = Date(timeIntervalSince1970: 1_700_000_000.123)
        let segments = [
            ConversationSegment(kind: .bot, party: "demo", startedAt: start, endedAt: Date(timeIntervalSince1970: 1_700_000_001.123)),
            ConversationSegment(kind: .bot, party: "demo", startedAt: start, endedAt: start.addingTimeInterval(-5)),
            ConversationSegment(kind: .waiting, party: "billing", startedAt: Date(timeIntervalSince1970: 1_700_000_001.123)),
        ]
        #expect(segments[0].seconds == 1)
        #expect(segments[1].seconds == 0)
        #expect(segments[2].seconds == nil)
        #expect(segments[2].seconds(until: Date(timeIntervalSince1970: 1_700_000_004.623)) == 3.5)
        #expect(ConversationSegment.seconds(of: segments, now: Date(timeIntervalSince1970: 1_700_000_004.623))
                == [.bot: 1, .waiting: 3.5, .agent: 0])
        #expect(ConversationSegment.seconds(of: [], now: start) == [.bot: 0, .waiting: 0, .agent: 0])
    }

    @Test("an empty routing update changes nothing; .some(nil) is a change")
    func routingUpdate() {
        #expect(RoutingUpdate().isEmpty)
        #expect(!RoutingUpdate(agent: .some(nil)).isEmpty)
        #expect(RoutingUpdate(state: .waiting, queue: "billing") != RoutingUpdate(state: .waiting))
    }
}

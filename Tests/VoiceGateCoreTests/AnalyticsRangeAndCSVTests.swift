import Foundation
import Testing
import VoiceGateCore

struct AnalyticsRangeAndCSVTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("a range defaults to the day before now; bad times, a reversed range and one over 400 days are refused with a reason")
    func ranges() throws {
        let day = try AnalyticsRange.parse(from: nil, to: nil, now: now).get()
        #expect(day.to == now && day.from == now.addingTimeInterval(-86_400) && day.bucketSeconds == 3600 && day.bucketCount == 24)
        let week = try AnalyticsRange.parse(from: "2026-11-14T00:00:00Z", to: "2026-11-21T00:00:00Z", now: now).get()
        #expect(week.bucketSeconds == 86_400 && week.bucketCount == 7)
        let partial = try AnalyticsRange.parse(from: "2026-11-21T00:00:00Z", to: "2026-11-21T01:30:00.5+01:00", now: now).get()
        #expect(partial.bucketCount == 1, "an offset is honoured: 00:30:00.5 UTC is within the first hour")
        for (from, to, why) in [("yesterday", nil, "from is not an ISO 8601 time"), (nil, "soon", "to is not an ISO 8601 time"),
                                ("2026-11-21T00:00:00Z", "2026-11-20T00:00:00Z", "from must be before to"),
                                ("2026-11-21T00:00:00Z", "2026-11-21T00:00:00Z", "from must be before to"),
                                ("2020-01-01T00:00:00Z", "2026-01-01T00:00:00Z", "the range is longer than 400 days")] as [(String?, String?, String)] {
            guard case .failure(let problem) = AnalyticsRange.parse(from: from, to: to, now: now) else {
                Issue.record("\(String(describing: from))..\(String(describing: to)) was taken"); continue
            }
            #expect(problem.description.hasPrefix(why), "\(problem)")
        }
    }

    @Test("CSV: a header, one row per turn with its conversation's columns, RFC 4180 quoting, formulas disarmed, numbers kept")
    func csv() {
        let c = Conversation(id: "c1", state: .closed, outcome: .resolved, endReason: "botEnded", startedAt: now, bot: "front",
                             trunk: "main", sipCallId: "x", callerWithheld: false,
                             variables: [ContextVariable.customerPhoneNumber: "+14155550123", ContextVariable.organizationPhoneNumber: "+18005550100"],
                             transcript: [Turn(at: now, from: .customer, kind: .speech, text: "hi, \"there\"\nsecond line", sentiment: -0.4767),
                                          Turn(at: now, from: .customer, kind: .message, text: "=HYPERLINK(\"http://evil\")"),
                                          Turn(at: now, from: .bot, kind: .message, text: "@SUM(A1)")])
        let withheld = Conversation(id: "c2", startedAt: now, trunk: "main", sipCallId: "y", callerWithheld: true, variables: [:],
                                    transcript: [Turn(at: now, from: .system, kind: .event, text: "call started")])
        let lines = TranscriptCSV.text([c, withheld]).components(separatedBy: "\r\n")
        #expect(lines[0] == TranscriptCSV.header.joined(separator: ","))
        #expect(lines[1].hasPrefix("c1,2027-01-15T08:00:00.000Z,+14155550123,+18005550100,front,,,resolved,botEnded,1,"))
        #expect(lines[1].hasSuffix(",customer,speech,\"hi, \"\"there\"\"\nsecond line\",-0.4767") || lines[1].contains("\"hi, \"\"there\"\""),
                "\(lines[1])")
        let all = TranscriptCSV.text([c, withheld])
        #expect(all.contains("\"'=HYPERLINK(\"\"http://evil\"\")\""), "a formula becomes text: \(all)")
        #expect(all.contains(",'@SUM(A1),"), "\(all)")
        #expect(all.contains(",-0.4767\r\n"), "a negative number stays a number")
        #expect(all.contains("c2,2027-01-15T08:00:00.000Z,anonymous,"), "a withheld caller is anonymous")
        #expect(all.hasSuffix("\r\n") && all.components(separatedBy: "\r\n").count == 6, "header, 4 turns, the empty end")
    }
}

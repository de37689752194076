import Testing
@testable import VoiceGateCore

struct LogLineTests {
    @Test func formatsLogfmt() {
        let line = LogLine(.info, "call.answered", [("call", "7"), ("from", "\"Bob\" <sip:+1@x>"), ("empty", "")])
        #expect(line.description == #"level=info event=call.answered call=7 from="\"Bob\" <sip:+1@x>" empty="""#)
    }

    @Test func valuesFromTheNetworkCannotForgeLines() {
        let hostile = "x\nts=now level=error event=fake"
        let text = LogLine(.warning, "sip.refused", [("from", hostile)]).description
        #expect(!text.contains("\n"))
        #expect(text.contains(#"from="x\nts=now level=error event=fake""#))
        #expect(LogLine.quote("a\u{1b}[31m") == #""a\x1b[31m""#)
    }
}

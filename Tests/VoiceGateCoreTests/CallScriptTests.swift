import Testing
@testable import VoiceGateCore

struct CallScriptTests {
    @Test func parsesEveryStep() throws {
        let script = try CallScript.parse("""
        # greet, press a key, check the reply
        wait
        wait 3
        say "I want to pay my bill"
        play /tmp/hello.wav
        dtmf 12#
        pause 0.5
        expect speech
        expect text "your balance" within 4
        expect hangup within 2s
        hangup
        """)
        #expect(script.lines.map(\.step) == [
            .wait(timeout: 15), .wait(timeout: 3), .say("I want to pay my bill"), .play(path: "/tmp/hello.wav"),
            .dtmf("12#"), .pause(seconds: 0.5), .expect(.speech(within: 10)), .expect(.text("your balance", within: 4)),
            .expect(.hangUp(within: 2)), .hangUp,
        ])
        #expect(script.lines[0].number == 2)
        #expect(script.lines[8].name == "line 10: expect hangup within 2")
    }

    @Test func reportsEveryBadLineWithItsNumber() {
        #expect(throws: CallScript.ParseError(problems: [
            "line 1: unknown step 'dance' (steps: wait, say, play, dtmf, pause, expect, hangup)",
            "line 2: dtmf digits are 0-9, *, # and A-D, not '12x'",
            "line 3: pause must be seconds from 0 to 3600, not 'soon'",
            "line 4: expect what? 'music' (expect speech, expect text \"...\", expect hangup)",
            "line 5: expect text: missing closing quote",
            "line 6: say needs text",
        ])) {
            try CallScript.parse("dance\ndtmf 12x\npause soon\nexpect music\nexpect text \"open\nsay\n")
        }
    }
}

struct DialTargetTests {
    @Test func numbersGoToTheGateway() throws {
        let t = try DialTarget(target: "1000")
        #expect(t.requestURI == "sip:1000@127.0.0.1:5060")
        #expect(t.fromURI == "sip:voicegate-softphone@127.0.0.1")
        let tcp = try DialTarget(target: "+14155550100", gateway: "10.0.0.5:5080", transport: .tcp, from: "+442071234567")
        #expect(tcp.requestURI == "sip:+14155550100@10.0.0.5:5080;transport=tcp")
        #expect(tcp.fromURI == "sip:+442071234567@127.0.0.1")
        let v6 = try DialTarget(target: "*99#", gateway: "[::1]", transport: .tls)
        #expect(v6.requestURI == "sip:*99%23@[::1]:5061;transport=tls")
    }

    @Test func urisAreUsedAsGiven() throws {
        let t = try DialTarget(target: "sip:agent@192.0.2.7:5070", from: "sip:tester@example.com")
        #expect(t.requestURI == "sip:agent@192.0.2.7:5070")
        #expect(t.fromURI == "sip:tester@example.com")
    }

    @Test func refusesWhatIsNotATarget() {
        #expect(throws: DialTarget.Problem.self) { try DialTarget(target: "call me") }
        #expect(throws: DialTarget.Problem.self) { try DialTarget(target: "1000", gateway: "host:99999") }
        #expect(throws: DialTarget.Problem.self) { try DialTarget(target: "1000", from: "<sip:x@y>") }
        #expect(throws: DialTarget.Problem.self) { try DialTarget(target: "sip:a b@c") }
    }

    @Test func registrarURIs() throws {
        #expect(try DialTarget.registrarURI("sip:127.0.0.1:5080") == "sip:127.0.0.1:5080")
        #expect(try DialTarget.registrarURI("gw.example.net") == "sip:gw.example.net:5060")
        #expect(try DialTarget.registrarURI("10.0.0.5:5080", transport: .tcp) == "sip:10.0.0.5:5080;transport=tcp")
        #expect(try DialTarget.registrarURI("[::1]", transport: .tls) == "sip:[::1]:5061;transport=tls")
        #expect(try DialTarget.registrarURI("sip:gw;transport=TCP", transport: .tcp) == "sip:gw;transport=TCP")
        #expect(throws: DialTarget.Problem.self) { try DialTarget.registrarURI("sip:") }
        #expect(throws: DialTarget.Problem.self) { try DialTarget.registrarURI("sip:<gw>") }
        #expect(throws: DialTarget.Problem.self) { try DialTarget.registrarURI("gw:0") }
        #expect(DialTarget.isUserPart("alice.smith-2"))
        #expect(!DialTarget.isUserPart("alice@example") && !DialTarget.isUserPart("") && !DialTarget.isUserPart("a b"))
    }
}

struct CallReportTests {
    @Test func replyLatencyIsFromTheEndOfWhatWasSentToTheNextSpeech() {
        var report = CallReport(target: "sip:1@x", from: "sip:2@y", transport: "udp")
        report.sent = [CallReport.Sent(kind: "dtmf", detail: "1", startMs: 3000, endMs: 3200),
                       CallReport.Sent(kind: "dtmf", detail: "2", startMs: 6000, endMs: 6200)]
        report.heard = [CallReport.Heard(startMs: 100, endMs: 2500), CallReport.Heard(startMs: 3450, endMs: 4000)]
        report.computeReplies()
        #expect(report.sent[0].replyMs == 250)
        #expect(report.sent[1].replyMs == nil)
    }

    @Test func wavRoundTrip() throws {
        let audio = PCMAudio(sampleRate: 8000, samples: [0, 1, -1, 32767, -32768, 1234])
        #expect(try PCMAudio(wav: audio.wavBytes) == audio)
    }
}

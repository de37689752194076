import Testing
import Foundation

/// A real third-party softphone, Debian's baresip 1.0.0, calls the gateway: the call is answered,
/// baresip hears the greeting and the gateway hears baresip.
extension Integration {
    @Suite struct InteropTests {
        /// baresip's microphone: a 440 Hz tone, which cannot be mistaken for the spoken greeting.
        /// Its mean absolute sample value is amplitude × 2/π ≈ 5100; the greeting's is about 1300.
        static let tone = PCMWave.tone(hertz: 440, amplitude: 8000, seconds: 10)
        static let greeting = Paths.packageRoot.appendingPathComponent("Sources/voicegate/Resources/welcome.wav")

        @Test("baresip calls the gateway, hears the greeting, and the gateway hears baresip",
              arguments: [Baresip.Transport.udp, .tcp])
        func baresipCall(transport: Baresip.Transport) throws {
            let gateway = try GatewayProcess()
            // baresip dials at start, hangs up 5 s later (-t) and exits: its exit is the synchronization.
            let baresip = try Baresip(calling: gateway.sipPort, transport: transport, holdSeconds: 5, source: Self.tone)
            let status = baresip.waitForExit(timeout: 40)
            let said = baresip.lines
            #expect(status == 0, "baresip: \(said.joined(separator: "\n"))")
            try #require(said.contains { $0.contains("Call established: sip:1000@127.0.0.1:\(gateway.sipPort)") },
                         "baresip did not report the call established: \(said.joined(separator: "\n"))")
            #expect(said.contains { $0.contains("Call with sip:1000@127.0.0.1:\(gateway.sipPort)") && $0.contains("terminated") },
                    "baresip did not report the call closed: \(said.joined(separator: "\n"))")

            // The gateway's side: answered, PCMU, baresip hung up.
            let answered = try #require(gateway.waitFor(event: "call.answered"), "\(gateway.allLines)")
            // baresip calls from sip:tester@127.0.0.1: no number, so the caller ID is withheld ("").
            #expect(answered["caller"] == "" && answered["bot"] == "demo")
            if transport == .udp { #expect(answered["source"] == "127.0.0.1:\(baresip.sipPort)") }
            #expect(gateway.waitFor(event: "call.media_started")?["codec"] == "PCMU")
            let ended = try #require(gateway.waitFor(event: "call.ended"), "\(gateway.allLines)")
            #expect(ended["hangup_by"] == "caller")
            #expect(ended["reason"] == "bye")

            // baresip heard the greeting: its recording of what it decoded is mostly voice, and
            // the loudness contour of that voice is the greeting's.
            let recording = try #require(baresip.recording("dec"), "baresip recorded nothing: \(said.joined(separator: "\n"))")
            let heard = try PCMWave(contentsOf: recording)
            #expect(heard.sampleRate == 8000)
            let levels = heard.frameLevels
            let voiced = levels.filter { $0 >= 300 }.count
            #expect(levels.count >= 150, "baresip heard \(levels.count) frames of 20 ms")
            #expect(voiced >= 100, "baresip heard \(voiced) voiced frames of \(levels.count)")
            let greeting = try PCMWave(contentsOf: Self.greeting).frameLevels
            let similarity = PCMWave.envelopeCorrelation(levels, greeting, maxLag: 25)
            #expect(similarity >= 0.8, "what baresip heard does not follow the greeting (correlation \(similarity))")

            // The gateway heard baresip's tone: voice in most frames, at the tone's level (not
            // silence, and not the greeting coming back).
            #expect(Int(ended["rtp_rx_packets"] ?? "") ?? 0 >= 150, "\(ended)")
            #expect(Int(ended["voiced_frames"] ?? "") ?? 0 >= 150, "\(ended)")
            #expect((3500...6000).contains(Int(ended["mean_level"] ?? "") ?? 0), "\(ended)")
            #expect(gateway.stop() == 0)
        }
    }
}

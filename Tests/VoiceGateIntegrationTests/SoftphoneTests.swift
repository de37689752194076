import Testing
import Foundation

/// `voicegate call` against a real gateway: the softphone people test bots with, and the harness
/// every later end-to-end test drives.
extension Integration {
    @Suite struct SoftphoneTests {
        static let callerSpeech = Paths.corpus.appendingPathComponent("speech/01.wav").path

        @Test("a call with --play and --record is answered, hears the greeting, and the gateway hears the caller",
              arguments: ["udp", "tcp"])
        func playAndRecord(transport: String) throws {
            let gateway = try GatewayProcess()
            let (status, phone) = try SoftphoneProcess.call([
                "1000", "--gateway", "127.0.0.1:\(gateway.sipPort)", "--transport", transport,
                "--play", SoftphoneTests.callerSpeech, "--record", "heard.wav",
            ])
            #expect(status == 0, "stderr: \(phone.stderr)")
            let report = phone.report
            #expect(report["answered"] as? Bool == true, "\(phone.stdout)")
            #expect(report["status"] as? Int == 200)
            #expect(report["transport"] as? String == transport)
            let setup = try #require(report["setupMs"] as? Double)
            #expect(setup > 0 && setup < 5000)
            let heard = try #require(report["heard"] as? [[String: Any]])
            #expect(!heard.isEmpty, "no speech segment heard: \(phone.stdout)")
            let first = try #require(heard.first)
            #expect((first["endMs"] as? Double ?? 0) - (first["startMs"] as? Double ?? 0) > 1000, "the greeting is seconds long: \(first)")
            let sent = try #require(report["sent"] as? [[String: Any]])
            #expect(sent.count == 1 && sent[0]["kind"] as? String == "play")
            #expect((sent[0]["endMs"] as? Double ?? 0) - (sent[0]["startMs"] as? Double ?? 0) > 1000)
            #expect((report["hangUp"] as? [String: Any])?["by"] as? String == "local")

            // The recording holds the greeting: voice, not silence.
            let recording = phone.folder.appendingPathComponent("heard.wav")
            let levels = try PCMWave(contentsOf: recording).frameLevels
            #expect(levels.filter { $0 >= 300 }.count >= 50, "voiced 20 ms frames in heard.wav: \(levels.filter { $0 >= 300 }.count) of \(levels.count)")

            // And the gateway heard the caller's utterance.
            let ended = try #require(gateway.waitFor(event: "call.ended"))
            #expect(Int(ended["voiced_frames"] ?? "") ?? 0 >= 25, "\(ended)")
            #expect(gateway.stop() == 0)
        }

        @Test("--say and a script's say step speak synthesized speech, and the gateway hears it",
              arguments: ["option", "script"])
        func sayIsSynthesized(from source: String) throws {
            let gateway = try GatewayProcess()
            let sentence = "I want to check my order status"
            let (status, phone) = source == "option"
                ? try SoftphoneProcess.call(["1000", "--gateway", "127.0.0.1:\(gateway.sipPort)", "--say", sentence])
                : try SoftphoneProcess.call(["1000", "--gateway", "127.0.0.1:\(gateway.sipPort)", "--script", "s.txt"],
                                            files: ["s.txt": "say \"\(sentence)\"\n"])
            #expect(status == 0, "stderr: \(phone.stderr)")
            let sent = try #require(phone.report["sent"] as? [[String: Any]], "\(phone.stdout)")
            #expect(sent.count == 1 && sent[0]["kind"] as? String == "say" && sent[0]["detail"] as? String == sentence, "\(sent)")
            let spoke = (sent.first?["endMs"] as? Double ?? 0) - (sent.first?["startMs"] as? Double ?? 0)
            #expect(spoke > 1000 && spoke < 6000, "seven words take seconds: \(spoke) ms")

            let ended = try #require(gateway.waitFor(event: "call.ended"))
            #expect(Int(ended["voiced_frames"] ?? "") ?? 0 > 25, "the gateway heard speech: \(ended)")
            #expect(Int(ended["mean_level"] ?? "") ?? 0 > 0, "\(ended)")
            #expect(gateway.stop() == 0)
        }

        @Test("a script presses keys and measures the bot's reply latency; the gateway logs no digit")
        func scriptWithDigits() throws {
            let gateway = try GatewayProcess()
            let script = """
            # wait for the greeting, then press two keys
            wait
            dtmf 4
            wait
            expect speech
            dtmf #
            wait
            hangup
            """
            let (status, phone) = try SoftphoneProcess.call(["1000", "--gateway", "127.0.0.1:\(gateway.sipPort)", "--script", "keys.txt"],
                                                            files: ["keys.txt": script])
            #expect(status == 0, "stderr: \(phone.stderr)")
            let sent = try #require(phone.report["sent"] as? [[String: Any]])
            #expect(sent.map { $0["detail"] as? String } == ["4", "#"])
            for item in sent {
                let reply = try #require(item["replyMs"] as? Double, "no reply after \(item): \(phone.stdout)")
                #expect(reply >= 0 && reply < 1000, "reply latency \(reply) ms")
            }
            let steps = try #require(phone.report["steps"] as? [[String: Any]])
            #expect(steps.count == 7 && steps.allSatisfy { $0["ok"] as? Bool == true }, "\(steps)")
            #expect((phone.report["hangUp"] as? [String: Any])?["reason"] as? String == "script")

            let dtmf = gateway.events("call.dtmf")
            #expect(dtmf.count == 2, "\(gateway.allLines)")
            #expect(!gateway.allLines.joined().contains("digit="), "digits may be PINs: never logged")
            #expect(gateway.stop() == 0)
        }

        @Test("a failed expect step exits 1 and names the step")
        func failedExpectation() throws {
            let gateway = try GatewayProcess()
            let (status, phone) = try SoftphoneProcess.call(["1000", "--gateway", "127.0.0.1:\(gateway.sipPort)", "--script", "s.txt"],
                                                            files: ["s.txt": "expect speech within 10\nexpect hangup within 1\ndtmf 1\n"])
            #expect(status == 1)
            #expect(phone.report["failedStep"] as? String == "line 2: expect hangup within 1: the far end did not hang up within 1 s",
                    "\(phone.stdout)")
            let steps = try #require(phone.report["steps"] as? [[String: Any]])
            #expect(steps.map { $0["ok"] as? Bool } == [true, false], "the step after the failure does not run")
            #expect(phone.stderr.contains("step failed: line 2: expect hangup within 1"))
            #expect(gateway.waitFor(event: "call.ended")?["hangup_by"] == "caller", "the softphone hung up after the failure")
            #expect(gateway.stop() == 0)
        }

        @Test("the far end's hang-up and its Reason header reach the report")
        func remoteHangUp() throws {
            let gateway = try GatewayProcess(configuration: ["calls": ["maxDurationSeconds": 2]])
            let (status, phone) = try SoftphoneProcess.call(["1000", "--gateway", "127.0.0.1:\(gateway.sipPort)", "--script", "s.txt"],
                                                            files: ["s.txt": "expect hangup within 8\n"])
            #expect(status == 0, "stderr: \(phone.stderr)")
            let hangUp = try #require(phone.report["hangUp"] as? [String: Any])
            #expect(hangUp["by"] as? String == "remote")
            #expect((hangUp["reason"] as? String)?.contains("max_duration") == true, "\(hangUp)")
            #expect(gateway.stop() == 0)
        }

        @Test("a refused call reports its SIP status and exits 1")
        func refusedCall() throws {
            // The trunk trusts 127.0.0.1 only; the softphone calls from 127.0.0.2.
            let gateway = try GatewayProcess(configuration: ["trunks": [["name": "test", "sources": ["127.0.0.1/32"]]]])
            let (status, phone) = try SoftphoneProcess.call(["1000", "--gateway", "127.0.0.1:\(gateway.sipPort)", "--bind", "127.0.0.2"])
            #expect(status == 1)
            #expect(phone.report["answered"] as? Bool == false, "\(phone.stdout) \(phone.stderr)")
            #expect(phone.report["status"] as? Int == 403)
            #expect((phone.report["hangUp"] as? [String: Any])?["by"] as? String == "none")
            #expect(gateway.events("call.answered").isEmpty)
            #expect(gateway.stop() == 0)
        }

        @Test("--listen answers like an agent's phone: it plays, hears the caller, and stays until the caller hangs up")
        func listenMode() throws {
            let listener = try SoftphoneProcess(["--listen", "0", "--calls", "1", "--play", SoftphoneTests.callerSpeech, "--record", "agent.wav"])
            let port = try #require(listener.waitUntilListening(), "stderr: \(listener.stderr)")
            let (status, caller) = try SoftphoneProcess.call([
                "sip:agent@127.0.0.1:\(port)", "--from", "+14155550100", "--header", "X-Case: 42",
                "--play", Paths.packageRoot.appendingPathComponent("Sources/voicegate/Resources/reply.wav").path,
            ])
            #expect(status == 0, "caller stderr: \(caller.stderr)")
            #expect(listener.waitForExit(timeout: 30) == 0, "listener stderr: \(listener.stderr)")
            let answered = listener.report
            #expect(answered["answered"] as? Bool == true, "\(listener.stdout)")
            #expect((answered["from"] as? String)?.contains("+14155550100") == true)
            #expect((answered["hangUp"] as? [String: Any])?["by"] as? String == "remote")
            #expect(!((answered["heard"] as? [[String: Any]]) ?? []).isEmpty, "the listener heard the caller")
            #expect(!((caller.report["heard"] as? [[String: Any]]) ?? []).isEmpty, "the caller heard the listener")
            #expect(try PCMWave(contentsOf: listener.folder.appendingPathComponent("agent.wav")).frameLevels.filter { $0 >= 300 }.count >= 25)
        }

        @Test("usage mistakes exit 2 with a message, before anything is dialed")
        func usageErrors() throws {
            let cases: [([String], String)] = [
                (["1000", "--say", "<speak><break time=\"1s\"/></speak>"], "nothing to say"),
                (["call me maybe"], "must be a number"),
                (["1000", "--dtmf", "12x"], "dtmf digits are"),
                (["1000", "--play", "/nonexistent.wav"], "cannot read"),
                (["1000", "--header", "Bad Header"], "Name: value"),
                (["1000", "--transport", "sctp"], "udp, tcp or tls"),
                (["1000", "--script", "bad.txt"], "line 2: unknown step 'dance'"),
            ]
            for (args, message) in cases {
                let (status, phone) = try SoftphoneProcess.call(args, files: ["bad.txt": "wait\ndance\n"])
                #expect(status == 2, "\(args)")
                #expect(phone.stderr.contains(message), "\(args): \(phone.stderr)")
                #expect(phone.stdout.isEmpty)
            }
        }
    }
}

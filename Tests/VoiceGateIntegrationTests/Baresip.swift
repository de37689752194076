import Foundation

/// baresip (Debian 12's `baresip` 1.0.0), a real softphone, as a scripted caller. It runs from a
/// private config folder with only the modules a headless call needs: `g711`; `aufile` as the
/// microphone (a WAV file, which must be 8 kHz mono S16); `aubridge` as a paced speaker that plays
/// into nothing (no sound card); `sndfile`, a filter that records what was sent and received to
/// `<folder>/recordings/dump-<time>-{enc,dec}.wav`; `account` for an account that does not register;
/// `menu` to run the `-e` command. `-t` makes it hang up and quit by itself after the hold time.
/// Killed on deinit if still running (a failing test still cleans up).
final class Baresip: @unchecked Sendable {
    enum Transport: String, CustomStringConvertible {
        case udp, tcp
        var description: String { rawValue }
    }

    static let executable = URL(fileURLWithPath: "/usr/bin/baresip")

    let process = Process()
    private var reader: PipeReader?   // its output, read to the end
    let folder: URL
    /// The port baresip's SIP stack listens on (UDP and TCP).
    let sipPort: Int
    private let condition = NSCondition()
    private var output = Data()   // guarded by condition
    private var outputEnded = false

    /// Starts baresip dialing `sip:1000@127.0.0.1:port` with `source` as its microphone; it stays
    /// in the call until `holdSeconds` after its start, then hangs up and exits.
    init(calling port: Int, transport: Transport, holdSeconds: Int, source: PCMWave) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.executable.path) else {
            throw GatewayProcess.StartFailure(description: "\(Self.executable.path) is missing: run deploy/setup.sh (it installs baresip)")
        }
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("baresip-\(UUID().uuidString)")
        let recordings = folder.appendingPathComponent("recordings")
        try FileManager.default.createDirectory(at: recordings, withIntermediateDirectories: true)
        let sourceURL = folder.appendingPathComponent("source.wav")
        try source.write(to: sourceURL)

        let ports = Self.freePorts()
        sipPort = ports.sip
        // net_interface 127.0.0.1: loopback only, so a machine without a network (CI) behaves the same.
        let config = """
            poll_method\tepoll
            net_interface\t127.0.0.1
            sip_listen\t127.0.0.1:\(ports.sip)
            rtp_ports\t\(ports.rtp.lowerBound)-\(ports.rtp.upperBound)
            audio_source\taufile,\(sourceURL.path)
            audio_player\taubridge,nowhere
            audio_alert\taubridge,nowhere
            ausrc_srate\t8000
            ausrc_channels\t1
            audio_buffer\t20-160
            jitter_buffer_delay\t5-10
            snd_path\t\(recordings.path)
            module_path\t/usr/lib/baresip/modules
            module\tg711.so
            module\taufile.so
            module\taubridge.so
            module\tsndfile.so
            module_tmp\taccount.so
            module_app\tmenu.so

            """
        try config.write(to: folder.appendingPathComponent("config"), atomically: true, encoding: .utf8)
        // regint=0: no REGISTER; the gateway takes calls from trusted addresses without one.
        try "<sip:tester@127.0.0.1>;regint=0\n".write(to: folder.appendingPathComponent("accounts"), atomically: true, encoding: .utf8)

        let target = "sip:1000@127.0.0.1:\(port)" + (transport == .tcp ? ";transport=tcp" : "")
        process.executableURL = Self.executable
        process.arguments = ["-f", folder.path, "-e", "/dial \(target)", "-t", String(holdSeconds)]
        process.currentDirectoryURL = folder
        process.standardInput = FileHandle.nullDevice
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        reader = PipeReader(pipe) { [weak self] data in self?.append(data) }
        process.terminationHandler = { [weak self] _ in
            guard let self else { return }
            self.condition.lock()
            self.condition.broadcast()
            self.condition.unlock()
        }
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: folder)
    }

    private func append(_ data: Data) {
        condition.lock()
        defer { condition.unlock() }
        if data.isEmpty { outputEnded = true } else { output.append(data) }
        condition.broadcast()
    }

    /// Waits for baresip to exit and for the end of its output; returns its exit status, or nil
    /// (after killing it) when it is still running at the timeout, a safety net against a hang.
    func waitForExit(timeout: TimeInterval) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        while process.isRunning || !outputEnded {
            if !condition.wait(until: deadline) { break }
        }
        condition.unlock()
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            return nil
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// What baresip printed so far, line by line, without the menu's redraws (it echoes the `-e`
    /// command a character at a time and rewrites a call status line every 100 ms, with \r).
    var lines: [String] {
        condition.lock()
        defer { condition.unlock() }
        return String(decoding: output, as: UTF8.self)
            .split(whereSeparator: { $0 == "\n" || $0 == "\r" }).map(String.init)
            .filter { !$0.hasPrefix("/") && !$0.contains("] audio=") }
    }

    /// The recording of what baresip received (`dec`, after decoding) or sent (`enc`); complete
    /// once baresip has exited.
    func recording(_ direction: String = "dec") -> URL? {
        let recordings = folder.appendingPathComponent("recordings")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: recordings.path)) ?? []
        return names.sorted().last { $0.hasSuffix("-\(direction).wav") }.map { recordings.appendingPathComponent($0) }
    }

    /// A SIP port free for UDP and TCP, and 10 UDP ports for RTP after it, below the range
    /// FreePorts gives the gateway (20000-30000) and below the kernel's ephemeral ports.
    private static func freePorts() -> (sip: Int, rtp: ClosedRange<Int>) {
        for _ in 0..<200 {
            let base = Int.random(in: 10_000...19_900) & ~1
            if FreePorts.isFree(base, SOCK_STREAM) && FreePorts.isFree(base, SOCK_DGRAM)
                && (base + 2...base + 11).allSatisfy({ FreePorts.isFree($0, SOCK_DGRAM) }) {
                return (base, base + 2...base + 11)
            }
        }
        return (15_060, 15_062...15_071)
    }
}

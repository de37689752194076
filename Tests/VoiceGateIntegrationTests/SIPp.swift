import Foundation

/// sipp, the SIP traffic generator, as a real peer of the gateway.
struct SIPp {
    struct Result {
        let status: Int32
        let output: String
        /// sipp's own verdict: 0 when every call of the scenario went as written.
        var succeeded: Bool { status == 0 }
    }

    enum Transport: String { case udp = "u1", tcp = "t1" }

    /// Runs a scenario from Tests/Scenarios against 127.0.0.1:port and waits for it to finish.
    static func run(_ scenario: String, port: Int, transport: Transport = .udp, holdMilliseconds: Int = 1000,
                    source: String = "127.0.0.1", service: String = "+18005550100", extra: [String] = []) throws -> Result {
        let running = try start(scenario, port: port, transport: transport, holdMilliseconds: holdMilliseconds,
                                source: source, service: service, extra: extra)
        return running.wait()
    }

    /// Starts a scenario in the background.
    /// `source` is the address sipp binds and sends from (127.0.0.0/8 holds many: tests use
    /// 127.0.0.2 as an untrusted source); `service` the number dialed.
    static func start(_ scenario: String, port: Int, transport: Transport = .udp, holdMilliseconds: Int = 1000,
                      source: String = "127.0.0.1", service: String = "+18005550100", extra: [String] = []) throws -> Running {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sipp")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sipp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        process.currentDirectoryURL = folder
        process.arguments = ["127.0.0.1:\(port)", "-sf", Paths.scenarios.appendingPathComponent(scenario).path,
                             "-i", source, "-t", transport.rawValue, "-s", service,
                             "-m", "1", "-l", "1", "-d", String(holdMilliseconds),
                             "-mp", String(FreePorts.rtpBase(count: 4)),
                             "-nostdin", "-timeout", "40", "-timeout_error", "-trace_err", "-trace_screen"] + extra
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        return Running(process: process, pipe: out, folder: folder)
    }

    final class Running: @unchecked Sendable {
        let process: Process
        let pipe: Pipe
        let folder: URL
        private var output = Data()
        private let reader: Thread

        init(process: Process, pipe: Pipe, folder: URL) {
            self.process = process
            self.pipe = pipe
            self.folder = folder
            let handle = pipe.fileHandleForReading
            let box = DataBox()
            reader = Thread { box.data = handle.readDataToEndOfFile(); box.done.signal() }
            self.box = box
            reader.start()
        }
        private let box: DataBox

        func wait() -> Result {
            process.waitUntilExit()
            box.done.wait()
            var text = String(decoding: box.data, as: UTF8.self)
            // -trace_err and -trace_screen write files named after the scenario; keep them in the result.
            if let files = try? FileManager.default.contentsOfDirectory(atPath: folder.path) {
                for f in files.sorted() {
                    if let s = try? String(contentsOf: folder.appendingPathComponent(f), encoding: .utf8) { text += "\n--- \(f)\n\(s)" }
                }
            }
            try? FileManager.default.removeItem(at: folder)
            return Result(status: process.terminationStatus, output: text)
        }
    }

    private final class DataBox: @unchecked Sendable {
        var data = Data()
        let done = DispatchSemaphore(value: 0)
    }
}

/// Ports for peers that cannot pick their own (sipp's media port, the gateway's RTP range).
enum FreePorts {
    /// A base port with `count` free UDP ports from it, in a range the kernel does not hand out
    /// as ephemeral ports.
    static func rtpBase(count: Int) -> Int {
        for _ in 0..<200 {
            let base = Int.random(in: 20_000...30_000) & ~1
            if (base..<base + count).allSatisfy(udpFree) { return base }
        }
        return 20_000
    }

    static func udpFree(_ port: Int) -> Bool { isFree(port, SOCK_DGRAM) }

    /// Whether `port` on 127.0.0.1 can be bound now for this socket type.
    static func isFree(_ port: Int, _ type: __socket_type) -> Bool {
        let fd = socket(AF_INET, Int32(type.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

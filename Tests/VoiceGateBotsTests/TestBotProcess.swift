import Foundation
import VoiceGateCore

/// A real Tests/Bots/test_bot.py process on a free port, for one test. Ready once it printed
/// `listening PORT`; killed on deinit, so a failing test still cleans up.
final class TestBotProcess: @unchecked Sendable {
    struct StartFailure: Error, CustomStringConvertible { let description: String }

    /// What the bot got in one POST.
    struct Record {
        var authorization: String?
        /// The body as JSON (`{"unparsed": ...}` when it was not JSON).
        var json: JSONValue
        var activity: Activity? {
            guard case .object(let fields) = json else { return nil }
            return try? Activity(json: fields)
        }
    }

    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let script = packageRoot.appendingPathComponent("Tests/Bots/test_bot.py")

    let process = Process()
    let recordFile: URL
    private(set) var port = 0
    private let condition = NSCondition()
    private var output = Data()   // guarded by condition

    /// Starts the bot with `arguments` (besides --port and --record) and waits for its port.
    init(_ arguments: [String] = []) throws {
        recordFile = FileManager.default.temporaryDirectory.appendingPathComponent("test-bot-\(UUID().uuidString).jsonl")
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-u", Self.script.path, "--port", "0", "--record", recordFile.path] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.standardError
        // A blocking read loop, not readabilityHandler: on Linux that one's dispatch read source
        // can crash libdispatch's event loop when torn down (swift-corelibs-libdispatch#949).
        let handle = pipe.fileHandleForReading
        Thread { [weak self] in
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(handle.fileDescriptor, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0, let self else { return }
                let data = Data(buffer[..<n])
                self.condition.lock()
                self.output.append(data)
                self.condition.broadcast()
                self.condition.unlock()
            }
        }.start()
        process.terminationHandler = { [weak self] _ in
            guard let self else { return }
            self.condition.lock()
            self.condition.broadcast()
            self.condition.unlock()
        }
        try process.run()
        guard let port = waitForPort(timeout: 20) else {
            kill(process.processIdentifier, SIGKILL)
            throw StartFailure(description: "test_bot.py did not print `listening PORT`")
        }
        self.port = port
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: recordFile)
    }

    var endpoint: URL { URL(string: "http://127.0.0.1:\(port)/api/messages")! }

    /// The timeout is a safety net against a bot that never starts, not the synchronization.
    private func waitForPort(timeout: TimeInterval) -> Int? {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while true {
            let text = String(decoding: output, as: UTF8.self)
            for line in text.split(separator: "\n") where line.hasPrefix("listening ") {
                if let port = Int(line.dropFirst("listening ".count)) { return port }
            }
            if !process.isRunning { return nil }
            if !condition.wait(until: deadline) { return nil }
        }
    }

    /// Everything recorded so far. The bot writes a record before it answers, so after a reply
    /// (or a client timeout, which comes later still) the record is in the file.
    func records() -> [Record] {
        guard let data = try? Data(contentsOf: recordFile) else { return [] }
        return data.split(separator: 0x0a).compactMap { line in
            guard case .object(let o)? = try? JSONDecoder().decode(JSONValue.self, from: Data(line)) else { return nil }
            return Record(authorization: o["authorization"]?.stringValue, json: o["activity"] ?? .null)
        }
    }
}

/// A loopback port nothing listens on: bound, read, closed. (Another process could take it in
/// between; on a test machine that is rare enough.)
func closedLoopbackPort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
    }
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

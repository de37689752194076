import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A real `voicegate run` process on free ports, for one test. Its structured log lines are
/// collected as they come; tests wait for the line of an event instead of sleeping. Killed on
/// deinit if the test did not stop it (a failing test still cleans up).
final class GatewayProcess: @unchecked Sendable {
    struct StartFailure: Error, CustomStringConvertible { let description: String }

    let process = Process()
    private var reader: PipeReader?   // its output, read to the end
    let folder: URL
    private let condition = NSCondition()
    private var lines: [[String: String]] = []   // guarded by condition
    private var rawLines: [String] = []          // guarded by condition
    private var buffer = Data()
    private(set) var sipPort = 0
    private(set) var httpPort = 0
    /// The TLS transport's port, when the configuration has one.
    private(set) var tlsPort = 0

    /// Starts a gateway with `configuration` (a JSON object; listen addresses and ports are filled
    /// in with loopback and free ports unless given) and waits for its `gateway.ready` line.
    init(configuration: [String: Any] = [:], arguments: [String] = [], environment: [String: String] = [:]) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("voicegate-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var config = configuration
        var sip = config["sip"] as? [String: Any] ?? [:]
        sip["listen"] = sip["listen"] ?? "127.0.0.1"
        sip["port"] = sip["port"] ?? 0
        if sip["rtpPortStart"] == nil {
            sip["rtpPortStart"] = FreePorts.rtpBase(count: 200)
            sip["rtpPortCount"] = 200
        }
        config["sip"] = sip
        var http = config["http"] as? [String: Any] ?? [:]
        http["listen"] = http["listen"] ?? "127.0.0.1"
        http["port"] = http["port"] ?? 0
        config["http"] = http
        if config["trunks"] == nil { config["trunks"] = [["name": "test", "sources": ["127.0.0.0/8"]]] }
        // Any number reaches the built-in bot unless a test says otherwise.
        if config["phoneNumbers"] == nil { config["phoneNumbers"] = [["number": "*", "bot": "demo"]] }
        if config["bots"] == nil { config["bots"] = [["id": "demo", "kind": "embedded", "applicationId": "demo"]] }
        if config["admin"] == nil { config["admin"] = ["token": GatewayProcess.adminToken] }
        let configURL = folder.appendingPathComponent("voicegate.json")
        try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted, .sortedKeys]).write(to: configURL)

        process.executableURL = Paths.voicegate
        process.arguments = ["run", "--config", configURL.path] + arguments
        process.currentDirectoryURL = folder
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let errPipe = Pipe()
        process.standardError = errPipe
        process.standardOutput = FileHandle.nullDevice
        reader = PipeReader(errPipe) { [weak self] data in self?.append(data) }
        process.terminationHandler = { [weak self] _ in
            guard let self else { return }
            self.condition.lock()
            self.condition.broadcast()
            self.condition.unlock()
        }
        try process.run()
        guard let ready = waitFor(event: "gateway.ready", timeout: 20) else {
            let log = allLines.joined(separator: "\n")
            stop(signal: SIGKILL)
            throw StartFailure(description: "the gateway did not become ready; its log:\n\(log)")
        }
        sipPort = Int(ready["sip_port"] ?? "") ?? 0
        httpPort = Int(ready["http_port"] ?? "") ?? 0
        if let tls = ready["sip"]?.split(separator: ",").first(where: { $0.hasPrefix("tls://") }), let port = tls.split(separator: ":").last {
            tlsPort = Int(port) ?? 0
        }
    }

    deinit {
        if process.isRunning { process.interrupt(); kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: folder)
    }

    private func append(_ data: Data) {
        condition.lock()
        defer { condition.unlock() }
        if data.isEmpty { condition.broadcast(); return }
        buffer.append(data)
        while let newline = buffer.firstIndex(of: 0x0a) {
            let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
            buffer.removeSubrange(buffer.startIndex...newline)
            rawLines.append(line)
            lines.append(LogFmt.parse(line))
        }
        condition.broadcast()
    }

    var allLines: [String] {
        condition.lock()
        defer { condition.unlock() }
        return rawLines
    }

    /// Every parsed line of an event so far.
    func events(_ name: String) -> [[String: String]] {
        condition.lock()
        defer { condition.unlock() }
        return lines.filter { $0["event"] == name }
    }

    /// Waits for the first line of `event` (after `skipping` earlier ones) that satisfies `where`.
    /// The timeout is a safety net against a hung gateway, not the synchronization.
    func waitFor(event: String, skipping: Int = 0, timeout: TimeInterval = 15,
                 where predicate: ([String: String]) -> Bool = { _ in true }) -> [String: String]? {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while true {
            let matches = lines.filter { $0["event"] == event && predicate($0) }
            if matches.count > skipping { return matches[skipping] }
            if !process.isRunning && buffer.isEmpty { return nil }
            if !condition.wait(until: deadline) { return nil }
        }
    }

    /// Sends a signal and waits for the process to exit; returns its exit status.
    @discardableResult
    func stop(signal: Int32 = SIGTERM, timeout: TimeInterval = 40) -> Int32? {
        if process.isRunning { kill(process.processIdentifier, signal) }
        return waitForExit(timeout: timeout)
    }

    func sendSignal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    func waitForExit(timeout: TimeInterval) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        while process.isRunning {
            if !condition.wait(until: deadline) { break }
        }
        condition.unlock()
        if process.isRunning { return nil }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// GET on the gateway's HTTP listener: status and body.
    func get(_ path: String) async throws -> (Int, String) {
        let url = URL(string: "http://127.0.0.1:\(httpPort)\(path)")!
        let (data, response) = try await URLSession.shared.data(from: url)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    static let adminToken = "test-admin-token-0123456789"

    /// A request to the admin API with the test token: status and parsed JSON body.
    func api(_ path: String, token: String? = GatewayProcess.adminToken, method: String = "GET",
             body: String? = nil) async throws -> (Int, [String: Any]) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(httpPort)\(path)")!)
        request.httpMethod = method
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let (data, response) = try await URLSession.shared.data(for: request)
        let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, json)
    }

    /// Every conversation the admin API lists (newest first, up to 500).
    func conversations() async throws -> [[String: Any]] {
        let (status, json) = try await api("/api/v1/conversations?limit=500")
        guard status == 200 else { return [] }
        return json["conversations"] as? [[String: Any]] ?? []
    }

    /// The value of one sample in /metrics, or nil when absent.
    func metric(_ name: String, labels: String = "") async throws -> Int? {
        let (_, body) = try await get("/metrics")
        let key = labels.isEmpty ? name : "\(name){\(labels)}"
        for line in body.split(separator: "\n") where line.hasPrefix(key + " ") {
            return Int(line.split(separator: " ").last ?? "")
        }
        return nil
    }
}

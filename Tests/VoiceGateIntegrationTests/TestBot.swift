import Foundation

/// The real HTTP test bot, Tests/Bots/test_bot.py, as an external bot of a gateway under test.
/// Ready once it printed `listening PORT`; what it received is read back from its record file
/// (one JSON line per POST). Killed on deinit.
final class TestBot: @unchecked Sendable {
    struct StartFailure: Error, CustomStringConvertible { let description: String }

    let process = Process()
    private var reader: PipeReader?   // its output, read to the end
    let recordFile: URL
    private(set) var port = 0
    private let condition = NSCondition()
    private var output = Data()   // guarded by condition

    init(_ arguments: [String] = []) throws {
        recordFile = FileManager.default.temporaryDirectory.appendingPathComponent("test-bot-\(UUID().uuidString).jsonl")
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-u", Paths.packageRoot.appendingPathComponent("Tests/Bots/test_bot.py").path,
                             "--port", "0", "--record", recordFile.path] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        reader = PipeReader(pipe) { [weak self] data in
            guard let self else { return }
            self.condition.lock()
            self.output.append(data)
            self.condition.broadcast()
            self.condition.unlock()
        }
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        condition.lock()
        while port == 0 {
            let text = String(decoding: output, as: UTF8.self)
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("listening ") }) {
                port = Int(line.dropFirst("listening ".count)) ?? 0
            }
            if port == 0 && !condition.wait(until: deadline) { break }
        }
        condition.unlock()
        guard port != 0 else {
            kill(process.processIdentifier, SIGKILL)
            throw StartFailure(description: "test_bot.py did not print `listening PORT`")
        }
    }

    /// A bot answering by `rules` (test_bot.py --rules: `{"on": {...}, "reply": [...], "once": Bool}`
    /// each), written to a file beside its record.
    convenience init(rules: [[String: Any]], _ arguments: [String] = []) throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("test-bot-rules-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: rules).write(to: file)
        try self.init(["--rules", file.path] + arguments)
        rulesFile = file
    }

    private var rulesFile: URL?

    deinit {
        if let rulesFile { try? FileManager.default.removeItem(at: rulesFile) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        try? FileManager.default.removeItem(at: recordFile)
    }

    var endpoint: String { "http://127.0.0.1:\(port)/api/messages" }

    /// Every POST so far: the Authorization header and the activity.
    var received: [(authorization: String?, activity: [String: Any])] {
        guard let text = try? String(contentsOf: recordFile, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let json = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let activity = json["activity"] as? [String: Any] else { return nil }
            return (json["authorization"] as? String, activity)
        }
    }
}

/// Polls a condition that another process makes true (a file written, a row committed), for
/// when there is no event to wait on. The timeout is the safety net, not the synchronization.
func eventually(timeout: TimeInterval = 15, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try await condition() { return true }
        try? await Task.sleep(nanoseconds: 50_000_000)
    }
    return try await condition()
}

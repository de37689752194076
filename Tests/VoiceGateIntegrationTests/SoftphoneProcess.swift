import Foundation

/// A real `voicegate call` process: the end-to-end harness's caller (or, with --listen, a stand-in
/// for an agent's phone or a transfer target). Its JSON report lines are collected from stdout;
/// tests wait for the process to exit or for its `softphone.listening` line, never for time to
/// pass. Killed on deinit if still running (a failing test still cleans up).
final class SoftphoneProcess: @unchecked Sendable {
    let process = Process()
    private var readers: [PipeReader] = []   // stdout and stderr, each read to the end
    let folder: URL
    private let condition = NSCondition()
    private var stdoutBuffer = Data()      // guarded by condition
    private var stderrBuffer = Data()      // guarded by condition
    private var exited = false             // guarded by condition

    /// Starts `voicegate call` with `arguments`; `files` are written into its own folder first
    /// (name: content) and the process runs there, so scripts and recordings use plain names.
    init(_ arguments: [String], files: [String: String] = [:]) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("voicegate-softphone-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (name, content) in files {
            try Data(content.utf8).write(to: folder.appendingPathComponent(name))
        }
        process.executableURL = Paths.voicegate
        process.arguments = ["call"] + arguments
        process.currentDirectoryURL = folder
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        readers = [PipeReader(out) { [weak self] data in self?.append(data, toStdout: true) },
                   PipeReader(err) { [weak self] data in self?.append(data, toStdout: false) }]
        process.terminationHandler = { [weak self] _ in
            guard let self else { return }
            self.condition.lock()
            self.exited = true
            self.condition.broadcast()
            self.condition.unlock()
        }
        try process.run()
    }

    /// Places one call and waits for the softphone to finish.
    static func call(_ arguments: [String], files: [String: String] = [:], timeout: TimeInterval = 60) throws -> (status: Int32?, phone: SoftphoneProcess) {
        let phone = try SoftphoneProcess(arguments, files: files)
        return (phone.waitForExit(timeout: timeout), phone)
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: folder)
    }

    private func append(_ data: Data, toStdout: Bool) {
        condition.lock()
        if toStdout { stdoutBuffer.append(data) } else { stderrBuffer.append(data) }
        condition.broadcast()
        condition.unlock()
    }

    var stderr: String {
        condition.lock(); defer { condition.unlock() }
        return String(decoding: stderrBuffer, as: UTF8.self)
    }

    var stdout: String {
        condition.lock(); defer { condition.unlock() }
        return String(decoding: stdoutBuffer, as: UTF8.self)
    }

    /// Every JSON report printed so far, one per call.
    var reports: [[String: Any]] {
        stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// The first report, for a one-call softphone.
    var report: [String: Any] { reports.first ?? [:] }

    /// Waits for the `softphone.listening` line of a --listen softphone; returns its SIP port.
    func waitUntilListening(timeout: TimeInterval = 15) -> Int? {
        waitForEvent("softphone.listening", timeout: timeout)?["port"].flatMap { Int($0) }
    }

    /// Waits for the first `event=NAME ...` line on stderr (the softphone's own notices, such as
    /// softphone.registered); returns its fields, nil when the process exited or time ran out first.
    func waitForEvent(_ name: String, timeout: TimeInterval = 15) -> [String: String]? {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while true {
            let text = String(decoding: stderrBuffer, as: UTF8.self)
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("event=\(name) ") || $0 == "event=\(name)" }) {
                return LogFmt.parse(String(line))
            }
            if exited || !condition.wait(until: deadline) { return nil }
        }
    }

    /// Waits for the process to exit; returns its status, or nil if it did not exit in time.
    func waitForExit(timeout: TimeInterval = 60) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        while !exited {
            if !condition.wait(until: deadline) { break }
        }
        condition.unlock()
        guard !process.isRunning else { return nil }
        process.waitUntilExit()
        // The pipes may still hold the last lines: the readers take them up to the end.
        for reader in readers { reader.waitForEnd(timeout: 10) }
        return process.terminationStatus
    }

    func signal(_ sig: Int32) { kill(process.processIdentifier, sig) }
}

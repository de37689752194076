import Foundation

/// stunnel in client mode: a plain TCP port on 127.0.0.1 whose connections it carries to the
/// gateway's TLS port over a real TLS session (OpenSSL). sipp here has no TLS of its own, so its
/// TCP scenarios reach the TLS transport through this; `from` sets the source address the
/// gateway sees (stunnel's `local`), to play a trusted or an untrusted trunk.
final class TLSTunnel: @unchecked Sendable {
    struct StartFailure: Error, CustomStringConvertible { let description: String }

    let process = Process()
    private var reader: PipeReader?   // its output, read to the end
    let port: Int
    private let folder: URL

    init(to tlsPort: Int, from source: String = "127.0.0.1") throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("stunnel-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        port = FreePorts.tcpPort()
        let config = """
            foreground = yes
            pid =
            debug = notice
            [sip]
            client = yes
            accept = 127.0.0.1:\(port)
            connect = 127.0.0.1:\(tlsPort)
            local = \(source)
            verifyChain = no
            sslVersionMin = TLSv1.2
            """
        let configURL = folder.appendingPathComponent("stunnel.conf")
        try config.write(to: configURL, atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: TLSTunnel.binary)
        process.arguments = [configURL.path]
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = pipe
        let ready = DispatchSemaphore(value: 0)
        let log = LockedText()
        reader = PipeReader(pipe) { data in
            if data.isEmpty { ready.signal(); return }
            if log.append(String(decoding: data, as: UTF8.self)).contains("Configuration successful") { ready.signal() }
        }
        try process.run()
        // stunnel prints "Configuration successful" once its listening socket is bound.
        guard ready.wait(timeout: .now() + 10) == .success, process.isRunning else {
            throw StartFailure(description: "stunnel did not start: \(log.text)")
        }
    }

    static var binary: String {
        ["/usr/bin/stunnel4", "/usr/bin/stunnel"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/usr/bin/stunnel4"
    }

    deinit {
        // SIGKILL: stunnel in the foreground can linger on SIGTERM while it winds its sessions down.
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        try? FileManager.default.removeItem(at: folder)
    }
}

/// A self-signed certificate and key for the gateway's TLS transport, made with the openssl
/// command line.
enum TestCertificate {
    static func make(in folder: URL) throws -> (certificate: String, key: String) {
        let cert = folder.appendingPathComponent("cert.pem").path, key = folder.appendingPathComponent("key.pem").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        p.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=voicegate.test",
                       "-keyout", key, "-out", cert]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw TLSTunnel.StartFailure(description: "openssl req failed") }
        return (cert, key)
    }
}

final class LockedText: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var text = ""
    func append(_ s: String) -> String {
        lock.lock(); defer { lock.unlock() }
        text += s
        return text
    }
}

extension FreePorts {
    /// A TCP port on 127.0.0.1 free now.
    static func tcpPort() -> Int {
        for _ in 0..<200 {
            let port = Int.random(in: 30_001...39_999)
            if isFree(port, SOCK_STREAM) { return port }
        }
        return 39_999
    }
}

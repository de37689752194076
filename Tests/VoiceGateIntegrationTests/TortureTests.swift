import Testing
import Foundation

/// RFC 4475's torture messages thrown at a running gateway over UDP and TCP. The messages come
/// from 127.0.0.2, which the test trunk does not trust: pjsip's parser sees every byte of them,
/// but none can set up a dialog whose Contact (example.com hosts) the gateway would later send
/// to; the well-formed ones are refused by admission. What must hold: no crash, no hang, and the
/// gateway still answers OPTIONS and completes a call from the trusted address afterwards.
extension Integration {
    @Suite struct TortureTests {
        static let corpus = Paths.corpus.appendingPathComponent("rfc4475")

        static func messages() throws -> [(String, Data)] {
            let files = try FileManager.default.contentsOfDirectory(atPath: corpus.path).filter { $0.hasSuffix(".dat") }.sorted()
            return try files.map { ($0, try Data(contentsOf: corpus.appendingPathComponent($0))) }
        }

        @Test("every RFC 4475 message over UDP and TCP, then the gateway still serves")
        func tortureCorpus() async throws {
            let messages = try TortureTests.messages()
            #expect(messages.count == 49, "the corpus should hold RFC 4475's 49 messages")
            let gateway = try GatewayProcess(configuration: ["trunks": [["name": "test", "sources": ["127.0.0.1/32"]]]])

            let udp = try RawSocket(type: SOCK_DGRAM, bindTo: "127.0.0.2")
            for (_, data) in messages { try udp.send(data, to: gateway.sipPort) }
            // Answers come back to the source (pjsip adds received=); the refusals are 400s and 403s.
            var answers = 0
            while let reply = udp.receive(timeout: 2) {
                answers += 1
                let statusLine = String(decoding: reply.prefix(40), as: UTF8.self)
                #expect(!statusLine.hasPrefix("SIP/2.0 2"), "an untrusted source must never get a 2xx: \(statusLine)")
            }
            #expect(answers >= 20, "the well-formed requests get answers (got \(answers))")

            for (name, data) in messages {
                let tcp = try RawSocket(type: SOCK_STREAM, bindTo: "127.0.0.2")
                try tcp.connect(to: gateway.sipPort)
                try? tcp.send(data)   // the gateway may close the connection on a bad message: fine
                _ = tcp.receive(timeout: 0.2)
                tcp.close()
                _ = name
            }

            #expect(gateway.process.isRunning, "the gateway died: \(gateway.allLines.suffix(20))")
            let options = try SIPp.run("uac_options.xml", port: gateway.sipPort)
            #expect(options.succeeded, "OPTIONS after the corpus: \(options.output)")
            let call = try SIPp.run("uac_call.xml", port: gateway.sipPort, holdMilliseconds: 1000)
            #expect(call.succeeded, "a call after the corpus: \(call.output)")
            let refused = try await gateway.metric("voicegate_sip_refusals_total", labels: "reason=\"untrusted_source\"") ?? 0
            // RFC 4475 §3.1.1 has 13 valid requests: each must have reached admission and been refused.
            #expect(refused >= 13, "refused \(refused)")
            #expect(gateway.stop() == 0)
        }
    }
}

/// A plain socket for sending raw bytes that no SIP stack would produce.
final class RawSocket {
    private(set) var fd: Int32

    init(type: __socket_type, bindTo address: String) throws {
        fd = socket(AF_INET, Int32(type.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        var addr = RawSocket.address(address, port: 0)
        let ok = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard ok == 0 else { throw POSIXError(.EADDRNOTAVAIL) }
    }

    static func address(_ ip: String, port: Int) -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr(ip)
        return addr
    }

    func send(_ data: Data, to port: Int) throws {
        var addr = RawSocket.address("127.0.0.1", port: port)
        let sent = data.withUnsafeBytes { raw in
            withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(fd, raw.baseAddress, raw.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        }
        guard sent == data.count else { throw POSIXError(.EIO) }
    }

    func connect(to port: Int) throws {
        var addr = RawSocket.address("127.0.0.1", port: port)
        let ok = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard ok == 0 else { throw POSIXError(.ECONNREFUSED) }
    }

    func send(_ data: Data) throws {
        let sent = data.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == data.count else { throw POSIXError(.EPIPE) }
    }

    /// One datagram or read, or nil when nothing arrives within the timeout.
    func receive(timeout: TimeInterval) -> Data? {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&pfd, 1, Int32(timeout * 1000)) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let n = recv(fd, &buffer, buffer.count, 0)
        return n > 0 ? Data(buffer[0..<n]) : nil
    }

    func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    deinit { close() }
}

import Foundation

/// A plain socket for sending raw bytes that no SIP stack would produce.
final class RawSocket {
    struct BindFailure: Error, CustomStringConvertible {
        let address: String
        let port: Int
        let errno: Int32
        var description: String { "cannot bind \(address):\(port): \(String(cString: strerror(errno)))" }
    }

    /// What one read brought.
    enum Read {
        case data(Data)
        /// Nothing within the timeout.
        case timedOut
        /// The peer closed the connection (stream sockets) or reset it.
        case closed
    }

    private(set) var fd: Int32

    /// A socket bound to `address` and `port` (0: any free port). Address reuse is on, so a port a
    /// test used a moment ago (5060, say) can be bound again while the kernel still remembers it.
    init(type: __socket_type, bindTo address: String, port: Int = 0) throws {
        fd = socket(AF_INET, Int32(type.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = RawSocket.address(address, port: port)
        let ok = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard ok == 0 else {
            let error = errno
            Glibc.close(fd)
            throw BindFailure(address: address, port: port, errno: error)
        }
    }

    static func address(_ ip: String, port: Int) -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr(ip)
        return addr
    }

    /// The port the socket is bound to.
    var localPort: Int {
        var addr = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: addr.sin_port))
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
        if case .data(let data) = read(timeout: timeout) { return data }
        return nil
    }

    /// One datagram or read, telling a timeout from a closed connection.
    func read(timeout: TimeInterval) -> Read {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&pfd, 1, Int32(timeout * 1000)) == 1 else { return .timedOut }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let n = recv(fd, &buffer, buffer.count, 0)
        return n > 0 ? .data(Data(buffer[0..<n])) : .closed
    }

    func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    deinit { close() }
}

import Foundation
import CMicroHTTPD

/// An HTTP listener on libmicrohttpd, which parses HTTP and runs its own polling thread; requests
/// are handed to `handler` on that thread, one Swift call per complete request. Handlers must not
/// call pjproject (that thread is not registered with pjlib): they read state that is safe from
/// any thread or hand work to the SIP control thread.
public final class HTTPServer: @unchecked Sendable {
    public typealias Handler = @Sendable (HTTPRequest) -> HTTPResponse

    /// Request bodies above this are refused with 413 (the admin API takes small JSON bodies).
    static let maxBodyBytes = 1 << 20

    private var daemon: OpaquePointer?
    fileprivate let handler: Handler
    public private(set) var port: Int = 0

    public struct StartError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Binds address:port (port 0 picks a free one, read back from `port`) and starts serving.
    public init(address: String, port: Int, handler: @escaping Handler) throws {
        self.handler = handler
        var storage = sockaddr_storage()
        try withUnsafeMutableBytes(of: &storage) { raw in
            if address.contains(":") {
                var sin6 = sockaddr_in6()
                sin6.sin6_family = sa_family_t(AF_INET6)
                sin6.sin6_port = in_port_t(UInt16(port).bigEndian)
                guard inet_pton(AF_INET6, address, &sin6.sin6_addr) == 1 else { throw StartError(description: "'\(address)' is not an address") }
                withUnsafeBytes(of: sin6) { raw.copyMemory(from: $0) }
                return
            }
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = in_port_t(UInt16(port).bigEndian)
            guard inet_pton(AF_INET, address, &sin.sin_addr) == 1 else { throw StartError(description: "'\(address)' is not an address") }
            withUnsafeBytes(of: sin) { raw.copyMemory(from: $0) }
        }
        let me = Unmanaged.passUnretained(self).toOpaque()
        daemon = withUnsafePointer(to: &storage) { ptr in
            ptr.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                cmhd_start(sa, accessHandler, me, requestCompleted, nil, 256, 30)
            }
        }
        guard let daemon else {
            throw StartError(description: "cannot listen for HTTP on \(address):\(port) (address in use, or not this machine's)")
        }
        self.port = Int(cmhd_bound_port(daemon))
    }

    /// Stops accepting and closes every connection; waits for the server thread.
    public func stop() {
        if let daemon { MHD_stop_daemon(daemon) }
        daemon = nil
    }

    deinit { stop() }
}

/// Per-connection state across libmicrohttpd's calls for one request: it calls the handler once
/// to start, then once per chunk of body, then once more with no data when the body is complete.
private final class PendingRequest {
    var body: [UInt8] = []
    var tooLarge = false
}

private let accessHandler: MHD_AccessHandlerCallback = { cls, connection, url, method, _, uploadData, uploadSize, conCls in
    guard let cls, let connection, let conCls, let uploadSize else { return .NO }
    if conCls.pointee == nil {
        conCls.pointee = Unmanaged.passRetained(PendingRequest()).toOpaque()
        return .YES
    }
    let pending = Unmanaged<PendingRequest>.fromOpaque(conCls.pointee!).takeUnretainedValue()
    if uploadSize.pointee > 0 {
        let size = Int(uploadSize.pointee)
        if pending.body.count + size > HTTPServer.maxBodyBytes {
            pending.tooLarge = true
        } else if let uploadData {
            uploadData.withMemoryRebound(to: UInt8.self, capacity: size) { pending.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: size)) }
        }
        uploadSize.pointee = 0
        return .YES
    }
    let server = Unmanaged<HTTPServer>.fromOpaque(cls).takeUnretainedValue()
    let response: HTTPResponse
    if pending.tooLarge {
        response = .error(413, code: "body_too_large", message: "request bodies are limited to \(HTTPServer.maxBodyBytes) bytes")
    } else {
        let request = HTTPRequest(method: method.map { String(cString: $0) } ?? "GET",
                                  path: url.map { String(cString: $0) } ?? "/",
                                  query: collect(connection, .GET_ARGUMENT_KIND, lowercase: false),
                                  headers: collect(connection, .HEADER_KIND, lowercase: true),
                                  body: pending.body)
        response = server.handler(request)
    }
    return send(response, on: connection)
}

private let requestCompleted: MHD_RequestCompletedCallback = { _, _, conCls, _ in
    guard let conCls, let pointer = conCls.pointee else { return }
    Unmanaged<PendingRequest>.fromOpaque(pointer).release()
    conCls.pointee = nil
}

private final class KeyValues { var values: [String: String] = [:]; var lowercase = false }

private func collect(_ connection: OpaquePointer, _ kind: MHD_ValueKind, lowercase: Bool) -> [String: String] {
    let box = KeyValues()
    box.lowercase = lowercase
    let opaque = Unmanaged.passUnretained(box).toOpaque()
    MHD_get_connection_values(connection, kind, { cls, _, key, value in
        guard let cls, let key else { return .YES }
        let box = Unmanaged<KeyValues>.fromOpaque(cls).takeUnretainedValue()
        let name = String(cString: key)
        box.values[box.lowercase ? name.lowercased() : name] = value.map { String(cString: $0) } ?? ""
        return .YES
    }, opaque)
    return box.values
}

private func send(_ response: HTTPResponse, on connection: OpaquePointer) -> MHD_Result {
    var body = response.body
    let mhdResponse = body.withUnsafeMutableBytes { raw in
        MHD_create_response_from_buffer(raw.count, raw.baseAddress, .RESPMEM_MUST_COPY)
    }
    guard let mhdResponse else { return .NO }
    MHD_add_response_header(mhdResponse, "Content-Type", response.contentType)
    MHD_add_response_header(mhdResponse, "Cache-Control", "no-store")
    for (name, value) in response.headers { MHD_add_response_header(mhdResponse, name, value) }
    let result = MHD_queue_response(connection, UInt32(response.status), mhdResponse)
    MHD_destroy_response(mhdResponse)
    return result
}

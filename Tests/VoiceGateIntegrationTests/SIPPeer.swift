import Foundation

/// A trunk-like peer on one loopback address: sends raw bytes to the gateway over UDP or TCP and
/// reads what comes back, and closes what an INVITE opened, as a well-behaved caller would.
final class SIPPeer {
    enum Next {
        case message(SIPMessage)
        /// Nothing within the time allowed.
        case nothing
        /// The gateway closed the connection (TCP).
        case closed
    }

    let transport: SIPp.Transport
    let address: String
    let gatewayPort: Int
    private let socket: RawSocket
    private var stream = SIPStreamBuffer()
    private var peerClosed = false

    /// A peer bound to `address` and `port` (0: any); over TCP, connected to the gateway.
    init(transport: SIPp.Transport, address: String, port: Int = 0, gatewayPort: Int) throws {
        self.transport = transport
        self.address = address
        self.gatewayPort = gatewayPort
        socket = try RawSocket(type: transport == .udp ? SOCK_DGRAM : SOCK_STREAM, bindTo: address, port: port)
        if transport == .tcp { try socket.connect(to: gatewayPort) }
    }

    var localPort: Int { socket.localPort }

    func send(_ data: Data) throws {
        if transport == .udp { try socket.send(data, to: gatewayPort) } else { try socket.send(data) }
    }

    func close() { socket.close() }

    /// The next message from the gateway.
    func next(timeout: TimeInterval) -> Next {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let message = stream.next() { return .message(message) }
            if peerClosed { return .closed }
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { return .nothing }
            switch socket.read(timeout: remaining) {
            case .timedOut: return .nothing
            case .closed: peerClosed = true
            case .data(let data):
                // A datagram is one message; the stream buffer frames it all the same.
                stream.append(data)
            }
        }
    }

    /// The first final response (to requests with `cseqMethod`, when given). `quiet` is how long
    /// silence means "nothing is coming"; a provisional response extends the wait to `final`.
    func finalResponse(cseqMethod: String? = nil, quiet: TimeInterval, final: TimeInterval = 5) -> Next {
        var deadline = Date().addingTimeInterval(quiet)
        while true {
            switch next(timeout: max(0, deadline.timeIntervalSinceNow)) {
            case .message(let message):
                guard message.status != nil, cseqMethod == nil || message.cseq?.method == cseqMethod else { continue }
                if message.isFinal { return .message(message) }
                deadline = Date().addingTimeInterval(final)
            case let other:
                return other
            }
        }
    }

    /// Ends what an INVITE's final response left open: after a 2xx an ACK and a BYE (whose answer
    /// it waits for), after a refusal the ACK that stops its retransmissions. Returns the BYE's
    /// status, or nil when there was no BYE to send or it went unanswered.
    @discardableResult
    func endDialog(after response: SIPMessage) throws -> Int? {
        guard let cseq = response.cseq, cseq.method == "INVITE", let status = response.status,
              let from = response.header("From"), let to = response.header("To"), let callID = response.header("Call-ID") else { return nil }
        guard (200..<300).contains(status) else {
            // RFC 3261 17.1.1.3: the ACK of a refusal carries the INVITE's Via, so the server
            // transaction matches it (pjsip keys RFC 2543 transactions by sent-by too).
            guard let via = response.header("Via") else { return nil }
            try send(request("ACK", cseq: cseq.number, via: via, from: from, to: to, callID: callID))
            return nil
        }
        try send(request("ACK", cseq: cseq.number, via: freshVia(), from: from, to: to, callID: callID))
        try send(request("BYE", cseq: cseq.number + 1, via: freshVia(), from: from, to: to, callID: callID))
        if case .message(let answer) = finalResponse(cseqMethod: "BYE", quiet: 5) { return answer.status }
        return nil
    }

    /// A well-formed OPTIONS, as trunks ping with; the status of its answer, nil without one.
    func ping() throws -> Int? {
        let tag = UUID().uuidString
        try send(request("OPTIONS", cseq: 1, via: freshVia(), from: "<sip:torture@\(address)>;tag=\(tag)",
                         to: "<sip:127.0.0.1:\(gatewayPort)>", callID: "\(tag)@\(address)"))
        if case .message(let answer) = finalResponse(cseqMethod: "OPTIONS", quiet: 5) { return answer.status }
        return nil
    }

    private func freshVia() -> String {
        "SIP/2.0/\(transport == .udp ? "UDP" : "TCP") \(address):\(localPort);rport;branch=z9hG4bK-\(UUID().uuidString)"
    }

    private func request(_ method: String, cseq: Int, via: String, from: String, to: String, callID: String) -> Data {
        Data(("\(method) sip:voicegate@127.0.0.1:\(gatewayPort) SIP/2.0\r\n" +
              "Via: \(via)\r\nMax-Forwards: 70\r\nFrom: \(from)\r\nTo: \(to)\r\nCall-ID: \(callID)\r\n" +
              "CSeq: \(cseq) \(method)\r\nContent-Length: 0\r\n\r\n").utf8)
    }
}

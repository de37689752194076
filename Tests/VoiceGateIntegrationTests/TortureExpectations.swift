import Foundation

/// What the gateway did with one RFC 4475 message.
enum TortureAnswer: CustomStringConvertible {
    /// Its final response (provisional ones aside).
    case status(Int, String)
    /// No response within the wait, connection (if any) still open.
    case nothing
    /// The gateway closed the TCP connection without a response.
    case closed

    var description: String {
        switch self {
        case .status(let code, let reason): return "\(code) \(reason)"
        case .nothing: return "nothing"
        case .closed: return "connection closed"
        }
    }
}

/// What ../shared/corpus/rfc4475/README.md says the gateway must answer to one message.
enum TortureExpectation: CustomStringConvertible {
    /// A final response with a status not in `never` ("processed", "be liberal and process").
    case answered(never: Set<Int>)
    /// A final response with one of these statuses.
    case oneOf(Set<Int>)
    /// One of these statuses, or no response at all.
    case oneOfOrDropped(Set<Int>)
    /// No response: the message is a response to nothing, or unusable on this transport.
    case dropped
    /// The connection closed without a response.
    case closed
    /// On a stream the message is not complete: the gateway waits for the rest, so no response
    /// comes (closing the connection is fine too).
    case incomplete

    func accepts(_ answer: TortureAnswer) -> Bool {
        switch (self, answer) {
        case (.answered(let never), .status(let code, _)): return !never.contains(code)
        case (.oneOf(let codes), .status(let code, _)), (.oneOfOrDropped(let codes), .status(let code, _)): return codes.contains(code)
        case (.oneOfOrDropped, .nothing), (.dropped, .nothing), (.closed, .closed), (.incomplete, .nothing), (.incomplete, .closed): return true
        default: return false
        }
    }

    var description: String {
        switch self {
        case .answered(let never): return never.isEmpty ? "any final response" : "a final response but \(never.sorted())"
        case .oneOf(let codes): return "\(codes.sorted())"
        case .oneOfOrDropped(let codes): return "\(codes.sorted()) or nothing"
        case .dropped: return "nothing"
        case .closed: return "connection closed"
        case .incomplete: return "nothing (incomplete on a stream)"
        }
    }
}

/// One row of the README's table, per file, with what holds on each transport, and the README
/// expectations the gateway is known not to meet, with the reason they are left.
struct TortureCase {
    let file: String
    let udp: TortureExpectation
    let tcp: TortureExpectation
    let gapUDP: String?
    let gapTCP: String?

    init(_ file: String, _ both: TortureExpectation, tcp: TortureExpectation? = nil, gap: String? = nil, gapTCP: String? = nil, gapUDP: String? = nil) {
        self.file = file
        self.udp = both
        self.tcp = tcp ?? both
        self.gapUDP = gapUDP ?? gap
        self.gapTCP = gapTCP ?? gap
    }

    func expected(over transport: SIPp.Transport) -> TortureExpectation { transport == .udp ? udp : tcp }
    func gap(over transport: SIPp.Transport) -> String? { transport == .udp ? gapUDP : gapTCP }
}

/// The README's table, file by file. On TCP three messages are not complete by RFC 3261 18.3's
/// framing (no Content-Length, a Content-Length beyond the bytes sent, no blank line after the
/// headers as the corpus stores baddn): the gateway waits for the rest, as RFC 4475 says of clerr
/// on a stream. The corpus's responses (bcast, unreason, noreason, scalarlg, bigcode)
/// answer nothing the gateway sent: processing one is dropping it (RFC 3261 18.1.2).
enum TortureTable {
    /// pjsip's parser rejects these before any module sees them (sip_transport.c). The gateway
    /// answers such a request from what the parser did read (vg_parse_errors.c); these lack the
    /// very parts a response is made of.
    static let parserDrops = "pjsip's parser cannot read what a response is built from (the Request-Line, Via, To or CSeq); "
        + "answering anyway would mean parsing SIP text by hand, so it is dropped (vg_parse_errors.c answers the rest)"

    static let cases: [TortureCase] = [
        // 3.1.1 valid: parsed and processed like any request (a response, never 400).
        TortureCase("wsinv", .answered(never: [400])),
        TortureCase("intmeth", .answered(never: [400])),
        TortureCase("esc01", .answered(never: [400])),
        TortureCase("escnull", .answered(never: [400])),
        TortureCase("esc02", .answered(never: [400])),
        TortureCase("lwsdisp", .answered(never: [400])),
        TortureCase("longreq", .answered(never: [400])),
        TortureCase("dblreq", .answered(never: [400])),   // the peer reads the first request's answer only
        TortureCase("semiuri", .answered(never: [400])),
        TortureCase("transports", .answered(never: [400])),
        TortureCase("mpart01", .answered(never: [400])),
        TortureCase("unreason", .dropped),
        TortureCase("noreason", .dropped),
        // 3.1.2 invalid: 400 Bad Request (over UDP clerr may also be dropped).
        TortureCase("badinv01", .oneOf([400]), gap: parserDrops + " (Via and Contact)"),
        TortureCase("clerr", .oneOfOrDropped([400]), tcp: .incomplete),
        TortureCase("scalar02", .oneOf([400]), gap: parserDrops + " (CSeq beyond 2^32)"),
        TortureCase("quotbal", .oneOf([400]), gap: parserDrops + " (To)"),
        TortureCase("lwsruri", .oneOf([400]), gap: parserDrops + " (Request-Line)"),
        TortureCase("mismatch01", .oneOf([400])),
        // 3.1.2 invalid: 400, or be liberal and process.
        TortureCase("ltgtruri", .answered(never: []), gap: parserDrops + " (Request-Line)"),
        TortureCase("lwsstart", .answered(never: [])),
        TortureCase("trws", .answered(never: [])),
        TortureCase("escruri", .answered(never: [])),
        TortureCase("baddate", .answered(never: [])),
        TortureCase("regbadct", .answered(never: [])),
        TortureCase("badaspec", .answered(never: [])),
        TortureCase("baddn", .answered(never: []), tcp: .incomplete),
        // 3.1.2 invalid: negative Content-Length: discard over UDP, close the connection over TCP.
        TortureCase("ncl", .dropped, tcp: .closed,
                    gapTCP: "pjsip's stream framing takes an unreadable Content-Length for more data to come and keeps the "
                        + "connection open (its close-on-silence timer, PJSIP_TCP_INITIAL_TIMEOUT, is compile-time and off, "
                        + "and stops at the first byte anyway)"),
        TortureCase("badvers", .oneOf([505]), gap: parserDrops + " (SIP/7.0 in the Request-Line, so no 505)"),
        TortureCase("mismatch02", .oneOf([501, 400])),
        // 3.1.2 invalid responses: dropped silently.
        TortureCase("scalarlg", .dropped),
        TortureCase("bigcode", .dropped),
        // 3.2 transaction layer.
        TortureCase("badbranch", .answered(never: [400])),
        // 3.3 application layer.
        TortureCase("insuf", .oneOf([400]),
                    gap: "pjsip's transport layer drops a message without From, To or Call-ID before any module (a response could not carry them anyway)"),
        TortureCase("multi01", .oneOf([400])),
        TortureCase("mcl01", .oneOf([400])),
        TortureCase("unkscm", .oneOf([416]), gap: parserDrops + " (pjsip parses no URI scheme it has no parser for, so no 416)"),
        TortureCase("novelsc", .answered(never: [400]), gap: parserDrops + " (pjsip parses no URI scheme it has no parser for, so no 416)"),
        TortureCase("unksm2", .answered(never: [400])),
        TortureCase("bext01", .oneOf([420])),
        TortureCase("invut", .oneOf([415])),
        TortureCase("regaut01", .answered(never: [400])),
        TortureCase("bcast", .dropped),
        TortureCase("zeromf", .answered(never: [400])),
        TortureCase("cparam01", .answered(never: [400])),
        TortureCase("cparam02", .answered(never: [400])),
        TortureCase("regescrt", .answered(never: [400])),
        TortureCase("sdp01", .answered(never: [400])),
        // 3.4 backward compatibility.
        TortureCase("inv2543", .answered(never: [400]), tcp: .incomplete),
    ]
}

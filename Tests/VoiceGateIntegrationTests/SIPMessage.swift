import Foundation

/// A SIP message as the tests read the gateway's answers: start line, header lines, body. pjsip
/// writes full header names, one per line, so that is all this reads.
struct SIPMessage: CustomStringConvertible {
    let startLine: String
    let headers: [(name: String, value: String)]
    let body: Data

    /// Splits one whole message; nil when the header section does not end.
    init?(_ data: Data) {
        guard let end = data.range(of: Data("\r\n\r\n".utf8)) else { return nil }
        let lines = String(decoding: data[data.startIndex..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        startLine = lines.first ?? ""
        headers = lines.dropFirst().compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]).trimmingCharacters(in: .whitespaces),
                    String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
        }
        body = Data(data[end.upperBound...])
    }

    /// The status of a response; nil for a request.
    var status: Int? {
        let parts = startLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0] == "SIP/2.0" else { return nil }
        return Int(parts[1])
    }

    /// The reason phrase of a response.
    var reason: String {
        let parts = startLine.split(separator: " ", maxSplits: 2)
        return parts.count == 3 ? String(parts[2]) : ""
    }

    var isFinal: Bool { (status ?? 0) >= 200 }

    /// The first value of a header, by its full name in any case.
    func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// CSeq's number and method.
    var cseq: (number: Int, method: String)? {
        let parts = (header("CSeq") ?? "").split(separator: " ")
        guard parts.count == 2, let number = Int(parts[0]) else { return nil }
        return (number, String(parts[1]))
    }

    var description: String { startLine }
}

/// Cuts a byte stream into SIP messages by Content-Length (RFC 3261 18.3), as a peer on a stream
/// transport must.
struct SIPStreamBuffer {
    private var bytes = Data()

    mutating func append(_ data: Data) { bytes.append(data) }

    /// The next whole message, if the buffer holds one.
    mutating func next() -> SIPMessage? {
        while bytes.starts(with: Data("\r\n".utf8)) { bytes.removeFirst(2) }   // keep-alives
        guard let end = bytes.range(of: Data("\r\n\r\n".utf8)),
              let head = SIPMessage(bytes[bytes.startIndex..<end.upperBound]) else { return nil }
        let length = Int(head.header("Content-Length") ?? "0") ?? 0
        let total = end.upperBound - bytes.startIndex + length
        guard bytes.count >= total else { return nil }
        let message = SIPMessage(Data(bytes.prefix(total)))
        bytes.removeFirst(total)
        return message
    }
}

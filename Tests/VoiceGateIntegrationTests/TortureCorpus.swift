import Foundation

/// The RFC 4475 messages in ../shared/corpus/rfc4475, byte for byte.
enum TortureCorpus {
    static let folder = Paths.corpus.appendingPathComponent("rfc4475")

    /// Every message, by file name without ".dat", sorted.
    static func messages() throws -> [(name: String, data: Data)] {
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".dat") }.sorted()
        return try files.map { (String($0.dropLast(4)), try Data(contentsOf: folder.appendingPathComponent($0))) }
    }

    /// The key under which pjsip would file the server transaction a message opens: its branch and
    /// CSeq method, INVITE and ACK sharing one (sip_transaction.c, create_tsx_key_3261). RFC 3261
    /// 17.2.3 matches on the sent-by too; pjsip does not, and the corpus reuses branches
    /// (z9hG4bKkdjuw in 22 messages), so one message would be taken for another's retransmission
    /// while the first transaction lives (up to 32 s over UDP). Without an RFC 3261 branch pjsip
    /// adds Call-ID and sent-by, which no two messages share: the file name stands in.
    static func transactionKey(name: String, data: Data) -> String {
        let text = String(decoding: data, as: UTF8.self)
        guard let branch = firstMatch(#"(?i)branch\s*=\s*(z9hG4bK[^;,\s]*)"#, in: text) else { return name }
        let method = firstMatch(#"(?im)^cseq\s*:\s*\d+\s+(\S+)"#, in: text) ?? ""
        return "\(branch) \(method == "ACK" ? "INVITE" : method)"
    }

    /// The messages in rounds that share no transaction key, each round for a gateway of its own:
    /// the n-th message with a key goes to round n.
    static func rounds(_ messages: [(name: String, data: Data)]) -> [[(name: String, data: Data)]] {
        var seen: [String: Int] = [:]
        var rounds: [[(name: String, data: Data)]] = []
        for message in messages {
            let key = transactionKey(name: message.name, data: message.data)
            let round = seen[key, default: 0]
            seen[key] = round + 1
            if rounds.count <= round { rounds.append([]) }
            rounds[round].append(message)
        }
        return rounds
    }

    private static func firstMatch(_ pattern: String, in text: String) -> String? {
        guard let regex = try? NSRegularExpression(pattern: pattern),
              let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
              let range = Range(match.range(at: 1), in: text) else { return nil }
        return String(text[range])
    }
}

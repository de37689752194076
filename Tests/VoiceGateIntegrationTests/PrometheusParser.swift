import Foundation

/// A /metrics text read by a real Prometheus parser, not by ours: Debian's python3-prometheus-client
/// (deploy/setup.sh installs it). Its families are what a scraper would see.
struct PrometheusFamilies {
    struct Sample {
        let name: String
        let labels: [String: String]
        let value: Double
    }
    struct Family {
        /// As the parser names it: a counter's without `_total`.
        let name: String
        let type: String
        let samples: [Sample]
    }

    struct ParseFailure: Error, CustomStringConvertible { let description: String }

    let families: [Family]

    /// Debian's interpreter, not the first python3 on PATH: the Debian package installs into
    /// /usr/lib/python3/dist-packages, which only /usr/bin/python3 reads (a pyenv one would not).
    static let python = "/usr/bin/python3"

    private static let script = """
        import json, sys
        from prometheus_client.parser import text_string_to_metric_families
        out = []
        for f in text_string_to_metric_families(sys.stdin.read()):
            out.append({"name": f.name, "type": f.type,
                        "samples": [{"name": s.name, "labels": s.labels, "value": str(s.value)} for s in f.samples]})
        json.dump(out, sys.stdout)
        """

    /// Parses `text`; throws with the parser's own error when it refuses the text.
    init(_ text: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python)
        process.arguments = ["-c", Self.script]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Written from a thread while the output is read, so no pipe buffer can fill up and stall both.
        let writer = Thread { input.fileHandleForWriting.write(Data(text.utf8)); try? input.fileHandleForWriting.close() }
        writer.start()
        let stdout = output.fileHandleForReading.readDataToEndOfFile()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ParseFailure(description: "prometheus_client refused /metrics (python3-prometheus-client installed? see deploy/setup.sh): "
                                          + String(decoding: stderr, as: UTF8.self))
        }
        let json = try JSONSerialization.jsonObject(with: stdout) as? [[String: Any]] ?? []
        families = json.map { f in
            Family(name: f["name"] as? String ?? "", type: f["type"] as? String ?? "",
                   samples: (f["samples"] as? [[String: Any]] ?? []).map { s in
                       Sample(name: s["name"] as? String ?? "", labels: s["labels"] as? [String: String] ?? [:],
                              value: Double(s["value"] as? String ?? "") ?? .nan)
                   })
        }
    }

    func family(_ name: String) -> Family? { families.first { $0.name == name } }

    /// The value of the sample `name` whose labels include `labels`.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        families.lazy.flatMap(\.samples).first { sample in
            sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value }
        }?.value
    }

    /// Every sample name (`voicegate_calls_total`, `voicegate_bot_latency_seconds_bucket`, ...).
    var sampleNames: Set<String> { Set(families.flatMap { $0.samples.map(\.name) }) }
}

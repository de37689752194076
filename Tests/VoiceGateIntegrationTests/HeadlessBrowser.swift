import Foundation

/// Debian's Chromium, headless, as a subprocess (deploy/setup.sh installs it): loads a URL, lets
/// its scripts run for a budget of virtual time (timers fire; virtual time waits while fetches are
/// pending, so a poll's answer lands before the budget runs on), then prints the DOM or writes a
/// screenshot. Each run gets a fresh profile in a temporary folder: no storage carries over.
/// CHROMIUM overrides the binary.
enum HeadlessBrowser {
    struct Failure: Error, CustomStringConvertible { let description: String }

    static var executable: String { ProcessInfo.processInfo.environment["CHROMIUM"] ?? "/usr/bin/chromium" }

    /// The DOM after `virtualTimeMilliseconds` of the page's time, serialized as HTML.
    static func dumpDOM(_ url: String, virtualTimeMilliseconds: Int = 4000, timeout: TimeInterval = 60) throws -> DumpedDOM {
        let (out, _) = try run(["--virtual-time-budget=\(virtualTimeMilliseconds)", "--dump-dom", url], timeout: timeout)
        let html = String(decoding: out, as: UTF8.self)
        guard html.contains("<html") else { throw Failure(description: "chromium printed no DOM for \(url)") }
        return DumpedDOM(html: html)
    }

    /// A PNG of the page after `virtualTimeMilliseconds`, written to `path`.
    static func screenshot(_ url: String, to path: URL, width: Int = 1280, height: Int = 1000,
                           virtualTimeMilliseconds: Int = 4000, timeout: TimeInterval = 60) throws {
        try? FileManager.default.removeItem(at: path)
        _ = try run(["--virtual-time-budget=\(virtualTimeMilliseconds)", "--hide-scrollbars", "--window-size=\(width),\(height)",
                     "--screenshot=\(path.path)", url], timeout: timeout)
        guard FileManager.default.fileExists(atPath: path.path) else { throw Failure(description: "chromium wrote no screenshot of \(url)") }
    }

    /// Runs chromium under coreutils `timeout`, which puts it in a process group of its own and
    /// signals the whole group (the browser's helper processes too) when time is up.
    private static func run(_ arguments: [String], timeout: TimeInterval) throws -> (Data, String) {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw Failure(description: "no \(executable): run deploy/setup.sh (it installs chromium), or set CHROMIUM")
        }
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("voicegate-chromium-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: profile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["-k", "5", String(Int(timeout.rounded(.up))), executable,
                             "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
                             "--disable-dev-shm-usage", "--disable-extensions", "--disable-background-networking",
                             "--disable-component-update", "--disable-sync", "--mute-audio",
                             "--user-data-dir=\(profile.path)"] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let collected = Collected()
        let readers = [PipeReader(out) { collected.append($0, toOutput: true) },
                       PipeReader(err) { collected.append($0, toOutput: false) }]
        try process.run()
        process.waitUntilExit()
        for reader in readers { reader.waitForEnd(timeout: 10) }
        let (stdout, stderr) = collected.contents
        guard process.terminationStatus == 0 else {
            throw Failure(description: "chromium exited with \(process.terminationStatus)\(process.terminationStatus == 124 ? " (timed out)" : ""): \(stderr.suffix(2000))")
        }
        return (stdout, stderr)
    }

    private final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var stdout = Data(), stderr = Data()
        func append(_ data: Data, toOutput: Bool) {
            lock.lock(); defer { lock.unlock() }
            if toOutput { stdout.append(data) } else { stderr.append(data) }
        }
        var contents: (Data, String) {
            lock.lock(); defer { lock.unlock() }
            return (stdout, String(decoding: stderr, as: UTF8.self))
        }
    }
}

/// A dumped DOM, searched as text: Chromium serializes attributes as `name="value"` with `&`,
/// `"`, `<` and `>` escaped, which is all these tests need (no HTML parser).
struct DumpedDOM: CustomStringConvertible {
    let html: String

    struct Element {
        let attributes: [String: String]
        /// The markup between the opening tag and the next closing tag of the same name (the
        /// elements searched here do not nest in themselves).
        let inner: String
        /// `inner` without tags, unescaped.
        var text: String { DumpedDOM.unescape(inner.replacingOccurrences(of: "<[^>]*>", with: "", options: .regularExpression)) }
    }

    var description: String { html }

    /// Every `tag` element whose attributes include all of `matching` (a nil value: present with
    /// any value), in document order.
    func elements(_ tag: String, _ matching: [String: String?] = [:]) -> [Element] {
        let regex = try! NSRegularExpression(pattern: "<\(tag)(\\s[^>]*)?>")
        let text = html as NSString
        return regex.matches(in: html, range: NSRange(location: 0, length: text.length)).compactMap { m in
            let attributes = m.range(at: 1).location == NSNotFound ? [:] : DumpedDOM.attributes(text.substring(with: m.range(at: 1)))
            for (name, value) in matching {
                guard let actual = attributes[name] else { return nil }
                if let value, actual != value { return nil }
            }
            let start = m.range.location + m.range.length
            let close = text.range(of: "</\(tag)>", range: NSRange(location: start, length: text.length - start))
            let end = close.location == NSNotFound ? text.length : close.location
            return Element(attributes: attributes, inner: text.substring(with: NSRange(location: start, length: end - start)))
        }
    }

    /// The first element, or nil.
    func element(_ tag: String, _ matching: [String: String?] = [:]) -> Element? { elements(tag, matching).first }

    /// The body's attributes (`data-view`, `data-ready`).
    var body: [String: String] {
        guard let r = html.range(of: "<body[^>]*>", options: .regularExpression) else { return [:] }
        return DumpedDOM.attributes(String(html[r].dropFirst(5).dropLast()))
    }

    static func attributes(_ text: String) -> [String: String] {
        let regex = try! NSRegularExpression(pattern: #"([A-Za-z_:][-A-Za-z0-9_:.]*)(?:="([^"]*)")?"#)
        let ns = text as NSString
        var result: [String: String] = [:]
        for m in regex.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
            let name = ns.substring(with: m.range(at: 1))
            result[name] = m.range(at: 2).location == NSNotFound ? "" : unescape(ns.substring(with: m.range(at: 2)))
        }
        return result
    }

    static func unescape(_ s: String) -> String {
        s.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&nbsp;", with: "\u{a0}")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}

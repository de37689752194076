import Foundation
import VoiceGateCore
import VoiceGateTelephony

/// Writes log lines to standard error, one `ts=... level=... event=...` line each, whole lines
/// only (one write call per line, under a lock) so lines from several threads never interleave.
final class StderrLog: LogSink, @unchecked Sendable {
    private let minimum: LogLine.Level
    private let lock = NSLock()

    init(minimum: LogLine.Level) { self.minimum = minimum }

    func write(_ line: LogLine) {
        guard line.level >= minimum else { return }
        let text = "ts=\(StderrLog.timestamp()) \(line)\n"
        lock.lock()
        defer { lock.unlock() }
        text.utf8CString.withUnsafeBufferPointer { buf in
            var offset = 0
            let count = buf.count - 1   // without the NUL
            while offset < count {
                let n = Foundation.write(2, buf.baseAddress! + offset, count - offset)
                if n <= 0 { break }
                offset += n
            }
        }
    }

    private static func timestamp() -> String {
        var tv = timeval()
        gettimeofday(&tv, nil)
        var t = time_t(tv.tv_sec)
        var parts = tm()
        gmtime_r(&t, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                      parts.tm_hour, parts.tm_min, parts.tm_sec, Int(tv.tv_usec / 1000))
    }
}

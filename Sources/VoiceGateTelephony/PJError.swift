import CPJProject

/// A pjproject call that failed: which operation, pjlib's status code and its text.
public struct PJError: Error, CustomStringConvertible, Sendable {
    public let operation: String
    public let status: Int32
    public let message: String

    init(_ operation: String, _ status: pj_status_t) {
        self.operation = operation
        self.status = status
        var buffer = [CChar](repeating: 0, count: 160)
        let text = buffer.withUnsafeMutableBufferPointer { buf -> String in
            let s = pj_strerror(status, buf.baseAddress, pj_size_t(buf.count))
            return String(pjString: s)
        }
        self.message = text
    }

    public var description: String { "\(operation) failed: \(message) (status \(status))" }
}

/// Throws a PJError unless status is PJ_SUCCESS.
func check(_ status: pj_status_t, _ operation: @autoclosure () -> String) throws(PJError) {
    if status != pj_status_t(PJ_SUCCESS.rawValue) { throw PJError(operation(), status) }
}

extension String {
    /// Copies a pj_str_t, which is not NUL-terminated and may point into a buffer pj reuses.
    init(pjString s: pj_str_t) {
        guard let ptr = s.ptr, s.slen > 0 else { self = ""; return }
        self = String(decoding: UnsafeRawBufferPointer(start: ptr, count: Int(s.slen)), as: UTF8.self)
    }
}

/// C strings for pj_str_t fields, alive as long as the arena. pjsua copies the configuration
/// structures it is given, so an arena only has to outlive the call that takes them.
final class CStringArena {
    private var pointers: [UnsafeMutablePointer<CChar>] = []

    func pj(_ s: String) -> pj_str_t {
        let p = strdup(s)!
        pointers.append(p)
        return pj_str_t(ptr: p, slen: pj_ssize_t(strlen(p)))
    }

    deinit { pointers.forEach { free($0) } }
}

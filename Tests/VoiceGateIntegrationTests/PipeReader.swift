import Foundation

/// Reads a child process's pipe to its end on a thread of its own, handing each chunk to
/// `onData` and, once, empty data at the end.
///
/// Why not `FileHandle.readabilityHandler`: on Linux its dispatch read source can be torn down
/// while libdispatch's event loop still holds its epoll note, and the test process dies with
/// SIGSEGV in `_dispatch_event_loop_drain` (swift-corelibs-libdispatch#949; it killed a CI run
/// here). A blocking read registers nothing with libdispatch.
final class PipeReader: @unchecked Sendable {
    private let ended = DispatchSemaphore(value: 0)

    init(_ pipe: Pipe, onData: @escaping @Sendable (Data) -> Void) {
        // The thread holds the handle, so its descriptor stays open until the read loop is done.
        let handle = pipe.fileHandleForReading
        let ended = self.ended
        let thread = Thread {
            while let data = PipeReader.readSome(handle) { onData(data) }
            onData(Data())
            ended.signal()
        }
        thread.name = "pipe-reader"
        thread.start()
    }

    /// What one read(2) returns (whatever is there, up to 64 KiB), or nil at the end or on an
    /// error. `FileHandle.read(upToCount:)` would wait for all 64 KiB.
    static func readSome(_ handle: FileHandle) -> Data? {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(handle.fileDescriptor, $0.baseAddress, $0.count) }
            if n > 0 { return Data(buffer[..<n]) }
            if n < 0 && errno == EINTR { continue }
            return nil
        }
    }

    /// Waits until the pipe's end was read (the child and everything it started closed it);
    /// false if it was not within `timeout`.
    @discardableResult
    func waitForEnd(timeout: TimeInterval) -> Bool {
        guard ended.wait(timeout: .now() + timeout) == .success else { return false }
        ended.signal()   // later waits return at once
        return true
    }
}

import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The URLSession delegate of one `ExternalBotClient`: routes each task's events to its
/// `HTTPExchange`. A delegate (rather than `data(for:)`) because only a delegate sees the body as
/// it arrives, so an oversized reply is cut off instead of read whole into memory.
///
/// The cut is not instant: FoundationNetworking's libcurl keeps reading, and queueing chunks for
/// this delegate, until the cancellation reaches the task's work queue. Over a network that is a
/// few chunks; a bot flooding over loopback at memory speed can make it hundreds of megabytes
/// for a moment. Each task is cancelled once only, because every `cancel()` waits for that same
/// busy work queue.
///
/// Runs on the session's serial delegate queue; `add` is called from senders' threads.
final class ExchangeTable: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let lock = NSLock()
    private var exchanges: [Int: HTTPExchange] = [:]   // guarded by lock; by task identifier

    /// Before the task is resumed, so no event can miss it.
    func add(_ exchange: HTTPExchange, for task: URLSessionTask) {
        lock.lock()
        exchanges[task.taskIdentifier] = exchange
        lock.unlock()
    }

    private func exchange(for task: URLSessionTask, removing: Bool = false) -> HTTPExchange? {
        lock.lock()
        defer { lock.unlock() }
        return removing ? exchanges.removeValue(forKey: task.taskIdentifier) : exchanges[task.taskIdentifier]
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void) {
        let next = exchange(for: dataTask)?.received(response) ?? .stop
        // FoundationNetworking ignores the disposition (documented there), so cancelling is
        // done on the task itself.
        completionHandler(next == .stop ? .cancel : .allow)
        if next == .stop, exchange(for: dataTask)?.markCancelled() ?? true { dataTask.cancel() }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard let exchange = exchange(for: dataTask) else { return }
        if !exchange.received(data) && exchange.markCancelled() { dataTask.cancel() }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void) {
        let exchange = exchange(for: task)
        exchange?.redirected(status: response.statusCode)
        completionHandler(nil)
        if exchange?.markCancelled() ?? true { task.cancel() }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        exchange(for: task, removing: true)?.completed(error: error)
    }
}

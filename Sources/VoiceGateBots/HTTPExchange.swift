import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import VoiceGateCore

/// One POST of one activity, from the request to the reply: gathers the answer as URLSession
/// delivers it and completes exactly once, whichever comes first of the answer, a network error
/// and the timeout. Called from URLSession's delegate queue and the timeout timer, hence the lock.
final class HTTPExchange: @unchecked Sendable {
    /// What `received(_:)` tells the delegate to do with the rest of the answer. After `proceed`
    /// on an exchange that is already done, the first body chunk that still comes ends the task.
    enum Next { case proceed, stop }

    private let lock = NSLock()
    private var body = Data()                                   // guarded by lock
    private var completion: (@Sendable (BotReply) -> Void)?     // guarded by lock; nil once done
    private var cancelled = false                               // guarded by lock
    private let limit: Int
    private let subject: String
    private let label: String
    private let timeoutSeconds: Double

    /// `subject` names the bot in failures (an endpoint already stripped of keys), `label` the
    /// activity (`event SetContext`).
    init(subject: String, label: String, timeoutSeconds: Double, limit: Int,
         completion: @escaping @Sendable (BotReply) -> Void) {
        self.subject = subject
        self.label = label
        self.timeoutSeconds = timeoutSeconds
        self.limit = limit
        self.completion = completion
    }

    /// True the first time only, so the task is cancelled once: `URLSessionTask.cancel()` waits
    /// for the task's work queue, too much to pay again for every chunk a flooding bot still sends.
    func markCancelled() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if cancelled { return false }
        cancelled = true
        return true
    }

    /// The status line and headers are in.
    func received(_ response: URLResponse) -> Next {
        guard let http = response as? HTTPURLResponse else {
            finish(.failure(failure(.unreachable("the answer was not HTTP"))))
            return .stop
        }
        switch http.statusCode {
        case 202, 204:
            // The bot will answer later through the callback path; what the body says is moot.
            finish(.activities([]))
            return .proceed
        case 200..<300:
            if http.expectedContentLength > Int64(limit) {
                finish(.failure(tooLarge()))
                return .stop
            }
            return .proceed
        default:
            // Error pages are not read: nothing in them changes what the gateway does.
            finish(.failure(failure(.httpStatus(http.statusCode))))
            return .stop
        }
    }

    /// The server wants to redirect. Not followed: the bearer secret would go to wherever the
    /// redirect points, and a bot endpoint that moved is a configuration to fix.
    func redirected(status: Int) {
        finish(.failure(failure(.httpStatus(status))))
    }

    /// More of the body; false when reading should stop (done, or the reply is too large).
    func received(_ data: Data) -> Bool {
        lock.lock()
        guard completion != nil else { lock.unlock(); return false }
        if body.count + data.count > limit {
            lock.unlock()
            finish(.failure(tooLarge()))
            return false
        }
        body.append(data)
        lock.unlock()
        return true
    }

    /// URLSession is done with the task: the body is whole, or `error` says why not.
    func completed(error: (any Error)?) {
        if let error {
            finish(.failure(failure(Self.kind(of: error))))
            return
        }
        lock.lock()
        let data = body
        lock.unlock()
        do {
            finish(.activities(try ActivityPayload.activities(from: data)))
        } catch {
            finish(.failure(failure(.malformed(error.description))))
        }
    }

    /// The bot's time is up. True when this ended the exchange (the task should be cancelled).
    @discardableResult
    func timedOut() -> Bool {
        finish(.failure(failure(.timeout)))
    }

    /// Calls the completion unless something already did; true when this call did.
    @discardableResult
    private func finish(_ reply: BotReply) -> Bool {
        lock.lock()
        let completion = self.completion
        self.completion = nil
        body = Data()
        lock.unlock()
        guard let completion else { return false }
        completion(reply)
        return true
    }

    private func tooLarge() -> BotFailure {
        failure(.malformed("the reply is larger than \(limit / 1024) KiB"))
    }

    /// Failure texts are built from fixed phrases, the redacted endpoint and the gateway's own
    /// activity label, never from the request (its headers carry the secret) or the answer.
    private func failure(_ kind: BotFailure.Kind) -> BotFailure {
        let what: String
        switch kind {
        case .timeout:
            what = "no answer to \(label) within \(Self.seconds(timeoutSeconds)) s"
        case .httpStatus(let status):
            what = "answered \(label) with HTTP \(status)"
        case .malformed(let reason):
            what = "answered \(label) with a malformed reply: \(reason)"
        case .unreachable(let reason):
            what = "unreachable for \(label): \(reason)"
        }
        return BotFailure(kind, description: "bot at \(subject) \(what)")
    }

    /// The network error as a failure. URLError's own texts are not used: they may quote the URL,
    /// whose query can hold a key.
    private static func kind(of error: any Error) -> BotFailure.Kind {
        guard let error = error as? URLError else { return .unreachable("network error") }
        switch error.code {
        case .timedOut: return .timeout
        case .cannotConnectToHost: return .unreachable("connection refused")
        case .cannotFindHost, .dnsLookupFailed: return .unreachable("host not found")
        case .networkConnectionLost: return .unreachable("connection closed before the answer")
        case .notConnectedToInternet: return .unreachable("no network")
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
             .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot, .clientCertificateRejected:
            return .unreachable("TLS handshake failed")
        // libcurl reports an answer that is not HTTP/1.x or 2 as an unsupported protocol.
        case .badServerResponse, .cannotParseResponse, .unsupportedURL: return .unreachable("the answer was not HTTP")
        case .badURL: return .unreachable("the endpoint is not a usable URL")
        case .cancelled: return .unreachable("cancelled")
        default: return .unreachable("network error \(error.code.rawValue)")
        }
    }

    private static func seconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}

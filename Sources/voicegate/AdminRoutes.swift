import VoiceGateCore
import VoiceGateTelephony
import VoiceGateHTTP

/// The HTTP routes of the gateway. Runs on libmicrohttpd's thread: reads only thread-safe state.
struct AdminRoutes: Sendable {
    let endpoint: SIPEndpoint
    let metrics: GatewayMetrics

    func handle(_ request: HTTPRequest) -> HTTPResponse {
        switch (request.method, request.path) {
        case ("GET", "/healthz"):
            return endpoint.isRunning ? .json(200, ["status": "ok"]) : .json(503, ["status": "unavailable"])
        case ("GET", "/metrics"):
            // The endpoint counts responses by code in C; copy them in so one renderer writes all.
            for code in 100..<700 {
                let n = endpoint.responsesSent(code)
                if n > 0 { metrics.set("voicegate_sip_responses_total", labels: "code=\"\(code)\"", to: n) }
            }
            let text = metrics.render()
            return .text(200, text, contentType: "text/plain; version=0.0.4; charset=utf-8")
        case (_, "/healthz"), (_, "/metrics"):
            return HTTPResponse.error(405, code: "method_not_allowed", message: "\(request.method) is not allowed on \(request.path)")
        default:
            return .error(404, code: "not_found", message: "no such path: \(request.path)")
        }
    }
}

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
            var text = metrics.render()
            text += "# HELP voicegate_sip_responses_total SIP responses sent, by status code.\n# TYPE voicegate_sip_responses_total counter\n"
            for code in [100, 180, 183, 200, 400, 401, 403, 404, 405, 415, 416, 420, 480, 481, 486, 487, 488, 500, 501, 503, 505] {
                let n = endpoint.responsesSent(code)
                if n > 0 { text += "voicegate_sip_responses_total{code=\"\(code)\"} \(n)\n" }
            }
            return .text(200, text, contentType: "text/plain; version=0.0.4; charset=utf-8")
        case (_, "/healthz"), (_, "/metrics"):
            return HTTPResponse.error(405, code: "method_not_allowed", message: "\(request.method) is not allowed on \(request.path)")
        default:
            return .error(404, code: "not_found", message: "no such path: \(request.path)")
        }
    }
}

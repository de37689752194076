import VoiceGateHTTP

/// The supervisor page at `GET /` and `GET /conversations/{id}` (any id: the page's script reads
/// it from the path). The document holds no data and so needs no token; its script asks
/// `/api/v1/` with the admin token. The headers keep it self-contained (the CSP lets it load
/// nothing from anywhere and talk only to this gateway) and out of caches and other sites' frames;
/// the HTTP server adds `Cache-Control: no-store` to every answer.
struct SupervisorRoutes {
    static let securityHeaders: [(String, String)] = [
        ("Content-Security-Policy", "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
            + "img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
    ]

    private static let body = Array(SupervisorPage.html.utf8)

    /// The page, a 405 for another method on its paths, or nil for any other path.
    static func handle(_ request: HTTPRequest) -> HTTPResponse? {
        guard isPagePath(request.path) else { return nil }
        guard request.method == "GET" || request.method == "HEAD" else {
            var response = HTTPResponse.error(405, code: "method_not_allowed", message: "\(request.method) is not allowed on \(request.path)")
            response.headers.append(("Allow", "GET, HEAD"))
            return response
        }
        return HTTPResponse(status: 200, contentType: "text/html; charset=utf-8", body: body, headers: securityHeaders)
    }

    /// `/`, or `/conversations/` and one non-empty path segment.
    static func isPagePath(_ path: String) -> Bool {
        if path == "/" { return true }
        let prefix = "/conversations/"
        guard path.hasPrefix(prefix) else { return false }
        let id = path.dropFirst(prefix.count)
        return !id.isEmpty && !id.contains("/")
    }
}

import Foundation

extension URL {
    /// The URL as failures may show it: scheme, host, port and path only. Query strings and user
    /// info are dropped because bot platforms put keys there (`?code=...`, `user:key@`).
    var redactedForLogs: String {
        guard var parts = URLComponents(url: self, resolvingAgainstBaseURL: false) else { return "<bot endpoint>" }
        parts.user = nil
        parts.password = nil
        parts.query = nil
        parts.fragment = nil
        return parts.string ?? "<bot endpoint>"
    }
}

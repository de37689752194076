import Foundation

/// What the external-bot call tests share: a gateway whose numbers all go to one external bot,
/// a call placed through it with a script, and the conversation read back once it is closed.
enum ExternalBotHarness {
    /// The number the tests dial and the caller ID they send: both must reach the bot as E.164.
    static let dialed = "+18005550100"
    static let caller = "+14155550123"

    /// A gateway with one external bot, `ext`, at `endpoint`; `bot` adds to or overrides the
    /// bot's fields (secret, timeoutSeconds, apology, onFailure...).
    static func gateway(endpoint: String, bot: [String: Any] = [:]) throws -> GatewayProcess {
        let settings = ["id": "ext", "kind": "external", "endpoint": endpoint, "applicationId": "ext"].merging(bot) { $1 }
        return try GatewayProcess(configuration: [
            "phoneNumbers": [["number": dialed, "bot": "ext"]],
            "bots": [settings],
        ])
    }

    /// Starts `voicegate call` from `caller` to `dialed` with `script`; the caller waits for it.
    static func phone(_ gateway: GatewayProcess, script: String) throws -> SoftphoneProcess {
        try SoftphoneProcess([dialed, "--from", caller, "--gateway", "127.0.0.1:\(gateway.sipPort)", "--script", "s.txt"],
                             files: ["s.txt": script])
    }

    /// The conversation `id` once the store has closed it (nil if it never was).
    static func closed(_ gateway: GatewayProcess, _ id: String) async throws -> [String: Any]? {
        var conversation: [String: Any] = [:]
        let done = try await eventually {
            conversation = try await gateway.api("/api/v1/conversations/\(id)").1
            return conversation["state"] as? String == "closed"
        }
        return done ? conversation : nil
    }

    static func turns(_ conversation: [String: Any]) -> [[String: Any]] {
        conversation["transcript"] as? [[String: Any]] ?? []
    }

    /// The bot's spoken turns, in order.
    static func botMessages(_ conversation: [String: Any]) -> [String] {
        turns(conversation).filter { $0["from"] as? String == "bot" && $0["kind"] as? String == "message" }
            .compactMap { $0["text"] as? String }
    }

    /// The `heard` segments of a softphone's report, as (start, end) in ms from the INVITE.
    static func heard(_ phone: SoftphoneProcess) -> [(start: Double, end: Double)] {
        (phone.report["heard"] as? [[String: Any]] ?? []).map {
            (($0["startMs"] as? NSNumber)?.doubleValue ?? 0, ($0["endMs"] as? NSNumber)?.doubleValue ?? 0)
        }
    }
}

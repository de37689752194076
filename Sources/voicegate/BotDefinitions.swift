import Foundation
import VoiceGateCore

/// Reading the topic bots a configuration names: a file path, or "builtin:demo" (the demo bot
/// shipped in deploy/bots/demo.json, bundled with the binary). I/O here, rules in the core.
enum BotDefinitions {
    struct Problem: Error, CustomStringConvertible { let description: String }

    static func load(_ bots: [BotSettings]) -> Result<[String: BotDefinition], Problem> {
        var out: [String: BotDefinition] = [:]
        var problems: [String] = []
        for bot in bots {
            guard case .embedded = bot.kind, let source = bot.definition else { continue }
            do {
                let definition = try BotDefinition.parse(try data(source))
                let issues = definition.validate()
                if issues.isEmpty { out[bot.id] = definition }
                else { problems += issues.map { "bot '\(bot.id)' (\(source)): \($0)" } }
            } catch {
                problems.append("bot '\(bot.id)' (\(source)): \(error)")
            }
        }
        return problems.isEmpty ? .success(out) : .failure(Problem(description: problems.joined(separator: "\n")))
    }

    static func data(_ source: String) throws -> Data {
        if source == "builtin:demo" {
            guard let url = Bundle.module.url(forResource: "demo-bot", withExtension: "json") else {
                throw Problem(description: "the built-in demo bot is missing from the installation")
            }
            return try Data(contentsOf: url)
        }
        guard let data = FileManager.default.contents(atPath: source) else {
            throw Problem(description: "cannot read \(source)")
        }
        return data
    }
}

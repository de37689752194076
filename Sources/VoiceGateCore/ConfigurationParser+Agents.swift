/// TEMPORARY (branch wt-registrar): the `agents` list of a configuration file, just what the
/// registrar and its tests need: `id`, `name`, `credentials` (as a trunk's: username, password,
/// algorithms) and `contact`. The routing configuration work, in parallel, parses `agents`,
/// `queues` and `routing` whole; at merge, its parser replaces this file and the `agents` entry in
/// `ConfigurationReader.configuration(_:)`.
extension ConfigurationReader {
    mutating func agents(_ value: LocatedJSON) -> [AgentSettings] {
        var out: [AgentSettings] = []
        for (i, item) in list(value, "agents").enumerated() {
            let path = "agents[\(i)]"
            let f = members(item, path, known: ["id", "name", "credentials", "contact"])
            guard let (id, line) = required(f, "id", path, in: item) else { continue }
            if out.contains(where: { $0.id == id }) {
                problem("\(path).id", line, "'\(id)' is the id of an earlier agent too")
                continue
            }
            var agent = AgentSettings(id: id)
            if let (name, _) = string(f, "name", path) { agent.name = name }
            if let v = f["credentials"] {
                let credentials = credentials(v, "\(path).credentials")
                // A digest username names one agent: the registrar finds the agent by it.
                if !credentials.username.isEmpty, out.contains(where: { $0.credentials?.username == credentials.username }) {
                    problem("\(path).credentials.username", lines["\(path).credentials.username"], "is an earlier agent's username too")
                }
                agent.credentials = credentials
            }
            if let (contact, line) = string(f, "contact", path) {
                let lower = contact.lowercased()
                if (lower.hasPrefix("sip:") || lower.hasPrefix("sips:")) && contact.count > 5 && !contact.contains(where: { $0 == " " || $0 == "<" || $0 == ">" }) {
                    agent.contact = contact
                } else {
                    problem("\(path).contact", line, "must be a sip: or sips: URI, like sip:alice@192.0.2.10:5060")
                }
            }
            out.append(agent)
        }
        return out
    }
}

import Testing
@testable import VoiceGateCore

/// The temporary `agents` parser (ConfigurationParser+Agents.swift), until the routing
/// configuration's parser replaces it.
struct AgentConfigurationTests {
    static let base = #""trunks": [{"name": "t", "sources": ["10.0.0.1"]}], "phoneNumbers": [{"number": "*", "bot": "b"}], "bots": [{"id": "b", "kind": "embedded", "applicationId": "b"}]"#

    @Test func agentsWithCredentialsAndContacts() throws {
        let text = """
        {\(Self.base), "agents": [
          {"id": "a-100", "name": "Alice", "credentials": {"username": "alice", "password": "pw-1", "algorithms": ["MD5"]}},
          {"id": "a-300", "contact": "sip:carol@192.0.2.30:5060"}
        ]}
        """
        let config = try ConfigurationParser.parse(text).get()
        #expect(config.routing.agents == [
            AgentSettings(id: "a-100", name: "Alice", credentials: DigestCredentials(username: "alice", password: "pw-1", algorithms: [.md5])),
            AgentSettings(id: "a-300", contact: "sip:carol@192.0.2.30:5060"),
        ])
    }

    @Test func problems() {
        let text = """
        {\(Self.base), "agents": [
          {"id": "a-1", "credentials": {"username": "alice", "password": "x"}},
          {"id": "a-1"},
          {"id": "a-2", "credentials": {"username": "alice", "password": "y"}, "contact": "alice@host"},
          {"name": "nobody"},
          {"id": "a-3", "queues": []}
        ]}
        """
        guard case .failure(let error) = ConfigurationParser.parse(text) else {
            Issue.record("accepted")
            return
        }
        #expect(error.problems.map(\.path) == ["agents[1].id", "agents[2].credentials.username", "agents[2].contact",
                                               "agents[3].id", "agents[4].queues"])
        #expect(!error.description.contains("x\"") && !error.description.contains("\"y"), "no password in a message")
    }
}

import Testing
import Foundation
@testable import VoiceGateCore

struct AgentRegistrationPolicyTests {
    static let alice = AgentSettings(id: "a-100", name: "Alice",
                                     credentials: DigestCredentials(username: "alice", password: "alice-pw", algorithms: [.md5]))
    static let bob = AgentSettings(id: "a-200", credentials: DigestCredentials(username: "bob", password: "bob-pw"))
    /// No credentials: called at a fixed contact, never registers.
    static let carol = AgentSettings(id: "a-300", contact: "sip:carol@192.0.2.30")
    let policy = AgentRegistrationPolicy(agents: [alice, bob, carol], realm: "voicegate")

    /// A Digest attempt; `passwordRight` is what the stand-in for pjsip's hash check answers.
    static func digest(_ username: String, realm: String = "voicegate", algorithm: DigestAlgorithm? = .md5,
                       fresh: Bool = true) -> DigestAttempt {
        DigestAttempt(username: username, realm: realm, algorithm: algorithm, nonceFresh: fresh)
    }

    func decide(_ request: RegisterRequest, password: String? = nil) -> Result<AcceptedRegister, RegisterRefusal> {
        policy.decide(request) { $0.password == password }
    }

    static let phone = RegisterContact("sip:alice@198.51.100.7:5070;ob")

    @Test("refusals, case by case: status, reason, challenge", arguments: [
        // (what, request, password the client knew, reason, status)
        ("no Authorization", RegisterRequest(addressOfRecord: "alice", contacts: [phone]), nil, RegisterRefusal.Reason.authRequired, 401),
        ("unknown username", RegisterRequest(addressOfRecord: "alice", digest: digest("mallory"), contacts: [phone]), "x", .unknownUser, 401),
        ("unknown AOR and username", RegisterRequest(addressOfRecord: "mallory", digest: digest("mallory"), contacts: [phone]), "x", .unknownUser, 401),
        ("wrong realm", RegisterRequest(addressOfRecord: "alice", digest: digest("alice", realm: "other"), contacts: [phone]), "alice-pw", .wrongRealm, 401),
        ("SHA-256 for an MD5-only agent", RegisterRequest(addressOfRecord: "alice", digest: digest("alice", algorithm: .sha256), contacts: [phone]), "alice-pw", .unsupportedAlgorithm, 401),
        ("an algorithm nobody knows", RegisterRequest(addressOfRecord: "alice", digest: digest("alice", algorithm: nil), contacts: [phone]), "alice-pw", .unsupportedAlgorithm, 401),
        ("wrong password", RegisterRequest(addressOfRecord: "alice", digest: digest("alice"), contacts: [phone]), "guess", .wrongPassword, 401),
        ("an agent without credentials", RegisterRequest(addressOfRecord: "a-300", digest: digest("a-300"), contacts: [phone]), "x", .unknownUser, 401),
        ("stale nonce", RegisterRequest(addressOfRecord: "alice", digest: digest("alice", fresh: false), contacts: [phone]), "alice-pw", .staleNonce, 401),
        ("another agent's AOR", RegisterRequest(addressOfRecord: "bob", digest: digest("alice"), contacts: [phone]), "alice-pw", .aorMismatch, 403),
        ("30 s", RegisterRequest(addressOfRecord: "alice", digest: digest("alice"), contacts: [phone], expires: 30), "alice-pw", .intervalTooBrief, 423),
        ("1 s on the contact", RegisterRequest(addressOfRecord: "alice", digest: digest("alice"), contacts: [RegisterContact(phone.uri, expires: 1)], expires: 600), "alice-pw", .intervalTooBrief, 423),
        ("59 s", RegisterRequest(addressOfRecord: "alice", digest: digest("alice"), contacts: [phone], expires: 59), "alice-pw", .intervalTooBrief, 423),
        ("* without Expires: 0", RegisterRequest(addressOfRecord: "alice", digest: digest("alice"), wildcard: true, expires: 60), "alice-pw", .invalidContact, 400),
        ("* without Expires", RegisterRequest(addressOfRecord: "alice", digest: digest("alice"), wildcard: true), "alice-pw", .invalidContact, 400),
        ("* with a contact", RegisterRequest(addressOfRecord: "alice", digest: digest("alice"), contacts: [phone], wildcard: true, expires: 0), "alice-pw", .invalidContact, 400),
        ("an unreadable contact", RegisterRequest(addressOfRecord: "alice", digest: digest("alice"), contacts: [RegisterContact("")]), "alice-pw", .invalidContact, 400),
        ("six contacts", RegisterRequest(addressOfRecord: "alice", digest: digest("alice"),
                                         contacts: (1...6).map { RegisterContact("sip:alice@198.51.100.\($0)") }), "alice-pw", .tooManyContacts, 403),
    ] as [(String, RegisterRequest, String?, RegisterRefusal.Reason, Int)])
    func refusals(what: String, request: RegisterRequest, password: String?, reason: RegisterRefusal.Reason, status: Int) throws {
        guard case .failure(let refusal) = decide(request, password: password) else {
            Issue.record("\(what): accepted")
            return
        }
        #expect(refusal.reason == reason, "\(what)")
        #expect(refusal.status == status, "\(what)")
        if status == 401 {
            // What the address-of-record's agent offers (alice: MD5 only), whoever answered.
            let expected: [DigestAlgorithm] = request.addressOfRecord == "alice" ? [.md5] : [.sha256, .md5]
            #expect(refusal.challenge == expected, "\(what)")
            #expect(refusal.agent == (reason == .staleNonce ? "a-100" : nil), "no agent is named before the password is proven: \(what)")
        } else {
            #expect(refusal.agent == "a-100", "\(what)")
        }
    }

    @Test func unknownUserWrongPasswordAndNoCredentialsGetTheSameAnswerButTheNonce() {
        let request = RegisterRequest(addressOfRecord: "alice", contacts: [Self.phone])
        var answers: [RegisterAnswer] = []
        for (n, digest, password) in [(1, nil, nil), (2, Self.digest("nobody"), "x"), (3, Self.digest("alice"), "guess"),
                                      (4, Self.digest("alice", realm: "elsewhere"), "alice-pw")] as [(Int, DigestAttempt?, String?)] {
            var r = request
            r.digest = digest
            guard case .failure(let refusal) = decide(r, password: password) else { Issue.record("accepted"); return }
            answers.append(policy.answer(refusal, nonce: "nonce-\(n)"))
        }
        for (n, answer) in answers.enumerated() {
            #expect(answer.status == 401 && answer.reason == "Unauthorized")
            #expect(answer.values("WWW-Authenticate") == ["Digest realm=\"voicegate\", nonce=\"nonce-\(n + 1)\", algorithm=MD5, qop=\"auth\""])
        }
        // An address no agent has looks like one whose agent is configured like every other.
        let policy = AgentRegistrationPolicy(agents: [Self.alice, AgentSettings(id: "a-9", credentials: DigestCredentials(username: "zed", password: "z", algorithms: [.md5]))])
        guard case .failure(let unknown) = policy.decide(RegisterRequest(addressOfRecord: "nobody"), responseMatches: { _ in false }),
              case .failure(let known) = policy.decide(RegisterRequest(addressOfRecord: "alice"), responseMatches: { _ in false }) else {
            Issue.record("accepted")
            return
        }
        #expect(policy.answer(unknown, nonce: "n") == policy.answer(known, nonce: "n"))
    }

    @Test func staleAndBriefAnswers() {
        let stale = policy.answer(RegisterRefusal(.staleNonce, agent: "a-200", challenge: [.sha256, .md5]), nonce: "N")
        #expect(stale.values("WWW-Authenticate") == [
            "Digest realm=\"voicegate\", nonce=\"N\", algorithm=SHA-256, qop=\"auth\", stale=true",
            "Digest realm=\"voicegate\", nonce=\"N\", algorithm=MD5, qop=\"auth\", stale=true"])
        let brief = policy.answer(RegisterRefusal(.intervalTooBrief, agent: "a-100"), nonce: "N")
        #expect(brief == RegisterAnswer(status: 423, reason: "Interval Too Brief", headers: [.init("Min-Expires", "60")]))
        #expect(policy.answer(RegisterRefusal(.aorMismatch, agent: "a-100"), nonce: "N") == RegisterAnswer(status: 403, reason: "Forbidden"))
    }

    @Test("granted expiry: the contact's, else the request's, else 3600; at most 3600; 0 unbinds", arguments: [
        (RegisterContact("sip:a@h", expires: nil), nil, 3600),
        (RegisterContact("sip:a@h", expires: nil), 120, 120),
        (RegisterContact("sip:a@h", expires: 300), 120, 300),
        (RegisterContact("sip:a@h", expires: 60), nil, 60),
        (RegisterContact("sip:a@h", expires: 7200), nil, 3600),
        (RegisterContact("sip:a@h", expires: nil), 86400, 3600),
        (RegisterContact("sip:a@h", expires: nil), 0, 0),
        (RegisterContact("sip:a@h", expires: 0), 3600, 0),
    ] as [(RegisterContact, Int?, Int)])
    func grantedExpiry(contact: RegisterContact, expires: Int?, granted: Int) throws {
        let accepted = try decide(RegisterRequest(addressOfRecord: "alice", digest: Self.digest("alice"), contacts: [contact], expires: expires),
                                  password: "alice-pw").get()
        #expect(accepted.agent.id == "a-100")
        #expect(accepted.action == .update([("sip:a@h", granted)]))
    }

    @Test func theAgentIdIsAnAddressOfRecordToo() throws {
        let byID = try decide(RegisterRequest(addressOfRecord: "a-100", digest: Self.digest("alice"), contacts: [Self.phone]), password: "alice-pw").get()
        #expect(byID.agent.id == "a-100")
        #expect(policy.agent(forAddressOfRecord: "a-100")?.id == "a-100")
        #expect(policy.agent(forAddressOfRecord: "a-300") == nil, "an agent without credentials does not register")
        #expect(policy.acceptsRegistrations)
        #expect(!AgentRegistrationPolicy(agents: [Self.carol]).acceptsRegistrations)
    }

    @Test func queryAndRemoveAll() throws {
        let query = try decide(RegisterRequest(addressOfRecord: "alice", digest: Self.digest("alice")), password: "alice-pw").get()
        #expect(query.action == .query)
        let all = try decide(RegisterRequest(addressOfRecord: "alice", digest: Self.digest("alice"), wildcard: true, expires: 0), password: "alice-pw").get()
        #expect(all.action == .removeAll)
        let twice = try decide(RegisterRequest(addressOfRecord: "alice", digest: Self.digest("alice"),
                                               contacts: [RegisterContact("sip:a@h", expires: 600), RegisterContact("sip:a@h", expires: 900)]),
                               password: "alice-pw").get()
        #expect(twice.action == .update([("sip:a@h", 900)]), "a URI given twice: the later entry")
    }

    @Test func theOKListsEveryBindingWithItsSecondsLeftAndADate() {
        let bindings = [AgentBinding(contact: "sip:alice@198.51.100.7:5070;ob", updatedAt: 100, expiresAt: 400),
                        AgentBinding(contact: "sip:alice@203.0.113.5", updatedAt: 50, expiresAt: 3650)]
        let answer = AgentRegistrationPolicy.answer(bindings: bindings, now: 100.5, date: Date(timeIntervalSince1970: 1_289_690_940))
        #expect(answer.status == 200 && answer.reason == "OK")
        #expect(answer.values("Contact") == ["<sip:alice@198.51.100.7:5070;ob>;expires=300", "<sip:alice@203.0.113.5>;expires=3550"])
        #expect(answer.values("Date") == ["Sat, 13 Nov 2010 23:29:00 GMT"])
        #expect(AgentRegistrationPolicy.httpDate(Date(timeIntervalSince1970: 0)) == "Thu, 01 Jan 1970 00:00:00 GMT")
    }
}

struct AgentRegistrationsTests {
    static let alice = AgentRegistrationPolicyTests.alice
    func update(_ contacts: [(String, Int)]) -> AcceptedRegister {
        AcceptedRegister(agent: Self.alice, action: .update(contacts.map { (uri: $0.0, seconds: $0.1) }))
    }

    @Test func oneBindingPerContactNewestFirstAndTransitionsOnFirstAndLast() throws {
        var table = AgentRegistrations()
        let first = try table.apply(update([("sip:desk@h", 600)]), at: 0).get()
        #expect(first.transition == true)
        #expect(first.bound == ["sip:desk@h"])
        let second = try table.apply(update([("sip:soft@h", 300)]), at: 10).get()
        #expect(second.transition == nil)
        #expect(second.bindings.map(\.contact) == ["sip:soft@h", "sip:desk@h"])
        // A refresh moves the desk phone to the front, and keeps one binding for it.
        let refresh = try table.apply(update([("sip:desk@h", 600)]), at: 20).get()
        #expect(refresh.bindings.map(\.contact) == ["sip:desk@h", "sip:soft@h"])
        #expect(refresh.bindings.first?.expiresAt == 620)
        #expect(table.isRegistered("a-100", at: 20))
        #expect(table.registeredAgents == 1)
        let one = try table.apply(update([("sip:desk@h", 0)]), at: 30).get()
        #expect(one.removed == ["sip:desk@h"] && one.transition == nil)
        let last = try table.apply(update([("sip:soft@h", 0)]), at: 40).get()
        #expect(last.transition == false && last.bindings.isEmpty)
        #expect(!table.isRegistered("a-100", at: 40))
        #expect(table.registeredAgents == 0)
        // Unbinding what was never bound changes nothing.
        let nothing = try table.apply(update([("sip:none@h", 0)]), at: 50).get()
        #expect(nothing.transition == nil && nothing.removed.isEmpty)
    }

    @Test func removeAllAndQuery() throws {
        var table = AgentRegistrations()
        _ = try table.apply(update([("sip:a@h", 600), ("sip:b@h", 600)]), at: 0).get()
        let query = try table.apply(AcceptedRegister(agent: Self.alice, action: .query), at: 1).get()
        #expect(query.bindings.count == 2 && query.transition == nil)
        let all = try table.apply(AcceptedRegister(agent: Self.alice, action: .removeAll), at: 2).get()
        #expect(all.transition == false && Set(all.removed) == ["sip:a@h", "sip:b@h"])
    }

    @Test func atMostFiveBindings() throws {
        var table = AgentRegistrations()
        _ = try table.apply(update((1...5).map { ("sip:p\($0)@h", 600) }), at: 0).get()
        guard case .failure(let refusal) = table.apply(update([("sip:p6@h", 600)]), at: 1) else {
            Issue.record("a sixth binding was accepted")
            return
        }
        #expect(refusal.reason == .tooManyContacts && refusal.status == 403)
        #expect(table.bindings("a-100", at: 1).count == 5, "the refused request changed nothing")
        // Replacing one is fine, and so is a sixth once one has lapsed.
        _ = try table.apply(update([("sip:p1@h", 0), ("sip:p6@h", 600)]), at: 2).get()
        var lapsing = AgentRegistrations()
        _ = try lapsing.apply(update((1...5).map { ("sip:p\($0)@h", $0 == 1 ? 60 : 600) }), at: 0).get()
        #expect(throws: Never.self) { try lapsing.apply(update([("sip:p6@h", 600)]), at: 61).get() }
    }

    @Test func expiryReportsTheAgentsWhoLostTheirLastBinding() throws {
        var table = AgentRegistrations()
        let bob = AgentRegistrationPolicyTests.bob
        _ = try table.apply(update([("sip:a@h", 60), ("sip:b@h", 120)]), at: 0).get()
        _ = try table.apply(AcceptedRegister(agent: bob, action: .update([("sip:bob@h", 60)])), at: 0).get()
        // Lapsed bindings are never looked up, even before the tick removes them.
        #expect(table.bindings("a-100", at: 61).map(\.contact) == ["sip:b@h"])
        #expect(!table.isRegistered("a-200", at: 61))
        #expect(table.expire(at: 61) == ["a-200"])
        #expect(table.expire(at: 61) == [])
        #expect(table.expire(at: 121) == ["a-100"])
        #expect(table.registeredAgents == 0)
        // A lapsed binding not yet expired by the tick: a new REGISTER is no new "registered".
        _ = try table.apply(update([("sip:a@h", 60)]), at: 200).get()
        let again = try table.apply(update([("sip:c@h", 60)]), at: 300).get()
        #expect(again.transition == nil)
        #expect(again.bindings.map(\.contact) == ["sip:c@h"])
    }
}

import Foundation
import Synchronization
import CPJProject
import CVoiceGateSupport
import VoiceGateCore

/// The gateway as a registrar for its configured agents: answers every REGISTER (vg_registrar.c
/// hands them over on the SIP worker thread that received them, before admission, so agents
/// register from any address), keeps the bindings, and expires them on the endpoint's tick.
/// One log line and, for refusals, one counter per decision; never a password or a digest
/// response.
///
/// Threads: `answer` runs on pj worker threads, `expire` on the executor, the lookups on any
/// thread; the table is behind a lock. Changes of an agent's registered state are reported on
/// the executor, in the order they happened.
final class AgentRegistrar: Sendable {
    let policy: AgentRegistrationPolicy
    private let table = Mutex(AgentRegistrations())
    private let observer = Mutex<(@Sendable (String, Bool) -> Void)?>(nil)
    private let executor: PJExecutor
    private let log: LogSink
    private let metrics: GatewayMetrics

    init(policy: AgentRegistrationPolicy, executor: PJExecutor, log: LogSink, metrics: GatewayMetrics) {
        self.policy = policy
        self.executor = executor
        self.log = log
        self.metrics = metrics
        if policy.acceptsRegistrations { metrics.gauge("voicegate_agents_registered", 0) }
    }

    /// Seconds on a clock that wall-clock changes do not move.
    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    // MARK: - Lookups (any thread)

    /// The newest unexpired contact the agent's phone registered, else the configured one.
    func contact(_ agentID: String) -> String? {
        let now = Self.now()
        if let newest = table.withLock({ $0.bindings(agentID, at: now).first }) { return newest.contact }
        return policy.agents.first { $0.id == agentID }?.contact
    }

    func isRegistered(_ agentID: String) -> Bool {
        let now = Self.now()
        return table.withLock { $0.isRegistered(agentID, at: now) }
    }

    var onChange: (@Sendable (String, Bool) -> Void)? {
        get { observer.withLock { $0 } }
        set { observer.withLock { $0 = newValue } }
    }

    // MARK: - REGISTER (pj worker thread, inside the module's callback)

    func answer(_ raw: vg_admission_request, into answer: UnsafeMutablePointer<vg_register_answer>) {
        guard let rdata = raw.rdata else {
            vg_register_answer_set(answer, 500, "Server Internal Error")
            return
        }
        let (request, digest) = Self.read(rdata)
        let source = "\(String(cString: raw.source_ip)):\(raw.source_port)"
        let transport = String(cString: raw.transport)
        var fields: [(String, String)] = [("aor", request.addressOfRecord), ("source", source), ("transport", transport)]

        let decision = policy.decide(request) { AdmissionGate.responseMatches(digest, method: "REGISTER", password: $0.password) }
        let accepted: AcceptedRegister
        switch decision {
        case .failure(let refusal):
            return refuse(refusal, username: request.digest?.username, fields: fields, into: answer)
        case .success(let a):
            accepted = a
        }
        fields.insert(("agent", accepted.agent.id), at: 0)
        let now = Self.now()
        let applied = table.withLock { table -> (Result<RegistrationChange, RegisterRefusal>, Int) in
            let result = table.apply(accepted, at: now)
            // Reported from inside the lock, so two phones of one agent cannot swap the order.
            if case .success(let change) = result, let registered = change.transition { report(change.agent, registered: registered) }
            return (result, table.registeredAgents)
        }
        let change: RegistrationChange
        switch applied.0 {
        case .failure(let refusal):
            return refuse(refusal, username: request.digest?.username, fields: Array(fields.dropFirst()), into: answer)
        case .success(let c):
            change = c
        }
        metrics.gauge("voicegate_agents_registered", Double(applied.1))
        send(AgentRegistrationPolicy.answer(bindings: change.bindings, now: now, date: Date()), into: answer)

        fields.append(("bindings", String(change.bindings.count)))
        switch accepted.action {
        case .query:
            log.write(LogLine(.info, "agent.register_query", fields))
        case .removeAll:
            log.write(LogLine(.info, "agent.unregistered", fields + [("reason", "request"), ("contact", change.removed.joined(separator: ","))]))
        case .update(let contacts):
            let granted = contacts.filter { $0.seconds > 0 }
            if change.bindings.isEmpty {
                log.write(LogLine(.info, "agent.unregistered", fields + [("reason", "request"), ("contact", change.removed.joined(separator: ","))]))
            } else {
                var line = fields + [("contact", granted.map(\.uri).joined(separator: ",")),
                                     ("expires", granted.map { String($0.seconds) }.joined(separator: ","))]
                if !change.removed.isEmpty { line.append(("removed", change.removed.joined(separator: ","))) }
                log.write(LogLine(.info, "agent.registered", line))
            }
        }
    }

    private func refuse(_ refusal: RegisterRefusal, username: String?, fields: [(String, String)],
                        into answer: UnsafeMutablePointer<vg_register_answer>) {
        var nonce = [CChar](repeating: 0, count: 64)
        if refusal.status == 401 { vg_nonce_make(&nonce, Int32(nonce.count)) }
        send(policy.answer(refusal, nonce: nonce.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }), into: answer)
        metrics.increment("voicegate_agent_register_refusals_total", labels: "reason=\"\(refusal.reason.rawValue)\"")
        // A fixed shape fail2ban can match, like sip.refused:
        //   event=agent.register_refused reason=wrong_password status=401 aor=alice username=alice source=203.0.113.9:5060
        var line: [(String, String)] = [("reason", refusal.reason.rawValue), ("status", String(refusal.status))]
        if let agent = refusal.agent { line.append(("agent", agent)) }
        line += fields
        line.append(("username", username ?? ""))
        log.write(LogLine(refusal.isAuthenticationFailure ? .warning : .info, "agent.register_refused", line))
    }

    private func send(_ response: RegisterAnswer, into answer: UnsafeMutablePointer<vg_register_answer>) {
        vg_register_answer_set(answer, Int32(response.status), response.reason)
        for header in response.headers { vg_register_answer_add_header(answer, header.name, header.value) }
    }

    /// What the REGISTER says, and its Digest fields for the response check.
    private static func read(_ rdata: UnsafeMutablePointer<pjsip_rx_data>) -> (RegisterRequest, vg_digest?) {
        var to = vg_identity()
        let aor = vg_request_uri_identity(rdata, Int32(VG_URI_TO), &to) == 1 ? text(to.user) : ""
        // One more than allowed, so that "too many" is seen as such.
        var contacts = [vg_contact](repeating: vg_contact(), count: AgentRegistrationPolicy.maxContacts + 1)
        var filled: Int32 = 0, wildcard: Int32 = 0
        let total = vg_register_contacts(rdata, &contacts, Int32(contacts.count), &filled, &wildcard)
        let expires = vg_register_expires(rdata)
        let digest = InboundRequest.digest(rdata)
        let request = RegisterRequest(
            addressOfRecord: aor,
            digest: digest.map { AdmissionGate.attempt($0, nonceFresh: vg_nonce_fresh(text($0.nonce), AdmissionGate.nonceLifetime) == 1) },
            contacts: contacts.prefix(Int(filled)).map { RegisterContact(text($0.uri), expires: $0.expires < 0 ? nil : Int($0.expires)) },
            wildcard: wildcard != 0, contactCount: Int(total), expires: expires < 0 ? nil : Int(expires))
        return (request, digest)
    }

    // MARK: - Expiry (executor, every tick)

    func expire() {
        let now = Self.now()
        let (lost, registered) = table.withLock { table in
            let lost = table.expire(at: now)
            for agent in lost { report(agent, registered: false) }
            return (lost, table.registeredAgents)
        }
        guard !lost.isEmpty else { return }
        metrics.gauge("voicegate_agents_registered", Double(registered))
        for agent in lost { log.write(LogLine(.info, "agent.unregistered", [("agent", agent), ("reason", "expired"), ("bindings", "0")])) }
    }

    /// Queues the news for the observer on the executor (never on a pj worker thread), with a log
    /// line saying what the rest of the gateway is told.
    private func report(_ agent: String, registered: Bool) {
        executor.async { [self] in
            log.write(LogLine(.info, "agent.registration_changed", [("agent", agent), ("registered", String(registered))]))
            onChange?(agent, registered)
        }
    }
}

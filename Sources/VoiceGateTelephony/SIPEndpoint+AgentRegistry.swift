import VoiceGateCore

/// Agents' phones, for the rest of the gateway: where an agent can be called, and news of their
/// phones registering and going away. The bindings are `AgentRegistrar`'s.
extension SIPEndpoint {
    /// Where to call the agent: the newest unexpired contact their phone registered, else the
    /// `contact` their configuration gives, else nil. Any thread.
    public func agentContact(_ agentID: String) -> String? { registrar.contact(agentID) }

    /// Whether the agent has an unexpired registered contact now (a configured `contact` alone
    /// does not count). Any thread.
    public func isRegistered(_ agentID: String) -> Bool { registrar.isRegistered(agentID) }

    /// Told (agent id, registered now) when an agent gains their first binding (true) or loses
    /// their last (false: unregistered, or expired at the tick after it lapsed). Called on the
    /// executor, in the order the changes happened, never on a SIP worker thread; it must not
    /// block (queue longer work elsewhere). Each change is also logged as
    /// `agent.registration_changed`. Set and read from any thread.
    public var registrationChanged: (@Sendable (String, Bool) -> Void)? {
        get { registrar.onChange }
        set { registrar.onChange = newValue }
    }
}

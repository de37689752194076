import Foundation
import VoiceGateCore

extension SIPEndpoint {
    /// Where to ring an agent: their fixed contact. (Placeholder until the registrar lands.)
    public func agentContact(_ agentID: String) -> String? {
        config.routing.agent(agentID)?.contact
    }

    /// Placeholder until the registrar lands.
    public func isRegistered(_ agentID: String) -> Bool { false }
}

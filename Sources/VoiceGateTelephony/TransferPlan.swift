import Foundation

/// How the SIP side carries out a transfer the policy allowed: built by the gateway from the
/// trunk's and the number's settings, so this layer decides nothing about who may call where.
public struct TransferPlan: Sendable, Equatable {
    /// The E.164 target, for results and logs.
    public var target: String
    /// Blind transfer first: the Refer-To URI of a REFER on the caller's leg; nil: no REFER.
    public var referTo: String?
    /// The Referred-By of that REFER (the organization number).
    public var referredBy: String
    /// Where the gateway places the call itself, when there is no REFER or it was refused or
    /// failed; nil: no such fallback.
    public var bridge: BridgeCall?
    /// How long the whole transfer may take to reach a final status (REFER and NOTIFYs, or the
    /// outbound call's ringing).
    public var timeout: TimeInterval

    public init(target: String, referTo: String?, referredBy: String, bridge: BridgeCall?, timeout: TimeInterval) {
        self.target = target
        self.referTo = referTo
        self.referredBy = referredBy
        self.bridge = bridge
        self.timeout = timeout
    }
}

/// A call the gateway places to the target through the trunk, bridged to the caller once answered.
public struct BridgeCall: Sendable, Equatable {
    /// `sip:+E164@host:port;transport=...` at the trunk's outbound route.
    public var requestURI: String
    /// The number the target sees as the caller: the user part of From.
    public var callerID: String
    /// The same as a P-Asserted-Identity value (`<sip:+E164@gateway host>`), which carriers read.
    public var assertedIdentity: String

    public init(requestURI: String, callerID: String, assertedIdentity: String) {
        self.requestURI = requestURI
        self.callerID = callerID
        self.assertedIdentity = assertedIdentity
    }
}

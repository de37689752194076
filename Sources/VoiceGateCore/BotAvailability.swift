/// Whether a bot takes new calls, as the admin API sets it while the gateway runs. Starts from
/// the configuration (`enabled`); calls already in progress are never cut by a change.
public struct BotAvailability: Sendable, Equatable, Codable {
    /// Disabled: new calls to its numbers get 480.
    public var enabled: Bool
    /// Disconnected from the voice channel: it receives no calls until connected again.
    public var connected: Bool
    /// The bot's voice channel: off, its numbers get 480 (other channels are not this gateway's).
    public var voiceEnabled: Bool

    public init(enabled: Bool = true, connected: Bool = true, voiceEnabled: Bool = true) {
        self.enabled = enabled
        self.connected = connected
        self.voiceEnabled = voiceEnabled
    }

    public var takesCalls: Bool { enabled && connected && voiceEnabled }
}

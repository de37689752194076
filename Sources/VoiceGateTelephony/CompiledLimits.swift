import CPJProject
import COpus

/// What the linked pjproject was built with (deploy/config_site.h), read from the library
/// itself rather than assumed.
public struct CompiledLimits: Sendable, Equatable {
    public let pjprojectVersion: String
    public let opusVersion: String
    public let maxCalls: Int
    public let conferencePorts: Int
    public let ioqueueHandles: Int
    public let hasOpus: Bool

    public static var current: CompiledLimits {
        CompiledLimits(
            pjprojectVersion: String(cString: cpj_version()),
            opusVersion: String(cString: opus_get_version_string()),
            maxCalls: Int(cpj_max_calls()),
            conferencePorts: Int(cpj_max_conf_ports()),
            ioqueueHandles: Int(cpj_ioqueue_max_handles()),
            hasOpus: cpj_has_opus() != 0)
    }
}

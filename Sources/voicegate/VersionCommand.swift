import VoiceGateCore
import VoiceGateTelephony

struct VersionCommand {
    let arguments: Arguments

    init(_ args: ArraySlice<String>) throws { arguments = try Arguments(args, valued: []) }

    func execute() throws -> Int32 {
        if arguments.flags.contains("help") { print(Help.version); return 0 }
        let limits = CompiledLimits.current
        print("""
        voicegate \(VoiceGateVersion.string)
        pjproject \(limits.pjprojectVersion)
        opus \(limits.opusVersion)
        PJSUA_MAX_CALLS \(limits.maxCalls)
        PJSUA_MAX_CONF_PORTS \(limits.conferencePorts)
        PJ_IOQUEUE_MAX_HANDLES \(limits.ioqueueHandles)
        opus codec \(limits.hasOpus ? "yes" : "no")
        """)
        return 0
    }
}

enum Help {
    static let overview = """
    voicegate: a telephony voice-bot gateway. SIP trunks call in; a voice bot answers.

    Usage: voicegate <verb> [options]

    Verbs:
      run            Run the gateway (SIP on 5060 UDP+TCP, HTTP on 8080 by default).
      check-config   Check a configuration file and list every problem in it.
      version        Print VoiceGate's version, pjproject's and the compiled call limits.
      help [VERB]    Show help for a verb.

    `voicegate <verb> --help` shows the options of a verb.
    """

    static let run = """
    Usage: voicegate run [--config FILE] [--sip-port N] [--http-port N]

    Runs the gateway until SIGINT or SIGTERM. Without --config it uses the built-in demo
    configuration: the demo bot answers every dialed number, and calls are accepted from loopback
    and the private address ranges only.

    Options:
      --config FILE    JSON configuration file (see the README's configuration reference).
      --sip-port N     SIP port for UDP and TCP (overrides sip.port; 0 picks a free port).
      --http-port N    HTTP port for /healthz and /metrics (overrides http.port; 0 picks one).

    On SIGINT/SIGTERM new INVITEs get 503 with Retry-After; calls in progress may go on until
    shutdown.drainSeconds, then they are hung up and the gateway exits 0. A second signal hangs
    up at once.
    """

    static let checkConfig = """
    Usage: voicegate check-config FILE

    Reads a JSON configuration file and prints every problem with its line and field.
    Exit status: 0 when the file is valid, 1 when it has problems, 2 when it cannot be read.
    """

    static let version = """
    Usage: voicegate version

    Prints VoiceGate's version, the pjproject and Opus it was linked with, and the limits pjproject
    was compiled with (PJSUA_MAX_CALLS, conference ports, ioqueue handles).
    """

    static func forVerb(_ verb: String) -> String? {
        switch verb {
        case "run": return run
        case "check-config": return checkConfig
        case "version": return version
        default: return nil
        }
    }
}

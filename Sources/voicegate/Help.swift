enum Help {
    static let overview = """
    voicegate: a telephony voice-bot gateway. SIP trunks call in; a voice bot answers.

    Usage: voicegate <verb> [options]

    Verbs:
      run            Run the gateway (SIP on 5060 UDP+TCP, HTTP on 8080 by default).
      call           A test softphone: call a bot (or answer calls), send audio and digits,
                     record and segment what it hears, print a JSON report.
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

    static let call = """
    Usage: voicegate call TARGET [options] [--play FILE.wav | --dtmf DIGITS | --say TEXT]...
           voicegate call TARGET --script FILE [options]
           voicegate call --listen PORT [options]
           voicegate call --listen PORT --register GATEWAY --user NAME --password PW [options]

    A softphone for testing bots. It calls TARGET (a number, or a sip: URI) through the gateway,
    sends what the options say in the order given, waits for the far end to finish speaking,
    hangs up and prints a JSON report on standard output: the SIP status, setup time, each item
    sent with its times and the far end's reply latency, each speech segment heard, REFER and
    NOTIFY received, and who hung up and why. Times are milliseconds from the INVITE.

    Options:
      --gateway HOST[:PORT]   where to send the INVITE (default 127.0.0.1:5060)
      --transport udp|tcp|tls (default udp)
      --from NUMBER|URI       the caller (default sip:voicegate-softphone@BIND-ADDRESS)
      --header 'Name: value'  an extra INVITE header; repeatable
      --user NAME --password PW   answer the gateway's Digest challenge (SHA-256 or MD5)
      --play FILE.wav         send a WAV file (16-bit PCM mono, any rate)
      --dtmf DIGITS           send RFC 4733 digits (0-9 * # A-D)
      --say TEXT              speak TEXT with the speech synthesizer (flite, 8 kHz); TEXT is read
                              like a bot's speak: plain text, or SSML with <break time="1s"/> and
                              <say-as interpret-as="telephone|digits">
      --script FILE           steps, one per line:
                                wait [TIMEOUT]            the far end speaks, then is quiet for 1 s
                                play FILE.wav | dtmf DIGITS | say TEXT | pause SECONDS
                                expect speech [within S]  speech heard since the previous step
                                expect text "WORDS" [within S]
                                expect hangup [within S]  the far end hangs up
                                hangup
      --record FILE.wav       write everything heard (8 kHz)
      --listen PORT           answer incoming calls on PORT (0 picks one; printed on stderr as
                              event=softphone.listening port=N) instead of calling; one report
                              line per call
      --register GATEWAY      with --listen, --user and --password: an agent's phone. The account
                              sip:NAME@BIND-ADDRESS registers with GATEWAY (a sip: URI, or
                              HOST[:PORT]) before waiting for calls, prints
                              event=softphone.registered status=200 expires=N on stderr, and
                              unregisters on exit (event=softphone.unregistered)
      --bind ADDRESS          local address for SIP and RTP (default 127.0.0.1)
      --calls N               with --listen: exit after N calls (default: until SIGINT/SIGTERM)
      --timeout SECONDS       give up on an unanswered call after this long (default 120)
      --log-level LEVEL       softphone log lines on stderr: debug, info, warning (default), error
      --sip-log N             pjproject's log level, 0-6 (default 1)

    Exit status: 0 when the call was answered and every step passed; 1 when the call failed, a
    step failed (the report's failedStep names it) or the registration was refused; 2 for a usage
    mistake.
    """

    static func forVerb(_ verb: String) -> String? {
        switch verb {
        case "run": return run
        case "call": return call
        case "check-config": return checkConfig
        case "version": return version
        default: return nil
        }
    }
}

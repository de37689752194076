// swift-tools-version:6.0
// VoiceGate: a telephony voice-bot gateway. No Swift package dependencies: the C libraries
// (pjproject, libopus, libmicrohttpd, SQLite, flite, PocketSphinx) come in as system-library targets
// under CModules/, made ready by deploy/setup.sh.
import PackageDescription

let package = Package(
    name: "VoiceGate",
    products: [
        .executable(name: "voicegate", targets: ["voicegate"]),
    ],
    targets: [
        // System libraries: a module map and a header-only shim each.
        .systemLibrary(name: "CPJProject", path: "CModules/CPJProject", pkgConfig: "libpjproject",
                       providers: [.apt(["see deploy/setup.sh (pjproject is built from source)"])]),
        .systemLibrary(name: "COpus", path: "CModules/COpus", pkgConfig: "opus",
                       providers: [.apt(["libopus-dev"])]),
        .systemLibrary(name: "CMicroHTTPD", path: "CModules/CMicroHTTPD", pkgConfig: "libmicrohttpd",
                       providers: [.apt(["libmicrohttpd-dev"])]),
        .systemLibrary(name: "CSQLite", path: "CModules/CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),
        // No pkg-config file: the module map names flite's libraries.
        .systemLibrary(name: "CFlite", path: "CModules/CFlite", providers: [.apt(["flite1-dev"])]),
        .systemLibrary(name: "CPocketSphinx", path: "CModules/CPocketSphinx", pkgConfig: "pocketsphinx",
                       providers: [.apt(["see deploy/setup.sh (PocketSphinx 5.1.1 is built from its PyPI source release)"])]),

        // Our own C: what Swift cannot express safely (thread-local pj thread descriptors,
        // a pjmedia_port with real-time callbacks, a pjsip module that refuses INVITEs early).
        .target(name: "CVoiceGateSupport", dependencies: ["CPJProject"]),

        // Pure Swift rules and value types: no C, no I/O.
        .target(name: "VoiceGateCore"),
        // The only Swift code that touches pjproject.
        .target(name: "VoiceGateTelephony",
                dependencies: ["VoiceGateCore", "CPJProject", "COpus", "CVoiceGateSupport"]),
        // Bots: the external bot client (HTTP, bot-protocol.md) and the order of a conversation's
        // activities. Foundation (FoundationNetworking) is its only other import.
        .target(name: "VoiceGateBots", dependencies: ["VoiceGateCore"]),
        // Health, metrics and the admin API over libmicrohttpd.
        .target(name: "VoiceGateHTTP", dependencies: ["VoiceGateCore", "CMicroHTTPD"]),
        // Conversations and transcripts, durably, in SQLite (one writer thread, group commit).
        .target(name: "VoiceGateStore", dependencies: ["VoiceGateCore", "CSQLite"]),
        // Speech out: flite behind the core's SpeechSynthesizer, rendered at the call's rate.
        .target(name: "VoiceGateSynthesis", dependencies: ["VoiceGateCore", "CFlite"]),
        // Speech in: the embedded PocketSphinx recognizer behind core's SpeechRecognizer, and the
        // detector of where a caller's utterances start and end.
        .target(name: "VoiceGateRecognition", dependencies: ["VoiceGateCore", "CPocketSphinx"]),
        .executableTarget(name: "voicegate",
                          dependencies: ["VoiceGateCore", "VoiceGateTelephony", "VoiceGateHTTP", "VoiceGateStore", "VoiceGateBots",
                                         "VoiceGateSynthesis", "VoiceGateRecognition"],
                          resources: [.copy("Resources/welcome.wav"), .copy("Resources/reply.wav"), .copy("Resources/demo-bot.json")]),

        // Word error rate, topic accuracy and real-time factor of the embedded recognizer, open and
        // biased towards a bot, on ../shared/corpus/speech (Benchmarks/speech.sh). Not part of the
        // gateway binary.
        .executableTarget(name: "voicegate-speech-bench", dependencies: ["VoiceGateCore", "VoiceGateRecognition"]),

        .testTarget(name: "VoiceGateCoreTests", dependencies: ["VoiceGateCore"]),
        // The real recognizer and detector on the speech corpus.
        .testTarget(name: "VoiceGateRecognitionTests", dependencies: ["VoiceGateRecognition", "VoiceGateCore"]),
        // Drives the bot client against the real HTTP test bot, Tests/Bots/test_bot.py.
        .testTarget(name: "VoiceGateBotsTests", dependencies: ["VoiceGateBots"]),
        // Real SQLite files in a temporary folder.
        .testTarget(name: "VoiceGateStoreTests", dependencies: ["VoiceGateStore", "VoiceGateCore"]),
        // The real flite voice: durations, pauses, levels at 8 kHz.
        .testTarget(name: "VoiceGateSynthesisTests", dependencies: ["VoiceGateSynthesis", "VoiceGateCore"]),
        // Runs the real `voicegate` binary against sipp (scenarios in Tests/Scenarios):
        // depending on the executable makes `swift test` build it.
        .testTarget(name: "VoiceGateIntegrationTests", dependencies: ["voicegate"]),
    ]
)

import VoiceGateCore

/// Where the telephony layer writes its structured lines. The executable provides the writer;
/// tests may collect lines. Called from any thread.
public protocol LogSink: Sendable {
    func write(_ line: LogLine)
}

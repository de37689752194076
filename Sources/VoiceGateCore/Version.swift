/// VoiceGate's own version.
public enum VoiceGateVersion {
    public static let string = "0.1.0"
}

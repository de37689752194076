import Foundation
import CPJProject
import VoiceGateCore

/// The pjsua settings the gateway and the test softphone share: logging into our log sink, 8 kHz
/// media on the null sound device, the codec list, and extra SIP headers.
enum PJSUASetup {
    /// Where pjproject's own log lines go (pjlib has one log callback per process).
    nonisolated(unsafe) static var logSink: LogSink?

    /// pjproject's logging at `level`, one structured `pjsip` line per message.
    static func logging(level: Int) -> pjsua_logging_config {
        var cfg = pjsua_logging_config()
        pjsua_logging_config_default(&cfg)
        cfg.level = UInt32(level)
        cfg.console_level = UInt32(level)
        cfg.msg_logging = level >= 4 ? pj_bool_t(PJ_TRUE.rawValue) : pj_bool_t(PJ_FALSE.rawValue)
        cfg.decor = UInt32(PJ_LOG_HAS_SENDER.rawValue)
        cfg.cb = { level, data, length in
            guard let data, length > 0 else { return }
            let text = String(decoding: UnsafeRawBufferPointer(start: data, count: Int(length)), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            PJSUASetup.logSink?.write(LogLine(level <= 1 ? .error : level == 2 ? .warning : .debug, "pjsip",
                                              [("level", String(level)), ("text", text)]))
        }
        return cfg
    }

    /// Media at `clockRate` with 20 ms frames, no echo canceller, and no VAD: RTP keeps flowing in
    /// silence, as trunks expect.
    static func media(clockRate: UInt32, maxPorts: Int) -> pjsua_media_config {
        var media = pjsua_media_config()
        pjsua_media_config_default(&media)
        media.clock_rate = clockRate
        media.snd_clock_rate = clockRate
        media.channel_count = 1
        media.audio_frame_ptime = 20
        media.ec_tail_len = 0
        media.no_vad = pj_bool_t(PJ_TRUE.rawValue)
        media.max_media_ports = UInt32(maxPorts)
        media.thread_cnt = UInt32(max(1, ProcessInfo.processInfo.activeProcessorCount))
        media.quality = 4
        return media
    }

    /// Offers and accepts G.711 (PCMU first, then PCMA), Opus when the peer offers it, and
    /// telephone-event (added by pjmedia); nothing else. Must run on the pj control thread.
    static func configureCodecs() throws(PJError) {
        var infos = [pjsua_codec_info](repeating: pjsua_codec_info(), count: 64)
        var count = UInt32(infos.count)
        try check(pjsua_enum_codecs(&infos, &count), "pjsua_enum_codecs")
        let wanted: [String: UInt8] = ["PCMU/8000/1": 255, "PCMA/8000/1": 254, "opus/48000/2": 200]
        for i in 0..<Int(count) {
            var id = infos[i].codec_id
            let name = String(pjString: id)
            pjsua_codec_set_priority(&id, wanted[name] ?? 0)
        }
    }

    /// Runs `body` with message data carrying `headers` (name, value), for pjsua calls that send
    /// a request or response. Must run on the pj control thread.
    static func withHeaders<T>(_ headers: [(String, String)], _ body: (UnsafeMutablePointer<pjsua_msg_data>?) -> T) -> T {
        guard !headers.isEmpty, let pool = pjsua_pool_create("hdrs", 1024, 1024) else { return body(nil) }
        defer { pj_pool_release(pool) }
        var msg = pjsua_msg_data()
        pjsua_msg_data_init(&msg)
        let arena = CStringArena()
        for (name, value) in headers {
            var n = arena.pj(name)
            var v = arena.pj(value)
            guard let hdr = pjsip_generic_string_hdr_create(pool, &n, &v) else { continue }
            withUnsafeMutablePointer(to: &msg.hdr_list) { list in
                pj_list_insert_before(UnsafeMutableRawPointer(list), UnsafeMutableRawPointer(hdr))
            }
        }
        return withExtendedLifetime(arena) { body(&msg) }
    }

    /// A call's media as on_call_media_state sees it. Read inside the callback: there the stream
    /// exists, while by the time queued work runs the call may be gone (pjsua asserts, rather than
    /// fails, when asked for the stream info of a call whose stream was destroyed).
    struct MediaSnapshot: Sendable {
        let active: Bool
        let confSlot: pjsua_conf_port_id
        /// "PCMU", "opus"...; "?" when not active.
        let codec: String
    }

    /// Must run inside on_call_media_state for `callID`.
    static func mediaSnapshot(_ callID: pjsua_call_id) -> MediaSnapshot {
        var info = pjsua_call_info()
        guard pjsua_call_get_info(callID, &info) == PJ_SUCCESS.rawValue,
              info.state != PJSIP_INV_STATE_DISCONNECTED,
              info.media_status == PJSUA_CALL_MEDIA_ACTIVE, info.conf_slot != PJSUA_INVALID_ID.rawValue else {
            return MediaSnapshot(active: false, confSlot: pjsua_conf_port_id(PJSUA_INVALID_ID.rawValue), codec: "?")
        }
        var stream = pjsua_stream_info()
        let codec = pjsua_call_get_stream_info(callID, 0, &stream) == PJ_SUCCESS.rawValue
            ? String(pjString: stream.info.aud.fmt.encoding_name) : "?"
        return MediaSnapshot(active: true, confSlot: info.conf_slot, codec: codec)
    }

    /// Whether the call `callID` is still the one with `token` and its media still on `slot`:
    /// checked on the executor just before connecting ports, because pjsua may have ended the
    /// call (and handed its slot to another call) since the callback. Must run on the executor.
    static func stillOn(_ callID: pjsua_call_id, token: UInt64, slot: pjsua_conf_port_id) -> Bool {
        var info = pjsua_call_info()
        return pjsua_call_get_info(callID, &info) == PJ_SUCCESS.rawValue
            && UInt64(UInt(bitPattern: pjsua_call_get_user_data(callID))) == token
            && info.state != PJSIP_INV_STATE_DISCONNECTED
            && info.media_status == PJSUA_CALL_MEDIA_ACTIVE && info.conf_slot == slot
    }
}

import CPJProject
import CVoiceGateSupport

/// The gateway's audio end of one call: a vg_audio_port in its own pool, added to the conference
/// bridge and connected both ways to the call's slot.
///
/// Created, connected and destroyed on the PJExecutor thread only. `enqueue` and `stats` touch only
/// the port's lock-free rings and counters, so the playout feeder may call them from its queue.
final class CallAudio: @unchecked Sendable {
    private let pool: UnsafeMutablePointer<pj_pool_t>
    let port: OpaquePointer            // vg_audio_port *
    private(set) var slot: pjsua_conf_port_id = pjsua_conf_port_id(PJSUA_INVALID_ID.rawValue)

    /// One second of playout buffer: the feeder tops it up, so a call holds ~16 KB of queued audio
    /// however long the prompt.
    static let playoutSeconds: UInt32 = 1
    static let captureSeconds: UInt32 = 2

    /// Must run on the PJExecutor thread.
    init(name: String, clockRate: UInt32) throws(PJError) {
        guard let pool = pjsua_pool_create(name, 4096, 4096) else { throw PJError("pjsua_pool_create", pj_status_t(PJ_ENOMEM)) }
        self.pool = pool
        var out: OpaquePointer?
        let status = vg_audio_port_create(pool, name, clockRate, 20, CallAudio.playoutSeconds, CallAudio.captureSeconds, &out)
        guard status == PJ_SUCCESS.rawValue, let port = out else {
            pj_pool_release(pool)
            throw PJError("vg_audio_port_create", status)
        }
        self.port = port
    }

    /// Adds the port to the bridge and connects it both ways with the call's slot.
    /// Must run on the PJExecutor thread.
    func connect(to callSlot: pjsua_conf_port_id) throws(PJError) {
        if slot == PJSUA_INVALID_ID.rawValue {
            var s = pjsua_conf_port_id(0)
            try check(pjsua_conf_add_port(pool, vg_audio_port_base(port), &s), "pjsua_conf_add_port")
            slot = s
        }
        try check(pjsua_conf_connect(slot, callSlot), "pjsua_conf_connect(bot->call)")
        try check(pjsua_conf_connect(callSlot, slot), "pjsua_conf_connect(call->bot)")
    }

    func enqueue(_ samples: UnsafeBufferPointer<Int16>) -> Int {
        vg_audio_port_enqueue(port, samples.baseAddress, samples.count)
    }

    var pendingSamples: Int { vg_audio_port_pending(port) }

    /// Drops what is queued and not yet played; the media thread carries it out on its next frame.
    func flush() { vg_audio_port_flush(port) }

    /// Takes what was heard since the last read (one reader only). Empty frames come as silence,
    /// so pauses keep their length in what is read.
    func read(into buffer: UnsafeMutableBufferPointer<Int16>) -> Int {
        vg_audio_port_read(port, buffer.baseAddress, buffer.count)
    }

    var stats: vg_audio_port_stats {
        var s = vg_audio_port_stats()
        vg_audio_port_get_stats(port, &s)
        return s
    }

    /// Removes the port from the bridge and frees its memory. Must run on the PJExecutor thread,
    /// after the feeder has let go of it. pjmedia 2.12 removes a port under the bridge's lock, so
    /// the clock thread is not inside get_frame when the pool goes.
    func destroy() {
        if slot != PJSUA_INVALID_ID.rawValue {
            pjsua_conf_remove_port(slot)
            slot = pjsua_conf_port_id(PJSUA_INVALID_ID.rawValue)
        }
        pjmedia_port_destroy(vg_audio_port_base(port))
        pj_pool_release(pool)
    }
}

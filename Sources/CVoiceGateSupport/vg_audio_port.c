/* Why C: get_frame/put_frame run on pj's media clock every 20 ms per call. In C they are plain
 * memcpy between the frame and two rings, with nothing that can allocate, block or hop actors. */
#include "vg_audio_port.h"
#include <pjmedia/errno.h>
#include <pj/pool.h>
#include <pj/string.h>
#include <stdatomic.h>
#include <string.h>
#include <stdlib.h>

#define VG_SIGNATURE PJMEDIA_SIG_CLASS_APP('V', 'G', 'A')

typedef struct vg_ring {
    int16_t *buf;
    size_t mask;                 /* capacity - 1; capacity is a power of two */
    _Atomic uint64_t write;      /* advanced by the producer only */
    _Atomic uint64_t read;       /* advanced by the consumer only */
} vg_ring;

struct vg_audio_port {
    pjmedia_port base;           /* first member: pjmedia casts between the two */
    vg_ring playout;             /* Swift -> get_frame */
    vg_ring capture;             /* put_frame -> Swift */
    _Atomic uint64_t flush_to;   /* playout write index at the last flush; 0 when none pending */
    _Atomic uint64_t frames_played, frames_silent, frames_received, samples_dropped;
    _Atomic uint64_t energy_sum, voiced_frames;
};

static size_t next_pow2(size_t n) {
    size_t p = 1;
    while (p < n) p <<= 1;
    return p;
}

static pj_status_t ring_init(pj_pool_t *pool, vg_ring *r, size_t min_samples) {
    size_t cap = next_pow2(min_samples < 2 ? 2 : min_samples);
    r->buf = (int16_t *)pj_pool_calloc(pool, cap, sizeof(int16_t));
    if (!r->buf) return PJ_ENOMEM;
    r->mask = cap - 1;
    atomic_init(&r->write, 0);
    atomic_init(&r->read, 0);
    return PJ_SUCCESS;
}

static size_t ring_push(vg_ring *r, const int16_t *src, size_t count) {
    uint64_t w = atomic_load_explicit(&r->write, memory_order_relaxed);
    uint64_t rd = atomic_load_explicit(&r->read, memory_order_acquire);
    size_t cap = r->mask + 1;
    size_t space = cap - (size_t)(w - rd);
    if (count > space) count = space;
    for (size_t i = 0; i < count; ++i) r->buf[(w + i) & r->mask] = src[i];
    atomic_store_explicit(&r->write, w + count, memory_order_release);
    return count;
}

static size_t ring_pop(vg_ring *r, int16_t *dst, size_t count) {
    uint64_t rd = atomic_load_explicit(&r->read, memory_order_relaxed);
    uint64_t w = atomic_load_explicit(&r->write, memory_order_acquire);
    size_t avail = (size_t)(w - rd);
    if (count > avail) count = avail;
    for (size_t i = 0; i < count; ++i) dst[i] = r->buf[(rd + i) & r->mask];
    atomic_store_explicit(&r->read, rd + count, memory_order_release);
    return count;
}

static pj_status_t port_get_frame(pjmedia_port *base, pjmedia_frame *frame) {
    vg_audio_port *port = (vg_audio_port *)base;
    size_t want = frame->size / sizeof(int16_t);
    uint64_t flush_to = atomic_exchange_explicit(&port->flush_to, 0, memory_order_acq_rel);
    if (flush_to != 0) {
        /* The consumer owns the read index, so the flush is carried out here: it skips what was
         * queued before the flush, not what the producer queued after it (the new reply). */
        uint64_t r = atomic_load_explicit(&port->playout.read, memory_order_relaxed);
        if (flush_to > r) atomic_store_explicit(&port->playout.read, flush_to, memory_order_release);
    }
    size_t got = ring_pop(&port->playout, (int16_t *)frame->buf, want);
    if (got == 0) {
        /* Nothing to say: a NONE frame lets the bridge or stream send comfort silence. */
        frame->type = PJMEDIA_FRAME_TYPE_NONE;
        frame->size = 0;
        atomic_fetch_add_explicit(&port->frames_silent, 1, memory_order_relaxed);
        return PJ_SUCCESS;
    }
    if (got < want) memset((int16_t *)frame->buf + got, 0, (want - got) * sizeof(int16_t));
    frame->type = PJMEDIA_FRAME_TYPE_AUDIO;
    atomic_fetch_add_explicit(&port->frames_played, 1, memory_order_relaxed);
    return PJ_SUCCESS;
}

static pj_status_t port_put_frame(pjmedia_port *base, pjmedia_frame *frame) {
    vg_audio_port *port = (vg_audio_port *)base;
    if (frame->type != PJMEDIA_FRAME_TYPE_AUDIO || frame->size == 0) {
        /* A frame with nothing in it still takes up its 20 ms: capture silence, so pauses keep
         * their length in what the reader gets (recordings, speech segments). */
        static const int16_t zeros[960];
        size_t spf = PJMEDIA_PIA_SPF(&base->info);
        if (spf > sizeof(zeros) / sizeof(zeros[0])) spf = sizeof(zeros) / sizeof(zeros[0]);
        size_t pushed = ring_push(&port->capture, zeros, spf);
        if (pushed < spf)
            atomic_fetch_add_explicit(&port->samples_dropped, spf - pushed, memory_order_relaxed);
        return PJ_SUCCESS;
    }
    const int16_t *samples = (const int16_t *)frame->buf;
    size_t count = frame->size / sizeof(int16_t);
    uint64_t sum = 0;
    for (size_t i = 0; i < count; ++i) sum += (uint64_t)abs((int)samples[i]);
    uint64_t mean = count ? sum / count : 0;
    atomic_fetch_add_explicit(&port->frames_received, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&port->energy_sum, mean, memory_order_relaxed);
    if (mean > 64) atomic_fetch_add_explicit(&port->voiced_frames, 1, memory_order_relaxed);
    size_t pushed = ring_push(&port->capture, samples, count);
    if (pushed < count)
        atomic_fetch_add_explicit(&port->samples_dropped, count - pushed, memory_order_relaxed);
    return PJ_SUCCESS;
}

static pj_status_t port_on_destroy(pjmedia_port *base) {
    (void)base; /* memory belongs to the pool */
    return PJ_SUCCESS;
}

pj_status_t vg_audio_port_create(pj_pool_t *pool, const char *name, unsigned clock_rate,
                                 unsigned ptime_ms, unsigned playout_seconds,
                                 unsigned capture_seconds, vg_audio_port **out) {
    if (!pool || !out || clock_rate == 0 || ptime_ms == 0) return PJ_EINVAL;
    vg_audio_port *port = PJ_POOL_ZALLOC_T(pool, vg_audio_port);
    if (!port) return PJ_ENOMEM;
    pj_str_t pj_name;
    pj_strdup2_with_null(pool, &pj_name, name ? name : "vg-audio");
    unsigned spf = clock_rate * ptime_ms / 1000;
    pj_status_t status = pjmedia_port_info_init(&port->base.info, &pj_name, VG_SIGNATURE,
                                                clock_rate, 1, 16, spf);
    if (status != PJ_SUCCESS) return status;
    status = ring_init(pool, &port->playout, (size_t)clock_rate * (playout_seconds ? playout_seconds : 1));
    if (status != PJ_SUCCESS) return status;
    status = ring_init(pool, &port->capture, (size_t)clock_rate * (capture_seconds ? capture_seconds : 1));
    if (status != PJ_SUCCESS) return status;
    port->base.get_frame = &port_get_frame;
    port->base.put_frame = &port_put_frame;
    port->base.on_destroy = &port_on_destroy;
    *out = port;
    return PJ_SUCCESS;
}

pjmedia_port *vg_audio_port_base(vg_audio_port *port) { return &port->base; }

size_t vg_audio_port_enqueue(vg_audio_port *port, const int16_t *samples, size_t count) {
    return ring_push(&port->playout, samples, count);
}

size_t vg_audio_port_pending(const vg_audio_port *port) {
    vg_audio_port *p = (vg_audio_port *)port;
    uint64_t w = atomic_load_explicit(&p->playout.write, memory_order_acquire);
    uint64_t r = atomic_load_explicit(&p->playout.read, memory_order_acquire);
    return (size_t)(w - r);
}

void vg_audio_port_flush(vg_audio_port *port) {
    uint64_t w = atomic_load_explicit(&port->playout.write, memory_order_acquire);
    atomic_store_explicit(&port->flush_to, w, memory_order_release);
}

size_t vg_audio_port_read(vg_audio_port *port, int16_t *out, size_t max) {
    return ring_pop(&port->capture, out, max);
}

void vg_audio_port_get_stats(const vg_audio_port *port, vg_audio_port_stats *out) {
    vg_audio_port *p = (vg_audio_port *)port;
    out->frames_played = atomic_load_explicit(&p->frames_played, memory_order_relaxed);
    out->frames_silent = atomic_load_explicit(&p->frames_silent, memory_order_relaxed);
    out->frames_received = atomic_load_explicit(&p->frames_received, memory_order_relaxed);
    out->samples_dropped = atomic_load_explicit(&p->samples_dropped, memory_order_relaxed);
    out->energy_sum = atomic_load_explicit(&p->energy_sum, memory_order_relaxed);
    out->voiced_frames = atomic_load_explicit(&p->voiced_frames, memory_order_relaxed);
}

#ifndef VG_AUDIO_PORT_H
#define VG_AUDIO_PORT_H

#include "vg_pjconfig.h"
#include <pjmedia/port.h>
#include <stdint.h>
#include <stddef.h>

/*
 * The audio end of one call on the gateway side: what the bot says goes out through it, what the
 * caller says comes in through it.
 *
 * The media clock calls get_frame and put_frame every 20 ms on a pj media thread. They only copy
 * between the frame and two preallocated single-producer/single-consumer rings: no allocation, no
 * lock, no logging. Swift fills the playout ring and drains the capture ring from its own threads.
 */
typedef struct vg_audio_port vg_audio_port;

/* Creates a port of 16-bit mono PCM at clock_rate with ptime_ms frames, with rings holding
 * playout_seconds and capture_seconds of audio. Allocated from pool, which must outlive it. */
pj_status_t vg_audio_port_create(pj_pool_t *pool, const char *name, unsigned clock_rate,
                                 unsigned ptime_ms, unsigned playout_seconds,
                                 unsigned capture_seconds, vg_audio_port **out);

/* The pjmedia_port to hand to the conference bridge or a stream. */
pjmedia_port *vg_audio_port_base(vg_audio_port *port);

/* Producer side of the playout ring (one producer thread). Returns how many samples were queued,
 * which is less than count when the ring is full. */
size_t vg_audio_port_enqueue(vg_audio_port *port, const int16_t *samples, size_t count);

/* Samples queued and not yet played. */
size_t vg_audio_port_pending(const vg_audio_port *port);

/* Drops everything queued so far and not yet played (barge-in); audio queued after the call is
 * kept, so a reply can be queued right behind the flush. Call from the producer's thread. */
void vg_audio_port_flush(vg_audio_port *port);

/* Consumer side of the capture ring (one consumer thread). Returns samples copied. When the
 * consumer falls behind, new audio is dropped and counted in samples_dropped. */
size_t vg_audio_port_read(vg_audio_port *port, int16_t *out, size_t max);

typedef struct vg_audio_port_stats {
    uint64_t frames_played;    /* frames get_frame filled with queued audio */
    uint64_t frames_silent;    /* frames get_frame had nothing for */
    uint64_t frames_received;  /* audio frames put_frame was given */
    uint64_t samples_dropped;  /* capture samples lost because the consumer fell behind */
    uint64_t energy_sum;       /* sum over received frames of the mean absolute sample value */
    uint64_t voiced_frames;    /* received frames whose mean absolute sample value exceeded 64 */
} vg_audio_port_stats;

void vg_audio_port_get_stats(const vg_audio_port *port, vg_audio_port_stats *out);

#endif

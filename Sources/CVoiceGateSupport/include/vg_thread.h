#ifndef VG_THREAD_H
#define VG_THREAD_H

#include "vg_pjconfig.h"
#include <pj/types.h>

/*
 * Registers the calling thread with pjlib, once; later calls on the same thread do nothing.
 * pjlib keeps a pointer to the descriptor for the thread's whole life, so it must not live on a
 * Swift stack or in a Swift object: it lives in C thread-local storage here.
 * Returns PJ_SUCCESS or pjlib's error.
 */
pj_status_t vg_thread_register(const char *name);

/* Whether the calling thread is registered with pjlib (after pj_init). */
int vg_thread_is_registered(void);

#endif

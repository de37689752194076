#ifndef VG_ADMISSION_H
#define VG_ADMISSION_H

#include "vg_pjconfig.h"
#include <pjsip.h>

/* What the admission decision sees of a request that starts something new (no To tag). */
typedef struct vg_admission_request {
    const char *method;        /* "INVITE", "OPTIONS", ... */
    const char *source_ip;     /* textual address the packet came from */
    int source_port;
    const char *transport;     /* "UDP", "TCP", "TLS", ... */
    pjsip_rx_data *rdata;      /* for the vg_request_* readers, during the call only */
} vg_admission_request;

/* The decision. status 0 lets the request through to pjsua; anything else is the final response
 * sent instead (with Retry-After when retry_after_seconds > 0). reason may be NULL. */
typedef struct vg_admission_decision {
    int status;
    int retry_after_seconds;
    const char *reason;        /* static string: the response's reason phrase */
    int challenge[2];          /* with status 401: the Digest challenges to add, in order: VG_DIGEST_* (0 = none) */
    int stale;                 /* with challenge: the nonce was ours but old (RFC 7616 stale=true) */
} vg_admission_decision;

enum { VG_DIGEST_NONE = 0, VG_DIGEST_SHA256 = 1, VG_DIGEST_MD5 = 2 };

/* Called on a pj worker thread for every out-of-dialog request except ACK and CANCEL (and REGISTER
 * once the registrar is installed: vg_registrar.h answers those first). Must be fast and
 * thread-safe: it decides, it does not wait. */
typedef vg_admission_decision (*vg_admission_fn)(const vg_admission_request *request, void *user);

/*
 * Registers the admission module on endpt with a priority just above pjsua's own module, so a
 * refused INVITE never gets a dialog, a 100 Trying or a call slot. Refusals are answered
 * statefully, so retransmissions are absorbed and the ACK of a non-2xx is matched. Must run on a
 * pj-registered thread, once, after pjsua_init.
 */
pj_status_t vg_admission_install(pjsip_endpoint *endpt, vg_admission_fn fn, void *user, const char *realm);

/* How many responses with this status code the endpoint has sent (after install). Any thread. */
unsigned long vg_responses_sent(int code);

#endif

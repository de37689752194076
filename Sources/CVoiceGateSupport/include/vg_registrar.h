#ifndef VG_REGISTRAR_H
#define VG_REGISTRAR_H

#include "vg_pjconfig.h"
#include <pjsip.h>
#include "vg_admission.h"

/* The answer to one REGISTER, built by the decision (Swift) with the two functions below. Lives
 * in the received request's pool, during the callback only. */
typedef struct vg_register_answer {
    int status;            /* 0 until set: the module then answers 500 */
    pj_str_t reason;
    pjsip_hdr headers;     /* list of headers to add */
    pj_pool_t *pool;
} vg_register_answer;

/* Sets the status and reason phrase (copied). */
void vg_register_answer_set(vg_register_answer *answer, int status, const char *reason);
/* Adds a header (name and value copied), sent as the text given. */
void vg_register_answer_add_header(vg_register_answer *answer, const char *name, const char *value);

/* One Contact of a REGISTER. */
typedef struct vg_contact {
    char uri[512];   /* the URI alone, as pjsip prints it in a Contact (no display name, no header
                        parameters); "" when it is too long to print */
    int expires;     /* its expires parameter, -1 when absent */
} vg_contact;

/* The Contact headers of a request, every entry of every header in order: fills up to max
 * entries (a '*' fills none: *wildcard is set instead) and sets *filled. Returns how many entries
 * the request held in all, '*' included. */
int vg_register_contacts(pjsip_rx_data *rdata, vg_contact *out, int max, int *filled, int *wildcard);

/* The Expires header's value, or -1 when there is none. */
int vg_register_expires(pjsip_rx_data *rdata);

/* Called on a pj worker thread for every REGISTER. It must set the answer's status; the rdata
 * readers (vg_request_*, vg_register_*) may be used on request->rdata during the call only. */
typedef void (*vg_registrar_fn)(const vg_admission_request *request, vg_register_answer *answer, void *user);

/*
 * Makes the endpoint a registrar: adds REGISTER to its Allow capability and registers a module
 * that answers every REGISTER itself, statefully, with what fn decides. Its priority is the
 * header checks' (PJSIP_MOD_PRIORITY_APPLICATION - 2) and pjsip runs modules of equal priority in
 * the order they were registered, so install it after vg_request_checks_install: a malformed
 * REGISTER is still refused for what it is, and no REGISTER ever reaches admission (agents
 * register from anywhere; trunk address ranges are for calls). Must run on a pj-registered
 * thread, once, after pjsua_init.
 */
pj_status_t vg_registrar_install(pjsip_endpoint *endpt, vg_registrar_fn fn, void *user);

#endif

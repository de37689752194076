#ifndef VG_REQUEST_CHECKS_H
#define VG_REQUEST_CHECKS_H

#include "vg_pjconfig.h"
#include <pjsip.h>

/*
 * The UAS checks of RFC 3261 section 8.2 that pjsip and pjsua leave out, as two pjsip modules:
 *
 *  - before admission (priority PJSIP_MOD_PRIORITY_APPLICATION - 2), header inspection of new
 *    requests whose method the endpoint allows: 400 for a CSeq method that differs from the
 *    request line, for more than one Call-ID, CSeq, From, To, Max-Forwards, Content-Length or
 *    Content-Type, and for a datagram whose body is shorter than its Content-Length; 420 with
 *    Unsupported for a Require option tag the endpoint does not support (non-INVITE requests:
 *    pjsip's invite session checks INVITEs itself);
 *  - last of all (PJSIP_MOD_PRIORITY_APPLICATION + 99), method inspection of what nobody took:
 *    405 with Allow for a method pjsip knows but the endpoint does not allow (REGISTER, unless
 *    agents can register: vg_registrar.h), 501 with Allow for a method pjsip does not know.
 *
 * Answers are stateless and go where the request came from. The modules judge by the endpoint's
 * Allow and Supported capabilities as they are when a request comes. Must run on a pj-registered
 * thread, once, after pjsua_init.
 */
pj_status_t vg_request_checks_install(pjsip_endpoint *endpt);

/* Answers 405 (with Allow) or 501 when the request's method is one the endpoint does not take,
 * as the method checks would; returns whether it answered. For requests that never reach the
 * modules (vg_parse_errors.c), on the thread that received them. */
pj_bool_t vg_request_checks_refuse_method(pjsip_rx_data *rdata);

#endif

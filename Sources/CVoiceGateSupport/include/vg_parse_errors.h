#ifndef VG_PARSE_ERRORS_H
#define VG_PARSE_ERRORS_H

#include "vg_pjconfig.h"
#include <pjsip.h>

/* Answers 400 Bad Request to requests pjsip's parser rejected, when enough of them parsed to
 * address a response (Via, From, To, Call-ID, CSeq). pjsip 2.12 drops such requests without a
 * word, so the sender retransmits into silence (RFC 4475 3.1.2 expects 400). Must run on a
 * pj-registered thread, once, after pjsua_init. */
pj_status_t vg_parse_errors_install(pjsip_endpoint *endpt);

/* How many 400s this sent (for tests and metrics). Any thread. */
unsigned long vg_parse_errors_answered(void);

#endif

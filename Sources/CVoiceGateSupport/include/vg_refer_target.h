#ifndef VG_REFER_TARGET_H
#define VG_REFER_TARGET_H

#include <pjsip.h>

/* The parts of a REFER's Refer-To that decide whether the gateway may follow it, read with
 * pjsip's own URI parser: the scheme must be sip, and the user part, host and port are copied
 * out (NUL-terminated, cut to the buffer). Returns PJ_SUCCESS, or PJ_EINVAL for anything that
 * is not a sip: URI with a user part (tel:, sips:, a malformed value). A port not in the URI is 0. */
pj_status_t vg_refer_target(const char *value, char *user, pj_size_t user_size,
                            char *host, pj_size_t host_size, int *port);

#endif

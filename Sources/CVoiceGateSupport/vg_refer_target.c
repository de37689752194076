/* Why C: pjsip_parse_uri and the scheme macros work on pjsip's structures; the caller gets plain
 * strings back. */
#include "vg_refer_target.h"
#include <pjsua-lib/pjsua.h>
#include <string.h>

static void copy(char *out, pj_size_t size, const pj_str_t *in) {
    if (size == 0) return;
    pj_size_t n = (pj_size_t)in->slen < size - 1 ? (pj_size_t)in->slen : size - 1;
    memcpy(out, in->ptr, n);
    out[n] = '\0';
}

pj_status_t vg_refer_target(const char *value, char *user, pj_size_t user_size,
                            char *host, pj_size_t host_size, int *port) {
    if (!value || !user || !host || !port) return PJ_EINVAL;
    pj_pool_t *pool = pjsua_pool_create("refer-to", 512, 512);
    if (!pool) return PJ_ENOMEM;
    pj_status_t status = PJ_EINVAL;
    pj_size_t len = strlen(value);
    char *buf = (char *)pj_pool_alloc(pool, len + 1);
    memcpy(buf, value, len + 1);
    /* Refer-To is a name-addr or an addr-spec; the parser wants to know it may be either. */
    pjsip_uri *uri = pjsip_parse_uri(pool, buf, len, PJSIP_PARSE_URI_AS_NAMEADDR);
    if (uri) {
        pjsip_uri *inner = (pjsip_uri *)pjsip_uri_get_uri(uri);
        if (PJSIP_URI_SCHEME_IS_SIP(inner)) {
            pjsip_sip_uri *sip = (pjsip_sip_uri *)inner;
            if (sip->user.slen > 0) {
                copy(user, user_size, &sip->user);
                copy(host, host_size, &sip->host);
                *port = sip->port;
                status = PJ_SUCCESS;
            }
        }
    }
    pj_pool_release(pool);
    return status;
}

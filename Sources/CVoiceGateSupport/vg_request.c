/* Why C: reading a pjsip_rx_data means walking pjsip's header lists and its parsed URI and
 * credential structs, whose pj_str_t strings are not NUL-terminated. Parsing is always pjsip's;
 * this file only copies out what it parsed. */
#include "vg_request.h"
#include <pjlib-util/hmac_sha1.h>
#include <pj/rand.h>
#include <string.h>
#include <stdio.h>
#include <time.h>

static void copy_str(char *dst, int len, const pj_str_t *src) {
    if (len <= 0) return;
    pj_ssize_t n = src && src->ptr ? src->slen : 0;
    if (n > len - 1) n = len - 1;
    if (n > 0) memcpy(dst, src->ptr, (size_t)n);
    dst[n < 0 ? 0 : n] = '\0';
}

static void copy_params(char *dst, int len, const pjsip_param *list) {
    dst[0] = '\0';
    int used = 0;
    for (const pjsip_param *p = list->next; p != list && used < len - 1; p = p->next) {
        int n = snprintf(dst + used, (size_t)(len - used), "%s%.*s=%.*s", used ? ";" : "",
                         (int)p->name.slen, p->name.ptr, (int)p->value.slen, p->value.ptr ? p->value.ptr : "");
        if (n < 0) break;
        used += n;
        if (used >= len) { dst[len - 1] = '\0'; break; }
    }
}

static void fill_identity(const pjsip_uri *uri, vg_identity *out) {
    memset(out, 0, sizeof(*out));
    if (!uri) return;
    const pjsip_uri *inner = (const pjsip_uri *)pjsip_uri_get_uri((pjsip_uri *)uri);
    const pj_str_t *scheme = pjsip_uri_get_scheme(inner);
    copy_str(out->scheme, sizeof(out->scheme), scheme);
    if (PJSIP_URI_SCHEME_IS_SIP(inner) || PJSIP_URI_SCHEME_IS_SIPS(inner)) {
        const pjsip_sip_uri *sip = (const pjsip_sip_uri *)inner;
        copy_str(out->user, sizeof(out->user), &sip->user);
        copy_str(out->host, sizeof(out->host), &sip->host);
    } else if (PJSIP_URI_SCHEME_IS_TEL(inner)) {
        const pjsip_tel_uri *tel = (const pjsip_tel_uri *)inner;
        copy_str(out->user, sizeof(out->user), &tel->number);
    }
}

int vg_request_uri_identity(pjsip_rx_data *rdata, int which, vg_identity *out) {
    pjsip_msg *msg = rdata->msg_info.msg;
    memset(out, 0, sizeof(*out));
    switch (which) {
    case VG_URI_REQUEST:
        if (msg->type != PJSIP_REQUEST_MSG || !msg->line.req.uri) return 0;
        fill_identity(msg->line.req.uri, out);
        return 1;
    case VG_URI_TO:
        if (!rdata->msg_info.to) return 0;
        fill_identity(rdata->msg_info.to->uri, out);
        copy_params(out->params, sizeof(out->params), &rdata->msg_info.to->other_param);
        return 1;
    case VG_URI_FROM:
        if (!rdata->msg_info.from) return 0;
        fill_identity(rdata->msg_info.from->uri, out);
        copy_params(out->params, sizeof(out->params), &rdata->msg_info.from->other_param);
        return 1;
    }
    return 0;
}

/* Parses one list entry ("Name" <uri>;params) the way pjsip parses a From header's value. */
static int parse_entry(pj_pool_t *pool, const char *start, pj_size_t n, vg_identity *out) {
    while (n > 0 && (*start == ' ' || *start == '\t')) { start++; n--; }
    while (n > 0 && (start[n - 1] == ' ' || start[n - 1] == '\t')) n--;
    if (n == 0) return 0;
    char *line = (char *)pj_pool_alloc(pool, n + 1);
    memcpy(line, start, n);
    line[n] = '\0';
    static const pj_str_t from_name = { "From", 4 };
    int parsed = 0;
    pjsip_fromto_hdr *hdr = (pjsip_fromto_hdr *)pjsip_parse_hdr(pool, &from_name, line, n, &parsed);
    if (!hdr || !hdr->uri) return 0;
    fill_identity(hdr->uri, out);
    copy_params(out->params, sizeof(out->params), &hdr->other_param);
    return 1;
}

int vg_request_header_identities(pjsip_rx_data *rdata, const char *name, vg_identity *out, int max) {
    pj_str_t hname = pj_str((char *)name);
    pj_pool_t *pool = rdata->tp_info.pool;
    int count = 0;
    const pjsip_hdr *start = NULL;
    for (;;) {
        const pjsip_generic_string_hdr *h = (const pjsip_generic_string_hdr *)
            pjsip_msg_find_hdr_by_name(rdata->msg_info.msg, &hname, start ? start->next : NULL);
        if (!h || count >= max) break;
        start = (const pjsip_hdr *)h;
        /* Only generic headers carry a raw value; pjsip parses neither PAI nor RPID itself. */
        if (h->type != PJSIP_H_OTHER) continue;
        const char *v = h->hvalue.ptr;
        pj_ssize_t len = h->hvalue.slen, begin = 0;
        int quoted = 0, angle = 0;
        for (pj_ssize_t i = 0; i <= len && count < max; i++) {
            char c = i < len ? v[i] : ',';
            if (quoted) { if (c == '\\' && i + 1 < len) i++; else if (c == '"') quoted = 0; continue; }
            if (c == '"') quoted = 1;
            else if (c == '<') angle = 1;
            else if (c == '>') angle = 0;
            else if (c == ',' && !angle) {
                if (parse_entry(pool, v + begin, (pj_size_t)(i - begin), &out[count])) count++;
                begin = i + 1;
            }
        }
    }
    return count;
}

int vg_request_header_value(pjsip_rx_data *rdata, const char *name, int index, char *buf, int len) {
    pj_str_t hname = pj_str((char *)name);
    const pjsip_hdr *h = NULL;
    for (int i = 0; i <= index; i++) {
        h = (const pjsip_hdr *)pjsip_msg_find_hdr_by_name(rdata->msg_info.msg, &hname, h ? h->next : NULL);
        if (!h) return -1;
    }
    char printed[2048];
    int n = pjsip_hdr_print_on((void *)h, printed, sizeof(printed) - 1);
    if (n < 0) n = 0;   /* too long to print whole: give nothing rather than a cut value */
    printed[n] = '\0';
    /* "Name: value" -> "value" */
    const char *colon = memchr(printed, ':', (size_t)n);
    const char *value = colon ? colon + 1 : printed;
    while (*value == ' ' || *value == '\t') value++;
    int vlen = (int)strlen(value);
    if (vlen > len - 1) vlen = len - 1;
    memcpy(buf, value, (size_t)vlen);
    buf[vlen] = '\0';
    return vlen;
}

void vg_request_call_id(pjsip_rx_data *rdata, char *buf, int len) {
    if (rdata->msg_info.cid) copy_str(buf, len, &rdata->msg_info.cid->id);
    else if (len > 0) buf[0] = '\0';
}

int vg_request_authorization(pjsip_rx_data *rdata, vg_digest *out) {
    memset(out, 0, sizeof(*out));
    const pjsip_authorization_hdr *h = (const pjsip_authorization_hdr *)
        pjsip_msg_find_hdr(rdata->msg_info.msg, PJSIP_H_AUTHORIZATION, NULL);
    static const pj_str_t digest = { "Digest", 6 };
    for (; h; h = (const pjsip_authorization_hdr *)pjsip_msg_find_hdr(rdata->msg_info.msg, PJSIP_H_AUTHORIZATION, h->next)) {
        if (pj_stricmp(&h->scheme, &digest) != 0) continue;
        const pjsip_digest_credential *d = &h->credential.digest;
        copy_str(out->username, sizeof(out->username), &d->username);
        copy_str(out->realm, sizeof(out->realm), &d->realm);
        copy_str(out->nonce, sizeof(out->nonce), &d->nonce);
        copy_str(out->uri, sizeof(out->uri), &d->uri);
        copy_str(out->response, sizeof(out->response), &d->response);
        copy_str(out->algorithm, sizeof(out->algorithm), &d->algorithm);
        copy_str(out->cnonce, sizeof(out->cnonce), &d->cnonce);
        copy_str(out->qop, sizeof(out->qop), &d->qop);
        copy_str(out->nc, sizeof(out->nc), &d->nc);
        return 1;
    }
    return 0;
}

int vg_digest_expected(const vg_digest *d, const char *method, const char *password, char *out, int len) {
    char result[PJSIP_SHA256STRLEN + 1];
    pj_str_t r = { result, PJSIP_SHA256STRLEN };
    pjsip_cred_info cred;
    pj_bzero(&cred, sizeof(cred));
    cred.realm = pj_str((char *)d->realm);
    cred.scheme = pj_str("Digest");
    cred.username = pj_str((char *)d->username);
    cred.data_type = PJSIP_CRED_DATA_PLAIN_PASSWD;
    cred.data = pj_str((char *)password);
    pj_str_t nonce = pj_str((char *)d->nonce), nc = pj_str((char *)d->nc), cnonce = pj_str((char *)d->cnonce);
    pj_str_t qop = pj_str((char *)d->qop), uri = pj_str((char *)d->uri), realm = pj_str((char *)d->realm);
    pj_str_t m = pj_str((char *)method);
    pj_status_t status;
    if (d->algorithm[0] == '\0' || pj_ansi_stricmp(d->algorithm, "MD5") == 0) {
        r.slen = PJSIP_MD5STRLEN;
        status = pjsip_auth_create_digest(&r, &nonce, &nc, &cnonce, &qop, &uri, &realm, &cred, &m);
    } else if (pj_ansi_stricmp(d->algorithm, "SHA-256") == 0) {
        status = pjsip_auth_create_digestSHA256(&r, &nonce, &nc, &cnonce, &qop, &uri, &realm, &cred, &m);
    } else {
        return -1;
    }
    if (status != PJ_SUCCESS || len <= r.slen) return -1;
    memcpy(out, r.ptr, (size_t)r.slen);
    out[r.slen] = '\0';
    return 0;
}

int vg_secure_equal(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    unsigned char diff = (unsigned char)(la != lb);
    for (size_t i = 0; i < la; i++) diff |= (unsigned char)(a[i] ^ (lb ? b[i % lb] : 0));
    return diff == 0;
}

static pj_uint8_t g_nonce_key[20];
static int g_nonce_key_ready;
static void nonce_key(void);

void vg_request_init(void) { nonce_key(); }

static void nonce_key(void) {
    if (g_nonce_key_ready) return;
    FILE *f = fopen("/dev/urandom", "rb");
    if (!f || fread(g_nonce_key, 1, sizeof(g_nonce_key), f) != sizeof(g_nonce_key)) {
        /* No urandom: still unpredictable enough to a remote peer for nonce freshness. */
        for (size_t i = 0; i < sizeof(g_nonce_key); i++) g_nonce_key[i] = (pj_uint8_t)pj_rand();
    }
    if (f) fclose(f);
    g_nonce_key_ready = 1;
}

static void nonce_for(unsigned long issued, char *out, int len) {
    char stamp[17];
    snprintf(stamp, sizeof(stamp), "%08lx", issued);
    pj_uint8_t mac[20];
    pj_hmac_sha1((const pj_uint8_t *)stamp, (unsigned)strlen(stamp), g_nonce_key, sizeof(g_nonce_key), mac);
    int used = snprintf(out, (size_t)len, "%s.", stamp);
    for (int i = 0; i < 20 && used + 2 < len; i++) used += snprintf(out + used, (size_t)(len - used), "%02x", mac[i]);
}

void vg_nonce_make(char *out, int len) {
    nonce_key();
    nonce_for((unsigned long)time(NULL), out, len);
}

int vg_nonce_fresh(const char *nonce, int max_age) {
    nonce_key();
    unsigned long issued = 0;
    if (sscanf(nonce, "%8lx.", &issued) != 1) return 0;
    char expected[64];
    nonce_for(issued, expected, sizeof(expected));
    if (!vg_secure_equal(nonce, expected)) return 0;
    unsigned long now = (unsigned long)time(NULL);
    return now >= issued && now - issued <= (unsigned long)max_age;
}

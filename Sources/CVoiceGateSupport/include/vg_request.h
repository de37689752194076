#ifndef VG_REQUEST_H
#define VG_REQUEST_H

#include "vg_pjconfig.h"
#include <pjsip.h>

/* Reading what a request says, with pjsip's parser, into fixed buffers Swift can copy from.
 * Every function here is called on the pj worker thread that received rdata, during the
 * callback (rdata is not valid after it). Overlong values are truncated, never overrun. */

/* One URI: the Request-URI, To, From, or one entry of an identity header. */
typedef struct vg_identity {
    char scheme[16];     /* "sip", "sips", "tel", or the unknown scheme's name */
    char user[128];      /* sip user part (unescaped by pjsip) or tel number */
    char host[128];
    char params[256];    /* header parameters as "name=value;name=value" (Remote-Party-ID's party, privacy) */
} vg_identity;

enum { VG_URI_REQUEST = 0, VG_URI_TO = 1, VG_URI_FROM = 2 };

/* Fills out from the Request-URI, To or From. Returns 1, or 0 when absent. */
int vg_request_uri_identity(pjsip_rx_data *rdata, int which, vg_identity *out);

/* Every entry of every header with this name (P-Asserted-Identity, Remote-Party-ID), in order:
 * comma-separated lists are split outside quotes and angle brackets, and each entry is parsed by
 * pjsip as a name-addr with parameters. Unparsable entries are skipped. Returns the count. */
int vg_request_header_identities(pjsip_rx_data *rdata, const char *name, vg_identity *out, int max);

/* The value of the index-th header with this name (case-insensitive), as pjsip prints it.
 * Returns its length (truncated to len-1), or -1 when there is no such header. */
int vg_request_header_value(pjsip_rx_data *rdata, const char *name, int index, char *buf, int len);

/* The Call-ID, or "" (a request without one never reaches the application). */
void vg_request_call_id(pjsip_rx_data *rdata, char *buf, int len);

/* A Digest Authorization header's fields, quotes removed by pjsip's parser. */
typedef struct vg_digest {
    char username[128];
    char realm[128];
    char nonce[128];
    char uri[512];
    char response[128];
    char algorithm[32];
    char cnonce[128];
    char qop[32];
    char nc[16];
} vg_digest;

/* Returns 1 and fills out when the request has an Authorization header with the Digest scheme. */
int vg_request_authorization(pjsip_rx_data *rdata, vg_digest *out);

/* The response a client knowing `password` would have sent for these fields, with pjsip's own
 * digest functions (RFC 8760 SHA-256, or MD5). Returns 0 and writes a NUL-terminated hex string
 * into out, or -1 for an algorithm pjsip cannot compute. */
int vg_digest_expected(const vg_digest *digest, const char *method, const char *password, char *out, int len);

/* Constant-time comparison of two NUL-terminated strings (same answer time for any mismatch). */
int vg_secure_equal(const char *a, const char *b);

/* Makes the nonce key; call once, on a registered thread, before any request arrives. */
void vg_request_init(void);

/* Nonces are stateless: "<issued, hex seconds>.<HMAC-SHA1 of it under a per-process random key>".
 * A restart invalidates old ones (the trunk is simply challenged again). */
void vg_nonce_make(char *out, int len);
/* 1 when nonce is one of ours and at most max_age seconds old. */
int vg_nonce_fresh(const char *nonce, int max_age);

#endif

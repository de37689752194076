/* Why C: a pjsip module is a struct of callbacks that pjsip walks on its worker threads, with
 * rdata whose strings are not NUL-terminated; reading it and answering is plain C. The decision
 * itself is Swift's (the callback). */
#include "vg_admission.h"
#include "vg_request.h"
#include <string.h>
#include <stdio.h>
#include <stdatomic.h>

static vg_admission_fn g_fn;
static pjsip_endpoint *g_endpt;
static void *g_user;
static char g_realm[128] = "voicegate";

static pj_bool_t on_rx_request(pjsip_rx_data *rdata);
static pj_status_t on_tx_response(pjsip_tx_data *tdata);

/* Responses sent, by status code (100..699), for /metrics. Counted here because every response
 * the endpoint sends, pjsua's and ours, passes through the modules' on_tx_response. */
static _Atomic unsigned long g_responses[700];

static pjsip_module g_module = {
    NULL, NULL,                                 /* prev, next */
    { "mod-voicegate-admission", 23 },          /* name */
    -1,                                         /* id */
    PJSIP_MOD_PRIORITY_APPLICATION - 1,         /* before pjsua's module */
    NULL, NULL, NULL, NULL,                     /* load, start, stop, unload */
    &on_rx_request,                             /* on_rx_request */
    NULL, NULL,                                 /* on_rx_response, on_tx_request */
    &on_tx_response,                            /* on_tx_response */
    NULL,                                       /* on_tsx_state */
};

static pj_bool_t on_rx_request(pjsip_rx_data *rdata) {
    pjsip_msg *msg = rdata->msg_info.msg;
    const pjsip_method *method = &msg->line.req.method;
    /* Answer where the request came from (RFC 3581 behaviour even without ;rport): trunks behind
     * NAT, and SBCs that send from another port than their Via says, still get their responses.
     * Asterisk does the same by default (force_rport). */
    if (rdata->msg_info.via && rdata->msg_info.via->rport_param < 0)
        rdata->msg_info.via->rport_param = rdata->pkt_info.src_port;
    if (method->id == PJSIP_ACK_METHOD || method->id == PJSIP_CANCEL_METHOD) return PJ_FALSE;
    /* In-dialog requests belong to calls already admitted. */
    if (rdata->msg_info.to && rdata->msg_info.to->tag.slen > 0) return PJ_FALSE;
    if (!g_fn) return PJ_FALSE;

    char method_name[32];
    pj_size_t n = method->name.slen < (pj_ssize_t)sizeof(method_name) - 1
                      ? (pj_size_t)method->name.slen : sizeof(method_name) - 1;
    memcpy(method_name, method->name.ptr, n);
    method_name[n] = '\0';

    vg_admission_request request = {
        .method = method_name,
        .source_ip = rdata->pkt_info.src_name,
        .source_port = rdata->pkt_info.src_port,
        .transport = rdata->tp_info.transport ? rdata->tp_info.transport->type_name : "?",
        .rdata = rdata,
    };
    vg_admission_decision decision = g_fn(&request, g_user);
    if (decision.status == 0) return PJ_FALSE;

    pjsip_hdr headers;
    pj_list_init(&headers);
    pjsip_generic_string_hdr retry_after;
    char retry_value[16];
    if (decision.retry_after_seconds > 0) {
        static const pj_str_t name = { "Retry-After", 11 };
        int len = snprintf(retry_value, sizeof(retry_value), "%d", decision.retry_after_seconds);
        pj_str_t value = { retry_value, len };
        pjsip_generic_string_hdr_init2(&retry_after, (pj_str_t *)&name, &value);
        pj_list_push_back(&headers, &retry_after);
    }
    /* RFC 8760: offer SHA-256 first and MD5 second; a client takes the first it supports. */
    pjsip_generic_string_hdr challenges[2];
    char challenge_values[2][384];
    if (decision.status == 401 && decision.challenge[0] != VG_DIGEST_NONE) {
        static const pj_str_t www = { "WWW-Authenticate", 16 };
        char nonce[64];
        vg_nonce_make(nonce, sizeof(nonce));
        for (int i = 0; i < 2 && decision.challenge[i] != VG_DIGEST_NONE; i++) {
            const char *algorithm = decision.challenge[i] == VG_DIGEST_SHA256 ? "SHA-256" : "MD5";
            int len = snprintf(challenge_values[i], sizeof(challenge_values[i]),
                               "Digest realm=\"%s\", nonce=\"%s\", algorithm=%s, qop=\"auth\"%s",
                               g_realm, nonce, algorithm, decision.stale ? ", stale=true" : "");
            pj_str_t value = { challenge_values[i], len };
            pjsip_generic_string_hdr_init2(&challenges[i], (pj_str_t *)&www, &value);
            pj_list_push_back(&headers, &challenges[i]);
        }
    }
    pj_str_t reason = { (char *)decision.reason, decision.reason ? (pj_ssize_t)strlen(decision.reason) : 0 };
    pjsip_endpoint *endpt = g_endpt;
    pj_status_t status = pjsip_endpt_respond(endpt, NULL, rdata, decision.status,
                                             decision.reason ? &reason : NULL, &headers, NULL, NULL);
    if (status != PJ_SUCCESS) {
        /* A stateful answer needs a transaction; if that fails, still never let it through. */
        pjsip_endpt_respond_stateless(endpt, rdata, decision.status,
                                      decision.reason ? &reason : NULL, &headers, NULL);
    }
    return PJ_TRUE;
}

pj_status_t vg_admission_install(pjsip_endpoint *endpt, vg_admission_fn fn, void *user, const char *realm) {
    if (realm) snprintf(g_realm, sizeof(g_realm), "%s", realm);
    vg_request_init();
    g_fn = fn;
    g_endpt = endpt;
    g_user = user;
    return pjsip_endpt_register_module(endpt, &g_module);
}

static pj_status_t on_tx_response(pjsip_tx_data *tdata) {
    int code = tdata->msg->line.status.code;
    if (code >= 100 && code < 700) atomic_fetch_add_explicit(&g_responses[code], 1, memory_order_relaxed);
    return PJ_SUCCESS;
}

unsigned long vg_responses_sent(int code) {
    if (code < 100 || code >= 700) return 0;
    return atomic_load_explicit(&g_responses[code], memory_order_relaxed);
}

/* Why C: pjsip modules are structs of callbacks that pjsip walks on its worker threads; the checks
 * read what pjsip's parser made of a request and answer with pjsip's own response builder. Nothing
 * here parses SIP text.
 *
 * Why these checks: pjsua answers OPTIONS with 200 whatever the request says, and drops requests
 * no module takes without a word (REGISTER, unknown methods), so a trunk retransmits into silence.
 * RFC 4475 (Tests/VoiceGateIntegrationTests/TortureTests.swift) found each gap filled here. */
#include "vg_request_checks.h"
#include <pj/log.h>

#define THIS_FILE "vg_request_checks.c"

static pjsip_endpoint *g_endpt;

static pj_bool_t on_rx_new_request(pjsip_rx_data *rdata);
static pj_bool_t on_rx_unhandled_request(pjsip_rx_data *rdata);

/* Before admission, so that a malformed request is refused for what it is whatever its source. */
static pjsip_module g_header_checks = {
    NULL, NULL,                                 /* prev, next */
    { "mod-voicegate-header-checks", 27 },      /* name */
    -1,                                         /* id */
    PJSIP_MOD_PRIORITY_APPLICATION - 2,         /* before admission and pjsua */
    NULL, NULL, NULL, NULL,                     /* load, start, stop, unload */
    &on_rx_new_request,                         /* on_rx_request */
    NULL, NULL, NULL,                           /* on_rx_response, on_tx_request, on_tx_response */
    NULL,                                       /* on_tsx_state */
};

/* After everything (the priority the pjsua sample application gives its default handler), so an
 * untrusted source still gets admission's 403 and its log line, and a method pjsua handles is
 * never refused here. */
static pjsip_module g_method_checks = {
    NULL, NULL,                                 /* prev, next */
    { "mod-voicegate-method-checks", 27 },      /* name */
    -1,                                         /* id */
    PJSIP_MOD_PRIORITY_APPLICATION + 99,        /* last */
    NULL, NULL, NULL, NULL,                     /* load, start, stop, unload */
    &on_rx_unhandled_request,                   /* on_rx_request */
    NULL, NULL, NULL,                           /* on_rx_response, on_tx_request, on_tx_response */
    NULL,                                       /* on_tsx_state */
};

/* Headers a request carries once (RFC 3261 7.3.1: their values are no comma-separated lists). */
static const struct {
    pjsip_hdr_e type;
    const char *reason;
} g_single_headers[] = {
    { PJSIP_H_CALL_ID,        "Bad Request (more than one Call-ID)" },
    { PJSIP_H_CSEQ,           "Bad Request (more than one CSeq)" },
    { PJSIP_H_FROM,           "Bad Request (more than one From)" },
    { PJSIP_H_TO,             "Bad Request (more than one To)" },
    { PJSIP_H_MAX_FORWARDS,   "Bad Request (more than one Max-Forwards)" },
    { PJSIP_H_CONTENT_LENGTH, "Bad Request (more than one Content-Length)" },
    { PJSIP_H_CONTENT_TYPE,   "Bad Request (more than one Content-Type)" },
};

/* Stateless (RFC 3261 8.2.7): a refused request leaves no transaction behind, and a
 * retransmission is refused again. extra, when given, must belong to no list. */
static pj_bool_t answer(pjsip_rx_data *rdata, int code, const char *reason, pjsip_hdr *extra) {
    pjsip_hdr headers;
    pj_str_t text = pj_str((char *)reason);
    pj_list_init(&headers);
    if (extra) pj_list_push_back(&headers, extra);
    /* Where the request came from, as admission answers (vg_admission.c says why); the header
     * checks run before admission has set it. */
    if (rdata->msg_info.via->rport_param < 0)
        rdata->msg_info.via->rport_param = rdata->pkt_info.src_port;
    PJ_LOG(4, (THIS_FILE, "%s from %s:%d answered %d %s", pjsip_rx_data_get_info(rdata),
               rdata->pkt_info.src_name, rdata->pkt_info.src_port, code, reason));
    pjsip_endpt_respond_stateless(g_endpt, rdata, code, &text, &headers, NULL);
    return PJ_TRUE;
}

static pj_bool_t endpoint_allows(const pjsip_method *method) {
    const pjsip_allow_hdr *allow =
        (const pjsip_allow_hdr *)pjsip_endpt_get_capability(g_endpt, PJSIP_H_ALLOW, NULL);
    if (!allow) return PJ_TRUE;   /* nothing to judge by: leave the request to pjsua */
    for (unsigned i = 0; i < allow->count; ++i) {
        if (pj_strcmp(&allow->values[i], &method->name) == 0) return PJ_TRUE;
    }
    return PJ_FALSE;
}

/* The body bytes the packet held, as pjsip's parser kept them (a multipart body keeps its raw
 * text aside); -1 when unknown. */
static pj_ssize_t body_bytes(pjsip_msg_body *body) {
    static const pj_str_t multipart = { "multipart", 9 };
    if (pj_stricmp(&body->content_type.type, &multipart) == 0) {
        pj_str_t raw;
        return pjsip_multipart_get_raw(body, NULL, &raw) == PJ_SUCCESS ? raw.slen : -1;
    }
    return (pj_ssize_t)body->len;
}

static pj_bool_t is_supported(const pj_str_t *tag) {
    const pjsip_supported_hdr *supported =
        (const pjsip_supported_hdr *)pjsip_endpt_get_capability(g_endpt, PJSIP_H_SUPPORTED, NULL);
    if (!supported) return PJ_FALSE;
    for (unsigned i = 0; i < supported->count; ++i) {
        if (pj_stricmp(&supported->values[i], tag) == 0) return PJ_TRUE;
    }
    return PJ_FALSE;
}

/* The Require option tags the endpoint does not support, as an Unsupported header in the rdata's
 * pool; NULL when there are none. */
static pjsip_unsupported_hdr *unsupported_tags(pjsip_rx_data *rdata) {
    const pjsip_msg *msg = rdata->msg_info.msg;
    pjsip_unsupported_hdr *unsupported = NULL;
    const pjsip_require_hdr *require = pjsip_msg_find_hdr(msg, PJSIP_H_REQUIRE, NULL);
    for (; require; require = pjsip_msg_find_hdr(msg, PJSIP_H_REQUIRE, require->next)) {
        for (unsigned i = 0; i < require->count; ++i) {
            if (is_supported(&require->values[i])) continue;
            if (!unsupported) unsupported = pjsip_unsupported_hdr_create(rdata->tp_info.pool);
            if (unsupported->count < PJSIP_GENERIC_ARRAY_MAX_COUNT)
                unsupported->values[unsupported->count++] = require->values[i];
        }
    }
    return unsupported;
}

/* Every request outside a dialog that no transaction took (in-dialog ones belong to pjsip's
 * dialog layer, which answers 481 for a dialog it does not know). */
static pj_bool_t on_rx_new_request(pjsip_rx_data *rdata) {
    const pjsip_msg *msg = rdata->msg_info.msg;
    const pjsip_method *method = &msg->line.req.method;

    /* No answer to an ACK ever; a CANCEL is pjsip's to match with its INVITE. */
    if (method->id == PJSIP_ACK_METHOD || method->id == PJSIP_CANCEL_METHOD) return PJ_FALSE;
    /* RFC 3261 inspects the method (8.2.1) before the headers (8.2.2): one the endpoint does
     * not allow is answered by the method checks, after admission. */
    if (!endpoint_allows(method)) return PJ_FALSE;

    for (unsigned i = 0; i < PJ_ARRAY_SIZE(g_single_headers); ++i) {
        const pjsip_hdr *first = pjsip_msg_find_hdr(msg, g_single_headers[i].type, NULL);
        if (first && pjsip_msg_find_hdr(msg, g_single_headers[i].type, first->next))
            return answer(rdata, 400, g_single_headers[i].reason, NULL);
    }
    /* pjsip's transaction layer refuses such a request too, but pjsua answers OPTIONS without a
     * transaction (RFC 4475's mismatch01). */
    if (pjsip_method_cmp(method, &rdata->msg_info.cseq->method) != 0)
        return answer(rdata, 400, "Bad Request (CSeq method differs from the request line)", NULL);
    /* RFC 3261 18.3. Only a datagram can end early: a stream is cut by Content-Length. Without
     * Content-Type pjsip keeps no body to measure. */
    if ((rdata->tp_info.transport->flag & PJSIP_TRANSPORT_DATAGRAM) && rdata->msg_info.clen && msg->body) {
        pj_ssize_t held = body_bytes(msg->body);
        if (held >= 0 && held < rdata->msg_info.clen->len)
            return answer(rdata, 400, "Bad Request (Content-Length larger than the message)", NULL);
    }
    /* RFC 3261 20.10: an RFC 2543 client may send an INVITE without Contact, and its From is
     * then the remote target (RFC 4475's inv2543). pjsip's invite session refuses such an
     * INVITE, so lend it a Contact made from pjsip's parsed From URI. */
    if (method->id == PJSIP_INVITE_METHOD && !pjsip_msg_find_hdr(msg, PJSIP_H_CONTACT, NULL) && rdata->msg_info.from) {
        pjsip_contact_hdr *contact = pjsip_contact_hdr_create(rdata->tp_info.pool);
        contact->uri = (pjsip_uri *)pjsip_uri_clone(rdata->tp_info.pool, rdata->msg_info.from->uri);
        pjsip_msg_add_hdr(rdata->msg_info.msg, (pjsip_hdr *)contact);
    }
    /* RFC 3261 8.2.2.3. pjsip's invite session checks an INVITE's Require itself. */
    if (method->id != PJSIP_INVITE_METHOD) {
        pjsip_unsupported_hdr *unsupported = unsupported_tags(rdata);
        if (unsupported) return answer(rdata, 420, "Bad Extension", (pjsip_hdr *)unsupported);
    }
    return PJ_FALSE;
}

/* What reaches here no module took. RFC 3261 8.2.1 answers a method the UAS does not support
 * with 405 and Allow, 21.5.2 one it does not recognize with 501 (RFC 4475's intmeth, esc02,
 * mismatch02). A method the endpoint allows is left alone: a 405 would contradict Allow. */
static pj_bool_t on_rx_unhandled_request(pjsip_rx_data *rdata) {
    const pjsip_method *method = &rdata->msg_info.msg->line.req.method;
    if (method->id == PJSIP_ACK_METHOD || endpoint_allows(method)) return PJ_FALSE;

    const pjsip_hdr *allow = pjsip_endpt_get_capability(g_endpt, PJSIP_H_ALLOW, NULL);
    pjsip_hdr *copy = allow ? (pjsip_hdr *)pjsip_hdr_clone(rdata->tp_info.pool, allow) : NULL;
    if (method->id == PJSIP_OTHER_METHOD) return answer(rdata, 501, "Not Implemented", copy);
    return answer(rdata, 405, "Method Not Allowed", copy);
}

pj_bool_t vg_request_checks_refuse_method(pjsip_rx_data *rdata) {
    return on_rx_unhandled_request(rdata);
}

pj_status_t vg_request_checks_install(pjsip_endpoint *endpt) {
    g_endpt = endpt;
    pj_status_t status = pjsip_endpt_register_module(endpt, &g_header_checks);
    if (status != PJ_SUCCESS) return status;
    return pjsip_endpt_register_module(endpt, &g_method_checks);
}

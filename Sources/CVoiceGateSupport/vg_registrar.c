/* Why C: a pjsip module is a struct of callbacks that pjsip walks on its worker threads, and a
 * REGISTER's Contact headers are pjsip structs whose URIs only pjsip can print. Whom to register,
 * for how long, and the text of every header of the answer are Swift's (the callback). */
#include "vg_registrar.h"
#include "vg_request.h"
#include <limits.h>
#include <string.h>

static vg_registrar_fn g_fn;
static pjsip_endpoint *g_endpt;
static void *g_user;

static pj_bool_t on_rx_request(pjsip_rx_data *rdata);

static pjsip_module g_module = {
    NULL, NULL,                                 /* prev, next */
    { "mod-voicegate-registrar", 23 },          /* name */
    -1,                                         /* id */
    PJSIP_MOD_PRIORITY_APPLICATION - 2,         /* after the header checks, before admission (see the header) */
    NULL, NULL, NULL, NULL,                     /* load, start, stop, unload */
    &on_rx_request,                             /* on_rx_request */
    NULL, NULL, NULL,                           /* on_rx_response, on_tx_request, on_tx_response */
    NULL,                                       /* on_tsx_state */
};

void vg_register_answer_set(vg_register_answer *answer, int status, const char *reason) {
    answer->status = status;
    pj_strdup2(answer->pool, &answer->reason, reason ? reason : "");
}

void vg_register_answer_add_header(vg_register_answer *answer, const char *name, const char *value) {
    pj_str_t n, v;
    pj_strdup2(answer->pool, &n, name);
    pj_strdup2(answer->pool, &v, value);
    pjsip_generic_string_hdr *h = pjsip_generic_string_hdr_create(answer->pool, &n, &v);
    if (h) pj_list_push_back(&answer->headers, h);
}

int vg_register_contacts(pjsip_rx_data *rdata, vg_contact *out, int max, int *filled, int *wildcard) {
    const pjsip_msg *msg = rdata->msg_info.msg;
    int total = 0;
    *filled = 0;
    *wildcard = 0;
    const pjsip_contact_hdr *h = (const pjsip_contact_hdr *)pjsip_msg_find_hdr(msg, PJSIP_H_CONTACT, NULL);
    for (; h; h = (const pjsip_contact_hdr *)pjsip_msg_find_hdr(msg, PJSIP_H_CONTACT, h->next)) {
        total++;
        if (h->star) { *wildcard = 1; continue; }
        if (*filled >= max || !h->uri) continue;
        vg_contact *c = &out[(*filled)++];
        memset(c, 0, sizeof(*c));
        const pjsip_uri *uri = (const pjsip_uri *)pjsip_uri_get_uri(h->uri);
        int n = pjsip_uri_print(PJSIP_URI_IN_CONTACT_HDR, uri, c->uri, sizeof(c->uri) - 1);
        c->uri[n > 0 ? n : 0] = '\0';   /* too long to print whole: "" rather than a cut URI */
        c->expires = h->expires == PJSIP_EXPIRES_NOT_SPECIFIED ? -1
                   : h->expires > (pj_uint32_t)INT_MAX ? INT_MAX : (int)h->expires;
    }
    return total;
}

int vg_register_expires(pjsip_rx_data *rdata) {
    const pjsip_expires_hdr *h = (const pjsip_expires_hdr *)pjsip_msg_find_hdr(rdata->msg_info.msg, PJSIP_H_EXPIRES, NULL);
    if (!h) return -1;
    return h->ivalue < 0 ? 0 : (int)h->ivalue;
}

static pj_bool_t on_rx_request(pjsip_rx_data *rdata) {
    if (rdata->msg_info.msg->line.req.method.id != PJSIP_REGISTER_METHOD || !g_fn) return PJ_FALSE;
    /* Answer where the request came from, as admission does for everything else (vg_admission.c
     * says why): a phone behind NAT still gets its 401 and 200. */
    if (rdata->msg_info.via && rdata->msg_info.via->rport_param < 0)
        rdata->msg_info.via->rport_param = rdata->pkt_info.src_port;

    vg_admission_request request = {
        .method = "REGISTER",
        .source_ip = rdata->pkt_info.src_name,
        .source_port = rdata->pkt_info.src_port,
        .transport = rdata->tp_info.transport ? rdata->tp_info.transport->type_name : "?",
        .rdata = rdata,
    };
    vg_register_answer answer;
    memset(&answer, 0, sizeof(answer));
    answer.pool = rdata->tp_info.pool;
    pj_list_init(&answer.headers);
    g_fn(&request, &answer, g_user);
    if (answer.status < 200 || answer.status > 699) vg_register_answer_set(&answer, 500, "Server Internal Error");

    /* Statefully: a retransmitted REGISTER gets the same answer again without a second decision. */
    pj_status_t status = pjsip_endpt_respond(g_endpt, NULL, rdata, answer.status, &answer.reason, &answer.headers, NULL, NULL);
    if (status != PJ_SUCCESS)
        pjsip_endpt_respond_stateless(g_endpt, rdata, answer.status, &answer.reason, &answer.headers, NULL);
    return PJ_TRUE;
}

pj_status_t vg_registrar_install(pjsip_endpoint *endpt, vg_registrar_fn fn, void *user) {
    static const pj_str_t method = { "REGISTER", 8 };
    vg_request_init();
    g_fn = fn;
    g_endpt = endpt;
    g_user = user;
    pj_status_t status = pjsip_endpt_add_capability(endpt, NULL, PJSIP_H_ALLOW, NULL, 1, &method);
    if (status != PJ_SUCCESS) return status;
    return pjsip_endpt_register_module(endpt, &g_module);
}

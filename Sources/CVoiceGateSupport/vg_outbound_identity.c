/* Why C: the values are set inside pjsip's message structures on the transmit path, between
 * pjsua building a request and the transport printing it; Swift has no hook there. */
#include "vg_outbound_identity.h"

static const pj_str_t MARK_FROM = { "X-VoiceGate-From", 16 };
static const pj_str_t MARK_DISPLAY = { "X-VoiceGate-Display", 19 };
static const pj_str_t MARK_REFERRED_BY = { "X-VoiceGate-Referred-By", 23 };
static const pj_str_t REFERRED_BY = { "Referred-By", 11 };

static pjsip_generic_string_hdr *take_mark(pjsip_msg *msg, const pj_str_t *name) {
    pjsip_generic_string_hdr *mark = (pjsip_generic_string_hdr *)pjsip_msg_find_hdr_by_name(msg, name, NULL);
    if (mark) pj_list_erase(mark);
    return mark;
}

static pj_status_t on_tx_request(pjsip_tx_data *tdata) {
    pjsip_msg *msg = tdata->msg;
    if (!msg || msg->type != PJSIP_REQUEST_MSG) return PJ_SUCCESS;

    pjsip_generic_string_hdr *from_mark = take_mark(msg, &MARK_FROM);
    if (from_mark && msg->line.req.method.id == PJSIP_INVITE_METHOD) {
        pjsip_from_hdr *from = (pjsip_from_hdr *)pjsip_msg_find_hdr(msg, PJSIP_H_FROM, NULL);
        if (from && from->uri && (PJSIP_URI_SCHEME_IS_SIP(from->uri) || PJSIP_URI_SCHEME_IS_SIPS(from->uri))) {
            pjsip_sip_uri *uri = (pjsip_sip_uri *)pjsip_uri_get_uri(from->uri);
            pj_strdup(tdata->pool, &uri->user, &from_mark->hvalue);
            pjsip_tx_data_invalidate_msg(tdata);
        }
    }

    /* The display name of From (an agent's phone shows the caller), when From is a name-addr. */
    pjsip_generic_string_hdr *display_mark = take_mark(msg, &MARK_DISPLAY);
    if (display_mark && msg->line.req.method.id == PJSIP_INVITE_METHOD) {
        pjsip_from_hdr *from = (pjsip_from_hdr *)pjsip_msg_find_hdr(msg, PJSIP_H_FROM, NULL);
        if (from && from->uri && (pjsip_uri *)pjsip_uri_get_uri(from->uri) != from->uri) {
            pjsip_name_addr *name = (pjsip_name_addr *)from->uri;
            pj_strdup(tdata->pool, &name->display, &display_mark->hvalue);
            pjsip_tx_data_invalidate_msg(tdata);
        }
    }

    pjsip_generic_string_hdr *by_mark = take_mark(msg, &MARK_REFERRED_BY);
    if (by_mark && pj_stricmp2(&msg->line.req.method.name, "REFER") == 0) {
        pjsip_hdr *h;
        while ((h = (pjsip_hdr *)pjsip_msg_find_hdr_by_name(msg, &REFERRED_BY, NULL)) != NULL) pj_list_erase(h);
        pjsip_generic_string_hdr *by = pjsip_generic_string_hdr_create(tdata->pool, &REFERRED_BY, &by_mark->hvalue);
        pjsip_msg_add_hdr(msg, (pjsip_hdr *)by);
        pjsip_tx_data_invalidate_msg(tdata);
    }
    return PJ_SUCCESS;
}

/* Transmit hooks run from the highest priority number down; the transport layer (8) prints the
 * message, so this runs above it. */
static pjsip_module g_module = {
    NULL, NULL,
    { "mod-voicegate-outbound-identity", 31 },
    -1,
    PJSIP_MOD_PRIORITY_APPLICATION - 2,
    NULL, NULL, NULL, NULL,
    NULL, NULL,
    &on_tx_request, NULL,
    NULL,
};

pj_status_t vg_outbound_identity_install(pjsip_endpoint *endpt) {
    return pjsip_endpt_register_module(endpt, &g_module);
}

/* Why C: the hook is pjsip's transport-manager "dropped data" callback, which hands over the
 * dropped bytes and the transport but not the rx_data that pjsip parsed them into. That rx_data
 * is the structure whose packet buffer the bytes sit in, so it is found from the bytes'
 * address (container_of) and accepted only when two of its own fields agree: it is on this
 * transport and its message buffer is exactly these bytes. Nothing here parses SIP text: the
 * response is pjsip's, built from the headers its parser did read. */
#include "vg_parse_errors.h"
#include "vg_request_checks.h"
#include <stddef.h>
#include <stdatomic.h>

static pjsip_endpoint *g_endpt;
static _Atomic unsigned long g_answered;

static void on_dropped(pjsip_tp_dropped_data *dd) {
    if (dd->status != PJSIP_EINVALIDMSG || !dd->data || !dd->tp) return;
    pjsip_rx_data *rdata = (pjsip_rx_data *)((char *)dd->data - offsetof(pjsip_rx_data, pkt_info.packet));
    /* The bytes start the packet buffer only for the first message of a read; for a later one
     * (two requests in one datagram) this is not an rx_data and is left alone. tp_info lies
     * before the packet buffer, so reading it stays inside the real rx_data either way. */
    if (rdata->tp_info.transport != dd->tp) return;
    if (rdata->msg_info.msg_buf != (char *)dd->data) return;
    pjsip_msg *msg = rdata->msg_info.msg;
    if (!msg || msg->type != PJSIP_REQUEST_MSG) return;   /* nothing to address a response with */
    if (msg->line.req.method.id == PJSIP_ACK_METHOD) return;
    if (!rdata->msg_info.via || !rdata->msg_info.from || !rdata->msg_info.to || !rdata->msg_info.cid ||
        rdata->msg_info.cid->id.slen == 0 || !rdata->msg_info.cseq) return;
    /* What pjsip does for requests it accepts: answer where the packet came from. */
    pj_strdup2(rdata->tp_info.pool, &rdata->msg_info.via->recvd_param, rdata->pkt_info.src_name);
    if (rdata->msg_info.via->rport_param <= 0) rdata->msg_info.via->rport_param = rdata->pkt_info.src_port;
    /* A method the gateway does not take gets the answer it would get parsed whole (a REGISTER
     * with an odd Authorization is still a REGISTER: 405); anything else is a bad request. */
    if (vg_request_checks_refuse_method(rdata)) { atomic_fetch_add_explicit(&g_answered, 1, memory_order_relaxed); return; }
    static const pj_str_t reason = { "Bad Request", 11 };
    if (pjsip_endpt_respond_stateless(g_endpt, rdata, 400, &reason, NULL, NULL) == PJ_SUCCESS)
        atomic_fetch_add_explicit(&g_answered, 1, memory_order_relaxed);
}

pj_status_t vg_parse_errors_install(pjsip_endpoint *endpt) {
    g_endpt = endpt;
    return pjsip_tpmgr_set_drop_data_cb(pjsip_endpt_get_tpmgr(endpt), &on_dropped);
}

unsigned long vg_parse_errors_answered(void) {
    return atomic_load_explicit(&g_answered, memory_order_relaxed);
}

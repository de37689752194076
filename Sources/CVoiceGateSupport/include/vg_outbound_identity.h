#ifndef VG_OUTBOUND_IDENTITY_H
#define VG_OUTBOUND_IDENTITY_H

#include <pjsip.h>

/* The identity the gateway shows on requests it starts for a transfer.
 *
 * pjsua writes the account's URI into the From of every INVITE it places and the dialog's local
 * URI (the To the trunk sent) into a REFER's Referred-By; neither can be set per request through
 * its API. The gateway marks such a request with a private header instead, and this module, on
 * the way out and before the message is printed, moves the value where it belongs and removes
 * the mark:
 *   X-VoiceGate-From: +E164         (initial INVITE) -> the user part of the From URI
 *   X-VoiceGate-Referred-By: <uri>  (REFER)          -> the only Referred-By header
 * Nothing else is touched; a request without a mark goes out as built. */
pj_status_t vg_outbound_identity_install(pjsip_endpoint *endpt);

#endif

/*
 * CPJProject: pjproject (pjlib, pjlib-util, pjnath, pjmedia, pjsip, pjsua-lib) for Swift.
 *
 * Only what Swift cannot import directly is wrapped here: macros that are expressions rather than
 * plain integers (the compiled limits), and the version string. Every shim symbol starts with
 * cpj_ (the module's name) so it can never clash with pjproject's own.
 */
#ifndef CPJPROJECT_SHIM_H
#define CPJPROJECT_SHIM_H

#include "pjconfig.h"
#include <pjsua-lib/pjsua.h>
#include <pjmedia.h>
#include <pjmedia-codec.h>

/* The limits pjproject was compiled with (deploy/config_site.h). They are expressions, which Swift
 * does not import, and the gateway must read the real ones at start rather than assume them. */
static inline unsigned cpj_max_calls(void) { return PJSUA_MAX_CALLS; }
static inline unsigned cpj_max_conf_ports(void) { return PJSUA_MAX_CONF_PORTS; }
static inline unsigned cpj_ioqueue_max_handles(void) { return PJ_IOQUEUE_MAX_HANDLES; }
static inline int cpj_has_opus(void) {
#if defined(PJMEDIA_HAS_OPUS_CODEC) && PJMEDIA_HAS_OPUS_CODEC
    return 1;
#else
    return 0;
#endif
}
/* The version of the headers compiled against, from macros: pj_get_version() is a pj call, and the
 * version verb runs on a thread that never registers with pjlib. */
#define CPJ_STR2(x) #x
#define CPJ_STR(x) CPJ_STR2(x)
static inline const char *cpj_version(void) {
    return CPJ_STR(PJ_VERSION_NUM_MAJOR) "." CPJ_STR(PJ_VERSION_NUM_MINOR) "." CPJ_STR(PJ_VERSION_NUM_REV) PJ_VERSION_NUM_EXTRA;
}

#endif

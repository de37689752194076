/*
 * pjproject build settings for VoiceGate, a server-side gateway.
 *
 * pjsua-lib ships with client limits (PJSUA_MAX_CALLS 4 in the Debian-source build, 32 upstream)
 * and compiles them into static arrays, so the gateway needs its own build. deploy/setup.sh copies
 * this file to pjlib/include/pj/config_site.h before configuring; its sha256 is part of the build
 * stamp, so editing it makes the next setup run rebuild pjproject.
 *
 * Deliberately NOT set: PJ_HASH_USE_OWN_TOLOWER and PJSIP_UNESCAPE_IN_PLACE. Asterisk documents
 * crashes with both (the own-tolower hash breaks on some header names, unescape-in-place corrupts
 * shared buffers).
 */

/* Calls and the ports they need. Each call takes one conference port; the bot audio port of a
 * call takes another, plus a handful for players and recorders. */
#define PJSUA_MAX_CALLS                 2048
#define PJSUA_MAX_CONF_PORTS            (2 * PJSUA_MAX_CALLS + 64)
#define PJSUA_MAX_PLAYERS               64
#define PJSUA_MAX_RECORDERS             64
#define PJSUA_MAX_ACC                   16
#define PJSUA_MAX_BUDDIES               16

/* Sockets: SIP transports plus RTP and RTCP for every call, served by epoll
 * (configure --enable-epoll; select() is limited to FD_SETSIZE = 1024). */
#define PJ_IOQUEUE_MAX_HANDLES          8192
#define PJ_IOQUEUE_DEFAULT_ALLOW_CONCURRENCY 1

/* SIP transactions and dialogs: several per call while calls come and go at high rate. */
#define PJSIP_MAX_TSX_COUNT             (64 * 1024 - 1)
#define PJSIP_MAX_DIALOG_COUNT          (64 * 1024 - 1)
#define PJSIP_MAX_PKT_LEN               8000
#define PJSIP_UDP_SO_RCVBUF_SIZE        (4 * 1024 * 1024)
#define PJSIP_UDP_SO_SNDBUF_SIZE        (4 * 1024 * 1024)

/* A server has no sound card, no camera and no use for echo cancellation. */
#define PJMEDIA_HAS_VIDEO               0
#define PJMEDIA_AUDIO_DEV_HAS_ALSA      0
#define PJMEDIA_AUDIO_DEV_HAS_PORTAUDIO 0
#define PJMEDIA_HAS_SPEEX_AEC           0
#define PJMEDIA_HAS_WEBRTC_AEC          0
#define PJSUA_DEFAULT_EC_TAIL_LEN       0

/* G.711 calls on an 8 kHz bridge need no resampling; keep the resampler for Opus (48 kHz). */
#define PJSUA_DEFAULT_CLOCK_RATE        8000
#define PJMEDIA_CONF_USE_SWITCH_BOARD   0

/* Logging: level 4 is compiled in so a debug run can see SIP traffic; the gateway sets the
 * runtime level lower. Nothing above 4 (per-packet traces) is compiled at all. */
#define PJ_LOG_MAX_LEVEL                4
#define PJ_DEBUG                        0
#define PJ_OS_HAS_CHECK_STACK           0

/* Trunks and agents may be on IPv6. */
#define PJ_HAS_IPV6                     1

/*
 * CMicroHTTPD: GNU libmicrohttpd for Swift. MHD_start_daemon is variadic (options as a
 * terminated argument list), which Swift cannot call, so it is wrapped in one function with the
 * options the gateway uses. Every shim symbol starts with cmhd_.
 */
#ifndef CMICROHTTPD_SHIM_H
#define CMICROHTTPD_SHIM_H

#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <microhttpd.h>

/* Starts a daemon with a pool of polling threads (epoll on Linux) bound to addr, which may have
 * port 0: the daemon then picks a free port, read back with cmhd_bound_port. A pool, because a
 * few requests wait on something slow (a bot's refresh waits for the bot): /metrics and /healthz
 * must not queue behind them. */
static inline struct MHD_Daemon *cmhd_start(const struct sockaddr *addr,
                                            MHD_AccessHandlerCallback handler, void *handler_cls,
                                            MHD_RequestCompletedCallback completed, void *completed_cls,
                                            unsigned int connection_limit,
                                            unsigned int connection_timeout_seconds) {
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
#if MHD_VERSION >= 0x00095300
    flags |= MHD_USE_EPOLL;
#endif
    if (addr->sa_family == AF_INET6) flags |= MHD_USE_IPv6;
    return MHD_start_daemon(flags, 0, NULL, NULL, handler, handler_cls,
                            MHD_OPTION_SOCK_ADDR, addr,
                            MHD_OPTION_NOTIFY_COMPLETED, completed, completed_cls,
                            MHD_OPTION_CONNECTION_LIMIT, connection_limit,
                            MHD_OPTION_CONNECTION_TIMEOUT, connection_timeout_seconds,
                            MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)4,
                            MHD_OPTION_END);
}

static inline uint16_t cmhd_bound_port(struct MHD_Daemon *daemon) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : 0;
}

#endif

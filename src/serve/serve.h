/*
 * serve — `tailgate serve`, the built-in target service: a single-threaded
 * HTTP/1.1 server on one libev loop, with a finite-capacity model (worker
 * slots, service-time distribution, FIFO queue), injected errors and
 * periodic stalls and a scheduled degradation, so that demos and tests have
 * a target with known, tunable behaviour and exact request counts (/__stats),
 * plus WebSocket and SSE endpoints that fan timestamped ticks out to every
 * subscriber, with a CPU cost per accepted (re)connection (serve/srv_stream).
 *
 * This file owns the process-level part: the listening socket, accepting,
 * signals, the start line and the final stats line. Connections live in
 * serve/srv_conn; the model in serve/capacity and serve/srv_stall.
 *
 * Cost: one core. After warm-up a request allocates nothing: connection
 * objects and buffers are recycled through free lists, fixed responses are
 * pre-serialised.
 */
#ifndef TG_SERVE_SERVE_H
#define TG_SERVE_SERVE_H

#include "core/diag.h"
#include "net/addr.h"
#include "serve/svc_time.h"
#include "tg.h"

#include <stdint.h>

struct tg_serve_config {
    struct tg_addr listen;             /* address to listen on (port 0: any free port) */
    uint32_t workers;                  /* service slots; 0 = unlimited */
    struct tg_svc_time service_time;   /* per-request service time */
    double error_rate;                 /* share of modelled requests answered 500, in [0, 1] */
    uint64_t seed;                     /* seeds service-time and error draws */
    tg_ns stall_ns;                    /* stall window length; 0 = no stalls */
    tg_ns stall_period_ns;             /* stall period (> stall_ns) */
    const char *service_time_text;     /* --service-time as given, for the start line; borrowed */
    const char *stall_text;            /* --stall as given, NULL when off; borrowed */
    double tick_rate_per_s;            /* ticks per second on /ws/ticks and /sse/ticks */
    struct tg_svc_time handshake_cost; /* CPU time per accepted stream (re)connection */
    const char *handshake_cost_text;   /* --handshake-cost as given, NULL when 0; borrowed */
    /* --degrade-after (serve/srv_degrade): the model's settings from then on */
    tg_ns degrade_after_ns;                   /* 0 = never */
    const char *degrade_after_text;           /* as given; borrowed */
    struct tg_svc_time degraded_service_time; /* used when degraded_service_time_text is set */
    const char *degraded_service_time_text;   /* --degraded-service-time; NULL: unchanged */
    double degraded_share;                    /* --degraded-share: of requests it applies to (1) */
    double degraded_error_rate;               /* --degraded-error-rate in [0, 1]; < 0: unchanged */
};

/*
 * Listens on cfg->listen and serves until SIGINT or SIGTERM, then prints the
 * stats JSON line to stderr. cfg is borrowed for the call. Prints one start
 * line to stderr once listening. Returns 0 after a signal, or TG_EIO /
 * TG_ENOMEM when it could not start (d says why, e.g. the address is in
 * use). Main thread; installs SIGINT/SIGTERM handlers for the duration.
 */
int tg_serve_run(const struct tg_serve_config *cfg, struct tg_diag *d);

#endif

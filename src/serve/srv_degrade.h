/*
 * srv_degrade — serve's scheduled degradation (--degrade-after D): D after
 * the server starts (the clock --stall uses), the capacity model switches
 * for good to its degraded settings, --degraded-service-time (for a share
 * --degraded-share of the requests, all by default) and/or
 * --degraded-error-rate, and the server says so once on stderr:
 *
 *   tailgate serve: degraded after 6s (service-time=exp:50ms, error-rate=0.1)
 *
 * It exists to test what watches a target degrade mid-run: thresholds over
 * sliding windows and --abort-on. Requests that arrive from then on draw the
 * degraded service time (also those already queued, when their service
 * starts) and the degraded error rate; /__stats counts them in
 * degraded_requests.
 *
 * Users: serve.c starts it; srv_reply reads srv->error_rate and counts.
 * Cost: one srv_timer, armed until it fires; nothing per request.
 */
#ifndef TG_SERVE_SRV_DEGRADE_H
#define TG_SERVE_SRV_DEGRADE_H

#include "serve/srv_timer.h"
#include "tg.h"

#include <stdbool.h>

struct tg_serve;

struct tg_srv_degrade {
    struct tg_srv_timer timer; /* armed at start + D until it fires */
    struct tg_serve *srv;      /* borrowed: the model it switches */
    bool degraded;             /* the switch has happened */
};

/*
 * Arms the switch for srv->cfg->degrade_after_ns after start_ns (0: never;
 * then d stays idle). The caller has reserved a timer for it.
 */
void tg_srv_degrade_start(struct tg_srv_degrade *d, struct tg_serve *srv, tg_ns start_ns);

/* Disarms it (server shutdown). */
void tg_srv_degrade_stop(struct tg_srv_degrade *d);

#endif

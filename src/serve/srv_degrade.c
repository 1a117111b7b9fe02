/*
 * srv_degrade — the scheduled switch to degraded service; see srv_degrade.h.
 */
#include "serve/srv_degrade.h"

#include "serve/internal.h"

#include <stddef.h>
#include <stdio.h>

static void on_degrade(struct tg_srv_timer *t, tg_ns now_ns)
{
    (void)now_ns;
    struct tg_srv_degrade *d =
        (struct tg_srv_degrade *)(void *)((char *)t - offsetof(struct tg_srv_degrade, timer));
    struct tg_serve *srv = d->srv;
    const struct tg_serve_config *cfg = srv->cfg;
    d->degraded = true;
    if (cfg->degraded_service_time_text) {
        srv->cap.slow = cfg->degraded_service_time;
        srv->cap.slow_share = cfg->degraded_share;
    }
    if (cfg->degraded_error_rate >= 0) {
        srv->error_rate = cfg->degraded_error_rate;
    }
    char svc[160];
    const char *base = cfg->service_time_text ? cfg->service_time_text : "0";
    if (!cfg->degraded_service_time_text) {
        (void)snprintf(svc, sizeof(svc), "%s", base);
    } else if (cfg->degraded_share >= 1) {
        (void)snprintf(svc, sizeof(svc), "%s", cfg->degraded_service_time_text);
    } else {
        (void)snprintf(svc, sizeof(svc), "%s for %g%% of requests, else %s",
                       cfg->degraded_service_time_text, cfg->degraded_share * 100, base);
    }
    (void)fprintf(stderr, "tailgate serve: degraded after %s (service-time=%s, error-rate=%g)\n",
                  cfg->degrade_after_text, svc, srv->error_rate);
    (void)fflush(stderr);
}

void tg_srv_degrade_start(struct tg_srv_degrade *d, struct tg_serve *srv, tg_ns start_ns)
{
    d->srv = srv;
    d->degraded = false;
    d->timer = (struct tg_srv_timer){ 0 };
    if (srv->cfg->degrade_after_ns > 0) {
        tg_srv_timer_start(&srv->timers, &d->timer, start_ns + srv->cfg->degrade_after_ns,
                           on_degrade);
    }
}

void tg_srv_degrade_stop(struct tg_srv_degrade *d)
{
    if (d->timer.heap_pos != 0) {
        tg_srv_timer_stop(&d->srv->timers, &d->timer);
    }
}

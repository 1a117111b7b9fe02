/*
 * srv_route — serve's routing table: maps a request's method and target to
 * one of a fixed set of routes and validates the route's parameters. Pure:
 * no I/O, no allocation, no state; every request is matched exactly once.
 *
 * Routes (GET also answers HEAD, without a body):
 *   GET  /                             ROOT       "ok\n"
 *   GET  /health                       HEALTH     {"status":"ok"}
 *   GET  /communities/:id/posts?limit=N FEED      N posts (default 20, 0..1000)
 *   POST /communities/:id/posts        POST       201 {"id":..,"community":..}
 *   GET  /status/NNN                   STATUS     that status (200..599)
 *   GET  /bytes/N                      BYTES      N body bytes (0..64 MiB)
 *   GET  /delay/MS                     DELAY      "ok\n" after MS ms (0..600000)
 *   GET  /chunked/N                    CHUNKED    N chunks (0..1000000)
 *   ANY  /redirect/N                   REDIRECT   N more redirects (0..1000), then an echo
 *   ANY  /redirect-to?url=U            REDIRECT_TO a redirect to U
 *   ANY  /echo                         ECHO       the request as JSON
 *   GET  /cookies/set?c=V              COOKIES    one Set-Cookie per c
 *   GET  /__stats                      STATS      counters (not counted)
 *   POST /__stats/reset                STATS_RESET zeroes counters (not counted)
 *   anything else                      NOT_FOUND  404
 * :id is 1..64 bytes of [A-Za-z0-9._~-]. The query string is ignored except
 * for FEED's limit and the parameters of the last four (serve/srv_echo). A matched route whose
 * parameter is invalid keeps its route and carries an error reason (answered with 400).
 *
 * Cost: a few byte comparisons and at most one integer parse per request.
 */
#ifndef TG_SERVE_SRV_ROUTE_H
#define TG_SERVE_SRV_ROUTE_H

#include "tg.h"

#include <stdbool.h>
#include <stdint.h>

#define TG_SRV_ROUTE_FEED_DEFAULT 20
#define TG_SRV_ROUTE_FEED_MAX     1000
#define TG_SRV_ROUTE_BYTES_MAX    (UINT64_C(64) << 20)
#define TG_SRV_ROUTE_DELAY_MAX_MS 600000
#define TG_SRV_ROUTE_CHUNKS_MAX   1000000
#define TG_SRV_ROUTE_ID_MAX       64
#define TG_SRV_ROUTE_REDIRECT_MAX 1000

enum tg_srv_route {
    TG_SRV_ROUTE_ROOT,
    TG_SRV_ROUTE_HEALTH,
    TG_SRV_ROUTE_FEED,
    TG_SRV_ROUTE_POST,
    TG_SRV_ROUTE_STATUS,
    TG_SRV_ROUTE_BYTES,
    TG_SRV_ROUTE_DELAY,
    TG_SRV_ROUTE_CHUNKED,
    TG_SRV_ROUTE_REDIRECT,
    TG_SRV_ROUTE_REDIRECT_TO,
    TG_SRV_ROUTE_ECHO,
    TG_SRV_ROUTE_COOKIES,
    TG_SRV_ROUTE_NOT_FOUND,
    TG_SRV_ROUTE_INVALID, /* never matched: requests too malformed to route */
    TG_SRV_ROUTE_COUNT,   /* routes below are not counted in /__stats */
    TG_SRV_ROUTE_STATS = TG_SRV_ROUTE_COUNT,
    TG_SRV_ROUTE_STATS_RESET,
};

struct tg_srv_route_match {
    enum tg_srv_route route;
    bool head_only;    /* a HEAD request: answer without a body */
    const char *error; /* non-NULL: the parameter is invalid; static reason text */
    uint64_t n;        /* FEED limit, STATUS code, BYTES count, DELAY ms, CHUNKED count,
                          REDIRECT count */
    struct tg_span id; /* FEED, POST: the community id; a view into the target */
};

/*
 * Matches method and target (views into the request) and fills *m (caller's
 * storage; m->id borrows target). Never fails: unknown requests are
 * NOT_FOUND. Any thread.
 */
void tg_srv_route_match(struct tg_span method, struct tg_span target, struct tg_srv_route_match *m);

/* The route's key in /__stats "by_route", e.g. "GET /health". r < TG_SRV_ROUTE_COUNT. */
const char *tg_srv_route_name(enum tg_srv_route r);

/* Whether the capacity model and --error-rate apply to r (ROOT, HEALTH, FEED, POST). */
bool tg_srv_route_modelled(enum tg_srv_route r);

#endif

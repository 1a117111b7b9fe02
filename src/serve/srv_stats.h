/*
 * srv_stats — serve's counters and their JSON form, served by GET /__stats
 * and printed to stderr on SIGINT/SIGTERM:
 *   {"requests":N,"responses":N,"by_route":{"GET /":N,...},
 *    "by_status":{"200":N,...},"connections_accepted":N,"connections_open":N,
 *    "queue_max":N,"queue_len":N,"in_service":N,"degraded":B,"degraded_requests":N}
 * by_route lists every route (zeros included); by_status lists the statuses
 * seen. Requests to /__stats and /__stats/reset are not counted.
 *
 * A request is counted once its head is parsed (malformed ones under route
 * "invalid"); a response once its last byte has been handed to the socket
 * buffer. So after a client has read every response, requests == responses
 * == what the client sent.
 *
 * Owned by the server context, touched only by its loop thread: plain
 * integers, no atomics. Cost: two or three increments per request.
 */
#ifndef TG_SERVE_SRV_STATS_H
#define TG_SERVE_SRV_STATS_H

#include "serve/srv_route.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TG_SRV_STATS_STATUS_MAX 600   /* statuses 0..599 are counted */
#define TG_SRV_STATS_JSON_MAX   16384 /* bound on the JSON form */

struct tg_srv_stats {
    uint64_t requests;                           /* counted requests received */
    uint64_t responses;                          /* counted responses sent */
    uint64_t by_route[TG_SRV_ROUTE_COUNT];       /* requests per route */
    uint64_t by_status[TG_SRV_STATS_STATUS_MAX]; /* responses per status */
    uint64_t connections_accepted;               /* since start or reset */
    uint64_t degraded_requests;                  /* modelled requests after --degrade-after */
};

/* Gauges read at serialisation time (not reset). */
struct tg_srv_stats_gauges {
    uint64_t connections_open;
    uint64_t queue_max; /* since start or reset */
    uint64_t queue_len;
    uint64_t in_service;
    bool degraded; /* --degrade-after has struck */
};

/* Zeroes every counter of s (caller's storage). */
void tg_srv_stats_reset(struct tg_srv_stats *s);

/*
 * Writes the JSON object (no newline) into dst, which has room for
 * TG_SRV_STATS_JSON_MAX bytes. Returns its length.
 */
size_t tg_srv_stats_json(const struct tg_srv_stats *s, const struct tg_srv_stats_gauges *g,
                         char *dst);

#endif

/*
 * srv_stats — serve's counters and their JSON form, served by GET /__stats
 * and printed to stderr on SIGINT/SIGTERM:
 *   {"requests":N,"responses":N,"by_route":{"GET /":N,...},
 *    "by_status":{"200":N,...},"connections_accepted":N,"connections_open":N,
 *    "queue_max":N,"queue_len":N,"in_service":N,
 *    "ws":{"sessions_open":N,"sessions_accepted":N,"ticks_sent":N,
 *          "msgs_received":N,"msgs_echoed":N,"pings_received":N,
 *          "closes_received":N,"protocol_errors":N,"invalid_utf8":N,
 *          "too_big":N,"dropped_slow":N},
 *    "sse":{"streams_open":N,"streams_accepted":N,"ticks_sent":N,
 *           "ticks_replayed":N,"dropped_slow":N},
 *    "ticks_produced":N,"tick_seq":N,"handshake_cpu_us":N,"degraded":B,
 *    "degraded_requests":N}
 * by_route lists every route (zeros included); by_status lists the statuses
 * seen. Requests to /__stats and /__stats/reset are not counted. The stream
 * counters are described in docs/serve.md; sessions_open, streams_open and
 * tick_seq are gauges.
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
#define TG_SRV_STATS_JSON_MAX   20480 /* bound on the JSON form */

struct tg_srv_stats {
    uint64_t requests;                           /* counted requests received */
    uint64_t responses;                          /* counted responses sent */
    uint64_t by_route[TG_SRV_ROUTE_COUNT];       /* requests per route */
    uint64_t by_status[TG_SRV_STATS_STATUS_MAX]; /* responses per status */
    uint64_t connections_accepted;               /* since start or reset */

    /* Stream endpoints (serve/srv_stream, serve/srv_ws). */
    uint64_t ws_accepted;        /* WebSocket handshakes answered 101 */
    uint64_t ws_ticks_sent;      /* tick frames handed to WebSocket subscribers */
    uint64_t ws_msgs_received;   /* whole text/binary messages from clients */
    uint64_t ws_msgs_echoed;     /* ... and echoed back */
    uint64_t ws_pings_received;  /* each answered with a pong */
    uint64_t ws_closes_received; /* close frames from clients, each answered */
    uint64_t ws_protocol_errors; /* sessions closed with 1002 */
    uint64_t ws_invalid_utf8;    /* sessions closed with 1007 */
    uint64_t ws_too_big;         /* sessions closed with 1009 */
    uint64_t ws_dropped_slow;    /* sessions closed with 1008: backlog over the cap */
    uint64_t sse_accepted;       /* SSE streams opened */
    uint64_t sse_ticks_sent;     /* live tick events handed to SSE subscribers */
    uint64_t sse_ticks_replayed; /* events sent again after Last-Event-ID */
    uint64_t sse_dropped_slow;   /* streams closed: backlog over the cap */
    uint64_t ticks_produced;     /* ticks made (each fanned out once) */
    uint64_t handshake_cpu_ns;   /* CPU time burnt by --handshake-cost */
    uint64_t degraded_requests;  /* modelled requests after --degrade-after */
};

/* Gauges read at serialisation time (not reset). */
struct tg_srv_stats_gauges {
    uint64_t connections_open;
    uint64_t queue_max; /* since start or reset */
    uint64_t queue_len;
    uint64_t in_service;
    uint64_t ws_open;  /* subscribed WebSocket sessions */
    uint64_t sse_open; /* subscribed SSE streams */
    uint64_t tick_seq; /* the last tick made */
    bool degraded;     /* --degrade-after has struck */
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

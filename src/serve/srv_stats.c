/*
 * srv_stats — counters and their JSON serialisation; format in srv_stats.h.
 * The JSON bound: ~200 bytes of fixed text, 16 routes of at most 50 bytes,
 * 500 statuses (100..599) of at most 27 bytes and ~650 bytes of stream
 * counters — about 15.3 kB.
 */
#include "serve/srv_stats.h"

#include "serve/srv_fmt.h"

#include <assert.h>
#include <stdbool.h>
#include <string.h>

void tg_srv_stats_reset(struct tg_srv_stats *s)
{
    memset(s, 0, sizeof(*s));
}

/* Appends ["," when comma] "name":v. */
static char *field(char *p, bool comma, const char *name, uint64_t v)
{
    if (comma) {
        *p++ = ',';
    }
    *p++ = '"';
    p += tg_srv_fmt_str(p, name);
    *p++ = '"';
    *p++ = ':';
    return p + tg_srv_fmt_u64(p, v);
}

size_t tg_srv_stats_json(const struct tg_srv_stats *s, const struct tg_srv_stats_gauges *g,
                         char *dst)
{
    char *p = dst;
    *p++ = '{';
    p = field(p, false, "requests", s->requests);
    p = field(p, true, "responses", s->responses);
    p += tg_srv_fmt_str(p, ",\"by_route\":{");
    for (int r = 0; r < TG_SRV_ROUTE_COUNT; r++) {
        p = field(p, r > 0, tg_srv_route_name((enum tg_srv_route)r), s->by_route[r]);
    }
    p += tg_srv_fmt_str(p, "},\"by_status\":{");
    bool comma = false;
    for (int st = 0; st < TG_SRV_STATS_STATUS_MAX; st++) {
        if (s->by_status[st] == 0) {
            continue;
        }
        char name[4];
        name[tg_srv_fmt_u64(name, (uint64_t)st)] = '\0';
        p = field(p, comma, name, s->by_status[st]);
        comma = true;
    }
    *p++ = '}';
    p = field(p, true, "connections_accepted", s->connections_accepted);
    p = field(p, true, "connections_open", g->connections_open);
    p = field(p, true, "queue_max", g->queue_max);
    p = field(p, true, "queue_len", g->queue_len);
    p = field(p, true, "in_service", g->in_service);
    p += tg_srv_fmt_str(p, ",\"ws\":{");
    p = field(p, false, "sessions_open", g->ws_open);
    p = field(p, true, "sessions_accepted", s->ws_accepted);
    p = field(p, true, "ticks_sent", s->ws_ticks_sent);
    p = field(p, true, "msgs_received", s->ws_msgs_received);
    p = field(p, true, "msgs_echoed", s->ws_msgs_echoed);
    p = field(p, true, "pings_received", s->ws_pings_received);
    p = field(p, true, "closes_received", s->ws_closes_received);
    p = field(p, true, "protocol_errors", s->ws_protocol_errors);
    p = field(p, true, "invalid_utf8", s->ws_invalid_utf8);
    p = field(p, true, "too_big", s->ws_too_big);
    p = field(p, true, "dropped_slow", s->ws_dropped_slow);
    p += tg_srv_fmt_str(p, "},\"sse\":{");
    p = field(p, false, "streams_open", g->sse_open);
    p = field(p, true, "streams_accepted", s->sse_accepted);
    p = field(p, true, "ticks_sent", s->sse_ticks_sent);
    p = field(p, true, "ticks_replayed", s->sse_ticks_replayed);
    p = field(p, true, "dropped_slow", s->sse_dropped_slow);
    *p++ = '}';
    p = field(p, true, "ticks_produced", s->ticks_produced);
    p = field(p, true, "tick_seq", g->tick_seq);
    p = field(p, true, "handshake_cpu_us", s->handshake_cpu_ns / 1000);
    p += tg_srv_fmt_str(p, g->degraded ? ",\"degraded\":true" : ",\"degraded\":false");
    p = field(p, true, "degraded_requests", s->degraded_requests);
    *p++ = '}';
    assert((size_t)(p - dst) <= TG_SRV_STATS_JSON_MAX);
    return (size_t)(p - dst);
}

/*
 * srv_ticker — the tick feed behind serve's stream endpoints (/ws/ticks,
 * /sse/ticks): when each tick is due, and each tick serialised once, in both
 * wire forms, for every subscriber to copy. Pure bookkeeping: no I/O, no
 * timers (serve/srv_stream arms those), no allocation.
 *
 * Schedule: tick seq (1, 2, 3, ...) is due at origin + seq / rate, measured
 * on the monotonic clock from the server's start; seq is therefore a
 * function of time alone, whether or not anyone was subscribed.
 *
 * A tick's body is the JSON text
 *   {"seq":<seq>,"ts_us":<wall-clock µs at which the tick was due>}
 * The timestamp is the scheduled instant, not the instant of writing, so a
 * subscriber that subtracts it from its own receive time measures every
 * delay the server added — a late timer, a fan-out behind 2,000 other
 * subscribers, CPU spent on handshakes — and not only the network's.
 * Wall clock = monotonic + an offset fixed at init (no jumps mid-run).
 *
 * Wire forms: a WebSocket text frame (server frame: FIN, opcode 1, no mask,
 * 7-bit length) and an SSE event "id: <seq>\ndata: <json>\n\n". The last
 * TG_SRV_TICK_HISTORY SSE events are kept for Last-Event-ID resumption.
 *
 * Owned by the server context; loop thread only. Cost per tick: two integer
 * formats and ~150 bytes of copying.
 */
#ifndef TG_SERVE_SRV_TICKER_H
#define TG_SERVE_SRV_TICKER_H

#include "tg.h"

#include <stdbool.h>
#include <stdint.h>

#define TG_SRV_TICK_HISTORY  64  /* SSE events kept for resumption */
#define TG_SRV_TICK_JSON_MAX 60  /* {"seq":20 digits,"ts_us":20 digits} */
#define TG_SRV_TICK_WS_MAX   64  /* 2-byte header + JSON */
#define TG_SRV_TICK_SSE_MAX  100 /* "id: " seq "\ndata: " JSON "\n\n" */
#define TG_SRV_TICK_RATE_MAX 10000.0

struct tg_srv_tick_event {
    uint64_t seq; /* 0 while the slot is unused */
    uint8_t len;  /* bytes of sse */
    char sse[TG_SRV_TICK_SSE_MAX];
};

struct tg_srv_ticker {
    double period_ns;                                   /* 1e9 / rate */
    tg_ns origin_ns;                                    /* monotonic time of seq 0 */
    int64_t wall_offset_ns;                             /* wall clock minus monotonic clock */
    uint64_t seq;                                       /* the last tick made; 0 before the first */
    uint8_t ws_len;                                     /* bytes of ws */
    char ws[TG_SRV_TICK_WS_MAX];                        /* tick seq as a WebSocket frame */
    struct tg_srv_tick_event hist[TG_SRV_TICK_HISTORY]; /* by seq % TG_SRV_TICK_HISTORY */
};

/*
 * Prepares t (caller's storage): rate_per_s in (0, TG_SRV_TICK_RATE_MAX],
 * origin_ns (monotonic) is when seq 0 was due, wall_offset_ns converts
 * monotonic to wall-clock nanoseconds. No tick is made yet.
 */
void tg_srv_ticker_init(struct tg_srv_ticker *t, double rate_per_s, tg_ns origin_ns,
                        int64_t wall_offset_ns);

/* Monotonic time at which tick seq is due. */
tg_ns tg_srv_ticker_due(const struct tg_srv_ticker *t, uint64_t seq);

/* The first tick due strictly after now_ns. */
uint64_t tg_srv_ticker_first_after(const struct tg_srv_ticker *t, tg_ns now_ns);

/*
 * Makes tick seq (> t->seq): t->ws/t->ws_len and the history slot now hold
 * it; ticks skipped in between are not made (their slots keep older ticks,
 * which tg_srv_ticker_event ignores).
 */
void tg_srv_ticker_make(struct tg_srv_ticker *t, uint64_t seq);

/* The SSE event of tick seq if it is still in the history, else NULL. */
const struct tg_srv_tick_event *tg_srv_ticker_event(const struct tg_srv_ticker *t, uint64_t seq);

#endif

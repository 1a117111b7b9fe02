/*
 * srv_ticker — tick schedule and serialisation; contract in srv_ticker.h.
 */
#include "serve/srv_ticker.h"

#include "serve/srv_fmt.h"

#include <assert.h>
#include <math.h>
#include <string.h>

void tg_srv_ticker_init(struct tg_srv_ticker *t, double rate_per_s, tg_ns origin_ns,
                        int64_t wall_offset_ns)
{
    assert(rate_per_s > 0 && rate_per_s <= TG_SRV_TICK_RATE_MAX);
    memset(t, 0, sizeof(*t));
    t->period_ns = 1e9 / rate_per_s;
    t->origin_ns = origin_ns;
    t->wall_offset_ns = wall_offset_ns;
}

tg_ns tg_srv_ticker_due(const struct tg_srv_ticker *t, uint64_t seq)
{
    return t->origin_ns + (tg_ns)llround((double)seq * t->period_ns);
}

uint64_t tg_srv_ticker_first_after(const struct tg_srv_ticker *t, tg_ns now_ns)
{
    if (now_ns < t->origin_ns) {
        return 1;
    }
    uint64_t seq = (uint64_t)((double)(now_ns - t->origin_ns) / t->period_ns);
    while (seq > 0 && tg_srv_ticker_due(t, seq) > now_ns) {
        seq--; /* rounding put us one too far */
    }
    while (tg_srv_ticker_due(t, seq) <= now_ns) {
        seq++;
    }
    return seq;
}

/* Writes the tick's JSON into dst (room for TG_SRV_TICK_JSON_MAX). Returns its length. */
static size_t tick_json(const struct tg_srv_ticker *t, uint64_t seq, char *dst)
{
    int64_t wall_ns = tg_srv_ticker_due(t, seq) + t->wall_offset_ns;
    char *p = dst;
    p += tg_srv_fmt_str(p, "{\"seq\":");
    p += tg_srv_fmt_u64(p, seq);
    p += tg_srv_fmt_str(p, ",\"ts_us\":");
    p += tg_srv_fmt_u64(p, wall_ns > 0 ? (uint64_t)wall_ns / 1000 : 0);
    *p++ = '}';
    return (size_t)(p - dst);
}

void tg_srv_ticker_make(struct tg_srv_ticker *t, uint64_t seq)
{
    assert(seq > t->seq);
    t->seq = seq;
    char json[TG_SRV_TICK_JSON_MAX];
    size_t n = tick_json(t, seq, json);
    _Static_assert(TG_SRV_TICK_JSON_MAX <= 125, "a tick fits a 7-bit frame length");
    t->ws[0] = (char)0x81; /* FIN, text */
    t->ws[1] = (char)n;
    memcpy(t->ws + 2, json, n);
    t->ws_len = (uint8_t)(2 + n);
    struct tg_srv_tick_event *e = &t->hist[seq % TG_SRV_TICK_HISTORY];
    char *p = e->sse;
    p += tg_srv_fmt_str(p, "id: ");
    p += tg_srv_fmt_u64(p, seq);
    p += tg_srv_fmt_str(p, "\ndata: ");
    memcpy(p, json, n);
    p += n;
    p += tg_srv_fmt_str(p, "\n\n");
    assert((size_t)(p - e->sse) <= TG_SRV_TICK_SSE_MAX);
    e->len = (uint8_t)(p - e->sse);
    e->seq = seq;
}

const struct tg_srv_tick_event *tg_srv_ticker_event(const struct tg_srv_ticker *t, uint64_t seq)
{
    const struct tg_srv_tick_event *e = &t->hist[seq % TG_SRV_TICK_HISTORY];
    return seq > 0 && e->seq == seq ? e : NULL;
}

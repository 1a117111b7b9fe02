/*
 * rate_cap — the --max-rps permits; see rate_cap.h.
 */
#include "exec/rate_cap.h"

void tg_rate_cap_init(struct tg_rate_cap *c, struct tg_segment seg, double per_s, tg_ns t0)
{
    c->seg = seg;
    c->per_s = per_s;
    c->t0 = t0;
    c->next = 0;
    c->delayed = 0;
}

tg_ns tg_rate_cap_take(struct tg_rate_cap *c, tg_ns now)
{
    tg_ns since = now - c->t0 - TG_RATE_CAP_SLACK_NS;
    if (since > 0) {
        uint64_t expired = tg_segment_arrivals_by(c->seg, c->per_s, since);
        c->next = c->next > expired ? c->next : expired;
    }
    tg_ns at = c->t0 + tg_segment_arrival_ns(c->seg, c->per_s, c->next);
    c->next++;
    if (at > now) {
        c->delayed++;
    }
    return at;
}

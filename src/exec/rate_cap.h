/*
 * rate_cap — --max-rps: a hard ceiling on requests per second across all
 * threads and scenarios. Each worker owns the permits of its segment of the
 * cap (exec/segment: the shares of any partition sum exactly to the cap); the
 * k-th permit of a segment is released at the time the k-th arrival of an
 * open model at the cap's rate would be. A request takes the next permit and
 * goes at its release time; permits older than a 10 ms slack expire unused,
 * so an idle spell never turns into a burst above the cap.
 *
 * Pure arithmetic on the owner's thread; no allocation.
 */
#ifndef TG_EXEC_RATE_CAP_H
#define TG_EXEC_RATE_CAP_H

#include "exec/segment.h"
#include "tg.h"

#include <stdint.h>

#define TG_RATE_CAP_SLACK_NS (10 * TG_NS_PER_MS)

struct tg_rate_cap {
    struct tg_segment seg;
    double per_s;     /* the whole cap, all workers */
    tg_ns t0;         /* the run's start */
    uint64_t next;    /* the next permit of this segment */
    uint64_t delayed; /* requests that had to wait for their permit */
};

void tg_rate_cap_init(struct tg_rate_cap *c, struct tg_segment seg, double per_s, tg_ns t0);
/*
 * Takes the next permit for a request wanting to go at now: returns when it
 * may go (<= now: at once). Requests that must wait are counted in delayed.
 */
tg_ns tg_rate_cap_take(struct tg_rate_cap *c, tg_ns now);

#endif

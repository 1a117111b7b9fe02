/*
 * window — the last N seconds of one (sub)metric, one slot per second of the
 * run, and their aggregate: what a threshold over a sliding window ("p(99)<500
 * over 30s") is evaluated on. Used by check/window_eval on the coordinator,
 * which decides which samples belong to which second and when a second is
 * complete; this file only stores and aggregates.
 *
 * A second is first *open*: a full sink (dense histogram for trends) that
 * banks merge into, for up to TG_WINDOW_OPEN seconds at once, since workers'
 * banks arrive a little after the time they cover. Sealing the oldest open
 * second moves it into the ring of the last N sealed seconds and updates the
 * aggregate: the new second is added and the one that fell out of the window
 * is subtracted (bucket counts and rate counts exactly; sums, minima, maxima
 * and gauges are recomputed over the N slots), so sealing costs the size of
 * two seconds, not of the window.
 *
 * A sealed trend second keeps its histogram as a sorted list of (bucket,
 * count) pairs, at most TG_WINDOW_SLOT_BUCKETS of them; a second whose samples
 * fall into more distinct buckets is stored with 2, 4, ... 32 adjacent buckets
 * merged into their middle one, so one value moves by at most 16/1024 of
 * itself (percentiles of that window within 2 %; min, max and mean stay
 * exact). Memory: at most 16 KiB per second of window for a trend, 64 bytes
 * for the other kinds, plus the open sinks and the aggregate.
 *
 * Owned by one thread (the coordinator); nothing is synchronised.
 */
#ifndef TG_METRICS_WINDOW_H
#define TG_METRICS_WINDOW_H

#include "metrics/sink.h"
#include "tg.h"

#include <stdbool.h>
#include <stdint.h>

#define TG_WINDOW_OPEN         4    /* seconds that can receive samples at once */
#define TG_WINDOW_SLOT_BUCKETS 2048 /* most (bucket, count) pairs a sealed trend second keeps */

/* One sealed second. */
struct tg_window_slot {
    uint64_t n;       /* samples (every kind) */
    double sum;       /* COUNTER: sum of values */
    uint64_t nonzero; /* RATE: non-zero samples */
    double last;      /* GAUGE: latest value, at t_ns */
    double min;       /* GAUGE */
    double max;       /* GAUGE */
    int64_t t_ns;     /* GAUGE: monotonic time of last */
    int64_t hmin;     /* TREND: exact smallest value (ns or value * 1000) */
    int64_t hmax;     /* TREND: exact largest */
    uint64_t sum_lo;  /* TREND: exact 128-bit sum, low half */
    uint64_t sum_hi;  /* TREND: high half */
    uint64_t *pairs;  /* TREND: [n_pairs] (count << 16 | bucket), ascending bucket; owned */
    uint32_t n_pairs;
    uint32_t cap_pairs;
};

struct tg_window {
    enum tg_metric_kind kind;
    uint32_t len_s;                      /* N: seconds in the window, >= 1 */
    uint64_t sealed;                     /* seconds [0, sealed) are sealed */
    struct tg_window_slot *slots;        /* [len_s] ring: second k at k % len_s; owned */
    struct tg_sink open[TG_WINDOW_OPEN]; /* second k in [sealed, sealed + OPEN) at k % OPEN */
    struct tg_sink agg;                  /* the last min(sealed, len_s) sealed seconds */
};

/* Prepares w for kind with a window of len_s >= 1 seconds. 0 or TG_ENOMEM (w then needs _fini). */
int tg_window_init(struct tg_window *w, enum tg_metric_kind kind, uint32_t len_s);
/* Frees what w owns. */
void tg_window_fini(struct tg_window *w);

/*
 * The sink collecting second `second` (0 = the run's first), for merging
 * samples into; NULL when that second is sealed already or not yet open
 * (>= sealed + TG_WINDOW_OPEN). Borrowed until the second is sealed.
 */
struct tg_sink *tg_window_open(struct tg_window *w, uint64_t second);

/*
 * Seals second w->sealed (empty if nothing was merged into it): it joins the
 * aggregate, the second len_s before it leaves, and w->sealed grows by one.
 * 0, or TG_ENOMEM (a histogram page or the pair list could not be allocated;
 * the aggregate then lacks that second's trend buckets).
 */
int tg_window_seal(struct tg_window *w);

/* The aggregate of the last min(sealed, len_s) sealed seconds; borrowed. */
static inline const struct tg_sink *tg_window_agg(const struct tg_window *w)
{
    return &w->agg;
}

#endif

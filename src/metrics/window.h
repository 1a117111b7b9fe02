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
 * merged into their middle one (values under 1024 ns, or 1.024 for trends
 * that are not times, are never merged), so one value moves by at most
 * 16/1024 of itself (percentiles of that window within 2 %; min, max and mean
 * stay exact). Memory: at most 16 KiB per second of window for a trend, 104 bytes
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

/*
 * Prepares w for kind with a window of len_s >= 1 seconds, whose first
 * second is `start` (the seconds before it count as sealed and empty, for a
 * metric that appears mid-run). 0 or TG_ENOMEM (w then needs _fini).
 */
int tg_window_init(struct tg_window *w, enum tg_metric_kind kind, uint32_t len_s, uint64_t start);
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

/*
 * The history of one threshold over a sliding window: the value of every
 * window evaluated, and the verdict's facts. Filled by check/window_eval,
 * owned by the run's tg_results (res->windows), read by the reports.
 *
 * Window i covers [max(0, e - len_s), e) seconds of the run, with
 * e = min(first_end_s + i, the run's duration): one window per second once
 * the first full one has ended, the last one ending with the run; a run
 * shorter than the window has a single window, the whole run.
 */
#define TG_WINDOW_LOG_MAX (7 * 24 * 3600) /* values kept: a week of windows */

struct tg_window_log {
    const void *key;      /* the plan threshold it belongs to (identity only; borrowed) */
    uint32_t len_s;       /* window length in seconds */
    uint64_t first_end_s; /* end of window 0, in seconds from the start */
    double *values;       /* [n_values] the windows' values; NaN: no samples; owned */
    size_t n_values;      /* <= TG_WINDOW_LOG_MAX */
    size_t cap_values;    /* allocated */
    uint64_t n_windows;   /* windows evaluated (more than n_values when truncated) */
    uint64_t n_failed;    /* windows whose value failed the threshold */
    bool truncated;       /* n_windows > TG_WINDOW_LOG_MAX: values holds the first ones */
    bool aborted;         /* its failure aborted the run (abortOnFail, --abort-on) */
    double worst;         /* the value that misses (or comes closest to missing) most; NaN: none */
    tg_ns worst_from_ns;  /* that window's span, from the start of the run */
    tg_ns worst_to_ns;    /* */
    double first_fail;    /* value of the first failing window (NaN when none failed) */
    tg_ns fail_from_ns;   /* its span; -1 when none failed */
    tg_ns fail_to_ns;     /* */
};

/* Frees log's values. */
void tg_window_log_fini(struct tg_window_log *log);

#endif

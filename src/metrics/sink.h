/*
 * sink — the aggregate of one series (metric + tag set): a histogram for
 * trends, a sum for counters, true/total counts for rates, last/min/max for
 * gauges. Sinks are owned by a bank (per worker, per tick) or by the
 * coordinator's whole-run table; merging two sinks of the same kind is exact.
 *
 * Hot path: tg_sink_add_* are O(1), no allocation after the histogram's
 * pages are warm, no locks.
 */
#ifndef TG_METRICS_SINK_H
#define TG_METRICS_SINK_H

#include "metrics/hist.h"
#include "metrics/metric.h"

#include <stdbool.h>
#include <stdint.h>

struct tg_sink {
    enum tg_metric_kind kind;
    uint64_t n; /* samples added since the last reset (all kinds) */
    union {
        struct tg_hist hist; /* TREND: values in ns for time trends, else value * 1000 */
        double sum;          /* COUNTER */
        struct {
            uint64_t nonzero; /* RATE: samples that were true / non-zero */
        } rate;
        struct {
            double last; /* GAUGE: latest value */
            double min;
            double max;
            int64_t t_ns; /* monotonic time of the latest value */
        } gauge;
    } u;
};

/* Initialises s as an empty sink of that kind. 0 or TG_ENOMEM. */
int tg_sink_init(struct tg_sink *s, enum tg_metric_kind kind);
void tg_sink_fini(struct tg_sink *s);
/* Empties s, keeping its memory. */
void tg_sink_reset(struct tg_sink *s);
/* dst += src; both of the same kind. For gauges the later value wins. */
int tg_sink_merge(struct tg_sink *dst, const struct tg_sink *src);

static inline void tg_sink_add_trend_ns(struct tg_sink *s, int64_t ns)
{
    s->n++;
    tg_hist_record(&s->u.hist, ns);
}

static inline void tg_sink_add_counter(struct tg_sink *s, double v)
{
    s->n++;
    s->u.sum += v;
}

static inline void tg_sink_add_rate(struct tg_sink *s, bool v)
{
    s->n++;
    s->u.rate.nonzero += v ? 1 : 0;
}

void tg_sink_add_gauge(struct tg_sink *s, double v, int64_t t_ns);

#endif

/*
 * sink — per-series aggregates; see sink.h.
 */
#include "metrics/sink.h"

#include "tg.h"

#include <string.h>

int tg_sink_init(struct tg_sink *s, enum tg_metric_kind kind)
{
    memset(s, 0, sizeof(*s));
    s->kind = kind;
    if (kind == TG_KIND_TREND) {
        return tg_hist_init(&s->u.hist);
    }
    return 0;
}

void tg_sink_fini(struct tg_sink *s)
{
    if (s->kind == TG_KIND_TREND) {
        tg_hist_fini(&s->u.hist);
    }
}

void tg_sink_reset(struct tg_sink *s)
{
    s->n = 0;
    switch (s->kind) {
    case TG_KIND_TREND:
        tg_hist_reset(&s->u.hist);
        break;
    case TG_KIND_COUNTER:
        s->u.sum = 0;
        break;
    case TG_KIND_RATE:
        s->u.rate.nonzero = 0;
        break;
    case TG_KIND_GAUGE:
        memset(&s->u.gauge, 0, sizeof(s->u.gauge));
        break;
    }
}

void tg_sink_add_gauge(struct tg_sink *s, double v, int64_t t_ns)
{
    if (s->n == 0 || v < s->u.gauge.min) {
        s->u.gauge.min = v;
    }
    if (s->n == 0 || v > s->u.gauge.max) {
        s->u.gauge.max = v;
    }
    if (s->n == 0 || t_ns >= s->u.gauge.t_ns) {
        s->u.gauge.last = v;
        s->u.gauge.t_ns = t_ns;
    }
    s->n++;
}

int tg_sink_merge(struct tg_sink *dst, const struct tg_sink *src)
{
    if (dst->kind != src->kind) {
        return TG_EINVAL;
    }
    if (src->n == 0) {
        return 0;
    }
    switch (src->kind) {
    case TG_KIND_TREND:
        dst->n += src->n;
        return tg_hist_merge(&dst->u.hist, &src->u.hist);
    case TG_KIND_COUNTER:
        dst->u.sum += src->u.sum;
        break;
    case TG_KIND_RATE:
        dst->u.rate.nonzero += src->u.rate.nonzero;
        break;
    case TG_KIND_GAUGE:
        if (dst->n == 0 || src->u.gauge.min < dst->u.gauge.min) {
            dst->u.gauge.min = src->u.gauge.min;
        }
        if (dst->n == 0 || src->u.gauge.max > dst->u.gauge.max) {
            dst->u.gauge.max = src->u.gauge.max;
        }
        if (dst->n == 0 || src->u.gauge.t_ns >= dst->u.gauge.t_ns) {
            dst->u.gauge.last = src->u.gauge.last;
            dst->u.gauge.t_ns = src->u.gauge.t_ns;
        }
        break;
    }
    dst->n += src->n;
    return 0;
}

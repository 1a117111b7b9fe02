/*
 * values — sink to user-facing numbers; see values.h.
 */
#include "report/values.h"

#include <stdlib.h>
#include <string.h>

struct trend_ctx {
    const struct tg_hist *h;
    double scale;
};

/* One context per thread is enough: values are read right after tg_values_of. */
static _Thread_local struct trend_ctx tctx;

static double trend_pct(const void *ctx, double pct)
{
    const struct trend_ctx *c = ctx;
    return tg_hist_percentile(c->h, pct) * c->scale;
}

void tg_values_of(const struct tg_sink *s, enum tg_metric_contains contains, tg_ns duration_ns,
                  struct tg_agg_values *v)
{
    memset(v, 0, sizeof(*v));
    v->type = s->kind;
    v->empty = s->n == 0;
    double secs = duration_ns > 0 ? (double)duration_ns / 1e9 : 1;
    switch (s->kind) {
    case TG_KIND_COUNTER:
        v->count = s->u.sum;
        v->rate = s->u.sum / secs;
        break;
    case TG_KIND_RATE:
        v->count = (double)s->n;
        v->rate = s->n ? (double)s->u.rate.nonzero / (double)s->n : 0;
        break;
    case TG_KIND_GAUGE:
        v->value = s->u.gauge.last;
        v->min = s->u.gauge.min;
        v->max = s->u.gauge.max;
        break;
    case TG_KIND_TREND: {
        /* time trends are recorded in ns and shown in ms; others were scaled by 1000 */
        double scale = contains == TG_CONTAINS_TIME ? 1e-6 : 1e-3;
        const struct tg_hist *h = &s->u.hist;
        v->count = (double)tg_hist_count(h);
        v->avg = tg_hist_mean(h) * scale;
        v->min = (double)tg_hist_min(h) * scale;
        v->max = (double)tg_hist_max(h) * scale;
        v->med = tg_hist_percentile(h, 50) * scale;
        tctx.h = h;
        tctx.scale = scale;
        v->percentile = trend_pct;
        v->ctx = &tctx;
        v->empty = tg_hist_count(h) == 0;
        break;
    }
    }
}

static bool parse_pct(const char *stat, double *pct)
{
    size_t len = strlen(stat);
    if (len < 4 || strncmp(stat, "p(", 2) != 0 || stat[len - 1] != ')') {
        return false;
    }
    char *end;
    double p = strtod(stat + 2, &end);
    if (end != stat + len - 1 || !(p >= 0 && p <= 100)) {
        return false;
    }
    *pct = p;
    return true;
}

bool tg_values_stat_valid(const char *stat)
{
    static const char *const names[] = { "avg", "min", "med", "max", "count" };
    for (size_t i = 0; i < TG_ARRAY_LEN(names); i++) {
        if (strcmp(stat, names[i]) == 0) {
            return true;
        }
    }
    double pct;
    return parse_pct(stat, &pct);
}

bool tg_values_trend_stat(const struct tg_agg_values *v, const char *stat, double *out)
{
    double pct;
    if (strcmp(stat, "avg") == 0) {
        *out = v->avg;
    } else if (strcmp(stat, "min") == 0) {
        *out = v->min;
    } else if (strcmp(stat, "med") == 0) {
        *out = v->med;
    } else if (strcmp(stat, "max") == 0) {
        *out = v->max;
    } else if (strcmp(stat, "count") == 0) {
        *out = v->count;
    } else if (parse_pct(stat, &pct)) {
        *out = v->percentile ? v->percentile(v->ctx, pct) : 0;
    } else {
        return false;
    }
    return true;
}

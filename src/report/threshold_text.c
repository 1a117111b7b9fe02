/*
 * threshold_text — threshold values and window histories as text; see
 * threshold_text.h.
 */
#include "report/threshold_text.h"

#include "core/units.h"

#include <math.h>
#include <stdio.h>

void tg_threshold_text_value(const struct tg_results *res, const struct tg_plan_threshold *t,
                             double v, char *buf, size_t n)
{
    if (isnan(v)) {
        snprintf(buf, n, "no samples");
        return;
    }
    int m = tg_registry_find_metric(&res->reg, t->sel.name);
    const struct tg_metric_def *def = m >= 0 ? &res->reg.metrics[m] : NULL;
    if (def && t->expr.agg == TG_AGG_RATE && def->kind == TG_KIND_RATE) {
        snprintf(buf, n, "%.2f%%", v * 100);
    } else if (def && def->contains == TG_CONTAINS_TIME && t->expr.agg != TG_AGG_COUNT) {
        tg_units_fmt_duration(v * 1e6, buf, n);
    } else {
        snprintf(buf, n, "%g", v);
    }
}

/* Seconds with at most one decimal, no trailing ".0". */
static void fmt_secs(tg_ns ns, char *buf, size_t n)
{
    double s = round((double)ns / 1e8) / 10;
    if (s == floor(s)) {
        snprintf(buf, n, "%.0fs", s);
    } else {
        snprintf(buf, n, "%.1fs", s);
    }
}

void tg_threshold_text_span(tg_ns from_ns, tg_ns to_ns, char *buf, size_t n)
{
    char a[32];
    char b[32];
    fmt_secs(from_ns, a, sizeof(a));
    fmt_secs(to_ns, b, sizeof(b));
    snprintf(buf, n, "%s-%s", a, b);
}

void tg_threshold_text_window(const struct tg_results *res, const struct tg_plan_threshold *t,
                              const struct tg_window_log *log, char *buf, size_t n)
{
    unsigned long long windows = (unsigned long long)log->n_windows;
    const char *s = windows == 1 ? "" : "s";
    if (isnan(log->worst)) {
        snprintf(buf, n, "no samples in %llu window%s", windows, s);
        return;
    }
    char val[64];
    char span[64];
    tg_threshold_text_value(res, t, log->worst, val, sizeof(val));
    tg_threshold_text_span(log->worst_from_ns, log->worst_to_ns, span, sizeof(span));
    if (log->n_failed == 0) {
        snprintf(buf, n, "worst window %s at %s; %llu window%s passed", val, span, windows, s);
        return;
    }
    if (log->fail_from_ns == log->worst_from_ns && log->fail_to_ns == log->worst_to_ns) {
        snprintf(buf, n, "worst window %s at %s, the first to fail; %llu of %llu window%s failed",
                 val, span, (unsigned long long)log->n_failed, windows, s);
        return;
    }
    char fval[64];
    char fspan[64];
    tg_threshold_text_value(res, t, log->first_fail, fval, sizeof(fval));
    tg_threshold_text_span(log->fail_from_ns, log->fail_to_ns, fspan, sizeof(fspan));
    snprintf(buf, n, "worst window %s at %s; %llu of %llu window%s failed, the first at %s (%s)",
             val, span, (unsigned long long)log->n_failed, windows, s, fspan, fval);
}

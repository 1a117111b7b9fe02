/*
 * summary — the k6-style text summary; see summary.h.
 */
#include "report/summary.h"

#include "report/summary_checks.h"
#include "report/threshold_text.h"

#include "core/units.h"
#include "metrics/tags.h"
#include "net/errcode.h"
#include "report/values.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NAME_WIDTH 34

static void fmt_value(double v, enum tg_metric_contains c, char *buf, size_t n)
{
    if (c == TG_CONTAINS_TIME) {
        tg_units_fmt_duration(v * 1e6, buf, n);
    } else if (c == TG_CONTAINS_DATA) {
        tg_units_fmt_bytes(v, buf, n);
    } else {
        snprintf(buf, n, "%g", v);
    }
}

static void print_name(FILE *f, const char *mark, const char *name, int indent)
{
    char line[256];
    snprintf(line, sizeof(line), "%*s%s", indent, "", name);
    size_t len = strlen(line);
    fprintf(f, "  %s %s", mark, line);
    for (size_t i = len; i < NAME_WIDTH; i++) {
        fputc('.', f);
    }
    fputs(": ", f);
}

static void print_values(FILE *f, const struct tg_summary_info *info, const struct tg_sink *s,
                         const struct tg_metric_def *def)
{
    struct tg_agg_values v;
    tg_values_of(s, def->contains, info->res->duration_ns, &v);
    char a[64];
    char b[64];
    switch (def->kind) {
    case TG_KIND_TREND:
        for (size_t i = 0; i < info->plan->n_trend_stats; i++) {
            const char *st = info->plan->trend_stats[i];
            double x = 0;
            tg_values_trend_stat(&v, st, &x);
            if (strcmp(st, "count") == 0) {
                snprintf(a, sizeof(a), "%.0f", x);
            } else {
                fmt_value(x, def->contains, a, sizeof(a));
            }
            fprintf(f, "%s%s=%s", i ? " " : "", st, a);
        }
        break;
    case TG_KIND_COUNTER:
        fmt_value(v.count, def->contains, a, sizeof(a));
        if (def->contains == TG_CONTAINS_DATA) {
            tg_units_fmt_bytes(v.rate, b, sizeof(b));
            fprintf(f, "%-12s %s/s", a, b);
        } else {
            fprintf(f, "%-12s %.2f/s", a, v.rate);
        }
        break;
    case TG_KIND_RATE:
        fprintf(f, "%.2f%%  %llu out of %llu", v.rate * 100, (unsigned long long)s->u.rate.nonzero,
                (unsigned long long)s->n);
        break;
    case TG_KIND_GAUGE:
        fprintf(f, "%g  min=%g max=%g", v.value, v.min, v.max);
        break;
    }
    fputc('\n', f);
}

/* The mark of a metric line: ✓/✗ when a threshold names this exact (sub)metric. */
static const char *mark_for(const struct tg_summary_info *info, const char *raw)
{
    const char *mark = " ";
    for (size_t i = 0; i < info->n_verdicts; i++) {
        if (strcmp(info->verdicts[i].t->sel.raw, raw) == 0) {
            if (!info->verdicts[i].ok) {
                return "\xe2\x9c\x97";
            }
            mark = "\xe2\x9c\x93";
        }
    }
    return mark;
}

static int cmp_metric(const void *a, const void *b, void *ctx)
{
    const struct tg_registry *r = ctx;
    return strcmp(r->metrics[*(const int *)a].name, r->metrics[*(const int *)b].name);
}

static void print_metric(FILE *f, const struct tg_summary_info *info, int m)
{
    const struct tg_registry *reg = &info->res->reg;
    const struct tg_metric_def *def = &reg->metrics[m];
    struct tg_sink s;
    if (tg_results_aggregate(info->res, m, NULL, 0, &s) < 0) {
        return;
    }
    if (s.n > 0) {
        print_name(f, mark_for(info, def->name), def->name, 0);
        print_values(f, info, &s, def);
    }
    tg_sink_fini(&s);
    /* submetrics named by thresholds, and k6's automatic expected_response one */
    char seen[TG_PLAN_MAX_THRESHOLDS + 1][512];
    size_t n_seen = 0;
    for (size_t i = 0; i <= info->n_verdicts; i++) {
        struct tg_tag want[TG_SEL_MAX_TAGS];
        size_t nw = 0;
        char label[512];
        const char *raw;
        if (i < info->n_verdicts) {
            const struct tg_selector *sel = &info->verdicts[i].t->sel;
            if (strcmp(sel->name, def->name) != 0 || sel->ntags == 0) {
                continue;
            }
            for (size_t k = 0; k < sel->ntags; k++) {
                want[nw++] = (struct tg_tag){ sel->tags[k].key, sel->tags[k].value };
            }
            raw = sel->raw;
        } else {
            if (m != TG_M_HTTP_REQ_DURATION) {
                continue;
            }
            want[nw++] = (struct tg_tag){ "expected_response", "true" };
            raw = "http_req_duration{expected_response:true}";
        }
        bool dup = false;
        for (size_t k = 0; k < n_seen; k++) {
            dup = dup || strcmp(seen[k], raw) == 0;
        }
        if (dup || tg_results_aggregate(info->res, m, want, nw, &s) < 0) {
            continue;
        }
        snprintf(seen[n_seen++], sizeof(seen[0]), "%s", raw);
        const char *brace = strchr(raw, '{');
        snprintf(label, sizeof(label), "{ %.*s }", brace ? (int)(strlen(brace) - 2) : 0,
                 brace ? brace + 1 : "");
        if (s.n > 0 || i < info->n_verdicts) {
            print_name(f, mark_for(info, raw), label, 2);
            print_values(f, info, &s, def);
        }
        tg_sink_fini(&s);
    }
}

/* Sums http_reqs by the value of one tag (status or error_code). */
static void print_breakdown(FILE *f, const struct tg_results *res, const char *tag,
                            const char *title, bool errors)
{
    struct row {
        char value[32];
        double count;
    } rows[64];
    size_t n = 0;
    for (size_t i = 0; i < res->reg.n_series && i < res->total.n; i++) {
        const struct tg_series_desc *sd = &res->reg.series[i];
        const char *v;
        size_t vl;
        if (sd->metric != TG_M_HTTP_REQS ||
            !tg_tags_get(res->reg.tagsets[sd->tagset], tag, &v, &vl) || vl >= 32) {
            continue;
        }
        size_t k = 0;
        while (k < n && (strlen(rows[k].value) != vl || memcmp(rows[k].value, v, vl) != 0)) {
            k++;
        }
        if (k == n) {
            if (n == TG_ARRAY_LEN(rows)) {
                continue;
            }
            memcpy(rows[n].value, v, vl);
            rows[n].value[vl] = '\0';
            rows[n++].count = 0;
        }
        rows[k].count += res->total.sinks[i].u.sum;
    }
    if (n == 0) {
        return;
    }
    fprintf(f, "\n  %s\n", title);
    for (size_t i = 0; i < n; i++) {
        if (errors) {
            int code = atoi(rows[i].value);
            const char *name =
                code >= 1400 && code < 1600 ? "http_error_status" : tg_errcode_name(code);
            fprintf(f, "    %-6s %-24s %.0f\n", rows[i].value, name, rows[i].count);
        } else {
            fprintf(f, "    %-6s %.0f\n", rows[i].value, rows[i].count);
        }
    }
}

static void print_verdict(FILE *f, const struct tg_summary_info *info, const struct tg_verdict *v)
{
    char text[512];
    if (v->window) {
        tg_threshold_text_window(info->res, v->t, v->window, text, sizeof(text));
    } else {
        char val[64];
        tg_threshold_text_value(info->res, v->t, v->measured, val, sizeof(val));
        snprintf(text, sizeof(text), "measured %s", val);
    }
    if (v->t->expr.baseline) { /* the limit the baseline gave it */
        char lim[64];
        size_t n = strlen(text);
        tg_threshold_text_value(info->res, v->t, v->t->expr.rhs, lim, sizeof(lim));
        snprintf(text + n, sizeof(text) - n, ", limit from the baseline %s", lim);
    }
    fprintf(f, "      %s '%s' (%s)%s\n", v->ok ? "\xe2\x9c\x93" : "\xe2\x9c\x97", v->t->expr.source,
            text, v->window && v->window->aborted ? ", aborted the run" : "");
}

/* One heading per (sub)metric with its thresholds below it, as k6 prints them. */
static void print_thresholds(FILE *f, const struct tg_summary_info *info)
{
    if (info->n_verdicts == 0) {
        return;
    }
    fprintf(f, "  THRESHOLDS\n\n");
    for (size_t i = 0; i < info->n_verdicts; i++) {
        const char *raw = info->verdicts[i].t->sel.raw;
        bool seen = false;
        bool all_ok = true;
        for (size_t k = 0; k < info->n_verdicts; k++) {
            if (strcmp(info->verdicts[k].t->sel.raw, raw) == 0) {
                seen = seen || k < i;
                all_ok = all_ok && info->verdicts[k].ok;
            }
        }
        if (seen) {
            continue;
        }
        fprintf(f, "    %s %s\n", raw, all_ok ? "\xe2\x9c\x93" : "\xe2\x9c\x97");
        for (size_t k = i; k < info->n_verdicts; k++) {
            if (strcmp(info->verdicts[k].t->sel.raw, raw) == 0) {
                print_verdict(f, info, &info->verdicts[k]);
            }
        }
    }
    fputc('\n', f);
}

/* --max-rps: whether the cap held requests back, and how many. */
static void print_cap(FILE *f, const struct tg_summary_info *info)
{
    if (info->plan->rails.max_rps <= 0) {
        return;
    }
    int m = tg_registry_find_metric(&info->res->reg, "rate_capped");
    double held = 0;
    struct tg_sink s;
    if (m >= 0 && tg_results_aggregate(info->res, m, NULL, 0, &s) == 0) {
        held = s.u.sum;
        tg_sink_fini(&s);
    }
    if (held > 0) {
        fprintf(f,
                "  rate cap: --max-rps %g was hit; %.0f requests waited for it (rate_capped)\n\n",
                info->plan->rails.max_rps, held);
    } else {
        fprintf(f, "  rate cap: --max-rps %g was never reached\n\n", info->plan->rails.max_rps);
    }
}

/* The whole-run sum (counters) or count (trends) of metric name, and a trend's mean; 0 without. */
static double total_of(const struct tg_summary_info *info, const char *name, double *mean)
{
    int m = tg_registry_find_metric(&info->res->reg, name);
    struct tg_sink s;
    double n = 0;
    if (m >= 0 && tg_results_aggregate(info->res, m, NULL, 0, &s) == 0) {
        bool trend = s.kind == TG_KIND_TREND;
        n = trend ? (double)s.n : s.u.sum;
        if (mean) {
            *mean = trend && s.n ? tg_hist_mean(&s.u.hist) / 1e3 : 0; /* trends keep value * 1000 */
        }
        tg_sink_fini(&s);
    }
    return n;
}

/* Scripts' retry policies: the retries sent and the amplification (attempts per logical request).
 */
static void print_retries(FILE *f, const struct tg_summary_info *info)
{
    double amplification = 0;
    double logical = total_of(info, "http_req_attempts", &amplification);
    if (logical == 0) {
        return;
    }
    fprintf(f, "  retries: %.0f (amplification %.2fx over %.0f requests with a retry policy)",
            total_of(info, "http_req_retries", NULL), amplification, logical);
    double refused = total_of(info, "http_req_retry_budget_exhausted", NULL);
    if (refused > 0) {
        fprintf(f, "; %.0f refused by the retry budget", refused);
    }
    fputs("\n\n", f);
}

void tg_summary_print(FILE *f, const struct tg_summary_info *info)
{
    const struct tg_registry *reg = &info->res->reg;
    char dur[32];
    if (info->plan->script) {
        fprintf(f, "\n  tailgate %s  %u threads, %llu VUs, %s%s\n\n", info->plan->script,
                info->plan->threads, (unsigned long long)info->connections,
                tg_units_fmt_duration((double)info->res->duration_ns, dur, sizeof(dur)),
                info->interrupted ? " (interrupted)" : "");
    } else {
        fprintf(f, "\n  tailgate %s %s  %u threads, %llu connections, %s%s\n\n", info->plan->method,
                info->plan->url_text, info->plan->threads, (unsigned long long)info->connections,
                tg_units_fmt_duration((double)info->res->duration_ns, dur, sizeof(dur)),
                info->interrupted ? " (interrupted)" : "");
    }
    if (info->stop_reason) {
        fprintf(f, "  stopped early: %s\n\n", info->stop_reason);
    }
    print_cap(f, info);
    print_retries(f, info);
    print_thresholds(f, info);
    tg_summary_checks_print(f, info->res);
    fprintf(f, "  METRICS\n\n");
    int order[512];
    size_t n = reg->n_metrics < TG_ARRAY_LEN(order) ? reg->n_metrics : TG_ARRAY_LEN(order);
    for (size_t i = 0; i < n; i++) {
        order[i] = (int)i;
    }
    qsort_r(order, n, sizeof(order[0]), cmp_metric, (void *)(uintptr_t)reg);
    for (size_t i = 0; i < n; i++) {
        print_metric(f, info, order[i]);
    }
    print_breakdown(f, info->res, "status", "HTTP STATUS", false);
    print_breakdown(f, info->res, "error_code", "ERRORS (error_code, reason, count)", true);
    if (reg->overflowed) {
        fprintf(f, "\n  warning: some metrics had more distinct tag sets than the cap; the rest "
                   "were folded into an {overflow:true} series\n");
    }
    fputc('\n', f);
}

/*
 * result_file — the versioned result JSON writer; see result_file.h.
 */
#include "report/result_file.h"

#include "core/secrets.h"

#include "metrics/hist_codec.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <string.h>
#include <time.h>

static json_t *tags_json(const char *canon)
{
    json_t *o = json_object();
    size_t pos = 0;
    const char *k;
    const char *v;
    size_t kl;
    size_t vl;
    while (tg_tags_next(canon, &pos, &k, &kl, &v, &vl)) {
        char key[256];
        snprintf(key, sizeof(key), "%.*s", (int)kl, k);
        json_object_set_new(o, key, json_stringn(v, vl));
    }
    return o;
}

static json_t *series_json(const struct tg_results *res, size_t i)
{
    const struct tg_series_desc *sd = &res->reg.series[i];
    const struct tg_sink *s = &res->total.sinks[i];
    json_t *o = json_pack("{s:s, s:o, s:I}", "metric", res->reg.metrics[sd->metric].name, "tags",
                          tags_json(res->reg.tagsets[sd->tagset]), "count", (json_int_t)s->n);
    switch (s->kind) {
    case TG_KIND_COUNTER:
        json_object_set_new(o, "sum", json_real(s->u.sum));
        break;
    case TG_KIND_RATE:
        json_object_set_new(o, "nonzero", json_integer((json_int_t)s->u.rate.nonzero));
        break;
    case TG_KIND_GAUGE:
        json_object_set_new(o, "last", json_real(s->u.gauge.last));
        json_object_set_new(o, "min", json_real(s->u.gauge.min));
        json_object_set_new(o, "max", json_real(s->u.gauge.max));
        break;
    case TG_KIND_TREND:
        json_object_set_new(o, "hist", tg_hist_codec_encode(&s->u.hist));
        break;
    }
    return o;
}

static json_t *run_json(const struct tg_plan *p)
{
    return json_pack("{s:s, s:s, s:i, s:i, s:I, s:I, s:f, s:I}", "url", p->url_text, "method",
                     p->method, "connections", (int)p->connections, "threads", (int)p->threads,
                     "duration_ns", (json_int_t)p->duration_ns, "requests", (json_int_t)p->requests,
                     "rate_per_s", p->rate_per_s, "timeout_ns", (json_int_t)p->timeout_ns);
}

static json_t *stop_reason_json(const char *reason)
{
    if (!reason) {
        return json_null();
    }
    json_t *s = json_string(reason); /* NULL when the script's reason is not UTF-8 */
    return s ? s : json_string("(a reason that is not UTF-8)");
}

static json_t *num(double v)
{
    return isnan(v) ? json_null() : json_real(v);
}

/* A span of the run in seconds from its start, or null (from < 0: none). */
static json_t *span_json(double v, tg_ns from_ns, tg_ns to_ns)
{
    if (from_ns < 0) {
        return json_null();
    }
    return json_pack("{s:o, s:f, s:f}", "value", num(v), "from_s", (double)from_ns / 1e9, "to_s",
                     (double)to_ns / 1e9);
}

/* A windowed threshold's history: every window's value, compactly, for plots. */
static json_t *window_json(const struct tg_window_log *w)
{
    json_t *values = json_array();
    for (size_t i = 0; values && i < w->n_values; i++) {
        json_array_append_new(values, num(w->values[i]));
    }
    return json_pack("{s:i, s:I, s:o, s:I, s:I, s:b, s:b, s:o, s:o}", "length_s", (int)w->len_s,
                     "first_end_s", (json_int_t)w->first_end_s, "values", values, "windows",
                     (json_int_t)w->n_windows, "failed", (json_int_t)w->n_failed, "truncated",
                     w->truncated, "aborted", w->aborted, "worst",
                     span_json(w->worst, isnan(w->worst) ? -1 : w->worst_from_ns, w->worst_to_ns),
                     "first_failure", span_json(w->first_fail, w->fail_from_ns, w->fail_to_ns));
}

static json_t *build(const struct tg_summary_info *info)
{
    const struct tg_results *res = info->res;
    json_t *metrics = json_array();
    for (size_t m = 0; m < res->reg.n_metrics; m++) {
        const struct tg_metric_def *d = &res->reg.metrics[m];
        json_array_append_new(metrics, json_pack("{s:s, s:s, s:s}", "name", d->name, "type",
                                                 tg_metric_kind_name(d->kind), "contains",
                                                 tg_metric_contains_name(d->contains)));
    }
    json_t *series = json_array();
    for (size_t i = 0; i < res->reg.n_series && i < res->total.n; i++) {
        if (res->total.sinks[i].n > 0) {
            json_array_append_new(series, series_json(res, i));
        }
    }
    json_t *th = json_array();
    for (size_t i = 0; i < info->n_verdicts; i++) {
        const struct tg_verdict *v = &info->verdicts[i];
        json_t *o = json_pack("{s:s, s:s, s:b, s:o}", "metric", v->t->sel.raw, "expr",
                              v->t->expr.source, "ok", v->ok, "value", num(v->measured));
        if (o && v->window) {
            json_object_set_new(o, "window", window_json(v->window));
        }
        json_array_append_new(th, o);
    }
    char start[64];
    time_t secs = (time_t)(res->start_wall_ns / 1000000000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    strftime(start, sizeof(start), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return json_pack("{s:s, s:i, s:s, s:s, s:I, s:b, s:o, s:o, s:o, s:o, s:o}", "format",
                     "tailgate-result", "version", 1, "tool", "tailgate 0.1", "start", start,
                     "duration_ns", (json_int_t)res->duration_ns, "interrupted", info->interrupted,
                     "stop_reason", stop_reason_json(info->stop_reason), "run",
                     run_json(info->plan), "metrics", metrics, "series", series, "thresholds", th);
}

int tg_result_file_write(const char *path, const struct tg_summary_info *info, struct tg_diag *d)
{
    json_t *doc = build(info);
    if (!doc) {
        tg_diag_set(d, "--result: out of memory");
        return TG_ENOMEM;
    }
    FILE *f = tg_secrets_wrap(fopen(path, "w"));
    int rc = f ? json_dumpf(doc, f, JSON_COMPACT | JSON_REAL_PRECISION(17)) : -1;
    if (f && fclose(f) != 0) {
        rc = -1;
    }
    json_decref(doc);
    if (rc != 0) {
        tg_diag_set(d, "--result \"%s\": cannot write: %s", path, strerror(errno));
        return TG_EIO;
    }
    return 0;
}

/*
 * k6_data — k6's JSON summary layouts; see k6_data.h.
 */
#include "report/k6_data.h"

#include "report/k6_groups.h"
#include "report/values.h"

#include <math.h>
#include <string.h>
#include <unistd.h>

static json_t *values_json(const struct tg_summary_info *info, const struct tg_sink *s,
                           const struct tg_metric_def *def, bool legacy)
{
    struct tg_agg_values v;
    tg_values_of(s, def->contains, info->res->duration_ns, &v);
    json_t *o = json_object();
    switch (def->kind) {
    case TG_KIND_TREND:
        for (size_t i = 0; i < info->plan->n_trend_stats; i++) {
            double x = 0;
            tg_values_trend_stat(&v, info->plan->trend_stats[i], &x);
            json_object_set_new(o, info->plan->trend_stats[i], json_real(x));
        }
        break;
    case TG_KIND_COUNTER:
        json_object_set_new(o, "count", json_real(v.count));
        json_object_set_new(o, "rate", json_real(v.rate));
        break;
    case TG_KIND_RATE:
        json_object_set_new(o, legacy ? "value" : "rate", json_real(v.rate));
        json_object_set_new(o, "passes", json_integer((json_int_t)s->u.rate.nonzero));
        json_object_set_new(o, "fails", json_integer((json_int_t)(s->n - s->u.rate.nonzero)));
        break;
    case TG_KIND_GAUGE:
        json_object_set_new(o, "value", json_real(v.value));
        json_object_set_new(o, "min", json_real(v.min));
        json_object_set_new(o, "max", json_real(v.max));
        break;
    }
    return o;
}

/* handleSummary's extra for a windowed threshold: its worst window (k6 readers see only ok). */
static json_t *window_json(const struct tg_window_log *w)
{
    json_t *o = json_pack("{s:i, s:I, s:I, s:b}", "length_s", (int)w->len_s, "windows",
                          (json_int_t)w->n_windows, "failed", (json_int_t)w->n_failed, "aborted",
                          w->aborted);
    if (o && !isnan(w->worst)) {
        json_object_set_new(o, "worst", json_real(w->worst));
        json_object_set_new(o, "worst_from_s", json_real((double)w->worst_from_ns / 1e9));
        json_object_set_new(o, "worst_to_s", json_real((double)w->worst_to_ns / 1e9));
    }
    return o;
}

static json_t *thresholds_json(const struct tg_summary_info *info, const char *raw, bool legacy)
{
    json_t *th = NULL;
    for (size_t i = 0; i < info->n_verdicts; i++) {
        const struct tg_verdict *v = &info->verdicts[i];
        if (strcmp(v->t->sel.raw, raw) != 0) {
            continue;
        }
        if (!th) {
            th = json_object();
        }
        /* legacy: k6's quirk, true means the threshold failed */
        json_t *o = legacy ? json_boolean(!v->ok) : json_pack("{s:b}", "ok", v->ok);
        if (!legacy && o && v->window) {
            json_object_set_new(o, "window", window_json(v->window));
        }
        json_object_set_new(th, v->t->expr.source, o);
    }
    return th;
}

static void add_entry(json_t *metrics, const struct tg_summary_info *info, int m,
                      const struct tg_tag *want, size_t n, const char *raw, bool legacy)
{
    const struct tg_metric_def *def = &info->res->reg.metrics[m];
    struct tg_sink s;
    if (tg_results_aggregate(info->res, m, want, n, &s) < 0) {
        return;
    }
    json_t *th = thresholds_json(info, raw, legacy);
    if (s.n > 0 || th) {
        json_t *vals = values_json(info, &s, def, legacy);
        json_t *o = vals;
        if (!legacy) {
            o = json_pack("{s:s, s:s, s:o}", "type", tg_metric_kind_name(def->kind), "contains",
                          tg_metric_contains_name(def->contains), "values", vals);
        }
        if (o && th) {
            json_object_set(o, "thresholds", th);
        }
        json_object_set_new(metrics, raw, o);
    }
    json_decref(th);
    tg_sink_fini(&s);
}

json_t *tg_k6_data_metrics(const struct tg_summary_info *info, bool legacy)
{
    const struct tg_registry *reg = &info->res->reg;
    json_t *metrics = json_object();
    for (size_t m = 0; metrics && m < reg->n_metrics; m++) {
        add_entry(metrics, info, (int)m, NULL, 0, reg->metrics[m].name, legacy);
    }
    struct tg_tag exp = { "expected_response", "true" };
    add_entry(metrics, info, TG_M_HTTP_REQ_DURATION, &exp, 1,
              "http_req_duration{expected_response:true}", legacy);
    for (size_t i = 0; metrics && i < info->n_verdicts; i++) {
        const struct tg_selector *sel = &info->verdicts[i].t->sel;
        int m = tg_registry_find_metric(reg, sel->name);
        if (sel->ntags == 0 || m < 0) {
            continue;
        }
        struct tg_tag want[TG_SEL_MAX_TAGS];
        for (size_t k = 0; k < sel->ntags; k++) {
            want[k] = (struct tg_tag){ sel->tags[k].key, sel->tags[k].value };
        }
        add_entry(metrics, info, m, want, sel->ntags, sel->raw, legacy);
    }
    return metrics;
}

json_t *tg_k6_data_json(const struct tg_summary_info *info)
{
    json_t *stats = json_array();
    for (size_t i = 0; stats && i < info->plan->n_trend_stats; i++) {
        json_array_append_new(stats, json_string(info->plan->trend_stats[i]));
    }
    json_t *setup = NULL;
    if (info->plan->setup_data) {
        setup = json_loads(info->plan->setup_data, JSON_DECODE_ANY, NULL);
    }
    return json_pack("{s:o, s:{s:o, s:s, s:b}, s:{s:b, s:b, s:f}, s:o, s:o}", "root_group",
                     tg_k6_groups_json(info->res, true), "options", "summaryTrendStats", stats,
                     "summaryTimeUnit", "", "noColor", true, "state", "isStdOutTTY",
                     isatty(STDOUT_FILENO), "isStdErrTTY", isatty(STDERR_FILENO),
                     "testRunDurationMs", (double)info->res->duration_ns / 1e6, "metrics",
                     tg_k6_data_metrics(info, false), "setup_data", setup ? setup : json_null());
}

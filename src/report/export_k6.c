/*
 * export_k6 — k6 legacy --summary-export writer; see export_k6.h.
 */
#include "report/export_k6.h"

#include "report/k6_groups.h"
#include "report/values.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <string.h>

static json_t *values_json(const struct tg_summary_info *info, const struct tg_sink *s,
                           const struct tg_metric_def *def)
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
        json_object_set_new(o, "value", json_real(v.rate));
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

static void add_thresholds(json_t *o, const struct tg_summary_info *info, const char *raw)
{
    json_t *th = NULL;
    for (size_t i = 0; i < info->n_verdicts; i++) {
        if (strcmp(info->verdicts[i].t->sel.raw, raw) != 0) {
            continue;
        }
        if (!th) {
            th = json_object();
        }
        /* k6's quirk: true means the threshold failed */
        json_object_set_new(th, info->verdicts[i].t->expr.source,
                            json_boolean(!info->verdicts[i].ok));
    }
    if (th) {
        json_object_set_new(o, "thresholds", th);
    }
}

static void add_entry(json_t *metrics, const struct tg_summary_info *info, int m,
                      const struct tg_tag *want, size_t n, const char *raw)
{
    const struct tg_metric_def *def = &info->res->reg.metrics[m];
    struct tg_sink s;
    if (tg_results_aggregate(info->res, m, want, n, &s) < 0) {
        return;
    }
    bool named = false;
    for (size_t i = 0; i < info->n_verdicts; i++) {
        named = named || strcmp(info->verdicts[i].t->sel.raw, raw) == 0;
    }
    if (s.n > 0 || named) {
        json_t *o = values_json(info, &s, def);
        add_thresholds(o, info, raw);
        json_object_set_new(metrics, raw, o);
    }
    tg_sink_fini(&s);
}

static json_t *build(const struct tg_summary_info *info)
{
    const struct tg_registry *reg = &info->res->reg;
    json_t *metrics = json_object();
    for (size_t m = 0; m < reg->n_metrics; m++) {
        add_entry(metrics, info, (int)m, NULL, 0, reg->metrics[m].name);
    }
    struct tg_tag exp = { "expected_response", "true" };
    add_entry(metrics, info, TG_M_HTTP_REQ_DURATION, &exp, 1,
              "http_req_duration{expected_response:true}");
    for (size_t i = 0; i < info->n_verdicts; i++) {
        const struct tg_selector *sel = &info->verdicts[i].t->sel;
        int m = tg_registry_find_metric(reg, sel->name);
        if (sel->ntags == 0 || m < 0) {
            continue;
        }
        struct tg_tag want[TG_SEL_MAX_TAGS];
        for (size_t k = 0; k < sel->ntags; k++) {
            want[k] = (struct tg_tag){ sel->tags[k].key, sel->tags[k].value };
        }
        add_entry(metrics, info, m, want, sel->ntags, sel->raw);
    }
    return json_pack("{s:o, s:o}", "root_group", tg_k6_groups_json(info->res, false), "metrics",
                     metrics);
}

int tg_export_k6_write(const char *path, const struct tg_summary_info *info, struct tg_diag *d)
{
    json_t *doc = build(info);
    if (!doc) {
        tg_diag_set(d, "--summary-export: out of memory");
        return TG_ENOMEM;
    }
    int rc = json_dump_file(doc, path, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(10));
    json_decref(doc);
    if (rc != 0) {
        tg_diag_set(d, "--summary-export \"%s\": cannot write: %s", path, strerror(errno));
        return TG_EIO;
    }
    return 0;
}

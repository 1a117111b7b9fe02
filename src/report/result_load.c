/*
 * result_load — reads a --result file; see result_load.h.
 */
#include "report/result_load.h"

#include "metrics/hist_codec.h"
#include "metrics/tags.h"

#include <errno.h>
#include <jansson.h>
#include <string.h>

static int kind_of(const char *s, enum tg_metric_kind *k)
{
    static const char *const names[] = { "counter", "gauge", "rate", "trend" };
    for (int i = 0; i < 4; i++) {
        if (s && strcmp(s, names[i]) == 0) {
            *k = (enum tg_metric_kind)i;
            return 0;
        }
    }
    return TG_EPROTO;
}

static int contains_of(const char *s, enum tg_metric_contains *c)
{
    static const char *const names[] = { "default", "time", "data" };
    for (int i = 0; i < 3; i++) {
        if (s && strcmp(s, names[i]) == 0) {
            *c = (enum tg_metric_contains)i;
            return 0;
        }
    }
    return TG_EPROTO;
}

static int load_metrics(const char *path, json_t *arr, struct tg_results *res, struct tg_diag *d)
{
    size_t i;
    json_t *m;
    json_array_foreach(arr, i, m)
    {
        const char *name = json_string_value(json_object_get(m, "name"));
        enum tg_metric_kind k;
        enum tg_metric_contains c;
        if (!name || kind_of(json_string_value(json_object_get(m, "type")), &k) < 0 ||
            contains_of(json_string_value(json_object_get(m, "contains")), &c) < 0 ||
            tg_registry_metric(&res->reg, name, k, c) < 0) {
            tg_diag_set(d, "%s: metrics[%zu]: not a metric this version knows", path, i);
            return TG_EPROTO;
        }
    }
    return 0;
}

/* The canonical tag set of a series' "tags" object. */
static int tagset_of(json_t *tags, struct tg_results *res)
{
    struct tg_tag t[64];
    size_t n = 0;
    const char *k;
    json_t *v;
    if (!json_is_object(tags)) {
        return TG_EPROTO;
    }
    json_object_foreach(tags, k, v)
    {
        if (n == TG_ARRAY_LEN(t) || !json_is_string(v)) {
            return TG_EPROTO;
        }
        t[n++] = (struct tg_tag){ k, json_string_value(v) };
    }
    return tg_registry_tagset_of(&res->reg, t, n);
}

static int fill_sink(struct tg_sink *s, json_t *o, struct tg_diag *d)
{
    json_int_t n = json_integer_value(json_object_get(o, "count"));
    if (!json_is_integer(json_object_get(o, "count")) || n < 0) {
        return TG_EPROTO;
    }
    s->n = (uint64_t)n;
    switch (s->kind) {
    case TG_KIND_COUNTER:
        s->u.sum = json_number_value(json_object_get(o, "sum"));
        return 0;
    case TG_KIND_RATE: {
        json_int_t nz = json_integer_value(json_object_get(o, "nonzero"));
        if (nz < 0 || nz > n) {
            return TG_EPROTO;
        }
        s->u.rate.nonzero = (uint64_t)nz;
        return 0;
    }
    case TG_KIND_GAUGE:
        s->u.gauge.last = json_number_value(json_object_get(o, "last"));
        s->u.gauge.min = json_number_value(json_object_get(o, "min"));
        s->u.gauge.max = json_number_value(json_object_get(o, "max"));
        return 0;
    case TG_KIND_TREND:
        tg_hist_fini(&s->u.hist);
        return tg_hist_codec_decode(json_object_get(o, "hist"), &s->u.hist, d);
    }
    return TG_EPROTO;
}

static const char *metric_name(json_t *o)
{
    const char *s = json_string_value(json_object_get(o, "metric"));
    return s ? s : "";
}

static int load_series(const char *path, json_t *arr, struct tg_results *res, struct tg_diag *d)
{
    size_t i;
    json_t *o;
    json_array_foreach(arr, i, o)
    {
        int m = tg_registry_find_metric(&res->reg, metric_name(o));
        int ts = m >= 0 ? tagset_of(json_object_get(o, "tags"), res) : TG_EPROTO;
        bool created = false;
        int s = ts >= 0 ? tg_registry_series(&res->reg, (uint32_t)m, (uint32_t)ts, &created) : ts;
        if (s < 0 || !created || tg_bank_sync(&res->total, &res->reg) < 0) {
            tg_diag_set(d, "%s: series[%zu]: unknown metric, bad tags or a duplicate", path, i);
            return s == TG_ENOMEM ? TG_ENOMEM : TG_EPROTO;
        }
        struct tg_diag hd = { "" };
        int rc = fill_sink(&res->total.sinks[s], o, &hd);
        if (rc < 0) {
            tg_diag_set(d, "%s: series[%zu]: malformed aggregate%s%s", path, i,
                        hd.msg[0] ? ": " : "", hd.msg);
            return rc;
        }
    }
    return 0;
}

int tg_result_load(const char *path, struct tg_results *res, struct tg_diag *d)
{
    json_error_t err;
    json_t *doc = json_load_file(path, 0, &err);
    if (!doc) {
        if (err.line < 1) {
            tg_diag_set(d, "%s: cannot read: %s", path, err.text);
            return TG_EIO;
        }
        tg_diag_set(d, "%s:%d: not JSON: %s", path, err.line, err.text);
        return TG_EPROTO;
    }
    int rc = TG_EPROTO;
    const char *format = json_string_value(json_object_get(doc, "format"));
    if (!format || strcmp(format, "tailgate-result") != 0 ||
        json_integer_value(json_object_get(doc, "version")) != 1) {
        tg_diag_set(d, "%s: not a tailgate result file (version 1); write one with --result", path);
        goto out;
    }
    res->duration_ns = json_integer_value(json_object_get(doc, "duration_ns"));
    rc = load_metrics(path, json_object_get(doc, "metrics"), res, d);
    if (rc == 0) {
        rc = load_series(path, json_object_get(doc, "series"), res, d);
    }
out:
    json_decref(doc);
    return rc;
}

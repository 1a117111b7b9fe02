/*
 * results — whole-run series and merging; see results.h.
 */
#include "metrics/results.h"

#include "core/alloc.h"

#include <string.h>

int tg_results_init(struct tg_results *r)
{
    memset(r, 0, sizeof(*r));
    tg_bank_init(&r->total, 0);
    return tg_registry_init(&r->reg, 1000);
}

void tg_results_fini(struct tg_results *r)
{
    for (size_t i = 0; i < r->n_windows; i++) {
        tg_window_log_fini(&r->windows[i]);
    }
    tg_free(r->windows);
    r->windows = NULL;
    r->n_windows = 0;
    tg_bank_fini(&r->total);
    tg_registry_fini(&r->reg);
}

void tg_results_map_fini(struct tg_results_map *map)
{
    tg_free(map->ids);
    memset(map, 0, sizeof(*map));
}

int64_t tg_results_map_id(const struct tg_results_map *map, uint32_t worker_series)
{
    if (worker_series >= map->n || map->ids[worker_series] == UINT32_MAX) {
        return -1;
    }
    return map->ids[worker_series];
}

static int map_set(struct tg_results_map *map, uint32_t from, uint32_t to)
{
    if (from >= map->cap) {
        size_t cap = map->cap ? map->cap : 64;
        while (cap <= from) {
            cap *= 2;
        }
        uint32_t *ids = tg_realloc(map->ids, cap, sizeof(*ids));
        if (!ids) {
            return TG_ENOMEM;
        }
        memset(ids + map->cap, 0xff, (cap - map->cap) * sizeof(*ids));
        map->ids = ids;
        map->cap = cap;
    }
    map->ids[from] = to;
    if (from >= map->n) {
        map->n = from + 1;
    }
    return 0;
}

static int declare(struct tg_results *r, struct tg_results_map *map, const struct tg_bank_decl *d)
{
    int m = tg_registry_metric(&r->reg, d->def.name, d->def.kind, d->def.contains);
    if (m < 0) {
        return m; /* the same name with another type in another worker: skip the series */
    }
    int ts = tg_registry_tagset(&r->reg, d->tagset);
    if (ts < 0) {
        return ts;
    }
    bool created;
    int s = tg_registry_series(&r->reg, (uint32_t)m, (uint32_t)ts, &created);
    if (s < 0) {
        return s;
    }
    return map_set(map, d->series, (uint32_t)s);
}

int tg_results_merge(struct tg_results *r, struct tg_results_map *map, const struct tg_bank *b)
{
    for (size_t i = 0; i < b->n_decls; i++) {
        int rc = declare(r, map, &b->decls[i]);
        if (rc == TG_ENOMEM) {
            return rc;
        }
    }
    if (tg_bank_sync(&r->total, &r->reg) < 0) {
        return TG_ENOMEM;
    }
    for (size_t i = 0; i < b->n; i++) {
        if (b->sinks[i].n == 0) {
            continue;
        }
        int64_t id = tg_results_map_id(map, (uint32_t)i);
        if (id < 0) {
            continue;
        }
        if (tg_sink_merge(&r->total.sinks[id], &b->sinks[i]) < 0) {
            return TG_ENOMEM;
        }
    }
    return 0;
}

int tg_results_add_gauge(struct tg_results *r, uint32_t metric, const char *tagset, double value,
                         tg_ns t)
{
    int ts = tg_registry_tagset(&r->reg, tagset);
    if (ts < 0) {
        return ts;
    }
    bool created;
    int s = tg_registry_series(&r->reg, metric, (uint32_t)ts, &created);
    if (s < 0) {
        return s;
    }
    if (tg_bank_sync(&r->total, &r->reg) < 0) {
        return TG_ENOMEM;
    }
    tg_sink_add_gauge(&r->total.sinks[s], value, t);
    return 0;
}

int tg_results_aggregate(const struct tg_results *r, int metric, const struct tg_tag *want,
                         size_t n, struct tg_sink *out)
{
    if (metric < 0 || (size_t)metric >= r->reg.n_metrics) {
        return TG_ENOENT;
    }
    int rc = tg_sink_init(out, r->reg.metrics[metric].kind);
    if (rc < 0) {
        return rc;
    }
    for (size_t i = 0; i < r->reg.n_series && i < r->total.n; i++) {
        const struct tg_series_desc *sd = &r->reg.series[i];
        if ((int)sd->metric != metric) {
            continue;
        }
        if (n && !tg_tags_contains(r->reg.tagsets[sd->tagset], want, n)) {
            continue;
        }
        if (tg_sink_merge(out, &r->total.sinks[i]) < 0) {
            return TG_ENOMEM;
        }
    }
    return 0;
}

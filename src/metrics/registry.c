/*
 * registry — interning tables; see registry.h. The hash maps are open
 * addressing with linear probing over FNV-1a, kept at most half full.
 */
#include "metrics/registry.h"

#include "core/alloc.h"
#include "tg.h"

#include <string.h>

struct tg_registry_map {
    uint64_t *hashes; /* 0 = empty slot */
    uint32_t *ids;
    size_t cap; /* power of two */
    size_t n;
};

static uint64_t fnv1a(const void *p, size_t len)
{
    const unsigned char *s = p;
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= s[i];
        h *= 1099511628211ULL;
    }
    return h ? h : 1;
}

static struct tg_registry_map *map_new(void)
{
    struct tg_registry_map *m = tg_calloc(1, sizeof(*m));
    if (!m) {
        return NULL;
    }
    m->cap = 64;
    m->hashes = tg_calloc(m->cap, sizeof(*m->hashes));
    m->ids = tg_calloc(m->cap, sizeof(*m->ids));
    if (!m->hashes || !m->ids) {
        tg_free(m->hashes);
        tg_free(m->ids);
        tg_free(m);
        return NULL;
    }
    return m;
}

static void map_free(struct tg_registry_map *m)
{
    if (m) {
        tg_free(m->hashes);
        tg_free(m->ids);
        tg_free(m);
    }
}

static int map_grow(struct tg_registry_map *m)
{
    size_t cap = m->cap * 2;
    uint64_t *h = tg_calloc(cap, sizeof(*h));
    uint32_t *ids = tg_calloc(cap, sizeof(*ids));
    if (!h || !ids) {
        tg_free(h);
        tg_free(ids);
        return TG_ENOMEM;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->hashes[i]) {
            continue;
        }
        size_t j = m->hashes[i] & (cap - 1);
        while (h[j]) {
            j = (j + 1) & (cap - 1);
        }
        h[j] = m->hashes[i];
        ids[j] = m->ids[i];
    }
    tg_free(m->hashes);
    tg_free(m->ids);
    m->hashes = h;
    m->ids = ids;
    m->cap = cap;
    return 0;
}

/* Calls eq(ctx, id) for candidates with the same hash; returns the id or -1. */
static int64_t map_find(const struct tg_registry_map *m, uint64_t hash,
                        bool (*eq)(const void *ctx, uint32_t id), const void *ctx)
{
    size_t j = hash & (m->cap - 1);
    while (m->hashes[j]) {
        if (m->hashes[j] == hash && eq(ctx, m->ids[j])) {
            return m->ids[j];
        }
        j = (j + 1) & (m->cap - 1);
    }
    return -1;
}

static int map_insert(struct tg_registry_map *m, uint64_t hash, uint32_t id)
{
    if ((m->n + 1) * 2 > m->cap && map_grow(m) < 0) {
        return TG_ENOMEM;
    }
    size_t j = hash & (m->cap - 1);
    while (m->hashes[j]) {
        j = (j + 1) & (m->cap - 1);
    }
    m->hashes[j] = hash;
    m->ids[j] = id;
    m->n++;
    return 0;
}

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) {
        return 0;
    }
    size_t n = *cap ? *cap * 2 : 16;
    while (n < need) {
        n *= 2;
    }
    void *p = tg_realloc(*arr, n, elem);
    if (!p) {
        return TG_ENOMEM;
    }
    *arr = p;
    *cap = n;
    return 0;
}

int tg_registry_init(struct tg_registry *r, size_t max_series_per_metric)
{
    memset(r, 0, sizeof(*r));
    r->max_series_per_metric = max_series_per_metric ? max_series_per_metric : 1000;
    r->tagset_map = map_new();
    r->series_map = map_new();
    if (!r->tagset_map || !r->series_map) {
        goto out_free;
    }
    for (size_t i = 0; i < TG_M_BUILTIN_COUNT; i++) {
        const struct tg_metric_def *d = &tg_metric_builtins[i];
        if (tg_registry_metric(r, d->name, d->kind, d->contains) < 0) {
            goto out_free;
        }
    }
    return 0;
out_free:
    tg_registry_fini(r);
    return TG_ENOMEM;
}

void tg_registry_fini(struct tg_registry *r)
{
    for (size_t i = 0; i < r->n_metrics; i++) {
        tg_free((void *)(uintptr_t)r->metrics[i].name);
    }
    for (size_t i = 0; i < r->n_tagsets; i++) {
        tg_free(r->tagsets[i]);
    }
    tg_free(r->metrics);
    tg_free(r->tagsets);
    tg_free(r->series);
    tg_free(r->series_per_metric);
    map_free(r->tagset_map);
    map_free(r->series_map);
    memset(r, 0, sizeof(*r));
}

int tg_registry_find_metric(const struct tg_registry *r, const char *name)
{
    for (size_t i = 0; i < r->n_metrics; i++) {
        if (strcmp(r->metrics[i].name, name) == 0) {
            return (int)i;
        }
    }
    return TG_ENOENT;
}

int tg_registry_metric(struct tg_registry *r, const char *name, enum tg_metric_kind kind,
                       enum tg_metric_contains contains)
{
    int id = tg_registry_find_metric(r, name);
    if (id >= 0) {
        const struct tg_metric_def *d = &r->metrics[id];
        return (d->kind == kind && d->contains == contains) ? id : TG_EINVAL;
    }
    if (!tg_metric_name_valid(name)) {
        return TG_EINVAL;
    }
    if (r->n_metrics == r->cap_metrics) {
        /* grow both arrays before publishing the new capacity */
        size_t cap = r->cap_metrics ? r->cap_metrics * 2 : 32;
        struct tg_metric_def *m = tg_realloc(r->metrics, cap, sizeof(*m));
        if (!m) {
            return TG_ENOMEM;
        }
        r->metrics = m;
        uint32_t *spm = tg_realloc(r->series_per_metric, cap, sizeof(*spm));
        if (!spm) {
            return TG_ENOMEM;
        }
        memset(spm + r->cap_metrics, 0, (cap - r->cap_metrics) * sizeof(*spm));
        r->series_per_metric = spm;
        r->cap_metrics = cap;
    }
    char *copy = tg_strdup(name);
    if (!copy) {
        return TG_ENOMEM;
    }
    r->metrics[r->n_metrics] = (struct tg_metric_def){ copy, kind, contains };
    return (int)r->n_metrics++;
}

struct tagset_probe {
    const struct tg_registry *r;
    const char *canon;
};

static bool tagset_eq(const void *ctx, uint32_t id)
{
    const struct tagset_probe *p = ctx;
    return strcmp(p->r->tagsets[id], p->canon) == 0;
}

int tg_registry_tagset(struct tg_registry *r, const char *canon)
{
    uint64_t h = fnv1a(canon, strlen(canon));
    struct tagset_probe probe = { r, canon };
    int64_t found = map_find(r->tagset_map, h, tagset_eq, &probe);
    if (found >= 0) {
        return (int)found;
    }
    if (grow((void **)&r->tagsets, &r->cap_tagsets, r->n_tagsets + 1, sizeof(char *)) < 0) {
        return TG_ENOMEM;
    }
    char *copy = tg_strdup(canon);
    if (!copy || map_insert(r->tagset_map, h, (uint32_t)r->n_tagsets) < 0) {
        tg_free(copy);
        return TG_ENOMEM;
    }
    r->tagsets[r->n_tagsets] = copy;
    return (int)r->n_tagsets++;
}

int tg_registry_tagset_of(struct tg_registry *r, const struct tg_tag *tags, size_t n)
{
    char buf[4096];
    int len = tg_tags_canonical(tags, n, buf, sizeof(buf));
    if (len < 0) {
        return len;
    }
    return tg_registry_tagset(r, buf);
}

struct series_probe {
    const struct tg_registry *r;
    uint32_t metric;
    uint32_t tagset;
};

static bool series_eq(const void *ctx, uint32_t id)
{
    const struct series_probe *p = ctx;
    return p->r->series[id].metric == p->metric && p->r->series[id].tagset == p->tagset;
}

int tg_registry_series(struct tg_registry *r, uint32_t metric, uint32_t tagset, bool *created)
{
    uint64_t key[2] = { metric, tagset };
    uint64_t h = fnv1a(key, sizeof(key));
    struct series_probe probe = { r, metric, tagset };
    *created = false;
    int64_t found = map_find(r->series_map, h, series_eq, &probe);
    if (found >= 0) {
        return (int)found;
    }
    if (r->series_per_metric[metric] >= r->max_series_per_metric) {
        r->overflowed = true;
        int ov = tg_registry_tagset(r, "overflow\x1ftrue");
        if (ov < 0) {
            return ov;
        }
        if ((uint32_t)ov != tagset) {
            return tg_registry_series(r, metric, (uint32_t)ov, created);
        }
    }
    if (grow((void **)&r->series, &r->cap_series, r->n_series + 1, sizeof(*r->series)) < 0) {
        return TG_ENOMEM;
    }
    if (map_insert(r->series_map, h, (uint32_t)r->n_series) < 0) {
        return TG_ENOMEM;
    }
    r->series[r->n_series] = (struct tg_series_desc){ metric, tagset };
    r->series_per_metric[metric]++;
    *created = true;
    return (int)r->n_series++;
}

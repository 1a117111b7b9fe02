/*
 * registry — interning of metrics, tag sets and series (metric + tag set).
 * One registry per owner thread (each worker has one, the coordinator has
 * one); it is never shared. Interning allocates and hashes, so it happens at
 * set-up or the first time a tag combination is seen; the hot path records
 * into a sink by series id.
 *
 * Tag cardinality is bounded: each metric accepts at most max_series_per_metric
 * distinct tag sets; later ones fold into one overflow series per metric
 * (tag "overflow":"true") and tg_registry_overflowed() reports it.
 *
 * Ids are dense, start at 0 and never change; built-in metrics have the ids
 * of enum tg_builtin_metric.
 */
#ifndef TG_METRICS_REGISTRY_H
#define TG_METRICS_REGISTRY_H

#include "metrics/metric.h"
#include "metrics/tags.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tg_series_desc {
    uint32_t metric; /* metric id */
    uint32_t tagset; /* tag set id */
};

struct tg_registry_map; /* open-addressing hash: key bytes -> id */

struct tg_registry {
    struct tg_metric_def *metrics; /* [n_metrics]; names of custom metrics owned */
    size_t n_metrics;
    size_t cap_metrics;
    char **tagsets; /* [n_tagsets] canonical keys, owned */
    size_t n_tagsets;
    size_t cap_tagsets;
    struct tg_series_desc *series; /* [n_series] */
    size_t n_series;
    size_t cap_series;
    uint32_t *series_per_metric; /* [cap_metrics] distinct tag sets seen per metric */
    size_t max_series_per_metric;
    bool overflowed; /* some metric hit its cap */
    struct tg_registry_map *tagset_map;
    struct tg_registry_map *series_map;
};

/* Initialises r with the built-in metrics. 0 or TG_ENOMEM. */
int tg_registry_init(struct tg_registry *r, size_t max_series_per_metric);
void tg_registry_fini(struct tg_registry *r);

/*
 * Returns the id of metric name, registering it with kind/contains if new;
 * TG_EINVAL when the name is invalid or already registered with another
 * kind or contains; TG_ENOMEM.
 */
int tg_registry_metric(struct tg_registry *r, const char *name, enum tg_metric_kind kind,
                       enum tg_metric_contains contains);
/* Id of a registered metric by name, or TG_ENOENT. */
int tg_registry_find_metric(const struct tg_registry *r, const char *name);
/* Interns a canonical tag-set key; returns its id or TG_ENOMEM. */
int tg_registry_tagset(struct tg_registry *r, const char *canon);
/* Interns tags (any order); returns the tag set id, TG_E2BIG/TG_EINVAL/TG_ENOMEM. */
int tg_registry_tagset_of(struct tg_registry *r, const struct tg_tag *tags, size_t n);
/*
 * Returns the series id of (metric, tagset), creating it if new (subject to
 * the per-metric cap, see above). *created tells whether it is new.
 */
int tg_registry_series(struct tg_registry *r, uint32_t metric, uint32_t tagset, bool *created);

#endif

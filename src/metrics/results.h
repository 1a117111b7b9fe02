/*
 * results — the whole run's metrics on the coordinator: a registry of every
 * series any worker declared (matched by metric name and canonical tag set)
 * and one whole-run sink per series. Workers' banks are merged in as they
 * arrive; summaries, thresholds and exports read from here. Also what a
 * result file stores and what later compare/merge commands load.
 *
 * Owned by the coordinator thread.
 */
#ifndef TG_METRICS_RESULTS_H
#define TG_METRICS_RESULTS_H

#include "metrics/bank.h"
#include "metrics/registry.h"
#include "metrics/sink.h"
#include "metrics/tags.h"
#include "metrics/window.h"
#include "tg.h"

#include <stdint.h>

/* Maps one worker's series ids to the results' ids. */
struct tg_results_map {
    uint32_t *ids;
    size_t n;
    size_t cap;
};

struct tg_results {
    struct tg_registry reg;
    struct tg_bank total;          /* whole-run sinks, indexed by reg's series ids */
    tg_ns duration_ns;             /* test run duration (for counter rates) */
    int64_t start_wall_ns;         /* wall-clock start, for exports */
    struct tg_window_log *windows; /* [n_windows] thresholds over sliding windows; owned */
    size_t n_windows;
};

int tg_results_init(struct tg_results *r);
void tg_results_fini(struct tg_results *r);
/* Merges a worker's bank (using and extending its map). 0 or TG_ENOMEM. */
int tg_results_merge(struct tg_results *r, struct tg_results_map *map, const struct tg_bank *b);
/*
 * Adds one gauge sample (value at monotonic time t) to the whole-run series
 * of metric under the canonical tag set tagset, creating it if new: for
 * gauges the coordinator computes itself, such as vus and vus_max (the sum
 * of the workers' shares). 0 or < 0 (TG_ENOMEM, or the series cap).
 */
int tg_results_add_gauge(struct tg_results *r, uint32_t metric, const char *tagset, double value,
                         tg_ns t);
/* Maps one bank series id to a results series id, or -1 when unknown. */
int64_t tg_results_map_id(const struct tg_results_map *map, uint32_t worker_series);
void tg_results_map_fini(struct tg_results_map *map);
/*
 * Aggregates every series of metric whose tags contain want[0..n) into out
 * (initialised here with the metric's kind; caller calls tg_sink_fini).
 * 0, TG_ENOENT (unknown metric) or TG_ENOMEM.
 */
int tg_results_aggregate(const struct tg_results *r, int metric, const struct tg_tag *want,
                         size_t n, struct tg_sink *out);

#endif

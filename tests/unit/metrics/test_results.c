/*
 * test_results — the coordinator's whole-run results. Two simulated workers
 * record fixed-seed random samples into their own registries and banks,
 * creating series lazily in different orders (and registering custom
 * metrics in different orders), and hand a bank over every tick the way
 * exec/worker and exec/coord do (declare new series, merge, reset). The
 * reference model records every sample of both workers into one registry
 * and one bank. Merged results must equal the reference series by series,
 * and tg_results_aggregate with tag selectors must equal the sum of the
 * reference series whose tags contain the selector (k6 submetric subset
 * matching), computed here from plain tag arrays, not canonical keys.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "metrics/bank.h"
#include "metrics/hist.h"
#include "metrics/registry.h"
#include "metrics/results.h"
#include "metrics/sink.h"
#include "metrics/tags.h"
#include "tg.h"
#include "unit/prng.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The metrics and tag sets the workers record into. */

struct mdef {
    const char *name;
    enum tg_metric_kind kind;
    enum tg_metric_contains contains;
};

static const struct mdef METRICS[] = {
    { "http_reqs", TG_KIND_COUNTER, TG_CONTAINS_DEFAULT },
    { "http_req_duration", TG_KIND_TREND, TG_CONTAINS_TIME },
    { "http_req_failed", TG_KIND_RATE, TG_CONTAINS_DEFAULT },
    { "vus", TG_KIND_GAUGE, TG_CONTAINS_DEFAULT },
    { "my_counter", TG_KIND_COUNTER, TG_CONTAINS_DEFAULT },
    { "my_trend", TG_KIND_TREND, TG_CONTAINS_TIME },
    { "my_rate", TG_KIND_RATE, TG_CONTAINS_DEFAULT },
};
#define N_METRICS TG_ARRAY_LEN(METRICS)

struct tset {
    size_t n;
    struct tg_tag tags[4];
};

static const struct tset TAGSETS[] = {
    { 3, { { "method", "GET" }, { "status", "200" }, { "name", "a" } } },
    { 3, { { "status", "404" }, { "method", "GET" }, { "name", "a" } } },
    { 3, { { "method", "POST" }, { "name", "b" }, { "status", "200" } } },
    { 3, { { "method", "POST" }, { "status", "500" }, { "name", "b" } } },
    { 1, { { "name", "a" } } },
    { 0, { { NULL, NULL } } },
    { 4, { { "group", "" }, { "method", "GET" }, { "status", "200" }, { "name", "b" } } },
    { 2, { { "status", "200" }, { "expected_response", "true" } } },
};
#define N_TAGSETS TG_ARRAY_LEN(TAGSETS)

/* Whether tag set ts has every pair of sel (plain loops, independent of tags.c). */
static bool ref_contains(const struct tset *ts, const struct tg_tag *sel, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        bool found = false;
        for (size_t j = 0; j < ts->n; j++) {
            if (strcmp(ts->tags[j].key, sel[i].key) == 0 &&
                strcmp(ts->tags[j].value, sel[i].value) == 0) {
                found = true;
            }
        }
        if (!found) {
            return false;
        }
    }
    return true;
}

/* A recorder: a registry and a bank, with series created on first use. */

struct recorder {
    struct tg_registry reg;
    struct tg_bank bank;
    int metric_id[N_METRICS];
    int series[N_METRICS][N_TAGSETS]; /* -1 until first use */
    size_t declared;
};

static void recorder_init(struct recorder *r, uint32_t worker, bool reverse_customs)
{
    assert_int_equal(tg_registry_init(&r->reg, 0), 0);
    tg_bank_init(&r->bank, worker);
    for (size_t k = 0; k < N_METRICS; k++) {
        size_t i = reverse_customs ? N_METRICS - 1 - k : k;
        r->metric_id[i] =
            tg_registry_metric(&r->reg, METRICS[i].name, METRICS[i].kind, METRICS[i].contains);
        assert_true(r->metric_id[i] >= 0);
    }
    for (size_t m = 0; m < N_METRICS; m++) {
        for (size_t t = 0; t < N_TAGSETS; t++) {
            r->series[m][t] = -1;
        }
    }
    r->declared = 0;
}

static void recorder_fini(struct recorder *r)
{
    tg_bank_fini(&r->bank);
    tg_registry_fini(&r->reg);
}

static struct tg_sink *recorder_sink(struct recorder *r, size_t m, size_t t)
{
    if (r->series[m][t] < 0) {
        int ts = tg_registry_tagset_of(&r->reg, TAGSETS[t].tags, TAGSETS[t].n);
        assert_true(ts >= 0);
        bool created;
        int s = tg_registry_series(&r->reg, (uint32_t)r->metric_id[m], (uint32_t)ts, &created);
        assert_true(s >= 0);
        assert_true(created);
        r->series[m][t] = s;
        assert_int_equal(tg_bank_sync(&r->bank, &r->reg), 0);
    }
    return tg_bank_sink(&r->bank, (uint32_t)r->series[m][t]);
}

/* Records one sample of metric m, tag set t into both the worker and the reference. */
static void record(struct recorder *w, struct recorder *ref, size_t m, size_t t, int64_t v,
                   int64_t t_ns)
{
    struct tg_sink *sinks[2] = { recorder_sink(w, m, t), recorder_sink(ref, m, t) };
    for (int i = 0; i < 2; i++) {
        switch (METRICS[m].kind) {
        case TG_KIND_COUNTER:
            tg_sink_add_counter(sinks[i], (double)(v % 1000));
            break;
        case TG_KIND_RATE:
            tg_sink_add_rate(sinks[i], v % 5 == 0);
            break;
        case TG_KIND_TREND:
            tg_sink_add_trend_ns(sinks[i], v);
            break;
        case TG_KIND_GAUGE:
            tg_sink_add_gauge(sinks[i], (double)(v % 100) - 50, t_ns);
            break;
        }
    }
}

/* One tick of worker w: samples, then declare + merge + reset as worker/coord do. */
static void tick(struct recorder *w, struct recorder *ref, struct tg_results *res,
                 struct tg_results_map *map, uint64_t *rng, int tick_no, int samples)
{
    for (int i = 0; i < samples; i++) {
        uint64_t x = rng_step(rng);
        size_t m = (size_t)(x % N_METRICS);
        size_t t = (size_t)((x >> 8) % N_TAGSETS);
        int64_t v = (int64_t)((x >> 20) % 50000000);
        int64_t t_ns = (int64_t)tick_no * 10000000 + (int64_t)w->bank.worker * 1000000 + i;
        record(w, ref, m, t, v, t_ns);
    }
    assert_int_equal(tg_bank_declare(&w->bank, &w->reg, w->declared), 0);
    w->declared = w->reg.n_series;
    assert_int_equal(tg_results_merge(res, map, &w->bank), 0);
    tg_bank_reset(&w->bank);
}

/* Results series id of (metric name, canonical tag set), or -1. */
static int find_series(const struct tg_registry *reg, const char *metric, const char *canon)
{
    int m = tg_registry_find_metric(reg, metric);
    if (m < 0) {
        return -1;
    }
    for (size_t s = 0; s < reg->n_series; s++) {
        if (reg->series[s].metric == (uint32_t)m &&
            strcmp(reg->tagsets[reg->series[s].tagset], canon) == 0) {
            return (int)s;
        }
    }
    return -1;
}

static void assert_sink_equal(const struct tg_sink *a, const struct tg_sink *b)
{
    assert_int_equal(a->kind, b->kind);
    assert_int_equal(a->n, b->n);
    switch (a->kind) {
    case TG_KIND_COUNTER:
        assert_true(a->u.sum == b->u.sum);
        break;
    case TG_KIND_RATE:
        assert_int_equal(a->u.rate.nonzero, b->u.rate.nonzero);
        break;
    case TG_KIND_TREND:
        assert_int_equal(tg_hist_count(&a->u.hist), tg_hist_count(&b->u.hist));
        assert_int_equal(tg_hist_min(&a->u.hist), tg_hist_min(&b->u.hist));
        assert_int_equal(tg_hist_max(&a->u.hist), tg_hist_max(&b->u.hist));
        assert_true(tg_hist_mean(&a->u.hist) == tg_hist_mean(&b->u.hist));
        for (double p = 0; p <= 100; p += 12.5) {
            assert_true(tg_hist_percentile(&a->u.hist, p) == tg_hist_percentile(&b->u.hist, p));
        }
        break;
    case TG_KIND_GAUGE:
        if (a->n) {
            assert_true(a->u.gauge.last == b->u.gauge.last);
            assert_int_equal(a->u.gauge.t_ns, b->u.gauge.t_ns);
            assert_true(a->u.gauge.min == b->u.gauge.min);
            assert_true(a->u.gauge.max == b->u.gauge.max);
        }
        break;
    }
}

struct world {
    struct recorder w[2];
    struct recorder ref;
    struct tg_results res;
    struct tg_results_map map[2];
};

static int world_setup(void **state)
{
    struct world *x = calloc(1, sizeof(*x));
    if (!x) {
        return -1;
    }
    recorder_init(&x->w[0], 0, false);
    recorder_init(&x->w[1], 1, true);
    recorder_init(&x->ref, 9, false);
    if (tg_results_init(&x->res) != 0) {
        return -1;
    }
    uint64_t rng[2] = { 0x1111, 0x2222 };
    for (int t = 0; t < 6; t++) {
        /* Unequal tick sizes; worker 1 sometimes ticks with an empty bank. */
        tick(&x->w[0], &x->ref, &x->res, &x->map[0], &rng[0], t, 300 + 97 * t);
        tick(&x->w[1], &x->ref, &x->res, &x->map[1], &rng[1], t, t == 2 ? 0 : 450 - 40 * t);
    }
    *state = x;
    return 0;
}

static int world_teardown(void **state)
{
    struct world *x = *state;
    recorder_fini(&x->w[0]);
    recorder_fini(&x->w[1]);
    recorder_fini(&x->ref);
    tg_results_map_fini(&x->map[0]);
    tg_results_map_fini(&x->map[1]);
    tg_results_fini(&x->res);
    free(x);
    return 0;
}

/* The two workers really do number their metrics and series differently. */
static void test_results_merge_ids_differ(void **state)
{
    struct world *x = *state;
    assert_int_not_equal(x->w[0].metric_id[4], x->w[1].metric_id[4]);
    size_t differ = 0;
    for (size_t m = 0; m < N_METRICS; m++) {
        for (size_t t = 0; t < N_TAGSETS; t++) {
            differ += x->w[0].series[m][t] != x->w[1].series[m][t];
        }
    }
    assert_true(differ > N_METRICS * N_TAGSETS / 2);
    /* Each worker series maps to the results series of the same name and tags. */
    for (int wi = 0; wi < 2; wi++) {
        const struct recorder *w = &x->w[wi];
        for (size_t s = 0; s < w->reg.n_series; s++) {
            int64_t id = tg_results_map_id(&x->map[wi], (uint32_t)s);
            assert_true(id >= 0);
            const struct tg_series_desc *ws = &w->reg.series[s];
            const struct tg_series_desc *rs = &x->res.reg.series[id];
            assert_string_equal(w->reg.metrics[ws->metric].name,
                                x->res.reg.metrics[rs->metric].name);
            assert_string_equal(w->reg.tagsets[ws->tagset], x->res.reg.tagsets[rs->tagset]);
        }
        assert_int_equal(tg_results_map_id(&x->map[wi], (uint32_t)w->reg.n_series), -1);
        assert_int_equal(tg_results_map_id(&x->map[wi], UINT32_MAX), -1);
    }
}

/* Series by series, the merged results equal the single-place reference. */
static void test_results_merge_matches_reference(void **state)
{
    struct world *x = *state;
    assert_int_equal(x->res.reg.n_series, x->ref.reg.n_series);
    assert_int_equal(x->res.total.n, x->res.reg.n_series);
    uint64_t samples = 0;
    for (size_t s = 0; s < x->ref.reg.n_series; s++) {
        const struct tg_series_desc *d = &x->ref.reg.series[s];
        const char *name = x->ref.reg.metrics[d->metric].name;
        const char *canon = x->ref.reg.tagsets[d->tagset];
        int rs = find_series(&x->res.reg, name, canon);
        assert_true(rs >= 0);
        const struct tg_metric_def *rm = &x->res.reg.metrics[x->res.reg.series[rs].metric];
        assert_int_equal(rm->kind, x->ref.reg.metrics[d->metric].kind);
        assert_int_equal(rm->contains, x->ref.reg.metrics[d->metric].contains);
        assert_sink_equal(&x->res.total.sinks[rs], &x->ref.bank.sinks[s]);
        samples += x->ref.bank.sinks[s].n;
    }
    assert_int_equal(samples, 300 * 6 + 97 * 15 + (450 * 6 - 40 * 15) - (450 - 80));
}

/* Merging the same bank twice counts it twice; an empty bank changes nothing. */
static void test_results_merge_repeat_and_empty(void **state)
{
    (void)state;
    struct recorder w;
    struct recorder ref;
    recorder_init(&w, 0, false);
    recorder_init(&ref, 1, false);
    struct tg_results res;
    assert_int_equal(tg_results_init(&res), 0);
    struct tg_results_map map = { 0 };
    record(&w, &ref, 0, 0, 7, 1);
    assert_int_equal(tg_bank_declare(&w.bank, &w.reg, 0), 0);
    assert_int_equal(tg_results_merge(&res, &map, &w.bank), 0);
    assert_int_equal(tg_results_merge(&res, &map, &w.bank), 0);
    int s = find_series(&res.reg, "http_reqs", res.reg.tagsets[res.reg.series[0].tagset]);
    assert_int_equal(s, 0);
    assert_int_equal(res.reg.n_series, 1); /* the repeated declaration did not duplicate */
    assert_true(res.total.sinks[0].u.sum == 14);
    assert_int_equal(res.total.sinks[0].n, 2);
    tg_bank_reset(&w.bank);
    assert_int_equal(tg_results_merge(&res, &map, &w.bank), 0);
    assert_true(res.total.sinks[0].u.sum == 14);
    tg_results_map_fini(&map);
    assert_null(map.ids);
    assert_int_equal(tg_results_map_id(&map, 0), -1);
    tg_results_fini(&res);
    recorder_fini(&w);
    recorder_fini(&ref);
}

/* A metric declared with different types by two workers: the first wins, the other is skipped. */
static void test_results_merge_kind_conflict_skipped(void **state)
{
    (void)state;
    struct tg_results res;
    assert_int_equal(tg_results_init(&res), 0);
    struct tg_registry r[2];
    struct tg_bank b[2];
    struct tg_results_map map[2] = { { 0 }, { 0 } };
    static const enum tg_metric_kind kinds[2] = { TG_KIND_COUNTER, TG_KIND_TREND };
    for (int i = 0; i < 2; i++) {
        assert_int_equal(tg_registry_init(&r[i], 0), 0);
        tg_bank_init(&b[i], (uint32_t)i);
        int m = tg_registry_metric(&r[i], "clash", kinds[i], TG_CONTAINS_DEFAULT);
        int ts = tg_registry_tagset(&r[i], "");
        bool created;
        int s1 = tg_registry_series(&r[i], (uint32_t)m, (uint32_t)ts, &created);
        int s2 = tg_registry_series(&r[i], TG_M_HTTP_REQS, (uint32_t)ts, &created);
        assert_int_equal(tg_bank_sync(&b[i], &r[i]), 0);
        if (kinds[i] == TG_KIND_COUNTER) {
            tg_sink_add_counter(tg_bank_sink(&b[i], (uint32_t)s1), 5);
        } else {
            tg_sink_add_trend_ns(tg_bank_sink(&b[i], (uint32_t)s1), 5);
        }
        tg_sink_add_counter(tg_bank_sink(&b[i], (uint32_t)s2), 1);
        assert_int_equal(tg_bank_declare(&b[i], &r[i], 0), 0);
        assert_int_equal(tg_results_merge(&res, &map[i], &b[i]), 0);
    }
    int clash = tg_registry_find_metric(&res.reg, "clash");
    assert_true(clash >= 0);
    assert_int_equal(res.reg.metrics[clash].kind, TG_KIND_COUNTER);
    assert_int_equal(tg_results_map_id(&map[1], 0), -1); /* worker 1's clash series dropped */
    assert_true(tg_results_map_id(&map[1], 1) >= 0);
    struct tg_sink out;
    assert_int_equal(tg_results_aggregate(&res, clash, NULL, 0, &out), 0);
    assert_int_equal(out.n, 1);
    assert_true(out.u.sum == 5);
    tg_sink_fini(&out);
    assert_int_equal(tg_results_aggregate(&res, TG_M_HTTP_REQS, NULL, 0, &out), 0);
    assert_true(out.u.sum == 2); /* both workers' http_reqs merged */
    tg_sink_fini(&out);
    for (int i = 0; i < 2; i++) {
        tg_bank_fini(&b[i]);
        tg_registry_fini(&r[i]);
        tg_results_map_fini(&map[i]);
    }
    tg_results_fini(&res);
}

/* Reference aggregate: merge the reference sinks of matching tag sets. */
static void ref_aggregate(struct recorder *ref, size_t m, const struct tg_tag *sel, size_t n,
                          struct tg_sink *out, size_t *matched)
{
    assert_int_equal(tg_sink_init(out, METRICS[m].kind), 0);
    *matched = 0;
    for (size_t t = 0; t < N_TAGSETS; t++) {
        if (ref->series[m][t] < 0 || !ref_contains(&TAGSETS[t], sel, n)) {
            continue;
        }
        assert_int_equal(tg_sink_merge(out, &ref->bank.sinks[ref->series[m][t]]), 0);
        (*matched)++;
    }
}

static void test_results_aggregate_selectors(void **state)
{
    struct world *x = *state;
    static const struct {
        size_t n;
        struct tg_tag sel[3];
        size_t min_matches; /* tag sets that contain the selector */
    } cases[] = {
        { 0, { { NULL, NULL } }, 8 },
        { 1, { { "status", "200" } }, 4 },
        { 1, { { "method", "GET" } }, 3 },
        { 2, { { "method", "GET" }, { "status", "200" } }, 2 },
        { 2, { { "status", "200" }, { "method", "GET" } }, 2 },
        { 2, { { "method", "GET" }, { "status", "404" } }, 1 },
        { 1, { { "name", "a" } }, 3 },
        { 3, { { "name", "b" }, { "method", "POST" }, { "status", "500" } }, 1 },
        { 1, { { "group", "" } }, 1 },
        { 1, { { "expected_response", "true" } }, 1 },
        { 1, { { "status", "999" } }, 0 },
        { 1, { { "status", "20" } }, 0 },
        { 1, { { "missing", "" } }, 0 },
        { 2, { { "method", "GET" }, { "method", "POST" } }, 0 },
    };
    for (size_t c = 0; c < TG_ARRAY_LEN(cases); c++) {
        size_t tagsets_matching = 0;
        for (size_t t = 0; t < N_TAGSETS; t++) {
            tagsets_matching += ref_contains(&TAGSETS[t], cases[c].sel, cases[c].n);
        }
        assert_int_equal(tagsets_matching, cases[c].min_matches); /* the table is right */
        for (size_t m = 0; m < N_METRICS; m++) {
            int rm = tg_registry_find_metric(&x->res.reg, METRICS[m].name);
            assert_true(rm >= 0);
            struct tg_sink got;
            struct tg_sink want;
            size_t matched;
            assert_int_equal(tg_results_aggregate(&x->res, rm, cases[c].sel, cases[c].n, &got), 0);
            ref_aggregate(&x->ref, m, cases[c].sel, cases[c].n, &want, &matched);
            assert_int_equal(got.kind, METRICS[m].kind);
            if (got.n != want.n) {
                print_error("case %zu metric %s: n %llu, want %llu (%zu series)\n", c,
                            METRICS[m].name, (unsigned long long)got.n, (unsigned long long)want.n,
                            matched);
            }
            assert_sink_equal(&got, &want);
            if (cases[c].min_matches == 0) {
                assert_int_equal(got.n, 0);
            }
            tg_sink_fini(&got);
            tg_sink_fini(&want);
        }
    }
}

/* Gauges the coordinator computes (vus, vus_max): one series per tag set, last/min/max by time. */
static void test_results_add_gauge(void **state)
{
    (void)state;
    struct tg_results r;
    assert_int_equal(tg_results_init(&r), 0);
    assert_int_equal(tg_results_add_gauge(&r, TG_M_VUS,
                                          "team\x1f"
                                          "core",
                                          4, 100),
                     0);
    assert_int_equal(tg_results_add_gauge(&r, TG_M_VUS,
                                          "team\x1f"
                                          "core",
                                          9, 200),
                     0);
    assert_int_equal(tg_results_add_gauge(&r, TG_M_VUS,
                                          "team\x1f"
                                          "core",
                                          6, 300),
                     0);
    assert_int_equal(tg_results_add_gauge(&r, TG_M_VUS_MAX, "", 9, 300), 0);
    struct tg_tag want = { "team", "core" };
    struct tg_sink s;
    assert_int_equal(tg_results_aggregate(&r, TG_M_VUS, &want, 1, &s), 0);
    assert_int_equal(s.n, 3);
    assert_true(s.u.gauge.last == 6 && s.u.gauge.min == 4 && s.u.gauge.max == 9);
    tg_sink_fini(&s);
    assert_int_equal(tg_results_aggregate(&r, TG_M_VUS_MAX, NULL, 0, &s), 0);
    assert_true(s.n == 1 && s.u.gauge.last == 9);
    tg_sink_fini(&s);
    assert_int_equal(r.reg.n_series, 2);
    tg_results_fini(&r);
}

static void test_results_aggregate_unknown_metric(void **state)
{
    struct world *x = *state;
    struct tg_sink out;
    assert_int_equal(tg_results_aggregate(&x->res, -1, NULL, 0, &out), TG_ENOENT);
    assert_int_equal(tg_results_aggregate(&x->res, (int)x->res.reg.n_metrics, NULL, 0, &out),
                     TG_ENOENT);
    /* A registered metric with no series aggregates to an empty sink of its kind. */
    int m = tg_registry_metric(&x->res.reg, "never_recorded", TG_KIND_TREND, TG_CONTAINS_TIME);
    assert_true(m >= 0);
    assert_int_equal(tg_results_aggregate(&x->res, m, NULL, 0, &out), 0);
    assert_int_equal(out.kind, TG_KIND_TREND);
    assert_int_equal(out.n, 0);
    assert_int_equal(tg_hist_count(&out.u.hist), 0);
    tg_sink_fini(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_results_merge_ids_differ, world_setup, world_teardown),
        cmocka_unit_test_setup_teardown(test_results_merge_matches_reference, world_setup,
                                        world_teardown),
        cmocka_unit_test(test_results_merge_repeat_and_empty),
        cmocka_unit_test(test_results_merge_kind_conflict_skipped),
        cmocka_unit_test(test_results_add_gauge),
        cmocka_unit_test_setup_teardown(test_results_aggregate_selectors, world_setup,
                                        world_teardown),
        cmocka_unit_test_setup_teardown(test_results_aggregate_unknown_metric, world_setup,
                                        world_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_window — the sliding per-second window against a naive model: after
 * every sealed second the aggregate must equal a sink built afresh from the
 * samples of the last N seconds (exactly for counters, rates, gauges and
 * trend buckets; within the promised 2 % for a second with more distinct
 * buckets than a slot keeps).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/alloc.h"
#include "metrics/window.h"
#include "unit/histeq.h"
#include "unit/prng.h"

#include <math.h>

#define SECONDS 40

/* Per second: the samples the model and the window both receive. */
struct second {
    int64_t v[600];
    size_t n;
};

static struct second secs[SECONDS];

static void draw(uint32_t max_per_second, int64_t lo, int64_t span)
{
    for (size_t k = 0; k < SECONDS; k++) {
        secs[k].n = rng_next() % (max_per_second + 1);
        if (k % 7 == 3) {
            secs[k].n = 0; /* an idle second now and then */
        }
        for (size_t i = 0; i < secs[k].n; i++) {
            secs[k].v[i] = lo + (int64_t)(rng_next() % (uint64_t)span);
        }
    }
}

/* Adds second k's samples to s, as a bank would carry them. */
static void add_second(struct tg_sink *s, size_t k)
{
    for (size_t i = 0; i < secs[k].n; i++) {
        int64_t v = secs[k].v[i];
        switch (s->kind) {
        case TG_KIND_TREND:
            tg_sink_add_trend_ns(s, v);
            break;
        case TG_KIND_COUNTER:
            tg_sink_add_counter(s, (double)v);
            break;
        case TG_KIND_RATE:
            tg_sink_add_rate(s, v % 3 == 0);
            break;
        case TG_KIND_GAUGE:
            tg_sink_add_gauge(s, (double)v, (int64_t)(k * 1000 + i));
            break;
        }
    }
}

/* The model: a sink of seconds (k - len, k]. */
static void model(struct tg_sink *m, enum tg_metric_kind kind, size_t k, uint32_t len)
{
    tg_sink_init(m, kind);
    for (size_t j = k + 1 > len ? k + 1 - len : 0; j <= k; j++) {
        add_second(m, j);
    }
}

static void assert_same(const struct tg_sink *a, const struct tg_sink *m)
{
    assert_int_equal(a->n, m->n);
    switch (m->kind) {
    case TG_KIND_TREND:
        assert_hist_equal(&a->u.hist, &m->u.hist);
        break;
    case TG_KIND_COUNTER:
        assert_true(a->u.sum == m->u.sum);
        break;
    case TG_KIND_RATE:
        assert_int_equal(a->u.rate.nonzero, m->u.rate.nonzero);
        break;
    case TG_KIND_GAUGE:
        if (m->n > 0) {
            assert_true(a->u.gauge.last == m->u.gauge.last);
            assert_true(a->u.gauge.min == m->u.gauge.min);
            assert_true(a->u.gauge.max == m->u.gauge.max);
        }
        break;
    }
}

static void run_kind(enum tg_metric_kind kind, uint32_t len)
{
    struct tg_window w;
    assert_int_equal(tg_window_init(&w, kind, len, 0), 0);
    for (size_t k = 0; k < SECONDS; k++) {
        /* samples arrive split across two banks, one of them while later seconds are open */
        struct tg_sink *s = tg_window_open(&w, k);
        assert_non_null(s);
        struct tg_sink part;
        tg_sink_init(&part, kind);
        add_second(&part, k);
        assert_int_equal(tg_sink_merge(s, &part), 0);
        tg_sink_fini(&part);
        assert_int_equal(tg_window_seal(&w), 0);
        assert_int_equal(w.sealed, k + 1);
        struct tg_sink m;
        model(&m, kind, k, len);
        assert_same(tg_window_agg(&w), &m);
        tg_sink_fini(&m);
    }
    tg_window_fini(&w);
}

static void test_tg_window_seal_matches_model_all_kinds(void **state)
{
    (void)state;
    static const enum tg_metric_kind kinds[] = { TG_KIND_TREND, TG_KIND_COUNTER, TG_KIND_RATE,
                                                 TG_KIND_GAUGE };
    static const uint32_t lens[] = { 1, 3, 10, 60 };
    rng_seed(7);
    draw(500, 1000, 500000000); /* 1 µs .. 0.5 s */
    for (size_t i = 0; i < TG_ARRAY_LEN(kinds); i++) {
        for (size_t j = 0; j < TG_ARRAY_LEN(lens); j++) {
            run_kind(kinds[i], lens[j]);
        }
    }
}

static void test_tg_window_open_range(void **state)
{
    (void)state;
    struct tg_window w;
    assert_int_equal(tg_window_init(&w, TG_KIND_RATE, 5, 0), 0);
    for (uint64_t k = 0; k < TG_WINDOW_OPEN; k++) {
        assert_non_null(tg_window_open(&w, k));
    }
    assert_null(tg_window_open(&w, TG_WINDOW_OPEN));
    /* samples merged into a later open second stay there until it is sealed */
    tg_sink_add_rate(tg_window_open(&w, 2), true);
    assert_int_equal(tg_window_seal(&w), 0);
    assert_null(tg_window_open(&w, 0));
    assert_non_null(tg_window_open(&w, TG_WINDOW_OPEN));
    assert_int_equal(tg_window_agg(&w)->n, 0);
    assert_int_equal(tg_window_seal(&w), 0);
    assert_int_equal(tg_window_seal(&w), 0);
    assert_int_equal(tg_window_agg(&w)->n, 1);
    assert_int_equal(tg_window_agg(&w)->u.rate.nonzero, 1);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(tg_window_seal(&w), 0);
    }
    assert_int_equal(tg_window_agg(&w)->n, 0); /* it slid out */
    assert_int_equal(tg_window_agg(&w)->u.rate.nonzero, 0);
    tg_window_fini(&w);

    /* a window created mid-run starts at that second */
    assert_int_equal(tg_window_init(&w, TG_KIND_COUNTER, 3, 100), 0);
    assert_null(tg_window_open(&w, 99));
    tg_sink_add_counter(tg_window_open(&w, 100), 2.5);
    assert_int_equal(tg_window_seal(&w), 0);
    assert_int_equal(w.sealed, 101);
    assert_true(tg_window_agg(&w)->u.sum == 2.5);
    tg_window_fini(&w);
}

/* A second spread over more buckets than a slot keeps is merged into wider buckets. */
static void test_tg_window_seal_wide_second(void **state)
{
    (void)state;
    struct tg_window w;
    assert_int_equal(tg_window_init(&w, TG_KIND_TREND, 2, 0), 0);
    struct tg_sink m;
    tg_sink_init(&m, TG_KIND_TREND);
    rng_seed(11);
    struct tg_sink *s = tg_window_open(&w, 0);
    for (int i = 0; i < 200000; i++) {
        /* log-uniform from 2 µs to 2 s: every bucket of 20 octaves is hit */
        int64_t v = (int64_t)(2000.0 * pow(2, 20.0 * (double)(rng_next() % 1000000) / 1e6));
        tg_sink_add_trend_ns(s, v);
        tg_sink_add_trend_ns(&m, v);
    }
    for (int64_t v = 0; v < 1100; v += 3) { /* small values are never merged */
        tg_sink_add_trend_ns(s, v);
        tg_sink_add_trend_ns(&m, v);
    }
    assert_int_equal(tg_window_seal(&w), 0);
    assert_true(w.slots[0].n_pairs <= TG_WINDOW_SLOT_BUCKETS);
    for (size_t i = 0; i < 1024; i++) {
        assert_int_equal(tg_hist_bucket_get(&tg_window_agg(&w)->u.hist, i),
                         tg_hist_bucket_get(&m.u.hist, i));
    }
    assert_true(w.slots[0].n_pairs > TG_WINDOW_SLOT_BUCKETS / 2);
    const struct tg_hist *a = &tg_window_agg(&w)->u.hist;
    assert_int_equal(tg_hist_count(a), tg_hist_count(&m.u.hist));
    assert_int_equal(tg_hist_min(a), tg_hist_min(&m.u.hist));
    assert_int_equal(tg_hist_max(a), tg_hist_max(&m.u.hist));
    assert_true(tg_hist_mean(a) == tg_hist_mean(&m.u.hist));
    static const double pcts[] = { 1, 10, 50, 90, 95, 99, 99.9 };
    for (size_t i = 0; i < TG_ARRAY_LEN(pcts); i++) {
        double want = tg_hist_percentile(&m.u.hist, pcts[i]);
        double got = tg_hist_percentile(a, pcts[i]);
        if (fabs(got - want) > 0.02 * want) {
            fail_msg("p(%g): %g vs %g", pcts[i], got, want);
        }
    }
    /* sliding it out leaves nothing behind */
    assert_int_equal(tg_window_seal(&w), 0);
    assert_int_equal(tg_window_seal(&w), 0);
    assert_int_equal(tg_hist_count(a), 0);
    assert_int_equal(tg_hist_next_nonzero(a, 0), tg_hist_bucket_count());
    tg_sink_fini(&m);
    tg_window_fini(&w);
}

/* A page that cannot be allocated drops that second's buckets, and only those. */
static void test_tg_window_seal_enomem(void **state)
{
    (void)state;
    struct tg_window w;
    assert_int_equal(tg_window_init(&w, TG_KIND_TREND, 3, 0), 0);
    tg_sink_add_trend_ns(tg_window_open(&w, 0), 5000);
    assert_int_equal(tg_window_seal(&w), 0);
    /* second 1 needs a page the aggregate lacks, and a pair list */
    tg_sink_add_trend_ns(tg_window_open(&w, 1), 5000);
    tg_sink_add_trend_ns(tg_window_open(&w, 1), INT64_C(3000000000));
    tg_alloc_fail_after(2); /* the pair list succeeds, the aggregate's page does not */
    int rc = tg_window_seal(&w);
    tg_alloc_fail_after(0);
    assert_int_equal(rc, TG_ENOMEM);
    const struct tg_hist *a = &tg_window_agg(&w)->u.hist;
    assert_int_equal(tg_hist_count(a), 1);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(tg_window_seal(&w), 0);
    }
    assert_int_equal(tg_hist_count(a), 0);
    tg_window_fini(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tg_window_seal_matches_model_all_kinds),
        cmocka_unit_test(test_tg_window_open_range),
        cmocka_unit_test(test_tg_window_seal_wide_second),
        cmocka_unit_test(test_tg_window_seal_enomem),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

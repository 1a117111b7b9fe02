/*
 * test_sink — per-series aggregates of each kind: adding, merging and
 * resetting. Merging is checked against recording everything into one sink
 * (fixed-seed random samples split at random between two sinks); gauges are
 * checked for last-by-timestamp (not by call order) and min/max.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/alloc.h"
#include "metrics/hist.h"
#include "metrics/metric.h"
#include "metrics/sink.h"
#include "tg.h"
#include "unit/prng.h"

#include <string.h>

static void test_sink_init_empty(void **state)
{
    (void)state;
    static const enum tg_metric_kind kinds[] = { TG_KIND_COUNTER, TG_KIND_GAUGE, TG_KIND_RATE,
                                                 TG_KIND_TREND };
    for (size_t i = 0; i < TG_ARRAY_LEN(kinds); i++) {
        struct tg_sink s;
        memset(&s, 0xa5, sizeof(s));
        assert_int_equal(tg_sink_init(&s, kinds[i]), 0);
        assert_int_equal(s.kind, kinds[i]);
        assert_int_equal(s.n, 0);
        if (kinds[i] == TG_KIND_TREND) {
            assert_int_equal(tg_hist_count(&s.u.hist), 0);
        } else if (kinds[i] == TG_KIND_COUNTER) {
            assert_true(s.u.sum == 0);
        } else if (kinds[i] == TG_KIND_RATE) {
            assert_int_equal(s.u.rate.nonzero, 0);
        }
        tg_sink_fini(&s);
    }
}

static void test_sink_add_counter_sum(void **state)
{
    (void)state;
    struct tg_sink s;
    assert_int_equal(tg_sink_init(&s, TG_KIND_COUNTER), 0);
    tg_sink_add_counter(&s, 1);
    tg_sink_add_counter(&s, 2.5);
    tg_sink_add_counter(&s, 0);
    tg_sink_add_counter(&s, 1024);
    assert_int_equal(s.n, 4);
    assert_true(s.u.sum == 1027.5);
    tg_sink_fini(&s);
}

static void test_sink_add_rate_counts(void **state)
{
    (void)state;
    struct tg_sink s;
    assert_int_equal(tg_sink_init(&s, TG_KIND_RATE), 0);
    for (int i = 0; i < 100; i++) {
        tg_sink_add_rate(&s, i % 4 == 0);
    }
    assert_int_equal(s.n, 100);
    assert_int_equal(s.u.rate.nonzero, 25);
    tg_sink_fini(&s);
}

static void test_sink_add_trend_hist(void **state)
{
    (void)state;
    struct tg_sink s;
    assert_int_equal(tg_sink_init(&s, TG_KIND_TREND), 0);
    tg_sink_add_trend_ns(&s, 1500);
    tg_sink_add_trend_ns(&s, 250);
    tg_sink_add_trend_ns(&s, 1000);
    assert_int_equal(s.n, 3);
    assert_int_equal(tg_hist_count(&s.u.hist), 3);
    assert_int_equal(tg_hist_min(&s.u.hist), 250);
    assert_int_equal(tg_hist_max(&s.u.hist), 1500);
    assert_true(tg_hist_mean(&s.u.hist) == 2750.0 / 3);
    assert_true(tg_hist_percentile(&s.u.hist, 50) == 1000);
    tg_sink_fini(&s);
}

static void test_sink_add_gauge_later_timestamp_wins(void **state)
{
    (void)state;
    struct tg_sink s;
    assert_int_equal(tg_sink_init(&s, TG_KIND_GAUGE), 0);
    tg_sink_add_gauge(&s, 5, 100);
    assert_true(s.u.gauge.last == 5);
    assert_true(s.u.gauge.min == 5);
    assert_true(s.u.gauge.max == 5);
    tg_sink_add_gauge(&s, 9, 300);
    tg_sink_add_gauge(&s, -2, 200); /* older sample arriving late: not the last value */
    assert_int_equal(s.n, 3);
    assert_true(s.u.gauge.last == 9);
    assert_int_equal(s.u.gauge.t_ns, 300);
    assert_true(s.u.gauge.min == -2);
    assert_true(s.u.gauge.max == 9);
    tg_sink_add_gauge(&s, 7, 300); /* same time: the later call wins */
    assert_true(s.u.gauge.last == 7);
    /* All-negative and all-positive gauges: min/max start from the first value, not 0. */
    struct tg_sink neg;
    assert_int_equal(tg_sink_init(&neg, TG_KIND_GAUGE), 0);
    tg_sink_add_gauge(&neg, -5, 1);
    tg_sink_add_gauge(&neg, -3, 2);
    assert_true(neg.u.gauge.max == -3);
    assert_true(neg.u.gauge.min == -5);
    struct tg_sink pos;
    assert_int_equal(tg_sink_init(&pos, TG_KIND_GAUGE), 0);
    tg_sink_add_gauge(&pos, 3, -10); /* negative monotonic times are still ordered */
    tg_sink_add_gauge(&pos, 5, -20);
    assert_true(pos.u.gauge.min == 3);
    assert_true(pos.u.gauge.last == 3);
    tg_sink_fini(&s);
    tg_sink_fini(&neg);
    tg_sink_fini(&pos);
}

/* Random samples split between a and b, merged, equal one sink that saw all. */
static void test_sink_merge_matches_single(void **state)
{
    (void)state;
    static const enum tg_metric_kind kinds[] = { TG_KIND_COUNTER, TG_KIND_GAUGE, TG_KIND_RATE,
                                                 TG_KIND_TREND };
    rng_seed(0xC0FFEE);
    for (size_t ki = 0; ki < TG_ARRAY_LEN(kinds); ki++) {
        for (int round = 0; round < 20; round++) {
            struct tg_sink all;
            struct tg_sink a;
            struct tg_sink b;
            assert_int_equal(tg_sink_init(&all, kinds[ki]), 0);
            assert_int_equal(tg_sink_init(&a, kinds[ki]), 0);
            assert_int_equal(tg_sink_init(&b, kinds[ki]), 0);
            int n = (int)(rng_next() % 500);
            for (int i = 0; i < n; i++) {
                uint64_t r = rng_next();
                struct tg_sink *half = (r & 1) ? &a : &b;
                int64_t v = (int64_t)((r >> 8) % 5000000); /* integers: sums stay exact */
                int64_t t = (int64_t)((r >> 40) % 1000);   /* times may repeat and go back */
                switch (kinds[ki]) {
                case TG_KIND_COUNTER:
                    tg_sink_add_counter(&all, (double)v);
                    tg_sink_add_counter(half, (double)v);
                    break;
                case TG_KIND_RATE:
                    tg_sink_add_rate(&all, v % 3 == 0);
                    tg_sink_add_rate(half, v % 3 == 0);
                    break;
                case TG_KIND_TREND:
                    tg_sink_add_trend_ns(&all, v);
                    tg_sink_add_trend_ns(half, v);
                    break;
                case TG_KIND_GAUGE:
                    /* Unique times so "the latest" is unambiguous across the split. */
                    tg_sink_add_gauge(&all, (double)(v - 2500000), t * 1000 + i);
                    tg_sink_add_gauge(half, (double)(v - 2500000), t * 1000 + i);
                    break;
                }
            }
            assert_int_equal(tg_sink_merge(&a, &b), 0);
            assert_int_equal(a.n, all.n);
            assert_int_equal(a.n, (uint64_t)n);
            switch (kinds[ki]) {
            case TG_KIND_COUNTER:
                assert_true(a.u.sum == all.u.sum);
                break;
            case TG_KIND_RATE:
                assert_int_equal(a.u.rate.nonzero, all.u.rate.nonzero);
                break;
            case TG_KIND_TREND:
                assert_int_equal(tg_hist_count(&a.u.hist), tg_hist_count(&all.u.hist));
                assert_int_equal(tg_hist_min(&a.u.hist), tg_hist_min(&all.u.hist));
                assert_int_equal(tg_hist_max(&a.u.hist), tg_hist_max(&all.u.hist));
                assert_true(tg_hist_mean(&a.u.hist) == tg_hist_mean(&all.u.hist));
                assert_true(tg_hist_percentile(&a.u.hist, 95) ==
                            tg_hist_percentile(&all.u.hist, 95));
                break;
            case TG_KIND_GAUGE:
                if (n > 0) {
                    assert_true(a.u.gauge.last == all.u.gauge.last);
                    assert_int_equal(a.u.gauge.t_ns, all.u.gauge.t_ns);
                    assert_true(a.u.gauge.min == all.u.gauge.min);
                    assert_true(a.u.gauge.max == all.u.gauge.max);
                }
                break;
            }
            tg_sink_fini(&all);
            tg_sink_fini(&a);
            tg_sink_fini(&b);
        }
    }
}

static void test_sink_merge_gauge_time_order(void **state)
{
    (void)state;
    struct tg_sink a;
    struct tg_sink b;
    assert_int_equal(tg_sink_init(&a, TG_KIND_GAUGE), 0);
    assert_int_equal(tg_sink_init(&b, TG_KIND_GAUGE), 0);
    tg_sink_add_gauge(&a, 10, 500);
    tg_sink_add_gauge(&b, 3, 400); /* older */
    assert_int_equal(tg_sink_merge(&a, &b), 0);
    assert_true(a.u.gauge.last == 10);
    assert_int_equal(a.u.gauge.t_ns, 500);
    assert_true(a.u.gauge.min == 3);
    assert_true(a.u.gauge.max == 10);
    assert_int_equal(a.n, 2);
    tg_sink_add_gauge(&b, 1, 600); /* now b is newer */
    assert_int_equal(tg_sink_merge(&a, &b), 0);
    assert_true(a.u.gauge.last == 1);
    assert_int_equal(a.u.gauge.t_ns, 600);
    assert_true(a.u.gauge.min == 1);
    assert_int_equal(a.n, 4);
    tg_sink_fini(&a);
    tg_sink_fini(&b);
}

/* Merging into an empty sink copies; merging an empty sink changes nothing. */
static void test_sink_merge_empty(void **state)
{
    (void)state;
    struct tg_sink dst;
    struct tg_sink src;
    assert_int_equal(tg_sink_init(&dst, TG_KIND_GAUGE), 0);
    assert_int_equal(tg_sink_init(&src, TG_KIND_GAUGE), 0);
    tg_sink_add_gauge(&src, 42, -7);
    assert_int_equal(tg_sink_merge(&dst, &src), 0);
    assert_true(dst.u.gauge.last == 42);
    assert_true(dst.u.gauge.min == 42); /* not min(0, 42) */
    assert_true(dst.u.gauge.max == 42);
    assert_int_equal(dst.u.gauge.t_ns, -7);
    struct tg_sink empty;
    assert_int_equal(tg_sink_init(&empty, TG_KIND_GAUGE), 0);
    assert_int_equal(tg_sink_merge(&dst, &empty), 0);
    assert_true(dst.u.gauge.last == 42);
    assert_true(dst.u.gauge.min == 42);
    assert_int_equal(dst.n, 1);
    tg_sink_fini(&dst);
    tg_sink_fini(&src);
    tg_sink_fini(&empty);

    struct tg_sink t1;
    struct tg_sink t2;
    assert_int_equal(tg_sink_init(&t1, TG_KIND_TREND), 0);
    assert_int_equal(tg_sink_init(&t2, TG_KIND_TREND), 0);
    tg_sink_add_trend_ns(&t2, 5000);
    assert_int_equal(tg_sink_merge(&t1, &t2), 0);
    assert_int_equal(t1.n, 1);
    assert_int_equal(tg_hist_min(&t1.u.hist), 5000);
    tg_sink_fini(&t1);
    tg_sink_fini(&t2);
}

static void test_sink_merge_kind_mismatch(void **state)
{
    (void)state;
    struct tg_sink c;
    struct tg_sink r;
    assert_int_equal(tg_sink_init(&c, TG_KIND_COUNTER), 0);
    assert_int_equal(tg_sink_init(&r, TG_KIND_RATE), 0);
    tg_sink_add_counter(&c, 3);
    tg_sink_add_rate(&r, true);
    assert_int_equal(tg_sink_merge(&c, &r), TG_EINVAL);
    assert_int_equal(c.n, 1);
    assert_true(c.u.sum == 3);
    tg_sink_fini(&c);
    tg_sink_fini(&r);
}

static void test_sink_reset_each_kind(void **state)
{
    (void)state;
    struct tg_sink c;
    struct tg_sink r;
    struct tg_sink g;
    struct tg_sink t;
    assert_int_equal(tg_sink_init(&c, TG_KIND_COUNTER), 0);
    assert_int_equal(tg_sink_init(&r, TG_KIND_RATE), 0);
    assert_int_equal(tg_sink_init(&g, TG_KIND_GAUGE), 0);
    assert_int_equal(tg_sink_init(&t, TG_KIND_TREND), 0);
    tg_sink_add_counter(&c, 5);
    tg_sink_add_rate(&r, true);
    tg_sink_add_gauge(&g, -100, 50);
    tg_sink_add_trend_ns(&t, 123456);
    tg_sink_reset(&c);
    tg_sink_reset(&r);
    tg_sink_reset(&g);
    tg_sink_reset(&t);
    assert_int_equal(c.n + r.n + g.n + t.n, 0);
    assert_true(c.u.sum == 0);
    assert_int_equal(r.u.rate.nonzero, 0);
    assert_int_equal(tg_hist_count(&t.u.hist), 0);
    assert_int_equal(c.kind, TG_KIND_COUNTER);
    assert_int_equal(t.kind, TG_KIND_TREND);
    /* A gauge after reset starts afresh: an older time and larger value still become last. */
    tg_sink_add_gauge(&g, 7, 10);
    assert_true(g.u.gauge.last == 7);
    assert_true(g.u.gauge.min == 7);
    assert_true(g.u.gauge.max == 7);
    /* A trend after reset records into its kept pages without allocating. */
    uint64_t allocs = tg_alloc_count();
    tg_sink_add_trend_ns(&t, 123457);
    assert_int_equal(tg_alloc_count(), allocs);
    assert_int_equal(tg_hist_count(&t.u.hist), 1);
    assert_int_equal(tg_hist_min(&t.u.hist), 123457);
    tg_sink_fini(&c);
    tg_sink_fini(&r);
    tg_sink_fini(&g);
    tg_sink_fini(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sink_init_empty),
        cmocka_unit_test(test_sink_add_counter_sum),
        cmocka_unit_test(test_sink_add_rate_counts),
        cmocka_unit_test(test_sink_add_trend_hist),
        cmocka_unit_test(test_sink_add_gauge_later_timestamp_wins),
        cmocka_unit_test(test_sink_merge_matches_single),
        cmocka_unit_test(test_sink_merge_gauge_time_order),
        cmocka_unit_test(test_sink_merge_empty),
        cmocka_unit_test(test_sink_merge_kind_mismatch),
        cmocka_unit_test(test_sink_reset_each_kind),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

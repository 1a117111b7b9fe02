/*
 * test_schedule — executor arithmetic against closed forms: staged values,
 * VU shares that sum exactly over any partition, and arrival times of
 * constant and ramping rates (A(t) = integral of the rate; the k-th arrival
 * starts where A = k), whole and split among workers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "exec/schedule.h"

#include <math.h>
#include <stdlib.h>

#define S TG_NS_PER_S

static const struct tg_segment whole = { 0, 1, 1 };

static void test_schedule_value_at_ramps_linearly(void **state)
{
    (void)state;
    const struct tg_stage st[] = { { 10 * S, 100 }, { 10 * S, 100 }, { 5 * S, 0 } };
    assert_true(fabs(tg_schedule_value_at(st, 3, 0, 0) - 0) < 1e-9);
    assert_true(fabs(tg_schedule_value_at(st, 3, 0, 5 * S) - 50) < 1e-9);
    assert_true(fabs(tg_schedule_value_at(st, 3, 0, 15 * S) - 100) < 1e-9);
    assert_true(fabs(tg_schedule_value_at(st, 3, 0, 22 * S + S / 2) - 50) < 1e-9);
    assert_true(fabs(tg_schedule_value_at(st, 3, 0, 30 * S) - 0) < 1e-9);
    assert_true(fabs(tg_schedule_value_at(st, 3, 20, 5 * S) - 60) < 1e-9); /* from start 20 */
    assert_int_equal(tg_schedule_stages_len(st, 3), 25 * S);
}

static void test_schedule_vus_share_sums_over_partitions(void **state)
{
    (void)state;
    const struct tg_stage st[] = { { 7 * S, 1000 }, { 3 * S, 13 } };
    for (uint32_t n = 1; n <= 7; n++) {
        for (tg_ns t = 0; t <= 11 * S; t += S / 7) {
            double v = tg_schedule_value_at(st, 2, 1, t);
            uint64_t sum = 0;
            for (uint32_t i = 0; i < n; i++) {
                sum += tg_schedule_vus_share(tg_segment_of(i, n), v);
            }
            assert_int_equal(sum, (uint64_t)floor(v + 1e-9));
        }
    }
    assert_int_equal(tg_schedule_vus_share(whole, 0), 0);
    assert_int_equal(tg_schedule_vus_share(whole, -3), 0);
}

static void test_schedule_arrival_constant_rate_matches_segment(void **state)
{
    (void)state;
    const struct tg_stage st[] = { { 10 * S, 200 } };
    for (uint32_t n = 1; n <= 4; n++) {
        for (uint32_t i = 0; i < n; i++) {
            struct tg_segment seg = tg_segment_of(i, n);
            for (uint64_t k = 0; k < 400; k++) {
                tg_ns want = tg_segment_arrival_ns(seg, 200, k);
                tg_ns got = tg_schedule_arrival_ns(st, 1, 200, S, seg, k);
                assert_true(llabs(got - want) <= 1);
            }
        }
    }
    /* 200/s for 10 s: 2000 arrivals (0 .. 1999), then the stages are over */
    assert_true(tg_schedule_arrival_ns(st, 1, 200, S, whole, 1999) > 0);
    assert_int_equal(tg_schedule_arrival_ns(st, 1, 200, S, whole, 2000), -1);
    assert_true(fabs(tg_schedule_arrivals_total(st, 1, 200, S) - 2000) < 1e-9);
}

static void test_schedule_arrival_ramp_closed_form(void **state)
{
    (void)state;
    /* 0 -> 1000/s over 10 s: A(t) = 50 t^2, so arrival k is at sqrt(k / 50) s */
    const struct tg_stage st[] = { { 10 * S, 1000 } };
    for (uint64_t k = 0; k < 5000; k++) {
        double want = sqrt((double)k / 50.0) * 1e9;
        tg_ns got = tg_schedule_arrival_ns(st, 1, 0, S, whole, k);
        assert_true(fabs((double)got - want) <= 2);
    }
    assert_int_equal(tg_schedule_arrival_ns(st, 1, 0, S, whole, 5000), -1);
    /* timeUnit 1m with 60000/min is the same 1000/s */
    const struct tg_stage per_min[] = { { 10 * S, 60000 } };
    assert_true(llabs(tg_schedule_arrival_ns(per_min, 1, 0, 60 * S, whole, 1234) -
                      tg_schedule_arrival_ns(st, 1, 0, S, whole, 1234)) <= 2);
}

static int cmp_ns(const void *a, const void *b)
{
    tg_ns x = *(const tg_ns *)a;
    tg_ns y = *(const tg_ns *)b;
    return (x > y) - (x < y);
}

static void test_schedule_arrival_ramp_partition_is_the_whole(void **state)
{
    (void)state;
    /* up, hold, down: the workers' arrivals together are exactly the whole's */
    const struct tg_stage st[] = { { 2 * S, 800 }, { 3 * S, 800 }, { 2 * S, 0 } };
    double total = tg_schedule_arrivals_total(st, 3, 200, S);
    assert_true(fabs(total - (1000 + 2400 + 800)) < 1e-6);
    size_t cap = (size_t)total + 8;
    tg_ns *all = malloc(cap * sizeof(*all));
    assert_non_null(all);
    for (uint32_t n = 2; n <= 5; n++) {
        size_t m = 0;
        for (uint32_t i = 0; i < n; i++) {
            struct tg_segment seg = tg_segment_of(i, n);
            for (uint64_t k = 0;; k++) {
                tg_ns t = tg_schedule_arrival_ns(st, 3, 200, S, seg, k);
                if (t < 0) {
                    break;
                }
                assert_true(m < cap);
                all[m++] = t;
            }
        }
        assert_true(m == (size_t)total || m == (size_t)total - 1 || m == (size_t)total + 1);
        qsort(all, m, sizeof(*all), cmp_ns);
        for (size_t k = 0; k < m; k++) {
            tg_ns want = tg_schedule_arrival_ns(st, 3, 200, S, whole, k);
            assert_true(llabs(all[k] - want) <= 2);
        }
    }
    free(all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schedule_value_at_ramps_linearly),
        cmocka_unit_test(test_schedule_vus_share_sums_over_partitions),
        cmocka_unit_test(test_schedule_arrival_constant_rate_matches_segment),
        cmocka_unit_test(test_schedule_arrival_ramp_closed_form),
        cmocka_unit_test(test_schedule_arrival_ramp_partition_is_the_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_segment — load division among workers, checked against closed-form
 * arithmetic (STYLE rule 27):
 *   - counts: for n = 1..7 equal segments and every total 0..1000 (plus a
 *     few huge ones) the shares sum exactly to the total and each share
 *     differs from total/n by less than 1;
 *   - arrivals: for several rates, tg_segment_arrivals_by is the inverse of
 *     tg_segment_arrival_ns (an arrival is counted from its own time on and
 *     not one nanosecond before); the union of n equal segments' arrival
 *     times over the first 10 s is the evenly spaced sequence k/R within the
 *     1 ns rounding; and at many times t the workers' arrivals_by add up to
 *     the whole rate's count, floor(R*t) + 1, computed exactly in integers.
 * Random times come from a fixed-seed splitmix64, so runs are reproducible.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "exec/segment.h"
#include "tg.h"
#include "unit/prng.h"

#include <math.h>
#include <stdlib.h>

#define MAX_WORKERS 7
#define SPAN_NS     (10 * TG_NS_PER_S)

/*
 * Rates as exact fractions num/den per second, so the reference can count
 * arrivals in integers: arrival j of the whole rate is at j*1e9*den/num ns.
 */
struct rate {
    double per_s;
    uint64_t num;
    uint64_t den;
};

static const struct rate RATES[] = {
    { 1, 1, 1 }, { 7, 7, 1 }, { 1000, 1000, 1 }, { 2000.5, 4001, 2 }, { 20000, 20000, 1 },
};

__extension__ typedef unsigned __int128 u128;

/* Whole-rate arrivals with exact time <= t_ns: floor(t * R / 1e9) + 1 for t >= 0. */
static uint64_t ref_arrivals_by(const struct rate *r, tg_ns t_ns)
{
    if (t_ns < 0) {
        return 0;
    }
    u128 x = (u128)(uint64_t)t_ns * r->num;
    return (uint64_t)(x / ((u128)TG_NS_PER_S * r->den)) + 1;
}

/* Exact time of whole-rate arrival j, rounded to the nearest ns (ties up). */
static tg_ns ref_arrival_ns(const struct rate *r, uint64_t j)
{
    u128 x = (u128)j * (uint64_t)TG_NS_PER_S * r->den * 2 + r->num; /* 2*j*1e9*den/num + 1 */
    return (tg_ns)(x / ((u128)r->num * 2));
}

static void test_segment_of_partition(void **state)
{
    (void)state;
    for (uint32_t n = 1; n <= 64; n++) {
        struct tg_segment first = tg_segment_of(0, n);
        assert_true(first.from == 0);
        for (uint32_t i = 0; i < n; i++) {
            struct tg_segment s = tg_segment_of(i, n);
            assert_true(s.from < s.to);
            assert_true(s.den == n && s.to - s.from == 1);
            if (i + 1 < n) {
                /* Adjacent segments share their boundary exactly. */
                assert_true(s.to == tg_segment_of(i + 1, n).from);
            } else {
                assert_true(s.to == s.den);
            }
        }
    }
}

static void test_segment_count_sums_to_total(void **state)
{
    (void)state;
    for (uint32_t n = 1; n <= MAX_WORKERS; n++) {
        for (uint64_t total = 0; total <= 1000; total++) {
            uint64_t sum = 0;
            for (uint32_t i = 0; i < n; i++) {
                uint64_t c = tg_segment_count(tg_segment_of(i, n), total);
                double diff = fabs((double)c - (double)total / n);
                if (diff >= 1) {
                    print_error("n=%u total=%llu worker %u: %llu\n", n, (unsigned long long)total,
                                i, (unsigned long long)c);
                }
                assert_true(diff < 1);
                /* floor(N*b) - floor(N*a), exactly, in integers. */
                uint64_t want = (total * (i + 1)) / n - (total * i) / n;
                assert_int_equal(c, want);
                sum += c;
            }
            assert_int_equal(sum, total);
        }
    }
}

/*
 * Large totals, where a double boundary i/n times N lands within 1e-9 of an
 * integer; the share must still be exactly floor(N*(i+1)/n) - floor(N*i/n).
 * The first four are the smallest such totals for n = 7, 3 (and 6), 5.
 */
static void test_segment_count_large_totals(void **state)
{
    (void)state;
    static const uint64_t totals[] = {
        UINT64_C(29360128),      UINT64_C(50331648),        UINT64_C(83886080),
        UINT64_C(1000000000000), UINT64_C(999999999999937), UINT64_C(1) << 53,
    };
    uint64_t bad = 0;
    for (size_t t = 0; t < TG_ARRAY_LEN(totals); t++) {
        for (uint32_t n = 1; n <= MAX_WORKERS; n++) {
            uint64_t sum = 0;
            for (uint32_t i = 0; i < n; i++) {
                uint64_t c = tg_segment_count(tg_segment_of(i, n), totals[t]);
                u128 hi = (u128)totals[t] * (i + 1) / n;
                u128 lo = (u128)totals[t] * i / n;
                uint64_t want = (uint64_t)(hi - lo);
                if (c != want) {
                    print_error("total %llu n=%u worker %u: %llu, want %llu\n",
                                (unsigned long long)totals[t], n, i, (unsigned long long)c,
                                (unsigned long long)want);
                    bad++;
                }
                sum += c;
            }
            assert_int_equal(sum, totals[t]); /* the shares still telescope */
        }
    }
    assert_int_equal(bad, 0);
}

/* A single worker at 1000/s sends at exactly k ms; worker i of n at (k*n + i) ms. */
static void test_segment_arrival_ns_closed_form(void **state)
{
    (void)state;
    for (uint32_t n = 1; n <= MAX_WORKERS; n++) {
        for (uint32_t i = 0; i < n; i++) {
            struct tg_segment s = tg_segment_of(i, n);
            for (uint64_t k = 0; k < 2000; k++) {
                assert_int_equal(tg_segment_arrival_ns(s, 1000, k),
                                 (tg_ns)(k * n + i) * TG_NS_PER_MS);
            }
        }
    }
}

/*
 * arrivals_by(t) counts the arrivals with time <= t, so at an arrival's own
 * time it must include it, and one nanosecond earlier it must not.
 */
static void test_segment_arrivals_by_inverts_arrival_ns(void **state)
{
    (void)state;
    uint64_t bad_total = 0;
    for (size_t ri = 0; ri < TG_ARRAY_LEN(RATES); ri++) {
        double rate = RATES[ri].per_s;
        uint64_t checked = 0;
        uint64_t bad_at = 0;     /* arrivals_by(arrival_ns(k)) != k + 1 */
        uint64_t bad_before = 0; /* arrivals_by(arrival_ns(k) - 1) != k */
        for (uint32_t n = 1; n <= MAX_WORKERS; n++) {
            for (uint32_t i = 0; i < n; i++) {
                struct tg_segment s = tg_segment_of(i, n);
                for (uint64_t k = 0;; k++) {
                    tg_ns t = tg_segment_arrival_ns(s, rate, k);
                    if (t >= SPAN_NS) {
                        break;
                    }
                    uint64_t at = tg_segment_arrivals_by(s, rate, t);
                    uint64_t before = tg_segment_arrivals_by(s, rate, t - 1);
                    checked++;
                    bad_at += at != k + 1;
                    bad_before += before != k;
                    if ((at != k + 1 || before != k) && bad_at + bad_before <= 3) {
                        print_error("rate %g n=%u i=%u k=%llu: arrival_ns %lld, "
                                    "arrivals_by(t)=%llu arrivals_by(t-1)=%llu, want %llu, %llu\n",
                                    rate, n, i, (unsigned long long)k, (long long)t,
                                    (unsigned long long)at, (unsigned long long)before,
                                    (unsigned long long)k + 1, (unsigned long long)k);
                    }
                }
            }
        }
        if (bad_at + bad_before) {
            print_error("rate %g: %llu of %llu arrivals not counted at their time, "
                        "%llu counted 1 ns early\n",
                        rate, (unsigned long long)bad_at, (unsigned long long)checked,
                        (unsigned long long)bad_before);
        }
        bad_total += bad_at + bad_before;
    }
    assert_int_equal(bad_total, 0);
}

static int cmp_ns(const void *a, const void *b)
{
    tg_ns x = *(const tg_ns *)a;
    tg_ns y = *(const tg_ns *)b;
    return (x > y) - (x < y);
}

/* With equal segments, the workers' arrivals interleave into exactly k/R. */
static void test_segment_arrival_ns_union_is_even(void **state)
{
    (void)state;
    for (size_t ri = 0; ri < TG_ARRAY_LEN(RATES); ri++) {
        const struct rate *r = &RATES[ri];
        size_t want_n = (size_t)ref_arrivals_by(r, SPAN_NS - 1); /* arrivals in [0, 10 s) */
        static tg_ns all[10 * 20000 + 64]; /* 10 s at the highest rate, plus slack */
        assert_true(want_n + 64 <= TG_ARRAY_LEN(all));
        for (uint32_t n = 1; n <= MAX_WORKERS; n++) {
            size_t got_n = 0;
            for (uint32_t i = 0; i < n; i++) {
                struct tg_segment s = tg_segment_of(i, n);
                tg_ns prev = -1;
                for (uint64_t k = 0;; k++) {
                    tg_ns t = tg_segment_arrival_ns(s, r->per_s, k);
                    if (t >= SPAN_NS) {
                        break;
                    }
                    assert_true(t > prev); /* each worker's own times increase */
                    prev = t;
                    assert_true(got_n < want_n + 64);
                    all[got_n++] = t;
                }
            }
            if (got_n != want_n) {
                print_error("rate %g n=%u: %zu arrivals in 10 s, want %zu\n", r->per_s, n, got_n,
                            want_n);
            }
            assert_int_equal(got_n, want_n);
            qsort(all, got_n, sizeof(*all), cmp_ns);
            for (size_t j = 0; j < got_n; j++) {
                tg_ns want = ref_arrival_ns(r, j);
                if (llabs(all[j] - want) > 1) {
                    print_error("rate %g n=%u: arrival %zu at %lld, want %lld\n", r->per_s, n, j,
                                (long long)all[j], (long long)want);
                }
                assert_true(llabs(all[j] - want) <= 1);
            }
        }
    }
}

/*
 * The sum over workers of arrivals_by(t) is the whole rate's count. Checked
 * at random times, at every whole-rate arrival time and one ns before it.
 * Each worker may round its arrival by up to 0.5 ns, so within a nanosecond
 * of an arrival the sum may be off by that one arrival; elsewhere it is exact.
 */
static void check_sum_at(const struct rate *r, uint32_t n, tg_ns t)
{
    uint64_t sum = 0;
    for (uint32_t i = 0; i < n; i++) {
        sum += tg_segment_arrivals_by(tg_segment_of(i, n), r->per_s, t);
    }
    uint64_t want = ref_arrivals_by(r, t);
    uint64_t lo = ref_arrivals_by(r, t - 1);
    uint64_t hi = ref_arrivals_by(r, t + 1);
    if (sum < lo || sum > hi) {
        print_error("rate %g n=%u t=%lld: sum %llu, want %llu\n", r->per_s, n, (long long)t,
                    (unsigned long long)sum, (unsigned long long)want);
    }
    assert_true(sum >= lo && sum <= hi);
}

static void test_segment_arrivals_by_sums_to_rate(void **state)
{
    (void)state;
    rng_seed(0x5E6E47);
    for (size_t ri = 0; ri < TG_ARRAY_LEN(RATES); ri++) {
        const struct rate *r = &RATES[ri];
        for (uint32_t n = 1; n <= MAX_WORKERS; n++) {
            for (int it = 0; it < 20000; it++) {
                check_sum_at(r, n, (tg_ns)(rng_next() % (uint64_t)(100 * SPAN_NS)));
            }
            uint64_t arrivals = ref_arrivals_by(r, SPAN_NS - 1);
            uint64_t step = arrivals / 5000 + 1;
            for (uint64_t j = 0; j < arrivals; j += step) {
                tg_ns t = ref_arrival_ns(r, j);
                check_sum_at(r, n, t);
                check_sum_at(r, n, t - 1);
            }
        }
    }
}

/* Exactly at 0 only worker 0 has an arrival; before 0 none has. */
static void test_segment_arrivals_by_edges(void **state)
{
    (void)state;
    for (uint32_t n = 1; n <= MAX_WORKERS; n++) {
        for (uint32_t i = 0; i < n; i++) {
            struct tg_segment s = tg_segment_of(i, n);
            assert_int_equal(tg_segment_arrivals_by(s, 1000, -1), 0);
            assert_int_equal(tg_segment_arrivals_by(s, 1000, INT64_MIN), 0);
            assert_int_equal(tg_segment_arrivals_by(s, 1000, 0), i == 0 ? 1 : 0);
            assert_int_equal(tg_segment_arrival_ns(s, 1000, 0), (tg_ns)i * TG_NS_PER_MS);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_segment_of_partition),
        cmocka_unit_test(test_segment_count_sums_to_total),
        cmocka_unit_test(test_segment_count_large_totals),
        cmocka_unit_test(test_segment_arrival_ns_closed_form),
        cmocka_unit_test(test_segment_arrivals_by_inverts_arrival_ns),
        cmocka_unit_test(test_segment_arrival_ns_union_is_even),
        cmocka_unit_test(test_segment_arrivals_by_sums_to_rate),
        cmocka_unit_test(test_segment_arrivals_by_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

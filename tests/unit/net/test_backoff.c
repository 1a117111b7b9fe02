/*
 * test_backoff — the backoff policy against its closed forms: without jitter
 * the delays are exactly min(max, initial * multiplier^n); with jitter, many
 * sequences from a fixed seed have, at each step, the minimum, maximum and
 * mean the formula promises (uniform(0, c): mean c/2; equal: 3c/4;
 * decorrelated: 2 * initial, then (initial + 3 * E[prev]) / 2). The
 * generator is reproducible and the attempt limit holds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "net/backoff.h"
#include "tg.h"

#include <math.h>

#define MS     TG_NS_PER_MS
#define SEQS   50000 /* sequences per statistical test */
#define STEPS  5
#define SEED   42
#define REL_OK 0.01 /* mean within 1 % of its expectation: > 10 standard errors at SEQS */

struct stats {
    double sum[STEPS];
    double sq[STEPS];
    tg_ns min[STEPS];
    tg_ns max[STEPS];
};

/* SEQS sequences of STEPS delays each, from one seeded generator. */
static void sample(const struct tg_backoff_policy *p, struct stats *st)
{
    struct tg_backoff_rng r;
    tg_backoff_rng_seed(&r, SEED);
    for (int k = 0; k < STEPS; k++) {
        st->sum[k] = st->sq[k] = 0;
        st->min[k] = INT64_MAX;
        st->max[k] = INT64_MIN;
    }
    for (int i = 0; i < SEQS; i++) {
        struct tg_backoff b;
        tg_backoff_start(&b, p);
        for (int k = 0; k < STEPS; k++) {
            tg_ns d = -1;
            assert_int_equal(tg_backoff_next(&b, p, &r, &d), 0);
            st->sum[k] += (double)d;
            st->sq[k] += (double)d * (double)d;
            st->min[k] = d < st->min[k] ? d : st->min[k];
            st->max[k] = d > st->max[k] ? d : st->max[k];
        }
    }
}

static double mean(const struct stats *st, int k)
{
    return st->sum[k] / SEQS;
}

static double variance(const struct stats *st, int k)
{
    double m = mean(st, k);
    return st->sq[k] / SEQS - m * m;
}

static void assert_near(double got, double want, double rel)
{
    if (fabs(got - want) > rel * want) {
        fail_msg("got %.1f, want %.1f within %.1f %%", got, want, rel * 100);
    }
}

/* 100 ms, x2, capped at 1 s: ceilings 100, 200, 400, 800, 1000 ms */
static struct tg_backoff_policy policy(enum tg_backoff_jitter j)
{
    return (struct tg_backoff_policy){ 100 * MS, 2.0, 1000 * MS, 0, j };
}

static const tg_ns ceilings[STEPS] = { 100 * MS, 200 * MS, 400 * MS, 800 * MS, 1000 * MS };

static void test_backoff_ceiling_closed_form(void **state)
{
    (void)state;
    struct tg_backoff_policy p = policy(TG_BACKOFF_NONE);
    for (uint32_t n = 0; n < STEPS; n++) {
        assert_int_equal(tg_backoff_ceiling(&p, n), ceilings[n]);
    }
    assert_int_equal(tg_backoff_ceiling(&p, 4000000000u), 1000 * MS); /* no overflow */
    p.multiplier = 1.5;
    p.max_ns = TG_BACKOFF_MAX_NS;
    for (uint32_t n = 0; n < 20; n++) {
        double want = fmin(100e6 * pow(1.5, n), (double)TG_BACKOFF_MAX_NS);
        assert_true(fabs((double)tg_backoff_ceiling(&p, n) - want) <= 1);
    }
}

static void test_backoff_none_is_exact(void **state)
{
    (void)state;
    struct tg_backoff_policy p = policy(TG_BACKOFF_NONE);
    struct stats st;
    sample(&p, &st);
    for (int k = 0; k < STEPS; k++) {
        assert_int_equal(st.min[k], ceilings[k]);
        assert_int_equal(st.max[k], ceilings[k]);
    }
}

static void test_backoff_full_distribution(void **state)
{
    (void)state;
    struct tg_backoff_policy p = policy(TG_BACKOFF_FULL);
    struct stats st;
    sample(&p, &st);
    for (int k = 0; k < STEPS; k++) {
        double c = (double)ceilings[k];
        assert_true(st.min[k] >= 0 && st.min[k] < c * 0.001); /* spans all of [0, c) */
        assert_true(st.max[k] < ceilings[k] && st.max[k] > c * 0.999);
        assert_near(mean(&st, k), c / 2, REL_OK);
        assert_near(variance(&st, k), c * c / 12, 0.03);
    }
}

static void test_backoff_equal_distribution(void **state)
{
    (void)state;
    struct tg_backoff_policy p = policy(TG_BACKOFF_EQUAL);
    struct stats st;
    sample(&p, &st);
    for (int k = 0; k < STEPS; k++) {
        double c = (double)ceilings[k];
        assert_true(st.min[k] >= ceilings[k] / 2 && st.min[k] < c * 0.501);
        assert_true(st.max[k] < ceilings[k] && st.max[k] > c * 0.999);
        assert_near(mean(&st, k), c * 0.75, REL_OK);
        assert_near(variance(&st, k), (c / 2) * (c / 2) / 12, 0.03);
    }
}

static void test_backoff_decorrelated_distribution(void **state)
{
    (void)state;
    /* base 10 ms and a cap far away: d0 ~ U(b, 3b), then E[d(k+1)] = (b + 3 E[d(k)]) / 2 */
    struct tg_backoff_policy p = { 10 * MS, 2.0, 3600 * TG_NS_PER_S, 0, TG_BACKOFF_DECORRELATED };
    struct stats st;
    sample(&p, &st);
    double b = 10e6;
    double want = 2 * b;
    double hi = 3 * b;
    for (int k = 0; k < STEPS; k++) {
        assert_true(st.min[k] >= 10 * MS && st.min[k] < b * 1.01);
        assert_true((double)st.max[k] < hi);
        assert_near(mean(&st, k), want, 0.02);
        want = (b + 3 * want) / 2;
        hi *= 3;
    }
    assert_near(variance(&st, 0), (2 * b) * (2 * b) / 12, 0.03);
}

static void test_backoff_decorrelated_chain_and_cap(void **state)
{
    (void)state;
    struct tg_backoff_policy p = { 10 * MS, 2.0, 50 * MS, 0, TG_BACKOFF_DECORRELATED };
    struct tg_backoff_rng r;
    tg_backoff_rng_seed(&r, SEED);
    struct tg_backoff b;
    tg_backoff_start(&b, &p);
    tg_ns prev = 10 * MS;
    int at_cap = 0;
    for (int i = 0; i < 100000; i++) {
        tg_ns d;
        assert_int_equal(tg_backoff_next(&b, &p, &r, &d), 0);
        assert_true(d >= 10 * MS && d <= 50 * MS && d < 3 * prev);
        at_cap += d == 50 * MS;
        prev = d;
    }
    assert_true(at_cap > 1000); /* the cap binds: a share of the draws land above it */
}

static void test_backoff_max_attempts(void **state)
{
    (void)state;
    struct tg_backoff_policy p = policy(TG_BACKOFF_FULL);
    p.max_attempts = 3;
    struct tg_backoff_rng r;
    tg_backoff_rng_seed(&r, 1);
    struct tg_backoff b;
    tg_backoff_start(&b, &p);
    tg_ns d = 0;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(tg_backoff_next(&b, &p, &r, &d), 0);
    }
    d = -5;
    assert_int_equal(tg_backoff_next(&b, &p, &r, &d), TG_E2BIG);
    assert_int_equal(d, -5);
    tg_backoff_start(&b, &p); /* a new sequence starts over */
    assert_int_equal(tg_backoff_next(&b, &p, &r, &d), 0);
    assert_true(d >= 0 && d < 100 * MS);
}

static void test_backoff_rng_reproducible(void **state)
{
    (void)state;
    struct tg_backoff_policy p = policy(TG_BACKOFF_FULL);
    struct tg_backoff_rng r1;
    struct tg_backoff_rng r2;
    struct tg_backoff_rng r3;
    tg_backoff_rng_seed(&r1, 7);
    tg_backoff_rng_seed(&r2, 7);
    tg_backoff_rng_seed(&r3, 8);
    struct tg_backoff b1;
    struct tg_backoff b2;
    struct tg_backoff b3;
    tg_backoff_start(&b1, &p);
    tg_backoff_start(&b2, &p);
    tg_backoff_start(&b3, &p);
    int differ = 0;
    for (int i = 0; i < STEPS; i++) {
        tg_ns d1;
        tg_ns d2;
        tg_ns d3;
        tg_backoff_next(&b1, &p, &r1, &d1);
        tg_backoff_next(&b2, &p, &r2, &d2);
        tg_backoff_next(&b3, &p, &r3, &d3);
        assert_int_equal(d1, d2);
        differ += d1 != d3;
    }
    assert_true(differ >= STEPS - 1);
    for (int i = 0; i < 1000; i++) {
        double u = tg_backoff_rng_unit(&r1);
        assert_true(u >= 0 && u < 1);
    }
}

static void test_backoff_policy_checks(void **state)
{
    (void)state;
    const char *why = NULL;
    struct tg_backoff_policy p = policy(TG_BACKOFF_EQUAL);
    assert_true(tg_backoff_policy_ok(&p, &why));
    assert_null(why);
    p.max_ns = 50 * MS;
    assert_false(tg_backoff_policy_ok(&p, &why));
    assert_string_equal(why, "max is below initial");
    p = policy(TG_BACKOFF_NONE);
    p.multiplier = 0.5;
    assert_false(tg_backoff_policy_ok(&p, &why));
    p = policy(TG_BACKOFF_NONE);
    p.max_ns = TG_BACKOFF_MAX_NS + 1;
    assert_false(tg_backoff_policy_ok(&p, NULL));
    p = policy(TG_BACKOFF_NONE);
    p.initial_ns = 0; /* immediate retries are a policy too */
    assert_true(tg_backoff_policy_ok(&p, NULL));
    enum tg_backoff_jitter j;
    assert_int_equal(tg_backoff_jitter_parse("decorrelated", &j), 0);
    assert_int_equal(j, TG_BACKOFF_DECORRELATED);
    assert_string_equal(tg_backoff_jitter_name(j), "decorrelated");
    assert_int_equal(tg_backoff_jitter_parse("Full", &j), TG_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backoff_ceiling_closed_form),
        cmocka_unit_test(test_backoff_none_is_exact),
        cmocka_unit_test(test_backoff_full_distribution),
        cmocka_unit_test(test_backoff_equal_distribution),
        cmocka_unit_test(test_backoff_decorrelated_distribution),
        cmocka_unit_test(test_backoff_decorrelated_chain_and_cap),
        cmocka_unit_test(test_backoff_max_attempts),
        cmocka_unit_test(test_backoff_rng_reproducible),
        cmocka_unit_test(test_backoff_policy_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_retry_budget — the retry budget's token bucket: ratios to
 * thousandths, the bucket starts full and never banks more than its burst,
 * and over any sequence of outcomes retries <= burst + ratio * first attempts,
 * with the share tending to the ratio while every request fails.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "net/retry_budget.h"

#include <math.h>

static void test_retry_budget_milli_rounds(void **state)
{
    (void)state;
    assert_int_equal(tg_retry_budget_milli(0.1), 100);
    assert_int_equal(tg_retry_budget_milli(0.2), 200);
    assert_int_equal(tg_retry_budget_milli(1.0 / 3), 333);
    assert_int_equal(tg_retry_budget_milli(0.0004), 1); /* positive stays positive */
    assert_int_equal(tg_retry_budget_milli(10), 10000);
    assert_int_equal(tg_retry_budget_milli(0), 0);
    assert_int_equal(tg_retry_budget_milli(-0.1), 0);
    assert_int_equal(tg_retry_budget_milli(10.01), 0);
    assert_int_equal(tg_retry_budget_milli(NAN), 0);
}

static void test_retry_budget_starts_full(void **state)
{
    (void)state;
    struct tg_retry_budget b;
    tg_retry_budget_init(&b, TG_RETRY_BUDGET_BURST);
    for (int i = 0; i < TG_RETRY_BUDGET_BURST; i++) {
        assert_true(tg_retry_budget_withdraw(&b));
    }
    assert_false(tg_retry_budget_withdraw(&b));
    assert_false(tg_retry_budget_withdraw(&b));
    assert_int_equal(b.refused, 2);
    for (int i = 0; i < 9; i++) {
        tg_retry_budget_deposit(&b, 100);
        assert_false(tg_retry_budget_withdraw(&b));
    }
    tg_retry_budget_deposit(&b, 100); /* the tenth 0.1 makes a whole token */
    assert_true(tg_retry_budget_withdraw(&b));
    assert_int_equal(b.milli, 0);
}

static void test_retry_budget_never_banks_beyond_burst(void **state)
{
    (void)state;
    struct tg_retry_budget b;
    tg_retry_budget_init(&b, 3);
    assert_true(tg_retry_budget_withdraw(&b));
    for (int i = 0; i < 100000; i++) { /* a long healthy spell */
        tg_retry_budget_deposit(&b, 250);
    }
    assert_int_equal(b.milli, 3000);
    int allowed = 0;
    while (tg_retry_budget_withdraw(&b)) {
        allowed++;
    }
    assert_int_equal(allowed, 3);
}

/*
 * Logical requests with seeded random outcomes: each deposits, then retries
 * while it fails, up to max_retries, unless the budget refuses. Checks the
 * bound after every request; returns retries per first attempt.
 */
static double run(uint32_t ratio_milli, double fail_p, int max_retries, int n, uint64_t seed)
{
    struct tg_retry_budget b;
    tg_retry_budget_init(&b, TG_RETRY_BUDGET_BURST);
    uint64_t retries = 0;
    uint64_t s = seed;
    for (int i = 1; i <= n; i++) {
        tg_retry_budget_deposit(&b, ratio_milli);
        for (int k = 0; k < max_retries; k++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            bool failed = (double)(s >> 11) / 9007199254740992.0 < fail_p;
            if (!failed || !tg_retry_budget_withdraw(&b)) {
                break;
            }
            retries++;
        }
        /* in thousandths: retries * 1000 <= burst * 1000 + ratio_milli * firsts */
        assert_true(retries * 1000 <= TG_RETRY_BUDGET_BURST * 1000 + (uint64_t)ratio_milli * i);
    }
    return (double)retries / n;
}

static void test_retry_budget_bound_holds(void **state)
{
    (void)state;
    static const uint32_t ratios[] = { 1, 100, 200, 333, 1000, 2500 };
    static const double fails[] = { 0.0, 0.05, 0.3, 0.9, 1.0 };
    for (size_t i = 0; i < sizeof(ratios) / sizeof(ratios[0]); i++) {
        for (size_t k = 0; k < sizeof(fails) / sizeof(fails[0]); k++) {
            run(ratios[i], fails[k], 3, 5000, 1 + i * 31 + k);
        }
    }
}

static void test_retry_budget_share_tends_to_ratio(void **state)
{
    (void)state;
    /* every attempt fails and would retry 3 times: the budget is the only limit */
    double share = run(100, 1.0, 3, 100000, 9);
    assert_true(share >= 0.0999 && share <= 0.1 + 10.0 / 100000);
    /* the closed form when all fail: the burst on the first, then one per 1/ratio requests */
    struct tg_retry_budget b;
    tg_retry_budget_init(&b, TG_RETRY_BUDGET_BURST);
    uint64_t retries = 0;
    for (int i = 1; i <= 1000; i++) {
        tg_retry_budget_deposit(&b, 100);
        while (tg_retry_budget_withdraw(&b)) {
            retries++;
        }
        assert_int_equal(retries, TG_RETRY_BUDGET_BURST + (uint64_t)(i - 1) / 10);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_retry_budget_milli_rounds),
        cmocka_unit_test(test_retry_budget_starts_full),
        cmocka_unit_test(test_retry_budget_never_banks_beyond_burst),
        cmocka_unit_test(test_retry_budget_bound_holds),
        cmocka_unit_test(test_retry_budget_share_tends_to_ratio),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

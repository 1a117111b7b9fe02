/*
 * test_rate_cap — the --max-rps permits: the shares of several workers add up
 * to the cap exactly, a request waits for its permit, and an idle spell does
 * not bank permits into a burst.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "exec/rate_cap.h"
#include "tg.h"

/* Requests arriving as fast as they are let through, for secs: how many went. */
static uint64_t saturate(struct tg_rate_cap *c, double secs)
{
    uint64_t sent = 0;
    tg_ns now = 0;
    tg_ns end = (tg_ns)(secs * 1e9);
    for (;;) {
        tg_ns at = tg_rate_cap_take(c, now);
        now = at > now ? at : now;
        if (now >= end) {
            return sent;
        }
        sent++;
    }
}

static void test_rate_cap_shares_sum_to_the_cap(void **state)
{
    (void)state;
    for (uint32_t n = 1; n <= 7; n++) {
        uint64_t total = 0;
        for (uint32_t i = 0; i < n; i++) {
            struct tg_rate_cap c;
            tg_rate_cap_init(&c, tg_segment_of(i, n), 1000, 0);
            total += saturate(&c, 10);
        }
        assert_int_equal(total, 10000);
    }
}

static void test_rate_cap_waits_and_counts(void **state)
{
    (void)state;
    struct tg_rate_cap c;
    tg_rate_cap_init(&c, tg_segment_of(0, 1), 100, 0); /* a permit every 10 ms */
    assert_true(tg_rate_cap_take(&c, 0) <= 0);
    tg_ns at = tg_rate_cap_take(&c, 0);
    assert_int_equal(at, 10 * TG_NS_PER_MS);
    assert_int_equal(c.delayed, 1);
    assert_int_equal(tg_rate_cap_take(&c, 0), 20 * TG_NS_PER_MS);
}

static void test_rate_cap_no_burst_after_idle(void **state)
{
    (void)state;
    struct tg_rate_cap c;
    tg_rate_cap_init(&c, tg_segment_of(0, 1), 100, 0);
    /* idle for 5 s, then 50 requests at once: only the slack's worth goes at once */
    tg_ns now = 5 * TG_NS_PER_S;
    int at_once = 0;
    for (int i = 0; i < 50; i++) {
        at_once += tg_rate_cap_take(&c, now) <= now;
    }
    assert_true(at_once <= 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rate_cap_shares_sum_to_the_cap),
        cmocka_unit_test(test_rate_cap_waits_and_counts),
        cmocka_unit_test(test_rate_cap_no_burst_after_idle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

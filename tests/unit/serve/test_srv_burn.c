/*
 * test_srv_burn — the handshake CPU cost (serve/srv_burn): a budget is spent
 * as this thread's CPU time, at least the budget and not much more, and a
 * zero or negative budget costs nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "serve/srv_burn.h"

#include <time.h>

static tg_ns cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (tg_ns)ts.tv_sec * TG_NS_PER_S + ts.tv_nsec;
}

static void test_tg_srv_burn_run_spends_the_budget(void **state)
{
    (void)state;
    struct tg_srv_burn b;
    assert_int_equal(tg_srv_burn_init(&b), 0);
    assert_int_equal(tg_srv_burn_run(&b, 0), 0);
    assert_int_equal(tg_srv_burn_run(&b, -5), 0);
    for (tg_ns budget = TG_NS_PER_MS; budget <= 16 * TG_NS_PER_MS; budget *= 4) {
        tg_ns before = cpu_now();
        tg_ns spent = tg_srv_burn_run(&b, budget);
        tg_ns measured = cpu_now() - before;
        assert_true(spent >= budget);
        assert_true(measured >= budget);
        /* one batch of 64 digests is the overshoot: well under 5 ms even under sanitizers */
        assert_true(spent < budget + 5 * TG_NS_PER_MS);
    }
    tg_srv_burn_fini(&b);
    tg_srv_burn_fini(&b); /* twice is harmless */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tg_srv_burn_run_spends_the_budget),
    };
    return cmocka_run_group_tests_name("srv_burn", tests, NULL, NULL);
}

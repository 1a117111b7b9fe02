/*
 * test_srv_ticker — serve's tick feed (serve/srv_ticker): the schedule
 * against closed-form arithmetic at integer and fractional rates, the first
 * tick after any instant, the exact bytes of a tick in both wire forms, and
 * the SSE history (what it keeps, what it forgets).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "serve/srv_ticker.h"
#include "unit/prng.h"

#include <stdio.h>
#include <string.h>

#define ORIGIN INT64_C(5000000000) /* an arbitrary monotonic start */

static void test_tg_srv_ticker_due_closed_form(void **state)
{
    (void)state;
    static const double rates[] = { 10, 1, 3, 0.5, 7.3, 1000, 10000 };
    for (size_t r = 0; r < sizeof(rates) / sizeof(rates[0]); r++) {
        struct tg_srv_ticker t;
        tg_srv_ticker_init(&t, rates[r], ORIGIN, 0);
        for (uint64_t seq = 0; seq < 100000; seq += 1 + seq / 10) {
            /* seq / rate seconds, to the nanosecond: no drift however long the run */
            long double want = (long double)ORIGIN + (long double)seq * 1e9L / rates[r];
            long double got = (long double)tg_srv_ticker_due(&t, seq);
            assert_true(got - want < 1.0L && want - got < 1.0L);
        }
    }
}

static void test_tg_srv_ticker_first_after_any_instant(void **state)
{
    (void)state;
    rng_seed(5);
    static const double rates[] = { 10, 3, 7.3, 10000 };
    for (size_t r = 0; r < sizeof(rates) / sizeof(rates[0]); r++) {
        struct tg_srv_ticker t;
        tg_srv_ticker_init(&t, rates[r], ORIGIN, 0);
        assert_int_equal(tg_srv_ticker_first_after(&t, ORIGIN - 1000), 1);
        assert_int_equal(tg_srv_ticker_first_after(&t, ORIGIN), 1);
        for (int i = 0; i < 20000; i++) {
            tg_ns now = ORIGIN + (tg_ns)(rng_next() % (UINT64_C(3600) * 1000000000));
            if (i % 4 == 0) { /* exactly on a tick */
                now = tg_srv_ticker_due(&t, rng_next() % 1000000);
            }
            uint64_t seq = tg_srv_ticker_first_after(&t, now);
            assert_true(tg_srv_ticker_due(&t, seq) > now);
            assert_true(seq == 1 || tg_srv_ticker_due(&t, seq - 1) <= now);
        }
    }
}

static void test_tg_srv_ticker_make_bytes(void **state)
{
    (void)state;
    struct tg_srv_ticker t;
    /* origin 5 s monotonic, wall = monotonic + 1,700,000,000 s: tick 7 at 10/s is due at
     * 5.7 s monotonic = 1,700,000,005.7 s wall. */
    tg_srv_ticker_init(&t, 10, ORIGIN, INT64_C(1700000000) * 1000000000);
    tg_srv_ticker_make(&t, 7);
    static const char json[] = "{\"seq\":7,\"ts_us\":1700000005700000}";
    assert_int_equal(t.ws_len, 2 + sizeof(json) - 1);
    assert_int_equal((unsigned char)t.ws[0], 0x81);
    assert_int_equal((unsigned char)t.ws[1], sizeof(json) - 1);
    assert_memory_equal(t.ws + 2, json, sizeof(json) - 1);
    const struct tg_srv_tick_event *e = tg_srv_ticker_event(&t, 7);
    assert_non_null(e);
    static const char sse[] = "id: 7\ndata: {\"seq\":7,\"ts_us\":1700000005700000}\n\n";
    assert_int_equal(e->len, sizeof(sse) - 1);
    assert_memory_equal(e->sse, sse, sizeof(sse) - 1);
    /* A tick after three years at the top rate still fits a 7-bit frame length. */
    tg_srv_ticker_init(&t, 10000, 0, INT64_C(4000000000) * 1000000000);
    tg_srv_ticker_make(&t, UINT64_C(999999999999));
    assert_true(t.ws_len <= TG_SRV_TICK_WS_MAX && (unsigned char)t.ws[1] <= 125);
}

static void test_tg_srv_ticker_history(void **state)
{
    (void)state;
    struct tg_srv_ticker t;
    tg_srv_ticker_init(&t, 10, ORIGIN, 0);
    assert_null(tg_srv_ticker_event(&t, 0));
    assert_null(tg_srv_ticker_event(&t, 1));
    for (uint64_t seq = 1; seq <= 200; seq++) {
        tg_srv_ticker_make(&t, seq);
    }
    for (uint64_t seq = 1; seq <= 200; seq++) {
        const struct tg_srv_tick_event *e = tg_srv_ticker_event(&t, seq);
        if (seq > 200 - TG_SRV_TICK_HISTORY) {
            assert_non_null(e);
            char id[32];
            int n = snprintf(id, sizeof(id), "id: %llu\n", (unsigned long long)seq);
            assert_memory_equal(e->sse, id, (size_t)n);
        } else {
            assert_null(e);
        }
    }
    assert_null(tg_srv_ticker_event(&t, 201));
    /* A skipped seq leaves an older tick in its slot, which is not returned for it. */
    tg_srv_ticker_make(&t, 200 + TG_SRV_TICK_HISTORY + 5);
    assert_null(tg_srv_ticker_event(&t, 205));
    assert_non_null(tg_srv_ticker_event(&t, 200 + TG_SRV_TICK_HISTORY + 5));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tg_srv_ticker_due_closed_form),
        cmocka_unit_test(test_tg_srv_ticker_first_after_any_instant),
        cmocka_unit_test(test_tg_srv_ticker_make_bytes),
        cmocka_unit_test(test_tg_srv_ticker_history),
    };
    return cmocka_run_group_tests_name("srv_ticker", tests, NULL, NULL);
}

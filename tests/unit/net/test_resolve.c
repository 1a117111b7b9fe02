/*
 * test_resolve — asynchronous lookups: numeric addresses answer at once,
 * names are resolved off the loop's thread and answered on it, concurrent
 * lookups of one name share a query, answers are cached, failures are error
 * codes, and tearing down with a lookup in flight is safe.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "core/clock.h"
#include "net/errcode.h"
#include "net/resolve.h"

#include <pthread.h>
#include <string.h>

struct answer {
    int calls;
    int n;
    int err;
    bool loopback;
    pthread_t thread;
    struct ev_loop *loop;
};

static void on_answer(void *ctx, const struct tg_addr *addrs, int n, int err)
{
    struct answer *a = ctx;
    a->calls++;
    a->n = n;
    a->err = err;
    a->loopback = n > 0 && tg_addr_is_loopback(&addrs[0]);
    a->thread = pthread_self();
}

static void timeout_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
    (void)t;
    (void)revents;
    ev_break(loop, EVBREAK_ALL);
}

/* Runs the loop until every answer arrived (or 10 s passed). */
static void run_until(struct ev_loop *loop, struct answer *a, int n)
{
    ev_timer t;
    ev_timer_init(&t, timeout_cb, 0.01, 0.01);
    ev_timer_start(loop, &t);
    for (int i = 0; i < 1000; i++) {
        bool all = true;
        for (int k = 0; k < n; k++) {
            all = all && a[k].calls > 0;
        }
        if (all) {
            break;
        }
        ev_run(loop, EVRUN_ONCE);
    }
    ev_timer_stop(loop, &t);
}

static void test_resolve_lookup_numeric_answers_at_once(void **state)
{
    (void)state;
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct tg_resolve r;
    tg_resolve_init(&r, loop, 300 * TG_NS_PER_S);
    struct answer a = { 0 };
    struct tg_resolve_waiter w = { on_answer, &a, NULL };
    assert_int_equal(tg_resolve_lookup(&r, "127.0.0.1", 80, &w, tg_clock_now()), 0);
    assert_int_equal(a.calls, 1);
    assert_int_equal(a.n, 1);
    assert_true(a.loopback);
    struct answer b = { 0 };
    struct tg_resolve_waiter wb = { on_answer, &b, NULL };
    assert_int_equal(tg_resolve_lookup(&r, "::1", 80, &wb, tg_clock_now()), 0);
    assert_int_equal(b.calls, 1);
    assert_true(b.loopback);
    assert_int_equal(r.started, 0);
    tg_resolve_fini(&r);
    ev_loop_destroy(loop);
}

static void test_resolve_lookup_name_shared_and_cached(void **state)
{
    (void)state;
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct tg_resolve r;
    tg_resolve_init(&r, loop, 300 * TG_NS_PER_S);
    struct answer a[2] = { { 0 }, { 0 } };
    struct tg_resolve_waiter w[2] = { { on_answer, &a[0], NULL }, { on_answer, &a[1], NULL } };
    assert_int_equal(tg_resolve_lookup(&r, "localhost", 8080, &w[0], tg_clock_now()), 0);
    assert_int_equal(tg_resolve_lookup(&r, "localhost", 8080, &w[1], tg_clock_now()), 0);
    assert_int_equal(a[0].calls + a[1].calls, 0); /* not answered before the loop runs */
    assert_int_equal(r.started, 1);               /* one query for both */
    run_until(loop, a, 2);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(a[i].calls, 1);
        assert_true(a[i].n > 0);
        assert_true(a[i].loopback);
        assert_true(pthread_equal(a[i].thread, pthread_self())); /* on the loop's thread */
    }
    struct answer c = { 0 };
    struct tg_resolve_waiter wc = { on_answer, &c, NULL };
    assert_int_equal(tg_resolve_lookup(&r, "localhost", 8080, &wc, tg_clock_now()), 0);
    assert_int_equal(c.calls, 1); /* cached */
    assert_int_equal(r.started, 1);
    /* expired: asked again */
    struct answer d = { 0 };
    struct tg_resolve_waiter wd = { on_answer, &d, NULL };
    tg_ns later = tg_clock_now() + 301 * TG_NS_PER_S;
    assert_int_equal(tg_resolve_lookup(&r, "localhost", 8080, &wd, later), 0);
    assert_int_equal(r.started, 2);
    run_until(loop, &d, 1);
    assert_int_equal(d.calls, 1);
    tg_resolve_fini(&r);
    ev_loop_destroy(loop);
}

static void test_resolve_lookup_failure_is_an_error_code(void **state)
{
    (void)state;
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct tg_resolve r;
    tg_resolve_init(&r, loop, 300 * TG_NS_PER_S);
    struct answer a = { 0 };
    struct tg_resolve_waiter w = { on_answer, &a, NULL };
    assert_int_equal(tg_resolve_lookup(&r, "no-such-host.invalid", 80, &w, tg_clock_now()), 0);
    run_until(loop, &a, 1);
    assert_int_equal(a.calls, 1);
    assert_int_equal(a.n, 0);
    assert_true(a.err == TG_ERR_DNS_NO_SUCH_HOST || a.err == TG_ERR_DNS);
    char big[300];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(tg_resolve_lookup(&r, big, 80, &w, tg_clock_now()), TG_EINVAL);
    assert_int_equal(tg_resolve_lookup(&r, "localhost", 0, &w, tg_clock_now()), TG_EINVAL);
    tg_resolve_fini(&r);
    ev_loop_destroy(loop);
}

static void test_resolve_fini_with_lookup_in_flight(void **state)
{
    (void)state;
    for (int i = 0; i < 20; i++) {
        struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
        struct tg_resolve r;
        tg_resolve_init(&r, loop, 300 * TG_NS_PER_S);
        struct answer a = { 0 };
        struct tg_resolve_waiter w = { on_answer, &a, NULL };
        assert_int_equal(tg_resolve_lookup(&r, "localhost", 1000 + i, &w, tg_clock_now()), 0);
        tg_resolve_fini(&r); /* without running the loop: no callback, no leak, no crash */
        assert_int_equal(a.calls, 0);
        ev_loop_destroy(loop);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resolve_lookup_numeric_answers_at_once),
        cmocka_unit_test(test_resolve_lookup_name_shared_and_cached),
        cmocka_unit_test(test_resolve_lookup_failure_is_an_error_code),
        cmocka_unit_test(test_resolve_fini_with_lookup_in_flight),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

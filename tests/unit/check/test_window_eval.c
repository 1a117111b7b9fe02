/*
 * test_window_eval — thresholds over sliding windows, fed the way the
 * coordinator feeds them: simulated workers record into their own registries
 * and banks, hand a bank over every 0.2 s of simulated time, and the banks
 * are merged into the results and then into the windows. Sample counts are
 * chosen so every window's value is known in closed form (a degraded second
 * adds a known number of failures), and the logs, verdicts, aborts and the
 * sealing rules (worker frontier, lag, late and early banks) are checked
 * against those numbers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "check/window_eval.h"
#include "core/alloc.h"
#include "metrics/bank.h"
#include "metrics/registry.h"
#include "metrics/results.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define T0   (INT64_C(5000) * TG_NS_PER_S) /* the run's start on the monotonic clock */
#define TICK (200 * TG_NS_PER_MS)

struct wk {
    struct tg_registry reg;
    struct tg_bank bank;
    size_t declared;
    struct tg_results_map map;
};

struct fix {
    struct tg_plan plan;
    struct tg_results res;
    struct tg_window_eval e;
    struct wk w[2];
    uint32_t workers; /* started; 0 before start() */
};

static struct fix fx;

static void add(const char *flag, bool abort_on_fail, tg_ns delay)
{
    struct tg_plan_threshold *t = &fx.plan.thresholds[fx.plan.n_thresholds++];
    struct tg_diag d = { "" };
    assert_int_equal(tg_threshold_parse_flag(flag, &t->sel, &t->expr, &d), 0);
    t->abort_on_fail = abort_on_fail;
    t->delay_abort_eval = delay;
}

static void start(uint32_t workers)
{
    fx.workers = workers;
    assert_int_equal(tg_results_init(&fx.res), 0);
    for (uint32_t i = 0; i < workers; i++) {
        assert_int_equal(tg_registry_init(&fx.w[i].reg, 100), 0);
        tg_bank_init(&fx.w[i].bank, i);
        fx.w[i].declared = 0;
        memset(&fx.w[i].map, 0, sizeof(fx.w[i].map));
    }
    assert_int_equal(tg_window_eval_init(&fx.e, &fx.plan, workers, &fx.res), 0);
    tg_window_eval_start(&fx.e, T0);
}

/* cmocka teardown: frees what start() made, also after a failed assertion. */
static int stop(void **state)
{
    (void)state;
    uint32_t workers = fx.workers;
    if (workers == 0) {
        memset(&fx, 0, sizeof(fx));
        return 0;
    }
    tg_window_eval_fini(&fx.e);
    for (uint32_t i = 0; i < workers; i++) {
        tg_results_map_fini(&fx.w[i].map);
        tg_bank_fini(&fx.w[i].bank);
        tg_registry_fini(&fx.w[i].reg);
    }
    tg_results_fini(&fx.res);
    memset(&fx, 0, sizeof(fx));
    return 0;
}

/* The sink of metric name (registered with kind if custom) tagged status:status. */
static struct tg_sink *sink(struct wk *w, const char *name, enum tg_metric_kind kind,
                            const char *status)
{
    int m = tg_registry_find_metric(&w->reg, name);
    if (m < 0) {
        m = tg_registry_metric(&w->reg, name, kind, TG_CONTAINS_DEFAULT);
    }
    assert_true(m >= 0);
    struct tg_tag tag = { "status", status };
    int ts = tg_registry_tagset_of(&w->reg, &tag, 1);
    assert_true(ts >= 0);
    bool created;
    int s = tg_registry_series(&w->reg, (uint32_t)m, (uint32_t)ts, &created);
    assert_true(s >= 0);
    assert_int_equal(tg_bank_sync(&w->bank, &w->reg), 0);
    return tg_bank_sink(&w->bank, (uint32_t)s);
}

/* Worker i hands over its bank covering [from, to) of the run, as worker.c and coord.c do. */
static void publish(uint32_t i, tg_ns from, tg_ns to, bool final)
{
    struct wk *w = &fx.w[i];
    assert_int_equal(tg_bank_declare(&w->bank, &w->reg, w->declared), 0);
    w->declared = w->reg.n_series;
    w->bank.t_from = from < 0 ? 0 : T0 + from; /* a first bank starts at 0, as in worker.c */
    w->bank.t_to = T0 + to;
    w->bank.final = final;
    assert_int_equal(tg_results_merge(&fx.res, &w->map, &w->bank), 0);
    assert_int_equal(tg_window_eval_bank(&fx.e, &w->map, &w->bank), 0);
    tg_bank_reset(&w->bank);
}

/* Each tick both workers record 10 http_req_failed samples, `fails` of them true. */
static void failures_tick(int k, int fails)
{
    for (uint32_t i = 0; i < 2; i++) {
        for (int j = 0; j < 10; j++) {
            tg_sink_add_rate(sink(&fx.w[i], "http_req_failed", TG_KIND_RATE, "200"), j < fails);
        }
        publish(i, k == 0 ? -1 : k * TICK, (k + 1) * TICK, false);
    }
}

static const struct tg_window_log *log_of(size_t i)
{
    assert_true(i < fx.res.n_windows);
    assert_ptr_equal(fx.res.windows[i].key, &fx.plan.thresholds[i]);
    return &fx.res.windows[i];
}

/* Healthy for 10 s, then 10 % of requests fail: the 5 s windows see it grow from 2 % to 10 %. */
static void test_window_eval_degradation_logged(void **state)
{
    (void)state;
    add("http_req_failed: rate<0.05 over 5s", false, 0);
    add("http_req_failed: rate<0.05 over 5s", true, 14 * TG_NS_PER_S);
    add("http_req_failed: rate<0.05", false, 0); /* whole run: not windowed, no log */
    start(2);
    int aborted_at = -1;
    for (int k = 0; k < 100; k++) { /* 20 s */
        failures_tick(k, k >= 50 ? 1 : 0);
        int rc = tg_window_eval_advance(&fx.e, T0 + (k + 1) * TICK);
        assert_true(rc >= 0);
        if (rc == 1) {
            assert_int_equal(aborted_at, -1);
            aborted_at = k;
        }
    }
    assert_int_equal(tg_window_eval_finish(&fx.e, 20 * TG_NS_PER_S), 0);
    assert_int_equal(fx.res.n_windows, 2);
    const struct tg_window_log *l = log_of(0);
    assert_int_equal(l->len_s, 5);
    assert_int_equal(l->first_end_s, 5);
    assert_int_equal(l->n_windows, 16); /* ending at 5, 6, ..., 20 s */
    assert_int_equal(l->n_values, 16);
    static const double want[16] = { 0,    0,    0,   0,   0,   0,   0.02, 0.04,
                                     0.06, 0.08, 0.1, 0.1, 0.1, 0.1, 0.1,  0.1 };
    for (size_t i = 0; i < 16; i++) {
        if (fabs(l->values[i] - want[i]) > 1e-12) {
            fail_msg("window %zu: %g, want %g", i, l->values[i], want[i]);
        }
    }
    assert_int_equal(l->n_failed, 8);
    assert_true(fabs(l->first_fail - 0.06) < 1e-12);
    assert_int_equal(l->fail_from_ns, 8 * TG_NS_PER_S);
    assert_int_equal(l->fail_to_ns, 13 * TG_NS_PER_S);
    assert_true(fabs(l->worst - 0.1) < 1e-12);
    assert_int_equal(l->worst_from_ns, 10 * TG_NS_PER_S);
    assert_int_equal(l->worst_to_ns, 15 * TG_NS_PER_S);
    assert_false(l->aborted);
    /* abortOnFail after 14 s: the window ending at 13 s fails but is too early */
    const struct tg_window_log *a = log_of(1);
    assert_true(a->aborted);
    assert_int_equal(aborted_at, 69); /* second 13 seals when the banks reach 14 s */
    assert_non_null(strstr(fx.e.reason, "the target degraded: http_req_failed 'rate<0.05 over "
                                        "5s' failed in the window 9s-14s (8.00%)"));
}

/* A second is sealed when every running worker has passed it, or a lag after it at the latest. */
static void test_window_eval_sealing_rules(void **state)
{
    (void)state;
    add("http_req_failed: rate<0.5 over 2s", false, 0);
    start(2);
    for (int k = 0; k < 10; k++) { /* worker 0 runs 2 s ahead; worker 1 says nothing */
        tg_sink_add_rate(sink(&fx.w[0], "http_req_failed", TG_KIND_RATE, "200"), false);
        publish(0, k == 0 ? -1 : k * TICK, (k + 1) * TICK, false);
    }
    assert_int_equal(tg_window_eval_advance(&fx.e, T0 + 2 * TG_NS_PER_S - 1), 0);
    assert_int_equal(fx.e.sealed, 0); /* worker 1 has not reached 1 s */
    assert_int_equal(tg_window_eval_advance(&fx.e, T0 + 2 * TG_NS_PER_S), 0);
    assert_int_equal(fx.e.sealed, 1); /* second 0 ended the lag ago */
    assert_int_equal(tg_window_eval_advance(&fx.e, T0 + 3500 * TG_NS_PER_MS), 0);
    assert_int_equal(fx.e.sealed, 2);
    /* worker 1's late bank of 0.4-0.6 s, all failures: counted in the oldest open second */
    for (int j = 0; j < 8; j++) {
        tg_sink_add_rate(sink(&fx.w[1], "http_req_failed", TG_KIND_RATE, "200"), true);
    }
    publish(1, 400 * TG_NS_PER_MS, 600 * TG_NS_PER_MS, false);
    /* worker 1 stops: only worker 0 holds sealing back now */
    publish(1, 600 * TG_NS_PER_MS, 700 * TG_NS_PER_MS, true);
    assert_int_equal(tg_window_eval_advance(&fx.e, T0 + 3600 * TG_NS_PER_MS), 0);
    assert_int_equal(fx.e.sealed, 2); /* worker 0's latest bank ends at 2 s */
    const struct tg_window_log *l = log_of(0);
    assert_int_equal(l->n_windows, 1);
    assert_true(l->values[0] == 0); /* [0 s, 2 s): 10 samples, none failed */
    /* a bank whose middle is 8.1 s makes room: seconds are sealed until second 8 is open */
    tg_sink_add_rate(sink(&fx.w[0], "http_req_failed", TG_KIND_RATE, "200"), false);
    publish(0, 2 * TG_NS_PER_S, 14200 * TG_NS_PER_MS, false);
    assert_int_equal(fx.e.sealed, 8 - TG_WINDOW_OPEN + 1);
    assert_int_equal(tg_window_eval_finish(&fx.e, 9500 * TG_NS_PER_MS), 0);
    assert_int_equal(fx.e.sealed, 10);
    /* windows end at 2..9 s and 9.5 s; the late failures are in second 2 */
    assert_int_equal(l->n_windows, 9);
    assert_int_equal(l->n_values, 9);
    static const double want[9] = { 0, 8.0 / 13.0, 1, NAN, NAN, NAN, NAN, 0, 0 };
    for (size_t i = 0; i < 9; i++) {
        if (!(l->values[i] == want[i] || (isnan(want[i]) && isnan(l->values[i])))) {
            fail_msg("window %zu: %g, want %g", i, l->values[i], want[i]);
        }
    }
    assert_int_equal(l->n_failed, 2);
    assert_int_equal(l->fail_from_ns, 1 * TG_NS_PER_S);
    assert_true(l->worst == 1.0);
    assert_int_equal(l->worst_from_ns, 2 * TG_NS_PER_S);
    assert_int_equal(l->worst_to_ns, 4 * TG_NS_PER_S);
}

/* Submetric tags select the samples; latencies in ms; a run shorter than its window. */
static void test_window_eval_trend_tags_and_short_run(void **state)
{
    (void)state;
    add("http_req_duration{status:200}: p(99)<100 over 3s", false, 0);
    add("http_req_duration{status:200}: max<100 over 30s", false, 0);
    start(1);
    for (int k = 0; k < 30; k++) { /* 6 s; second 3 is slow for status 200 */
        for (int j = 0; j < 20; j++) {
            int64_t ms = k / 5 == 3 ? 150 : 10;
            tg_sink_add_trend_ns(sink(&fx.w[0], "http_req_duration", TG_KIND_TREND, "200"),
                                 ms * TG_NS_PER_MS);
            tg_sink_add_trend_ns(sink(&fx.w[0], "http_req_duration", TG_KIND_TREND, "500"),
                                 5000 * TG_NS_PER_MS); /* never selected */
        }
        publish(0, k == 0 ? -1 : k * TICK, (k + 1) * TICK, k == 29);
        assert_true(tg_window_eval_advance(&fx.e, T0 + (k + 1) * TICK) >= 0);
    }
    assert_int_equal(tg_window_eval_finish(&fx.e, 6 * TG_NS_PER_S), 0);
    const struct tg_window_log *l = log_of(0);
    assert_int_equal(l->n_windows, 4); /* ending at 3, 4, 5, 6 s */
    assert_true(fabs(l->values[0] - 10) < 0.01);
    for (int i = 1; i < 4; i++) {
        assert_true(fabs(l->values[i] - 150) < 0.1);
    }
    assert_int_equal(l->n_failed, 3);
    assert_int_equal(l->fail_from_ns, 1 * TG_NS_PER_S);
    const struct tg_window_log *s = log_of(1);
    assert_int_equal(s->n_windows, 1); /* the whole 6 s run */
    assert_int_equal(s->first_end_s, 6);
    assert_int_equal(s->worst_from_ns, 0);
    assert_int_equal(s->worst_to_ns, 6 * TG_NS_PER_S);
    assert_true(fabs(s->worst - 150) < 0.1);
    assert_int_equal(s->n_failed, 1);
}

/* A custom metric first declared mid-run: earlier windows have no samples and pass. */
static void test_window_eval_metric_appears_late(void **state)
{
    (void)state;
    add("my_hits: count<=15 over 2s", false, 0);
    add("my_hits: rate<=7.5 over 2s", false, 0);
    start(1);
    for (int k = 0; k < 25; k++) { /* 5 s; from 2.4 s, 2 hits per tick */
        if (k >= 12) {
            tg_sink_add_counter(sink(&fx.w[0], "my_hits", TG_KIND_COUNTER, "200"), 2);
        } else {
            tg_sink_add_rate(sink(&fx.w[0], "http_req_failed", TG_KIND_RATE, "200"), false);
        }
        publish(0, k == 0 ? -1 : k * TICK, (k + 1) * TICK, false);
        assert_true(tg_window_eval_advance(&fx.e, T0 + (k + 1) * TICK) >= 0);
    }
    assert_int_equal(tg_window_eval_finish(&fx.e, 5 * TG_NS_PER_S), 0);
    const struct tg_window_log *c = log_of(0);
    assert_int_equal(c->n_windows, 4); /* ending at 2, 3, 4, 5 s */
    assert_true(isnan(c->values[0]));
    assert_true(c->values[1] == 6);  /* second 2 has three ticks of it: 2.4, 2.6, 2.8 */
    assert_true(c->values[2] == 16); /* 6 + 10 */
    assert_true(c->values[3] == 20);
    assert_int_equal(c->n_failed, 2);
    const struct tg_window_log *r = log_of(1);
    assert_true(r->values[3] == 10); /* a counter's rate is per second of its window */
    assert_int_equal(r->n_failed, 2);
}

static void test_window_eval_check_refuses_vus(void **state)
{
    (void)state;
    struct tg_plan_threshold t = { 0 };
    struct tg_diag d = { "" };
    assert_int_equal(tg_threshold_parse_flag("vus: value<10 over 10s", &t.sel, &t.expr, &d), 0);
    assert_int_equal(tg_window_eval_check(&t, &d), TG_EINVAL);
    assert_non_null(strstr(d.msg, "vus is sampled once a second"));
    assert_int_equal(tg_threshold_parse_flag("vus_max: value<10 over 1m", &t.sel, &t.expr, &d), 0);
    assert_int_equal(tg_window_eval_check(&t, &d), TG_EINVAL);
    assert_int_equal(tg_threshold_parse_flag("vus: value<10", &t.sel, &t.expr, &d), 0);
    assert_int_equal(tg_window_eval_check(&t, &d), 0);
    assert_int_equal(tg_threshold_parse_flag("http_reqs: count>1 over 5s", &t.sel, &t.expr, &d), 0);
    assert_int_equal(tg_window_eval_check(&t, &d), 0);
}

/* Without windowed thresholds nothing is allocated or logged. */
static void test_window_eval_inactive(void **state)
{
    (void)state;
    add("http_req_failed: rate<0.05", true, 0);
    start(2);
    assert_false(tg_window_eval_active(&fx.e));
    failures_tick(0, 10);
    assert_int_equal(tg_window_eval_advance(&fx.e, T0 + 10 * TG_NS_PER_S), 0);
    assert_int_equal(tg_window_eval_finish(&fx.e, 10 * TG_NS_PER_S), 0);
    assert_int_equal(fx.res.n_windows, 0);
    assert_null(fx.res.windows);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_window_eval_degradation_logged, stop),
        cmocka_unit_test_teardown(test_window_eval_sealing_rules, stop),
        cmocka_unit_test_teardown(test_window_eval_trend_tags_and_short_run, stop),
        cmocka_unit_test_teardown(test_window_eval_metric_appears_late, stop),
        cmocka_unit_test_teardown(test_window_eval_check_refuses_vus, stop),
        cmocka_unit_test_teardown(test_window_eval_inactive, stop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

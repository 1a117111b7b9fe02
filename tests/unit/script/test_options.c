/*
 * test_options — the script `options` table to a validated configuration:
 * k6's executors, shortcuts and threshold forms, and errors that name their
 * option path (src/script/options.c, opt_scenario.c and optval.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "script/lua.h"
#include "script/options.h"

#include <fcntl.h>
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Runs src in a fresh state and reads its options; returns the result code. */
static int read_from(const char *src, struct tg_options *o, struct tg_diag *d)
{
    lua_State *L = tg_lua_new();
    assert_non_null(L);
    assert_int_equal(luaL_dostring(L, src), 0);
    int rc = tg_options_read(L, o, d);
    assert_int_equal(lua_gettop(L), 0);
    tg_lua_free(L);
    return rc;
}

static void expect_error(const char *src, const char *msg)
{
    struct tg_options o;
    struct tg_diag d = { "" };
    int rc = read_from(src, &o, &d);
    if (rc != TG_EINVAL || strcmp(d.msg, msg) != 0) {
        print_error("source: %s\nwant: %s\ngot (%d): %s\n", src, msg, rc, d.msg);
    }
    assert_int_equal(rc, TG_EINVAL);
    assert_string_equal(d.msg, msg);
    tg_options_fini(&o);
}

static void test_options_read_k6_sketch(void **state)
{
    (void)state;
    struct tg_options o;
    struct tg_diag d = { "" };
    int rc = read_from(
        "options = { scenarios = {"
        "  smoke = { executor = 'constant-arrival-rate', rate = 200, timeUnit = '1s',"
        "            duration = '2m', preAllocatedVUs = 100, maxVUs = 400 },"
        "  soak = { executor = 'ramping-arrival-rate', startRate = 200, timeUnit = '1s',"
        "           preAllocatedVUs = 200, maxVUs = 1500, startTime = '3m',"
        "           stages = { { target = 800, duration = '5m' }, { target = 800, duration = '30m' "
        "},"
        "                      { target = 0, duration = '2m' } } } },"
        "  thresholds = { ['api_latency_ms{endpoint:feed}'] = { 'p(95)<400', 'p(99)<1200' },"
        "                 api_errors = { 'rate<0.005' }, http_req_failed = { 'rate<0.01' } } }",
        &o, &d);
    assert_int_equal(rc, 0);
    assert_int_equal(o.n_scenarios, 2);
    const struct tg_scenario *smoke = &o.scenarios[0];
    assert_string_equal(smoke->name, "smoke");
    assert_int_equal(smoke->executor, TG_EXECUTOR_CONSTANT_ARRIVAL_RATE);
    assert_true(smoke->rate == 200);
    assert_int_equal(smoke->duration, 120 * TG_NS_PER_S);
    assert_int_equal(smoke->pre_allocated_vus, 100);
    assert_int_equal(smoke->max_vus, 400);
    assert_string_equal(smoke->exec, "default");
    const struct tg_scenario *soak = &o.scenarios[1];
    assert_int_equal(soak->executor, TG_EXECUTOR_RAMPING_ARRIVAL_RATE);
    assert_int_equal(soak->start_time, 180 * TG_NS_PER_S);
    assert_int_equal(soak->n_stages, 3);
    assert_int_equal(soak->stages[1].duration, 1800 * TG_NS_PER_S);
    assert_true(soak->stages[2].target == 0);
    assert_int_equal(soak->graceful_stop, 30 * TG_NS_PER_S);
    assert_int_equal(o.n_thresholds, 4);
    size_t feed = 0;
    for (size_t i = 0; i < o.n_thresholds; i++) {
        if (strcmp(o.thresholds[i].sel.name, "api_latency_ms") == 0) {
            assert_int_equal(o.thresholds[i].sel.ntags, 1);
            assert_string_equal(o.thresholds[i].sel.tags[0].value, "feed");
            feed++;
        }
    }
    assert_int_equal(feed, 2);
    tg_options_fini(&o);
}

static void test_options_read_shortcuts(void **state)
{
    (void)state;
    struct tg_options o;
    struct tg_diag d = { "" };
    assert_int_equal(read_from("options = { vus = 10, duration = '30s' }", &o, &d), 0);
    assert_int_equal(o.n_scenarios, 1);
    assert_int_equal(o.scenarios[0].executor, TG_EXECUTOR_CONSTANT_VUS);
    assert_int_equal(o.scenarios[0].vus, 10);
    assert_int_equal(o.scenarios[0].duration, 30 * TG_NS_PER_S);
    assert_string_equal(o.scenarios[0].name, "default");
    tg_options_fini(&o);

    assert_int_equal(read_from("options = { vus = 5, iterations = 100, duration = 2000 }", &o, &d),
                     0);
    assert_int_equal(o.scenarios[0].executor, TG_EXECUTOR_SHARED_ITERATIONS);
    assert_int_equal(o.scenarios[0].iterations, 100);
    assert_int_equal(o.scenarios[0].max_duration, 2 * TG_NS_PER_S); /* a number is ms */
    tg_options_fini(&o);

    assert_int_equal(
        read_from("options = { stages = { { duration = '10s', target = 20 } } }", &o, &d), 0);
    assert_int_equal(o.scenarios[0].executor, TG_EXECUTOR_RAMPING_VUS);
    assert_int_equal(o.scenarios[0].start_vus, 1);
    tg_options_fini(&o);

    assert_int_equal(read_from("x = 1", &o, &d), 0); /* no options: one iteration of one VU */
    assert_int_equal(o.scenarios[0].executor, TG_EXECUTOR_SHARED_ITERATIONS);
    assert_int_equal(o.scenarios[0].iterations, 1);
    assert_int_equal(o.scenarios[0].vus, 1);
    tg_options_fini(&o);
}

static void test_options_read_threshold_object_form(void **state)
{
    (void)state;
    struct tg_options o;
    struct tg_diag d = { "" };
    assert_int_equal(read_from("options = { thresholds = { http_req_duration = {"
                               "  { threshold = 'p(99)<10', abortOnFail = true,"
                               "    delayAbortEval = '10s' }, 'avg<5' } } }",
                               &o, &d),
                     0);
    assert_int_equal(o.n_thresholds, 2);
    assert_true(o.thresholds[0].abort_on_fail);
    assert_int_equal(o.thresholds[0].delay_abort_eval, 10 * TG_NS_PER_S);
    assert_string_equal(o.thresholds[0].expr.source, "p(99)<10");
    assert_false(o.thresholds[1].abort_on_fail);
    tg_options_fini(&o);

    assert_int_equal(read_from("options = { thresholds = { checks = 'rate>0.9' } }", &o, &d), 0);
    assert_int_equal(o.n_thresholds, 1);
    tg_options_fini(&o);
}

static void test_options_read_other_keys(void **state)
{
    (void)state;
    struct tg_options o;
    struct tg_diag d = { "" };
    assert_int_equal(read_from("options = { tags = { team = 'feed' }, setupTimeout = '2m',"
                               "  summaryTrendStats = { 'avg', 'p(99.9)' },"
                               "  scenarios = { api = { executor = 'per-vu-iterations', vus = 3,"
                               "    iterations = 7, exec = 'api', env = { A = 'b' },"
                               "    tags = { kind = 'x' } } } }",
                               &o, &d),
                     0);
    assert_int_equal(o.n_tags, 1);
    assert_string_equal(o.tags[0].value, "feed");
    assert_int_equal(o.setup_timeout, 120 * TG_NS_PER_S);
    assert_int_equal(o.n_trend_stats, 2);
    assert_string_equal(o.trend_stats[1], "p(99.9)");
    assert_string_equal(o.scenarios[0].exec, "api");
    assert_int_equal(o.scenarios[0].n_env, 1);
    assert_string_equal(o.scenarios[0].env[0].key, "A");
    assert_int_equal(o.scenarios[0].iterations, 7);
    tg_options_fini(&o);
}

static void test_options_read_errors_name_the_path(void **state)
{
    (void)state;
    expect_error("options = { scenarios = { soak = { executor = 'ramping-vus', stages = {"
                 "  { duration = '1m', target = 1 }, { duration = '1m', target = 'x' } } } } }",
                 "options.scenarios.soak.stages[2].target: expected a number, got string");
    expect_error("options = { scenarios = { a = { executor = 'constant-vus', duration = '1s',"
                 "  foo = 1 } } }",
                 "options.scenarios.a.foo: unknown option");
    expect_error("options = { scenarios = { a = { vus = 1 } } }",
                 "options.scenarios.a.executor: required (e.g. \"constant-vus\")");
    expect_error("options = { scenarios = { a = { executor = 'ramping-arrival' } } }",
                 "options.scenarios.a.executor: unknown executor \"ramping-arrival\"");
    expect_error("options = { scenarios = { a = { executor = 'constant-vus', duration = '1s',"
                 "  rate = 5 } } }",
                 "options.scenarios.a.rate: not an option of the constant-vus executor");
    expect_error("options = { scenarios = { a = { executor = 'constant-arrival-rate', rate = 5,"
                 "  duration = '1s' } } }",
                 "options.scenarios.a.preAllocatedVUs: required by the constant-arrival-rate "
                 "executor");
    expect_error("options = { scenarios = { a = { executor = 'constant-arrival-rate', rate = 5,"
                 "  duration = '1s', preAllocatedVUs = 10, maxVUs = 5 } } }",
                 "options.scenarios.a.maxVUs: 5 is less than preAllocatedVUs (10)");
    expect_error(
        "options = { scenarios = { a = { executor = 'constant-vus', duration = 'soon' } } }",
        "options.scenarios.a.duration: \"soon\" is not a duration (e.g. \"500ms\", "
        "\"30s\", \"1m30s\")");
    expect_error("options = { noConnectionReuse = true }",
                 "options.noConnectionReuse: unknown option");
    expect_error("options = { vus = 2, scenarios = { a = { executor = 'constant-vus',"
                 "  duration = '1s' } } }",
                 "options: vus, duration, iterations and stages cannot be combined with "
                 "options.scenarios");
    expect_error("options = { vus = 1.5 }",
                 "options.vus: expected a whole number from 1 to 1e+07, got 1.5");
    expect_error("options = { scenarios = { ['a b'] = { executor = 'constant-vus' } } }",
                 "options.scenarios.a b: scenario names use letters, digits, '_' and '-'");
    expect_error("options = { scenarios = { a = { executor = 'shared-iterations', vus = 10,"
                 "  iterations = 5 } } }",
                 "options.scenarios.a.iterations: 5 is less than vus (10)");
    expect_error("options = { thresholds = { http_req_duration = { { abortOnFail = true } } } }",
                 "options.thresholds.http_req_duration[1].threshold: required");
    expect_error("options = { thresholds = { http_req_duration = { 'p(99)' } } }",
                 "options.thresholds.http_req_duration[1]: threshold \"p(99)\": missing comparison "
                 "operator; expected METHOD OP NUMBER with OP one of <, <=, >, >=, ==, ===, !=");
    expect_error("options = { summaryTrendStats = { 'p(200)' } }",
                 "options.summaryTrendStats[1]: \"p(200)\" is not avg, min, med, max, count or "
                 "p(N)");
    expect_error("options = 5", "options: expected a table, got number");
}

static void test_options_read_tag_limits(void **state)
{
    (void)state;
    struct tg_options o;
    struct tg_diag d = { "" };
    /* eight distinct keys together are fine: a scenario's tag replaces the test-wide one */
    assert_int_equal(read_from("options = { tags = { a = 1, b = 2, c = 3, d = 4, e = 5, f = 6,"
                               "  g = 7, h = 8 }, scenarios = { s = { executor = 'constant-vus',"
                               "  duration = '1s', tags = { a = 'x' } } } }",
                               &o, &d),
                     0);
    tg_options_fini(&o);
    expect_error("options = { tags = { a = 1, b = 2, c = 3, d = 4, e = 5, f = 6, g = 7, h = 8,"
                 "  i = 9 } }",
                 "options.tags: with options.tags, at most 8 distinct tags of 512 bytes in all");
    expect_error("options = { tags = { a = 1, b = 2, c = 3, d = 4, e = 5, f = 6, g = 7, h = 8 },"
                 "  scenarios = { s = { executor = 'constant-vus', duration = '1s',"
                 "  tags = { z = 'x' } } } }",
                 "options.scenarios.s.tags: with options.tags, at most 8 distinct tags of 512 "
                 "bytes in all");
    expect_error("options = { tags = { team = 'a\\31b' } }",
                 "options.tags.team: tags cannot hold the bytes 0x1e and 0x1f");
    expect_error("options = { tags = { big = string.rep('x', 600) } }",
                 "options.tags: with options.tags, at most 8 distinct tags of 512 bytes in all");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options_read_k6_sketch),
        cmocka_unit_test(test_options_read_shortcuts),
        cmocka_unit_test(test_options_read_threshold_object_form),
        cmocka_unit_test(test_options_read_other_keys),
        cmocka_unit_test(test_options_read_errors_name_the_path),
        cmocka_unit_test(test_options_read_tag_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_runtime — VU coroutines against an in-process server: tailgate.http
 * yields and resumes with the response (status, body, headers, json(),
 * timings), requests carry the script's headers and JSON bodies, failures
 * are responses with an error code (not Lua errors), tailgate.sleep yields
 * to a timer, errors end the iteration with file:line, per-VU state
 * persists, and http calls in the init context are refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "core/clock.h"
#include "metrics/tags.h"
#include "script/runtime.h"
#include "unit/loopsrv.h"

#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>

struct rec {
    int iterations;
    int requests;
    char err[1024];
    int last_status;
};

static void on_http(void *owner, struct tg_vu *vu, const struct tg_rt_http *h)
{
    (void)vu;
    struct rec *r = owner;
    r->requests++;
    r->last_status = h->res->status;
}

static void on_iteration(void *owner, struct tg_vu *vu, const char *err)
{
    (void)vu;
    struct rec *r = owner;
    r->iterations++;
    snprintf(r->err, sizeof(r->err), "%s", err ? err : "");
}

struct fx {
    struct ev_loop *loop;
    struct server srv;
    struct tg_conn_env env;
    struct tg_rt rt;
    struct tg_vu vu;
    struct rec rec;
    struct tg_registry reg;
    struct tg_bank bank_store;
    struct tg_bank *bank;
    char path[64];
};

static void fx_setup(struct fx *f, const char *script, const char *response)
{
    memset(f, 0, sizeof(*f));
    f->loop = ev_loop_new(EVFLAG_AUTO);
    server_start(f->loop, &f->srv);
    f->srv.response = response;
    assert_int_equal(tg_conn_env_init(&f->env, f->loop, 16384, 1 << 20), 0);
    snprintf(f->path, sizeof(f->path), "/tmp/tg-rt-XXXXXX");
    int fd = mkstemp(f->path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, script, strlen(script)), (ssize_t)strlen(script));
    close(fd);
    struct tg_diag d = { "" };
    assert_int_equal(tg_registry_init(&f->reg, 100), 0);
    tg_bank_init(&f->bank_store, 0);
    f->bank = &f->bank_store;
    struct tg_rt_opts o = { f->path, true, &f->reg, &f->bank, NULL };
    int rc = tg_rt_init(&f->rt, f->loop, &f->env, &o, &d);
    if (rc != 0) {
        print_error("init: %s\n", d.msg);
    }
    assert_int_equal(rc, 0);
    f->rt.hooks = (struct tg_rt_hooks){ &f->rec, on_http, on_iteration, NULL, NULL };
    char url[64];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d", f->srv.port);
    lua_pushstring(f->rt.L, url);
    lua_setglobal(f->rt.L, "URL");
    assert_int_equal(tg_vu_init(&f->vu, &f->rt, 1), 0);
}

static void fx_teardown(struct fx *f)
{
    tg_vu_fini(&f->vu);
    tg_rt_fini(&f->rt);
    tg_bank_fini(&f->bank_store);
    tg_registry_fini(&f->reg);
    tg_conn_env_fini(&f->env);
    server_stop(f->loop, &f->srv);
    ev_loop_destroy(f->loop);
    unlink(f->path);
}

/* Runs one iteration of fn to its end (at most ~5 s). */
static void iterate(struct fx *f, const char *fn)
{
    int before = f->rec.iterations;
    assert_int_equal(tg_vu_run(&f->vu, fn), 0);
    for (int i = 0; i < 5000 && f->rec.iterations == before; i++) {
        ev_run(f->loop, EVRUN_ONCE);
    }
    assert_int_equal(f->rec.iterations, before + 1);
}

static const char *global_str(struct fx *f, const char *name)
{
    lua_getglobal(f->rt.L, name);
    const char *s = lua_tostring(f->rt.L, -1);
    lua_pop(f->rt.L, 1);
    return s ? s : "(nil)";
}

static const char json_response[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                    "Content-Length: 8\r\n\r\n{\"n\":42}";

static void test_runtime_http_get_and_post(void **state)
{
    (void)state;
    struct fx f;
    fx_setup(&f,
             "local http = require 'tailgate.http'\n"
             "function default()\n"
             "  local r = http.get(URL .. '/a?x=1', { headers = { ['X-Trace'] = 'abc' } })\n"
             "  got = r.status .. ' ' .. r:json().n .. ' ' .. r.headers['Content-Type'] ..\n"
             "        ' ' .. tostring(r.timings.duration >= 0) .. ' ' .. r.error_code\n"
             "  local p = http.post(URL .. '/b', { title = 'hi' })\n"
             "  posted = p.status\n"
             "end\n",
             json_response);
    iterate(&f, "default");
    assert_string_equal(f.rec.err, "");
    assert_string_equal(global_str(&f, "got"), "200 42 application/json true 0");
    assert_string_equal(global_str(&f, "posted"), "200");
    assert_int_equal(f.rec.requests, 2);
    assert_int_equal(f.srv.requests, 2);
    assert_int_equal(f.srv.accepted, 1); /* keep-alive: one connection */
    assert_non_null(strstr(f.srv.last, "POST /b HTTP/1.1\r\n"));
    assert_non_null(strstr(f.srv.last, "Content-Type: application/json\r\n"));
    assert_non_null(strstr(f.srv.last, "{\"title\":\"hi\"}"));
    fx_teardown(&f);
}

static void test_runtime_post_shared_row_as_json(void **state)
{
    (void)state;
    struct fx f;
    fx_setup(&f,
             "local http = require 'tailgate.http'\n"
             "local tg = require 'tailgate'\n"
             "local rows = tg.shared('rows', function() return { { name = 'ann' } } end)\n"
             "function default() posted = http.post(URL .. '/p', rows[1]).status end\n",
             json_response);
    iterate(&f, "default");
    assert_string_equal(f.rec.err, "");
    assert_string_equal(global_str(&f, "posted"), "200");
    assert_non_null(strstr(f.srv.last, "Content-Type: application/json\r\n"));
    assert_non_null(strstr(f.srv.last, "\r\n\r\n{\"name\":\"ann\"}"));
    fx_teardown(&f);
}

static void test_runtime_failure_is_a_response(void **state)
{
    (void)state;
    struct fx f;
    fx_setup(&f,
             "local http = require 'tailgate.http'\n"
             "function default()\n"
             "  local r = http.get('http://127.0.0.1:1/')\n"
             "  got = r.status .. ' ' .. r.error_code .. ' ' .. r.error\n"
             "end\n",
             json_response);
    iterate(&f, "default");
    assert_string_equal(f.rec.err, "");
    assert_string_equal(global_str(&f, "got"), "0 1212 dial_refused");
    fx_teardown(&f);
}

static void test_runtime_sleep_yields_to_a_timer(void **state)
{
    (void)state;
    struct fx f;
    fx_setup(&f,
             "local tg = require 'tailgate'\n"
             "function default() tg.sleep(0.05) tg.vu.state.n = (tg.vu.state.n or 0) + 1\n"
             "  count = tg.vu.state.n end\n",
             json_response);
    tg_ns t0 = tg_clock_now();
    iterate(&f, "default");
    tg_ns took = tg_clock_now() - t0;
    assert_true(took >= 50 * TG_NS_PER_MS && took < 1000 * TG_NS_PER_MS);
    iterate(&f, "default");
    assert_string_equal(global_str(&f, "count"), "2"); /* per-VU state persists */
    fx_teardown(&f);
}

static void test_runtime_errors_end_the_iteration(void **state)
{
    (void)state;
    struct fx f;
    fx_setup(&f,
             "local http = require 'tailgate.http'\n"
             "function default()\n"
             "  local r = http.get(URL .. '/')\n"
             "  error('boom after ' .. r.status)\n"
             "end\n"
             "function bad_header() http.get(URL, { headers = { ['X'] = 'a\\r\\nb' } }) end\n",
             json_response);
    iterate(&f, "default");
    assert_non_null(strstr(f.rec.err, ":4: boom after 200"));
    iterate(&f, "default"); /* a fresh coroutine after the dead one */
    assert_non_null(strstr(f.rec.err, "boom after 200"));
    iterate(&f, "bad_header");
    assert_non_null(strstr(f.rec.err, "control characters"));
    assert_int_equal(tg_vu_run(&f.vu, "missing"), TG_EINVAL);
    fx_teardown(&f);
}

/* setup()'s data (JSON text) is decoded once and passed to every iteration. */
static void test_runtime_iterations_get_the_data(void **state)
{
    (void)state;
    struct fx f;
    fx_setup(&f,
             "function default(data) SEEN = data.token .. #data.ids .. tostring(data.ok) end\n"
             "function none(data) SEEN = type(data) end\n",
             json_response);
    struct tg_diag d = { "" };
    iterate(&f, "none");
    assert_string_equal(global_str(&f, "SEEN"), "nil");
    assert_int_equal(tg_rt_set_data(&f.rt, "{\"token\":\"t\",\"ids\":[1,2],\"ok\":true}", &d), 0);
    iterate(&f, "default");
    assert_string_equal(global_str(&f, "SEEN"), "t2true");
    assert_int_equal(tg_rt_set_data(&f.rt, "{broken", &d), TG_EINVAL);
    assert_non_null(strstr(d.msg, "line 1"));
    assert_int_equal(tg_rt_set_data(&f.rt, NULL, &d), 0);
    iterate(&f, "none");
    assert_string_equal(global_str(&f, "SEEN"), "nil");
    fx_teardown(&f);
}

/* tailgate.abort tells the owner once, and ends the iteration with its reason. */
static int aborts;
static char abort_reason[256];
static void on_abort(void *owner, const char *reason)
{
    (void)owner;
    aborts++;
    snprintf(abort_reason, sizeof(abort_reason), "%s", reason);
}

static void test_runtime_abort(void **state)
{
    (void)state;
    struct fx f;
    fx_setup(&f, "local tg = require 'tailgate'\nfunction default() tg.abort('stop it') end\n",
             json_response);
    f.rt.hooks.on_abort = on_abort;
    aborts = 0;
    iterate(&f, "default");
    iterate(&f, "default");
    assert_int_equal(aborts, 1);
    assert_string_equal(abort_reason, "stop it");
    assert_true(f.rt.aborted);
    assert_non_null(strstr(f.rec.err, "test aborted: stop it"));
    fx_teardown(&f);
}

static void test_runtime_init_context_cannot_request(void **state)
{
    (void)state;
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct tg_conn_env env;
    assert_int_equal(tg_conn_env_init(&env, loop, 16384, 1 << 20), 0);
    char path[] = "/tmp/tg-rt-XXXXXX";
    int fd = mkstemp(path);
    const char src[] = "local http = require 'tailgate.http'\nhttp.get('http://127.0.0.1:1/')\n";
    assert_int_equal(write(fd, src, sizeof(src) - 1), (ssize_t)(sizeof(src) - 1));
    close(fd);
    struct tg_rt rt;
    struct tg_diag d = { "" };
    struct tg_rt_opts o = { path, true, NULL, NULL, NULL };
    assert_int_equal(tg_rt_init(&rt, loop, &env, &o, &d), TG_EINVAL);
    assert_non_null(strstr(d.msg, ":2: tailgate.http can only be called while an iteration runs"));
    tg_rt_fini(&rt);
    tg_conn_env_fini(&env);
    ev_loop_destroy(loop);
    unlink(path);
}

/* Sum of a metric's samples over the series whose tags contain key=value (NULL: all). */
static double sum_of(struct fx *f, const char *metric, const char *key, const char *value,
                     uint64_t *count)
{
    int m = tg_registry_find_metric(&f->reg, metric);
    assert_true(m >= 0);
    double sum = 0;
    *count = 0;
    for (size_t i = 0; i < f->reg.n_series && i < f->bank->n; i++) {
        if ((int)f->reg.series[i].metric != m) {
            continue;
        }
        struct tg_tag want = { key, value };
        if (key && !tg_tags_contains(f->reg.tagsets[f->reg.series[i].tagset], &want, 1)) {
            continue;
        }
        const struct tg_sink *sk = &f->bank->sinks[i];
        *count += sk->n;
        switch (sk->kind) {
        case TG_KIND_COUNTER:
            sum += sk->u.sum;
            break;
        case TG_KIND_RATE:
            sum += (double)sk->u.rate.nonzero;
            break;
        case TG_KIND_TREND:
            sum += tg_hist_mean(&sk->u.hist) * (double)tg_hist_count(&sk->u.hist);
            break;
        case TG_KIND_GAUGE:
            sum = sk->u.gauge.last;
            break;
        }
    }
    return sum;
}

static void test_runtime_metrics_checks_groups(void **state)
{
    (void)state;
    struct fx f;
    fx_setup(&f,
             "local tg = require 'tailgate'\n"
             "local http = require 'tailgate.http'\n"
             "local lat = tg.Trend('api_latency_ms', true)\n"
             "local errs = tg.Rate('api_errors')\n"
             "local n = tg.Counter('things')\n"
             "local g = tg.Gauge('level')\n"
             "local pick = tg.weighted { { 1, function(u) return http.get(u).status end } }\n"
             "function default()\n"
             "  lat:add(12.5, { endpoint = 'feed' })\n"
             "  errs:add(false) errs:add(true)\n"
             "  n:add(3) g:add(7)\n"
             "  tg.group('outer', function()\n"
             "    tg.group('inner', function()\n"
             "      local st = pick(URL)\n"
             "      ok = tg.check(st, { ['is 200'] = function(s) return s == 200 end,\n"
             "                          ['is 500'] = function(s) return s == 500 end })\n"
             "    end)\n"
             "  end)\n"
             "end\n",
             json_response);
    iterate(&f, "default");
    assert_string_equal(f.rec.err, "");
    uint64_t c;
    assert_true(sum_of(&f, "api_latency_ms", "endpoint", "feed", &c) > 12.49 * 1e6);
    assert_int_equal(c, 1);
    assert_true(sum_of(&f, "api_errors", NULL, NULL, &c) == 1);
    assert_int_equal(c, 2);
    assert_true(sum_of(&f, "things", "scenario", "default", &c) == 3);
    assert_true(sum_of(&f, "level", NULL, NULL, &c) == 7);
    assert_true(sum_of(&f, "checks", "check", "is 200", &c) == 1);
    assert_true(sum_of(&f, "checks", "check", "is 500", &c) == 0);
    assert_int_equal(c, 1);
    assert_true(sum_of(&f, "checks", "group", "::outer::inner", &c) == 1);
    assert_int_equal(c, 2);
    sum_of(&f, "group_duration", "group", "::outer", &c);
    assert_int_equal(c, 1);
    lua_getglobal(f.rt.L, "ok");
    assert_false(lua_toboolean(f.rt.L, -1));
    lua_pop(f.rt.L, 1);
    assert_int_equal(f.srv.requests, 1); /* the weighted task's request yielded and came back */
    fx_teardown(&f);
}

static void test_runtime_http_samples(void **state)
{
    (void)state;
    struct fx f;
    fx_setup(
        &f,
        "local http = require 'tailgate.http'\n"
        "function default()\n"
        "  http.get(URL .. '/communities/1/posts', { tags = { name = 'feed', kind = 'read' } })\n"
        "  http.get('http://127.0.0.1:1/')\n"
        "end\n",
        json_response);
    iterate(&f, "default");
    assert_string_equal(f.rec.err, "");
    uint64_t c;
    assert_true(sum_of(&f, "http_reqs", "name", "feed", &c) == 1);
    assert_true(sum_of(&f, "http_reqs", "kind", "read", &c) == 1);
    assert_true(sum_of(&f, "http_reqs", "error_code", "1212", &c) == 1);
    assert_true(sum_of(&f, "http_req_failed", NULL, NULL, &c) == 1);
    assert_int_equal(c, 2);
    sum_of(&f, "http_req_duration", "status", "200", &c);
    assert_int_equal(c, 1);
    assert_true(sum_of(&f, "data_received", "scenario", "default", &c) > 0);
    fx_teardown(&f);
}

static void test_runtime_metric_errors(void **state)
{
    (void)state;
    struct fx f;
    fx_setup(&f,
             "local tg = require 'tailgate'\n"
             "tg.Counter('dup')\n"
             "function same_name() tg.Trend('dup') end\n"
             "function bad_name() tg.Rate('x y') end\n"
             "function bad_tags() tg.Counter('c2'):add(1, { k = {} }) end\n",
             json_response);
    iterate(&f, "same_name");
    assert_non_null(strstr(f.rec.err, "already exists with another type"));
    iterate(&f, "bad_name");
    assert_non_null(strstr(f.rec.err, "metric name \"x y\""));
    iterate(&f, "bad_tags");
    assert_non_null(strstr(f.rec.err, "string keys and string values"));
    fx_teardown(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_runtime_http_get_and_post),
        cmocka_unit_test(test_runtime_post_shared_row_as_json),
        cmocka_unit_test(test_runtime_failure_is_a_response),
        cmocka_unit_test(test_runtime_sleep_yields_to_a_timer),
        cmocka_unit_test(test_runtime_errors_end_the_iteration),
        cmocka_unit_test(test_runtime_init_context_cannot_request),
        cmocka_unit_test(test_runtime_iterations_get_the_data),
        cmocka_unit_test(test_runtime_abort),
        cmocka_unit_test(test_runtime_metrics_checks_groups),
        cmocka_unit_test(test_runtime_http_samples),
        cmocka_unit_test(test_runtime_metric_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

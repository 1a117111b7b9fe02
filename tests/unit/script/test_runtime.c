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
    int rc = tg_rt_init(&f->rt, f->loop, &f->env, f->path, true, &d);
    if (rc != 0) {
        print_error("init: %s\n", d.msg);
    }
    assert_int_equal(rc, 0);
    f->rt.hooks = (struct tg_rt_hooks){ &f->rec, on_http, on_iteration };
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
    assert_int_equal(tg_rt_init(&rt, loop, &env, path, true, &d), TG_EINVAL);
    assert_non_null(strstr(d.msg, ":2: tailgate.http can only be called while an iteration runs"));
    tg_rt_fini(&rt);
    tg_conn_env_fini(&env);
    ev_loop_destroy(loop);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_runtime_http_get_and_post),
        cmocka_unit_test(test_runtime_failure_is_a_response),
        cmocka_unit_test(test_runtime_sleep_yields_to_a_timer),
        cmocka_unit_test(test_runtime_errors_end_the_iteration),
        cmocka_unit_test(test_runtime_init_context_cannot_request),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * once — setup() and teardown(data); see once.h.
 */
#include "exec/once.h"

#include "core/alloc.h"
#include "core/clock.h"
#include "core/units.h"
#include "script/lua.h"
#include "script/lua_json.h"
#include "script/runtime.h"

#include <ev.h>
#include <lauxlib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#define SWEEP_S 0.05

struct once {
    struct tg_rt rt;
    struct tg_vu vu;
    struct ev_loop *loop;
    ev_timer deadline;
    ev_timer sweep;
    ev_signal sigint;
    ev_signal sigterm;
    bool finished;
    enum tg_once_end end;
    char *json; /* the return value, encoded */
    struct tg_diag *d;
    const char *fn;
};

static int encode(lua_State *L)
{
    tg_lua_json_encode(L, 1);
    return 1;
}

/* The function returned: its first result, if any, becomes JSON. */
static void on_return(void *owner, struct tg_vu *vu, lua_State *co)
{
    struct once *o = owner;
    if (lua_gettop(co) == 0 || lua_isnil(co, 1)) {
        return;
    }
    lua_State *L = vu->rt->L;
    lua_pushcfunction(L, encode);
    lua_pushvalue(co, 1);
    lua_xmove(co, L, 1);
    struct tg_diag d = { "" };
    if (tg_lua_pcall(L, 1, 1, &d) < 0) {
        o->end = TG_ONCE_FAILED;
        tg_diag_set(o->d, "%s() returned a value that is not JSON-serialisable: %s", o->fn, d.msg);
        return;
    }
    o->json = tg_strdup(lua_tostring(L, -1));
    lua_pop(L, 1);
    if (!o->json) {
        o->end = TG_ONCE_FAILED;
        tg_diag_set(o->d, "%s(): out of memory", o->fn);
    }
}

static void on_iteration(void *owner, struct tg_vu *vu, const char *err)
{
    struct once *o = owner;
    o->finished = true;
    if (vu->rt->aborted) {
        o->end = TG_ONCE_ABORTED;
        tg_diag_set(o->d, "%s", vu->rt->abort_reason);
    } else if (err) {
        o->end = TG_ONCE_FAILED;
        tg_diag_set(o->d, "%s() failed: %s", o->fn, err);
    }
    ev_break(o->loop, EVBREAK_ALL);
}

static void deadline_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
    (void)revents;
    struct once *o = t->data;
    o->end = TG_ONCE_TIMEOUT;
    ev_break(loop, EVBREAK_ALL);
}

static void sweep_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
    (void)loop;
    (void)revents;
    struct once *o = t->data;
    tg_vu_check_deadlines(&o->vu, tg_clock_now());
}

static void signal_cb(struct ev_loop *loop, ev_signal *s, int revents)
{
    (void)revents;
    struct once *o = s->data;
    o->end = TG_ONCE_INTERRUPTED;
    ev_break(loop, EVBREAK_ALL);
}

static bool defines(lua_State *L, const char *fn)
{
    lua_getglobal(L, fn);
    bool yes = lua_type(L, -1) == LUA_TFUNCTION;
    lua_pop(L, 1);
    return yes;
}

/* Runs the function until it returns, fails, times out or is interrupted. */
static void run(struct once *o, tg_ns timeout)
{
    ev_timer_init(&o->deadline, deadline_cb, (double)timeout / 1e9, 0);
    ev_timer_init(&o->sweep, sweep_cb, SWEEP_S, SWEEP_S);
    ev_signal_init(&o->sigint, signal_cb, SIGINT);
    ev_signal_init(&o->sigterm, signal_cb, SIGTERM);
    o->deadline.data = o->sweep.data = o->sigint.data = o->sigterm.data = o;
    ev_now_update(o->loop);
    ev_timer_start(o->loop, &o->deadline);
    ev_timer_start(o->loop, &o->sweep);
    ev_signal_start(o->loop, &o->sigint);
    ev_signal_start(o->loop, &o->sigterm);
    if (tg_vu_run(&o->vu, o->fn) == 0 && !o->finished) {
        ev_run(o->loop, 0);
    }
    if (!o->finished) {
        tg_vu_abort(&o->vu);
    }
    ev_timer_stop(o->loop, &o->deadline);
    ev_timer_stop(o->loop, &o->sweep);
    ev_signal_stop(o->loop, &o->sigint);
    ev_signal_stop(o->loop, &o->sigterm);
}

/* Moves what the function measured into the run's results. */
static int merge(struct tg_results *res, struct tg_registry *reg, struct tg_bank *bank)
{
    struct tg_results_map map = { 0 };
    int rc = tg_bank_declare(bank, reg, 0);
    if (rc == 0) {
        rc = tg_results_merge(res, &map, bank);
    }
    tg_results_map_fini(&map);
    return rc;
}

int tg_once_run(const struct tg_plan *p, const char *fn, const char *arg, tg_ns timeout,
                struct tg_results *res, enum tg_once_end *end, char **json, struct tg_diag *d)
{
    struct once o;
    memset(&o, 0, sizeof(o));
    o.loop = ev_default_loop(EVBACKEND_EPOLL);
    o.d = d;
    o.fn = fn;
    o.end = TG_ONCE_DONE;
    *end = TG_ONCE_DONE;
    *json = NULL;
    struct tg_conn_env env;
    struct tg_registry reg;
    struct tg_bank bank;
    struct tg_bank *active = &bank;
    tg_bank_init(&bank, 0);
    if (!o.loop || tg_conn_env_init(&env, o.loop, p->max_head, p->max_body) < 0) {
        tg_diag_set(d, "%s(): out of memory", fn);
        tg_bank_fini(&bank); /* a failed env_init has undone itself */
        return TG_ENOMEM;
    }
    int rc = tg_registry_init(&reg, 1000);
    if (rc < 0) {
        tg_diag_set(d, "%s(): out of memory", fn);
        goto out_env;
    }
    struct tg_rt_rails rails = { &p->rails.allow, p->rails.synthetic, 0, tg_segment_of(0, 1) };
    struct tg_rt_opts ro = { p->script, !p->insecure, &reg, &active, &rails };
    rc = tg_rt_init(&o.rt, o.loop, &env, &ro, d);
    if (rc < 0) {
        goto out_rt;
    }
    if (!defines(o.rt.L, fn)) {
        goto out_rt;
    }
    o.rt.hooks = (struct tg_rt_hooks){ &o, NULL, on_iteration, on_return, NULL };
    rc = tg_rt_set_data(&o.rt, arg, d);
    if (rc == 0) {
        rc = tg_vu_init(&o.vu, &o.rt, 0);
    }
    if (rc < 0) {
        goto out_rt;
    }
    o.vu.scenario = fn;
    o.vu.root_group = strcmp(fn, "setup") == 0 ? "::setup" : "::teardown";
    run(&o, timeout);
    tg_vu_fini(&o.vu);
    rc = merge(res, &reg, &bank);
    if (rc < 0) {
        tg_diag_set(d, "%s(): out of memory", fn);
    }
    *end = o.end;
    if (o.end == TG_ONCE_DONE) {
        *json = o.json;
        o.json = NULL;
    } else if (o.end == TG_ONCE_TIMEOUT) {
        char t[32];
        tg_diag_set(d, "%s() did not finish within %s (options.%sTimeout)", fn,
                    tg_units_fmt_duration((double)timeout, t, sizeof(t)), fn);
    } else if (o.end == TG_ONCE_INTERRUPTED) {
        tg_diag_set(d, "%s() interrupted", fn);
    }
    tg_free(o.json);
out_rt:
    tg_rt_fini(&o.rt);
    tg_registry_fini(&reg);
out_env:
    tg_bank_fini(&bank);
    tg_conn_env_fini(&env);
    return rc;
}

/*
 * runtime — script states, modules and VU coroutines; see runtime.h.
 */
#include "script/runtime.h"

#include "core/alloc.h"
#include "core/clock.h"
#include "net/tls.h"
#include "script/internal.h"
#include "script/lua.h"
#include "script/lua_json.h"
#include "script/lua_random.h"
#include "script/lua_shapes.h"

#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

struct tg_rt *tg_runtime__of(lua_State *L)
{
    return lua_touserdata(L, lua_upvalueindex(1));
}

struct tg_vu *tg_runtime__vu(lua_State *L, const char *what)
{
    struct tg_rt *rt = tg_runtime__of(L);
    if (!rt->current || rt->current->co != L) {
        luaL_error(L, "%s can only be called while an iteration runs (not in the init context)",
                   what);
    }
    return rt->current;
}

/* ---- tailgate.sleep ----------------------------------------------------- */

static void sleep_done(struct ev_loop *loop, ev_timer *t, int revents)
{
    (void)loop;
    (void)revents;
    tg_runtime__resume(t->data, 0);
}

static int l_sleep(lua_State *L)
{
    struct tg_vu *vu = tg_runtime__vu(L, "tailgate.sleep");
    double secs = luaL_checknumber(L, 1);
    if (!(secs >= 0)) {
        return luaL_error(L, "tailgate.sleep: %f is not a number of seconds >= 0", secs);
    }
    ev_now_update(vu->rt->loop);
    ev_timer_set(&vu->sleep, secs, 0);
    ev_timer_start(vu->rt->loop, &vu->sleep);
    return lua_yield(L, 0);
}

/* ---- tailgate.abort ----------------------------------------------------- */

/*
 * Stops the whole test (k6's test.abort): the owner is told, and the calling
 * iteration ends with an error that is not counted as a failure.
 */
void tg_runtime__abort(struct tg_rt *rt, const char *reason)
{
    if (rt->aborted) {
        return;
    }
    rt->aborted = true;
    snprintf(rt->abort_reason, sizeof(rt->abort_reason), "%s",
             *reason ? reason : "tailgate.abort() called");
    if (rt->hooks.on_abort) {
        rt->hooks.on_abort(rt->hooks.owner, rt->abort_reason);
    }
}

static int l_abort(lua_State *L)
{
    struct tg_rt *rt = tg_runtime__of(L);
    tg_runtime__abort(rt, luaL_optstring(L, 1, ""));
    return luaL_error(L, "test aborted: %s", rt->abort_reason);
}

/* ---- module tables ------------------------------------------------------ */

static void push_env(lua_State *L)
{
    lua_newtable(L);
    for (char **e = environ; e && *e; e++) {
        const char *eq = strchr(*e, '=');
        if (eq) {
            lua_pushlstring(L, *e, (size_t)(eq - *e));
            lua_pushstring(L, eq + 1);
            lua_rawset(L, -3);
        }
    }
}

/* tailgate.vu.state / .id / .iteration / .scenario of the running VU (an __index function). */
static int l_vu_index(lua_State *L)
{
    struct tg_vu *vu = tg_runtime__vu(L, "tailgate.vu");
    const char *k = luaL_checkstring(L, 2);
    if (strcmp(k, "state") == 0) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, vu->state_ref);
    } else if (strcmp(k, "id") == 0) {
        lua_pushnumber(L, vu->id);
    } else if (strcmp(k, "iteration") == 0 || strcmp(k, "iteration_in_scenario") == 0) {
        lua_pushnumber(L, (lua_Number)vu->iteration); /* a VU runs one scenario only */
    } else if (strcmp(k, "scenario") == 0) {
        lua_pushstring(L, vu->scenario);
    } else {
        lua_pushnil(L);
    }
    return 1;
}

/* package.preload loaders: the module table is upvalue 2 */
static int load_module(lua_State *L)
{
    lua_pushvalue(L, lua_upvalueindex(2));
    return 1;
}

static void preload(lua_State *L, struct tg_rt *rt, const char *name)
{
    /* the module table is on top of the stack */
    lua_getglobal(L, "package");
    lua_getfield(L, -1, "preload");
    lua_pushlightuserdata(L, rt);
    lua_pushvalue(L, -4);
    lua_pushcclosure(L, load_module, 2);
    lua_setfield(L, -2, name);
    lua_pop(L, 3);
}

static void register_modules(lua_State *L, struct tg_rt *rt)
{
    lua_newtable(L); /* tailgate */
    lua_pushlightuserdata(L, rt);
    lua_pushcclosure(L, l_sleep, 1);
    lua_setfield(L, -2, "sleep");
    lua_pushlightuserdata(L, rt);
    lua_pushcclosure(L, l_abort, 1);
    lua_setfield(L, -2, "abort");
    tg_lua_json_open(L);
    lua_setfield(L, -2, "json");
    tg_lua_random_register(L);
    tg_lua_shapes_register(L);
    push_env(L);
    /* tailgate.env: the worker's, or the running VU's scenario's */
    tg_lua_scenario__env(L, rt);
    lua_newtable(L); /* tailgate.vu, read through its metatable */
    lua_newtable(L);
    lua_pushlightuserdata(L, rt);
    lua_pushcclosure(L, l_vu_index, 1);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, -2);
    lua_setfield(L, -2, "vu");
    tg_lua_metrics__register(L, rt);
    tg_lua_data__register(L, rt);
    tg_lua_shared__register(L, rt);
    preload(L, rt, "tailgate");
    tg_lua_http__push(L, rt);
    preload(L, rt, "tailgate.http");
}

int tg_rt_init(struct tg_rt *rt, struct ev_loop *loop, struct tg_conn_env *env,
               const struct tg_rt_opts *o, struct tg_diag *d)
{
    memset(rt, 0, sizeof(*rt));
    rt->loop = loop;
    rt->env = env;
    rt->tls_verify = o->tls_verify;
    rt->reg = o->reg;
    rt->bank = o->bank;
    rt->timeout_ns = 60 * TG_NS_PER_S;
    rt->connect_timeout_ns = 10 * TG_NS_PER_S;
    rt->data_ref = LUA_NOREF;
    rt->capped_metric = -1;
    if (o->rails) {
        rt->rails = *o->rails;
        rt->capped = rt->rails.max_rps > 0;
    }
    if (rt->capped && rt->reg) {
        rt->capped_metric =
            tg_registry_metric(rt->reg, "rate_capped", TG_KIND_COUNTER, TG_CONTAINS_DEFAULT);
    }
    tg_resolve_init(&rt->resolve, loop, 300 * TG_NS_PER_S);
    struct tg_tls_opts to = { !o->tls_verify, NULL };
    rt->tls = tg_tls_ctx_new(&to, d);
    rt->L = tg_lua_new();
    rt->url = tg_alloc(sizeof(*rt->url));
    if (!rt->L || !rt->tls || !rt->url || tg_http_xchg__rt_init(rt) < 0) {
        tg_diag_set(d, "%s: cannot create the script state", o->path);
        return TG_ENOMEM;
    }
    register_modules(rt->L, rt);
    if (tg_lua_stream__register(rt->L, rt) < 0) {
        tg_diag_set(d, "%s: cannot create the script state", o->path);
        return TG_ENOMEM;
    }
    rt->path = o->path;
    rt->in_init = true;
    int rc = tg_lua_run_file(rt->L, o->path, d);
    rt->in_init = false;
    return rc;
}

void tg_rt_fini(struct tg_rt *rt)
{
    tg_resolve_fini(&rt->resolve);
    tg_http_xchg__rt_fini(rt);
    tg_lua_free(rt->L);
    tg_lua_stream__rt_fini(rt);
    tg_free(rt->url);
    if (rt->tls) {
        SSL_CTX_free(rt->tls);
    }
    memset(rt, 0, sizeof(*rt));
}

/* ---- VUs ---------------------------------------------------------------- */

int tg_vu_init(struct tg_vu *vu, struct tg_rt *rt, uint32_t id)
{
    memset(vu, 0, sizeof(*vu));
    vu->rt = rt;
    vu->id = id;
    vu->scenario = "default";
    vu->co_ref = LUA_NOREF;
    lua_newtable(rt->L);
    vu->state_ref = luaL_ref(rt->L, LUA_REGISTRYINDEX);
    tg_http_xchg__vu_init(vu);
    ev_timer_init(&vu->sleep, sleep_done, 0, 0);
    vu->sleep.data = vu;
    return 0;
}

void tg_vu_fini(struct tg_vu *vu)
{
    if (!vu->rt) {
        return;
    }
    ev_timer_stop(vu->rt->loop, &vu->sleep);
    tg_lua_stream__end_all(vu);
    tg_http_xchg__abort(vu);
    tg_http_xchg__vu_fini(vu);
    luaL_unref(vu->rt->L, LUA_REGISTRYINDEX, vu->co_ref);
    luaL_unref(vu->rt->L, LUA_REGISTRYINDEX, vu->state_ref);
    memset(vu, 0, sizeof(*vu));
}

/* A fresh coroutine when the VU has none or its last one died with an error. */
static int ensure_coroutine(struct tg_vu *vu)
{
    vu->group[0] = '\0';
    if (vu->root_group) {
        snprintf(vu->group, sizeof(vu->group), "%s", vu->root_group);
    }
    if (vu->co && lua_status(vu->co) == 0 && lua_gettop(vu->co) == 0) {
        return 0; /* finished normally: reusable */
    }
    luaL_unref(vu->rt->L, LUA_REGISTRYINDEX, vu->co_ref);
    vu->co = lua_newthread(vu->rt->L);
    vu->co_ref = luaL_ref(vu->rt->L, LUA_REGISTRYINDEX);
    return vu->co ? 0 : TG_ENOMEM;
}

static void end_iteration(struct tg_vu *vu, const char *err)
{
    tg_lua_stream__end_all(vu); /* its sessions end with it */
    vu->state = TG_VU_IDLE;
    vu->iteration++;
    if (vu->rt->hooks.on_iteration) {
        vu->rt->hooks.on_iteration(vu->rt->hooks.owner, vu, err);
    }
}

void tg_runtime__resume(struct tg_vu *vu, int nargs)
{
    struct tg_rt *rt = vu->rt;
    struct tg_vu *outer = rt->current;
    rt->current = vu;
    vu->state = TG_VU_RUNNING;
    int rc = lua_resume(vu->co, nargs);
    rt->current = outer;
    if (rc == LUA_YIELD) {
        vu->state = TG_VU_WAITING;
        return;
    }
    if (rc == 0) {
        if (rt->hooks.on_return) {
            rt->hooks.on_return(rt->hooks.owner, vu, vu->co);
        }
        lua_settop(vu->co, 0);
        end_iteration(vu, NULL);
        return;
    }
    /* the coroutine is dead: keep its message and a traceback */
    const char *msg = lua_tostring(vu->co, -1);
    luaL_traceback(rt->L, vu->co, msg ? msg : "error (not a string)", 0);
    lua_pop(vu->co, 1);
    end_iteration(vu, lua_tostring(rt->L, -1));
    lua_pop(rt->L, 1);
}

void tg_rt_start_cap(struct tg_rt *rt, tg_ns t0)
{
    if (rt->capped) {
        tg_rate_cap_init(&rt->cap, rt->rails.seg, rt->rails.max_rps, t0);
    }
}

int tg_rt_record(struct tg_rt *rt, uint32_t metric, const struct tg_tag *tags, size_t n,
                 double value)
{
    return tg_lua_metrics__record_c(rt, metric, tags, n, value);
}

void tg_vu_abort(struct tg_vu *vu)
{
    if (vu->state == TG_VU_IDLE) {
        return;
    }
    ev_timer_stop(vu->rt->loop, &vu->sleep);
    tg_lua_stream__end_all(vu);
    tg_http_xchg__abort(vu);
    luaL_unref(vu->rt->L, LUA_REGISTRYINDEX, vu->co_ref);
    vu->co_ref = LUA_NOREF;
    vu->co = NULL;
    vu->group[0] = '\0';
    vu->state = TG_VU_IDLE;
}

static int decode_data(lua_State *L)
{
    size_t len;
    const char *json = lua_tolstring(L, 1, &len);
    tg_lua_json_decode(L, json, len);
    return 1;
}

int tg_rt_set_data(struct tg_rt *rt, const char *json, struct tg_diag *d)
{
    luaL_unref(rt->L, LUA_REGISTRYINDEX, rt->data_ref);
    rt->data_ref = LUA_NOREF;
    if (!json) {
        return 0;
    }
    lua_pushcfunction(rt->L, decode_data);
    lua_pushstring(rt->L, json);
    if (tg_lua_pcall(rt->L, 1, 1, d) < 0) {
        return TG_EINVAL;
    }
    rt->data_ref = luaL_ref(rt->L, LUA_REGISTRYINDEX);
    return 0;
}

void tg_vu_check_deadlines(struct tg_vu *vu, tg_ns now)
{
    tg_http_xchg__check_deadlines(vu, now);
}

int tg_vu_run(struct tg_vu *vu, const char *fn)
{
    if (ensure_coroutine(vu) < 0) {
        return TG_ENOMEM;
    }
    tg_lua_http_cookies__reset(vu); /* k6: each iteration starts with an empty jar */
    lua_getglobal(vu->co, fn);
    if (lua_type(vu->co, -1) != LUA_TFUNCTION) {
        lua_pop(vu->co, 1);
        return TG_EINVAL;
    }
    int nargs = 0;
    if (vu->rt->data_ref != LUA_NOREF) {
        lua_rawgeti(vu->co, LUA_REGISTRYINDEX, vu->rt->data_ref);
        nargs = 1;
    }
    tg_runtime__resume(vu, nargs);
    return 0;
}

/*
 * lua_scenario — a scenario's tags and env for its VUs; see lua_scenario.h.
 */
#include "script/lua_scenario.h"

#include "script/internal.h"

#include <lauxlib.h>
#include <stdio.h>
#include <string.h>

static const char env_key[] = "tailgate.env"; /* the worker's tailgate.env, in the registry */

/* options.tags then sc's tags into out, each key once (the later value wins). Count, or -1. */
static int merge(const struct tg_options *o, const struct tg_scenario *sc, struct tg_tag *out,
                 size_t *bytes)
{
    const struct tg_kv *lists[2] = { o->tags, sc->tags };
    size_t counts[2] = { o->n_tags, sc->n_tags };
    size_t n = 0;
    for (size_t l = 0; l < 2; l++) {
        for (size_t i = 0; i < counts[l]; i++) {
            size_t k = 0;
            while (k < n && strcmp(out[k].key, lists[l][i].key) != 0) {
                k++;
            }
            if (k == TG_LUA_SCENARIO_TAGS) {
                return -1;
            }
            out[k] = (struct tg_tag){ lists[l][i].key, lists[l][i].value };
            n = k == n ? n + 1 : n;
        }
    }
    *bytes = 0;
    for (size_t k = 0; k < n; k++) {
        *bytes += strlen(out[k].key) + strlen(out[k].value);
    }
    return (int)n;
}

static int check_bytes(const struct tg_kv *kv, size_t n, const char *path, struct tg_diag *d)
{
    for (size_t i = 0; i < n; i++) {
        if (strpbrk(kv[i].key, "\x1e\x1f") || strpbrk(kv[i].value, "\x1e\x1f")) {
            tg_diag_set(d, "%s.%s: tags cannot hold the bytes 0x1e and 0x1f", path, kv[i].key);
            return TG_EINVAL;
        }
    }
    return 0;
}

int tg_lua_scenario_check_tags(const struct tg_options *o, struct tg_diag *d)
{
    if (check_bytes(o->tags, o->n_tags, "options.tags", d) < 0) {
        return TG_EINVAL;
    }
    for (size_t i = 0; i < o->n_scenarios; i++) {
        const struct tg_scenario *sc = &o->scenarios[i];
        char path[300];
        snprintf(path, sizeof(path), "options.scenarios.%s.tags", sc->name);
        if (check_bytes(sc->tags, sc->n_tags, path, d) < 0) {
            return TG_EINVAL;
        }
        struct tg_tag tags[TG_LUA_SCENARIO_TAGS];
        size_t bytes = 0;
        int n = merge(o, sc, tags, &bytes);
        if (n < 0 || bytes > TG_LUA_SCENARIO_TAG_BYTES) {
            tg_diag_set(d, "%s: with options.tags, at most %d distinct tags of %d bytes in all",
                        sc->n_tags ? path : "options.tags", TG_LUA_SCENARIO_TAGS,
                        TG_LUA_SCENARIO_TAG_BYTES);
            return TG_EINVAL;
        }
    }
    return 0;
}

struct env_copy {
    const struct tg_scenario *sc;
    int ref;
};

/* (lua_cpcall) the worker's env table copied, with the scenario's env on top */
static int copy_env(lua_State *L)
{
    struct env_copy *c = lua_touserdata(L, 1);
    lua_newtable(L);
    lua_getfield(L, LUA_REGISTRYINDEX, env_key);
    lua_pushnil(L);
    while (lua_next(L, -2) != 0) {
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_rawset(L, -5);
    }
    lua_pop(L, 1);
    for (size_t i = 0; i < c->sc->n_env; i++) {
        lua_pushstring(L, c->sc->env[i].value);
        lua_setfield(L, -2, c->sc->env[i].key);
    }
    c->ref = luaL_ref(L, LUA_REGISTRYINDEX);
    return 0;
}

int tg_lua_scenario_init(struct tg_lua_scenario *s, struct tg_rt *rt, const struct tg_options *o,
                         const struct tg_scenario *sc)
{
    memset(s, 0, sizeof(*s));
    s->name = sc->name;
    s->env_ref = LUA_NOREF;
    s->tagset = -1;
    s->sid[0] = s->sid[1] = -1;
    size_t bytes;
    int n = merge(o, sc, s->tags, &bytes);
    if (n < 0) {
        return TG_EINVAL;
    }
    s->n_tags = (size_t)n;
    struct tg_tag all[TG_LUA_SCENARIO_TAGS + 1];
    memcpy(all, s->tags, s->n_tags * sizeof(all[0]));
    all[s->n_tags] = (struct tg_tag){ "scenario", sc->name }; /* the built-in tag wins */
    s->tagset = tg_lua_metrics__tagset(rt, all, s->n_tags + 1);
    if (s->tagset < 0) {
        return s->tagset;
    }
    if (sc->n_env > 0) {
        struct env_copy c = { sc, LUA_NOREF };
        if (lua_cpcall(rt->L, copy_env, &c) != 0) {
            lua_pop(rt->L, 1);
            return TG_ENOMEM;
        }
        s->env_ref = c.ref;
    }
    return 0;
}

void tg_lua_scenario_fini(struct tg_lua_scenario *s, struct tg_rt *rt)
{
    if (rt->L && s->env_ref > 0) { /* refs are >= 1; a zeroed s holds none */
        luaL_unref(rt->L, LUA_REGISTRYINDEX, s->env_ref);
    }
    s->env_ref = LUA_NOREF;
}

int tg_lua_scenario_record(struct tg_lua_scenario *s, struct tg_rt *rt, uint32_t metric,
                           double value)
{
    /* the two samples of every iteration: their series looked up once */
    int slot = metric == TG_M_ITERATIONS ? 0 : metric == TG_M_ITERATION_DURATION ? 1 : -1;
    if (slot < 0) {
        return tg_lua_metrics__record_ts(rt, metric, s->tagset, value);
    }
    if (s->sid[slot] < 0) {
        s->sid[slot] = tg_lua_metrics__series(rt, metric, s->tagset);
        if (s->sid[slot] < 0) {
            int rc = s->sid[slot];
            s->sid[slot] = -1;
            return rc == TG_ENOENT ? 0 : rc;
        }
    }
    tg_lua_metrics__record_sid(rt, metric, s->sid[slot], value);
    return 0;
}

/* The tailgate module's __index: tailgate.env for whoever reads it (see lua_scenario.h). */
static int l_module_index(lua_State *L)
{
    struct tg_rt *rt = tg_runtime__of(L);
    if (lua_type(L, 2) != LUA_TSTRING || strcmp(lua_tostring(L, 2), "env") != 0) {
        return 0;
    }
    const struct tg_vu *vu = rt->current;
    if (vu && vu->scen && vu->scen->env_ref != LUA_NOREF) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, vu->scen->env_ref);
    } else {
        lua_getfield(L, LUA_REGISTRYINDEX, env_key);
    }
    return 1;
}

void tg_lua_scenario__env(lua_State *L, struct tg_rt *rt)
{
    lua_setfield(L, LUA_REGISTRYINDEX, env_key);
    lua_newtable(L);
    lua_pushlightuserdata(L, rt);
    lua_pushcclosure(L, l_module_index, 1);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, -2);
}

/*
 * lua_metrics — metrics from scripts, k6's way:
 *   local t = tg.Trend("api_latency_ms", true)   -- true: values are times in ms
 *   t:add(res.timings.duration, { endpoint = "feed" })
 *   tg.Rate(name), tg.Counter(name), tg.Gauge(name): the same add(value, tags)
 *   tg.check(value, { ["status 2xx"] = function(v) return ... end }, tags) -> all passed
 *   tg.group("name", function() ... end) -> the function's results
 * Samples carry the VU's scenario and group tags plus the given tags. A
 * check adds one sample to the `checks` rate per named predicate (tag
 * check=name); a group nests the `group` tag ("::outer::inner") and records
 * group_duration.
 */
#include "core/clock.h"
#include "script/internal.h"
#include "script/lua_scenario.h"

#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

#define TAG_MAX 24

struct metric_ud {
    uint32_t id;
    enum tg_metric_kind kind;
    enum tg_metric_contains contains;
};

static const char mt_name[] = "tailgate.metric";

struct tag_arena {
    char buf[4096]; /* copies of tag keys and values */
    size_t used;
};

static const char *arena_copy(lua_State *L, struct tag_arena *a, const char *s, size_t len)
{
    if (a->used + len + 1 > sizeof(a->buf)) {
        luaL_error(L, "tags: longer than %d bytes in all", (int)sizeof(a->buf));
    }
    char *p = a->buf + a->used;
    memcpy(p, s, len);
    p[len] = '\0';
    a->used += len + 1;
    return p;
}

/* Collects tags: the scenario's, scenario, group, then the table at idx (later keys win). */
static size_t collect_tags(lua_State *L, struct tg_vu *vu, int idx, struct tg_tag *t,
                           struct tag_arena *a)
{
    size_t n = 0;
    for (size_t i = 0; vu->scen && i < vu->scen->n_tags; i++) {
        t[n++] = vu->scen->tags[i];
    }
    size_t base = n;
    t[n++] = (struct tg_tag){ "scenario", vu->scenario };
    if (vu->group[0]) {
        t[n++] = (struct tg_tag){ "group", vu->group };
    }
    if (idx == 0 || lua_isnoneornil(L, idx)) {
        return n;
    }
    luaL_checktype(L, idx, LUA_TTABLE);
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        int vt = lua_type(L, -1);
        if (n - base == TAG_MAX || lua_type(L, -2) != LUA_TSTRING ||
            (vt != LUA_TSTRING && vt != LUA_TNUMBER && vt != LUA_TBOOLEAN)) {
            luaL_error(L, "tags: at most %d, with string keys and string values", TAG_MAX - 2);
        }
        size_t kl;
        const char *k = lua_tolstring(L, -2, &kl);
        size_t vl = 0;
        const char *v = vt == LUA_TBOOLEAN ? (lua_toboolean(L, -1) ? "true" : "false")
                                           : lua_tolstring(L, -1, &vl); /* converts a copy */
        if (vt == LUA_TBOOLEAN) {
            vl = strlen(v);
        }
        t[n].key = arena_copy(L, a, k, kl);
        t[n].value = arena_copy(L, a, v, vl);
        n++;
        lua_pop(L, 1);
    }
    return n;
}

int tg_lua_metrics__series(struct tg_rt *rt, uint32_t metric, int tagset)
{
    if (!rt->reg || !rt->bank || !*rt->bank || tagset < 0) {
        return tagset < 0 ? tagset : TG_ENOENT;
    }
    bool created;
    int sid = tg_registry_series(rt->reg, metric, (uint32_t)tagset, &created);
    if (sid >= 0 && created && tg_bank_sync(*rt->bank, rt->reg) < 0) {
        return TG_ENOMEM;
    }
    return sid;
}

void tg_lua_metrics__record_sid(struct tg_rt *rt, uint32_t metric, int sid, double value)
{
    if (sid < 0 || !rt->bank || !*rt->bank) {
        return;
    }
    struct tg_sink *s = tg_bank_sink(*rt->bank, (uint32_t)sid);
    switch (rt->reg->metrics[metric].kind) {
    case TG_KIND_COUNTER:
        tg_sink_add_counter(s, value);
        break;
    case TG_KIND_RATE:
        tg_sink_add_rate(s, value != 0);
        break;
    case TG_KIND_GAUGE:
        tg_sink_add_gauge(s, value, tg_clock_now());
        break;
    case TG_KIND_TREND:
        tg_sink_add_trend_ns(
            s,
            (int64_t)(value * (rt->reg->metrics[metric].contains == TG_CONTAINS_TIME ? 1e6 : 1e3)));
        break;
    }
}

int tg_lua_metrics__record_ts(struct tg_rt *rt, uint32_t metric, int tagset, double value)
{
    int sid = tg_lua_metrics__series(rt, metric, tagset);
    if (sid == TG_ENOENT) {
        return 0; /* no registry: samples are dropped */
    }
    if (sid < 0) {
        return sid;
    }
    tg_lua_metrics__record_sid(rt, metric, sid, value);
    return 0;
}

int tg_lua_metrics__tagset(struct tg_rt *rt, const struct tg_tag *tags, size_t n)
{
    if (!rt->reg) {
        return 0;
    }
    return tg_registry_tagset_of(rt->reg, tags, n);
}

int tg_lua_metrics__record_c(struct tg_rt *rt, uint32_t metric, const struct tg_tag *tags, size_t n,
                             double value)
{
    return tg_lua_metrics__record_ts(rt, metric, tg_lua_metrics__tagset(rt, tags, n), value);
}

void tg_lua_metrics__record(lua_State *L, struct tg_vu *vu, uint32_t metric, int tags_idx,
                            double value)
{
    struct tg_tag tags[TG_LUA_SCENARIO_TAGS + TAG_MAX];
    struct tag_arena arena;
    arena.used = 0;
    size_t n = collect_tags(L, vu, tags_idx, tags, &arena);
    int rc = tg_lua_metrics__record_c(vu->rt, metric, tags, n, value);
    if (rc < 0) {
        luaL_error(L, "metrics: cannot record a sample (%s)",
                   rc == TG_EINVAL ? "a tag holds a reserved byte" : "out of memory");
    }
}

static int l_add(lua_State *L)
{
    struct metric_ud *m = luaL_checkudata(L, 1, mt_name);
    struct tg_vu *vu = tg_runtime__vu(L, "metric:add");
    double v;
    if (lua_type(L, 2) == LUA_TBOOLEAN) {
        v = lua_toboolean(L, 2) ? 1 : 0; /* Rate:add(true) */
    } else {
        v = luaL_checknumber(L, 2);
    }
    tg_lua_metrics__record(L, vu, m->id, lua_isnoneornil(L, 3) ? 0 : 3, v);
    return 0;
}

static int new_metric(lua_State *L, enum tg_metric_kind kind)
{
    struct tg_rt *rt = tg_runtime__of(L);
    const char *name = luaL_checkstring(L, 1);
    enum tg_metric_contains contains =
        kind == TG_KIND_TREND && lua_toboolean(L, 2) ? TG_CONTAINS_TIME : TG_CONTAINS_DEFAULT;
    if (!tg_metric_name_valid(name)) {
        return luaL_error(L, "metric name \"%s\": use letters, digits and _ (2 to 128 of them)",
                          name);
    }
    int id = 0;
    if (rt->reg) {
        id = tg_registry_metric(rt->reg, name, kind, contains);
        if (id < 0) {
            return luaL_error(L, "metric \"%s\" already exists with another type", name);
        }
    }
    struct metric_ud *m = lua_newuserdata(L, sizeof(*m));
    *m = (struct metric_ud){ (uint32_t)id, kind, contains };
    if (luaL_newmetatable(L, mt_name)) {
        lua_newtable(L);
        lua_pushlightuserdata(L, rt);
        lua_pushcclosure(L, l_add, 1);
        lua_setfield(L, -2, "add");
        lua_setfield(L, -2, "__index");
    }
    lua_setmetatable(L, -2);
    return 1;
}

static int l_trend(lua_State *L)
{
    return new_metric(L, TG_KIND_TREND);
}

static int l_rate(lua_State *L)
{
    return new_metric(L, TG_KIND_RATE);
}

static int l_counter(lua_State *L)
{
    return new_metric(L, TG_KIND_COUNTER);
}

static int l_gauge(lua_State *L)
{
    return new_metric(L, TG_KIND_GAUGE);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* check(value, { name = predicate | boolean }, tags) -> true when every check passed */
static int l_check(lua_State *L)
{
    struct tg_vu *vu = tg_runtime__vu(L, "tailgate.check");
    luaL_checktype(L, 2, LUA_TTABLE);
    int tags = lua_isnoneornil(L, 3) ? 0 : 3;
    const char *names[256];
    size_t n = 0;
    lua_pushnil(L);
    while (lua_next(L, 2) != 0) {
        if (lua_type(L, -2) != LUA_TSTRING || n == TG_ARRAY_LEN(names)) {
            return luaL_error(L, "check: checks are a table of name = predicate");
        }
        names[n++] = lua_tostring(L, -2); /* alive: the key is in the table */
        lua_pop(L, 1);
    }
    qsort(names, n, sizeof(names[0]), cmp_str);
    bool all = true;
    for (size_t i = 0; i < n; i++) {
        lua_getfield(L, 2, names[i]);
        if (lua_type(L, -1) == LUA_TFUNCTION) {
            lua_pushvalue(L, 1);
            lua_call(L, 1, 1); /* errors propagate: the iteration fails, as in k6 */
        }
        bool ok = lua_toboolean(L, -1);
        lua_pop(L, 1);
        all = all && ok;
        /* tags: the given ones plus check=name */
        lua_newtable(L);
        if (tags) {
            lua_pushnil(L);
            while (lua_next(L, tags) != 0) {
                lua_pushvalue(L, -2);
                lua_insert(L, -2);
                lua_rawset(L, -4);
            }
        }
        lua_pushstring(L, names[i]);
        lua_setfield(L, -2, "check");
        tg_lua_metrics__record(L, vu, TG_M_CHECKS, lua_gettop(L), ok ? 1 : 0);
        lua_pop(L, 1);
    }
    lua_pushboolean(L, all);
    return 1;
}

/* group_enter(name) -> previous group path; group_leave(prev, t0) records group_duration. */
static int l_group_enter(lua_State *L)
{
    struct tg_vu *vu = tg_runtime__vu(L, "tailgate.group");
    const char *name = luaL_checkstring(L, 1);
    if (strstr(name, "::")) {
        return luaL_error(L, "group names cannot contain \"::\"");
    }
    lua_pushstring(L, vu->group);
    size_t len = strlen(vu->group);
    if (len + 2 + strlen(name) >= sizeof(vu->group)) {
        return luaL_error(L, "groups nested too deeply");
    }
    snprintf(vu->group + len, sizeof(vu->group) - len, "::%s", name);
    lua_pushnumber(L, (lua_Number)tg_clock_now());
    return 2;
}

static int l_group_leave(lua_State *L)
{
    struct tg_vu *vu = tg_runtime__vu(L, "tailgate.group");
    const char *prev = luaL_checkstring(L, 1);
    double t0 = luaL_checknumber(L, 2);
    tg_lua_metrics__record(L, vu, TG_M_GROUP_DURATION, 0, ((double)tg_clock_now() - t0) / 1e6);
    snprintf(vu->group, sizeof(vu->group), "%s", prev);
    return 0;
}

/* group is Lua code around the two C halves, so the function it runs may yield. */
static void push_group(lua_State *L, struct tg_rt *rt)
{
    static const char src[] = "local enter, leave = ...\n"
                              "return function(name, fn)\n"
                              "  local prev, t0 = enter(name)\n"
                              "  local r = { pcall(fn) }\n"
                              "  leave(prev, t0)\n"
                              "  if not r[1] then error(r[2], 0) end\n"
                              "  return unpack(r, 2, table.maxn(r))\n"
                              "end\n";
    if (luaL_loadbuffer(L, src, sizeof(src) - 1, "=tailgate.group") != 0) {
        lua_error(L);
    }
    lua_pushlightuserdata(L, rt);
    lua_pushcclosure(L, l_group_enter, 1);
    lua_pushlightuserdata(L, rt);
    lua_pushcclosure(L, l_group_leave, 1);
    lua_call(L, 2, 1);
}

void tg_lua_metrics__register(lua_State *L, struct tg_rt *rt)
{
    static const struct {
        const char *name;
        lua_CFunction fn;
    } fns[] = {
        { "Trend", l_trend }, { "Rate", l_rate },   { "Counter", l_counter },
        { "Gauge", l_gauge }, { "check", l_check },
    };
    for (size_t i = 0; i < TG_ARRAY_LEN(fns); i++) {
        lua_pushlightuserdata(L, rt);
        lua_pushcclosure(L, fns[i].fn, 1);
        lua_setfield(L, -2, fns[i].name);
    }
    push_group(L, rt);
    lua_setfield(L, -2, "group");
}

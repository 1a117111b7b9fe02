/*
 * lua_http_retry — a request's retry policy from Lua (params.retry, or an
 * http.client's retry as the default):
 *
 *   retry = {
 *     on = { 502, 503, { min = 520, max = 599 }, "timeout", "reset", "refused", "dns" },
 *     max = 3,                                          -- retries after the first attempt
 *     backoff = { initial = "100ms", multiplier = 2, max = "10s", jitter = "full" },
 *     budget = 0.1,                                     -- retries <= 10 % of first attempts
 *   }
 *   retry = true     -- every default          retry = false    -- none (over a client's)
 *
 * Defaults: on = { 502, 503, 504, "timeout", "reset", "refused" }, max = 3,
 * backoff = { initial = "100ms", multiplier = 2, max = "10s", jitter = "full" },
 * no budget. Durations are strings ("250ms") or milliseconds. max = 0 turns
 * retries off. Every mistake is a Lua error naming the field, raised before
 * anything is sent. The policy is copied into the exchange (http_retry.h).
 */
#include "core/units.h"
#include "net/retry_budget.h"
#include "script/internal.h"

#include <lauxlib.h>
#include <string.h>

static const struct tg_http_retry defaults = {
    .max = 3,
    .on = TG_HTTP_RETRY_TIMEOUT | TG_HTTP_RETRY_RESET | TG_HTTP_RETRY_REFUSED,
    .n_status = 1,
    .status = { { 502, 504 } },
    .backoff = { 100 * TG_NS_PER_MS, 2.0, 10 * TG_NS_PER_S, 3, TG_BACKOFF_FULL },
};

static const struct {
    const char *name;
    uint8_t bit;
} classes[] = {
    { "timeout", TG_HTTP_RETRY_TIMEOUT },
    { "reset", TG_HTTP_RETRY_RESET },
    { "refused", TG_HTTP_RETRY_REFUSED },
    { "dns", TG_HTTP_RETRY_DNS },
};

/* A status (integer 100..599) at idx, or a Lua error naming where. */
static uint16_t status_at(lua_State *L, int idx, const char *who, int i, const char *field)
{
    lua_Number v = lua_tonumber(L, idx);
    if (lua_type(L, idx) != LUA_TNUMBER || v != (int)v || v < 100 || v > 599) {
        luaL_error(L, "%s.on[%d]%s must be a status, an integer in 100..599", who, i, field);
    }
    return (uint16_t)v;
}

/* One entry of `on` (at the top of the stack, its index i) into p. */
static void on_entry(lua_State *L, struct tg_http_retry *p, const char *who, int i)
{
    if (lua_type(L, -1) == LUA_TSTRING) {
        const char *s = lua_tostring(L, -1);
        for (size_t k = 0; k < TG_ARRAY_LEN(classes); k++) {
            if (strcmp(s, classes[k].name) == 0) {
                p->on |= classes[k].bit;
                return;
            }
        }
        luaL_error(L,
                   "%s.on[%d]: unknown outcome \"%s\" (a status, {min=, max=}, \"timeout\", "
                   "\"reset\", \"refused\" or \"dns\")",
                   who, i, s);
    }
    if (p->n_status == TG_HTTP_RETRY_STATUS_MAX) {
        luaL_error(L, "%s.on: at most %d statuses or ranges", who, TG_HTTP_RETRY_STATUS_MAX);
    }
    uint16_t lo;
    uint16_t hi;
    if (lua_type(L, -1) == LUA_TTABLE) {
        lua_getfield(L, -1, "min");
        lua_getfield(L, -2, "max");
        lo = status_at(L, -2, who, i, ".min");
        hi = status_at(L, -1, who, i, ".max");
        lua_pop(L, 2);
        if (lo > hi) {
            luaL_error(L, "%s.on[%d]: min is above max", who, i);
        }
    } else {
        lo = hi = status_at(L, -1, who, i, "");
    }
    p->status[p->n_status].lo = lo;
    p->status[p->n_status].hi = hi;
    p->n_status++;
}

static void parse_on(lua_State *L, int t, struct tg_http_retry *p, const char *who)
{
    if (lua_type(L, t) != LUA_TTABLE) {
        luaL_error(L, "%s.on must be a list of statuses and outcomes", who);
    }
    p->on = 0;
    p->n_status = 0;
    int n = (int)lua_objlen(L, t);
    lua_pushnil(L);
    while (lua_next(L, t) != 0) { /* only 1..n: a list, nothing else */
        lua_Number k = lua_type(L, -2) == LUA_TNUMBER ? lua_tonumber(L, -2) : 0;
        if (k != (int)k || k < 1 || k > n) {
            luaL_error(L, "%s.on must be a list (1, 2, ...), not a table with other keys", who);
        }
        lua_pop(L, 1);
    }
    if (n == 0) {
        luaL_error(L, "%s.on is empty: name what to retry, or use retry = false", who);
    }
    for (int i = 1; i <= n; i++) {
        lua_rawgeti(L, t, i);
        on_entry(L, p, who, i);
        lua_pop(L, 1);
    }
}

/* A duration at idx (a string such as "250ms", or milliseconds). */
static tg_ns duration_at(lua_State *L, int idx, const char *who, const char *name)
{
    tg_ns ns = -1;
    if (lua_type(L, idx) == LUA_TNUMBER) {
        double ms = lua_tonumber(L, idx);
        ns = ms >= 0 && ms <= 3600e3 ? (tg_ns)(ms * 1e6) : -1;
    } else if (lua_type(L, idx) == LUA_TSTRING &&
               tg_units_parse_duration(lua_tostring(L, idx), TG_NS_PER_MS, &ns) < 0) {
        ns = -1;
    }
    if (ns < 0) {
        luaL_error(L, "%s.backoff.%s must be a duration such as \"100ms\" (or milliseconds)", who,
                   name);
    }
    return ns;
}

static void parse_backoff(lua_State *L, int t, struct tg_http_retry *p, const char *who)
{
    if (lua_type(L, t) != LUA_TTABLE) {
        luaL_error(L, "%s.backoff must be a table (initial, multiplier, max, jitter)", who);
    }
    struct tg_backoff_policy *b = &p->backoff;
    bool multiplier = false;
    lua_pushnil(L);
    while (lua_next(L, t) != 0) {
        const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?";
        if (strcmp(k, "initial") == 0) {
            b->initial_ns = duration_at(L, -1, who, k);
        } else if (strcmp(k, "max") == 0) {
            b->max_ns = duration_at(L, -1, who, k);
        } else if (strcmp(k, "multiplier") == 0) {
            b->multiplier = lua_type(L, -1) == LUA_TNUMBER ? lua_tonumber(L, -1) : 0;
            multiplier = true;
        } else if (strcmp(k, "jitter") == 0) {
            if (lua_type(L, -1) != LUA_TSTRING ||
                tg_backoff_jitter_parse(lua_tostring(L, -1), &b->jitter) < 0) {
                luaL_error(L,
                           "%s.backoff.jitter must be \"none\", \"full\", \"equal\" or "
                           "\"decorrelated\"",
                           who);
            }
        } else {
            luaL_error(L, "%s.backoff: unknown field \"%s\" (initial, multiplier, max, jitter)",
                       who, k);
        }
        lua_pop(L, 1);
    }
    if (multiplier && b->jitter == TG_BACKOFF_DECORRELATED) {
        luaL_error(L,
                   "%s.backoff.multiplier does not apply to decorrelated jitter (each delay "
                   "is drawn up to 3 times the last)",
                   who);
    }
    const char *why;
    if (!tg_backoff_policy_ok(b, &why)) {
        luaL_error(L, "%s.backoff: %s", who, why);
    }
}

static void parse_field(lua_State *L, const char *k, struct tg_http_retry *p, const char *who)
{
    int v = lua_gettop(L);
    if (strcmp(k, "on") == 0) {
        parse_on(L, v, p, who);
    } else if (strcmp(k, "max") == 0) {
        lua_Number n = lua_tonumber(L, v);
        if (lua_type(L, v) != LUA_TNUMBER || n != (int)n || n < 0 || n > TG_HTTP_RETRY_MAX) {
            luaL_error(L, "%s.max must be an integer in 0..%d (retries after the first attempt)",
                       who, TG_HTTP_RETRY_MAX);
        }
        p->max = (uint8_t)n;
    } else if (strcmp(k, "backoff") == 0) {
        parse_backoff(L, v, p, who);
    } else if (strcmp(k, "budget") == 0) {
        uint32_t m = lua_type(L, v) == LUA_TNUMBER ? tg_retry_budget_milli(lua_tonumber(L, v)) : 0;
        if (m == 0) {
            luaL_error(L, "%s.budget must be a share of first attempts in (0, 10], e.g. 0.1", who);
        }
        p->budget_milli = (uint16_t)m;
    } else {
        luaL_error(L, "%s: unknown field \"%s\" (on, max, backoff, budget)", who, k);
    }
}

/* The policy at idx (a table, true or false) into p; raises on a mistake. */
static void parse(lua_State *L, int idx, struct tg_http_retry *p, const char *who)
{
    int t = lua_type(L, idx);
    if (t == LUA_TBOOLEAN) {
        *p = defaults;
        p->max = lua_toboolean(L, idx) ? p->max : 0;
        return;
    }
    if (t != LUA_TTABLE) {
        luaL_error(L, "%s must be a table, true or false", who);
    }
    *p = defaults;
    idx = idx < 0 ? lua_gettop(L) + idx + 1 : idx;
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        if (lua_type(L, -2) != LUA_TSTRING) {
            luaL_error(L, "%s: fields are named (on = ..., max = ...)", who);
        }
        parse_field(L, lua_tostring(L, -2), p, who);
        lua_pop(L, 1);
    }
    p->backoff.max_attempts = p->max;
}

void tg_lua_http_retry__of(lua_State *L, const struct tg_http_call *c, struct tg_http_xchg *x)
{
    x->attempt = 1;
    x->retry.max = 0;
    const char *who = "http: params.retry";
    int ty = LUA_TNIL;
    if (c->params) {
        lua_getfield(L, c->params, "retry");
        ty = lua_type(L, -1);
        if (ty == LUA_TNIL) {
            lua_pop(L, 1);
        }
    }
    if (ty == LUA_TNIL && c->client) {
        lua_getfield(L, c->client, "retry");
        ty = lua_type(L, -1);
        who = "http.client: retry";
        if (ty == LUA_TNIL) {
            lua_pop(L, 1);
        }
    }
    if (ty == LUA_TNIL) {
        return;
    }
    parse(L, lua_gettop(L), &x->retry, who);
    lua_pop(L, 1);
    if (x->retry.max) {
        tg_backoff_start(&x->backoff, &x->retry.backoff);
    }
}

void tg_lua_http_retry__check(lua_State *L, int idx)
{
    struct tg_http_retry p;
    parse(L, idx, &p, "http.client: retry");
}

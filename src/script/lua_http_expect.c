/*
 * lua_http_expect — which statuses count as success, k6's
 * http.setResponseCallback(http.expectedStatuses(...)) in Lua's words:
 *
 *   local ok = http.expected_statuses(200, 201, { min = 300, max = 399 })
 *   http.set_expected(ok)                 -- init context: this worker's default
 *   http.get(url, { expected = http.expected_statuses(404) })  -- one request
 *   http.set_expected(nil)                -- no http_req_failed, no expected_response tag
 *
 * The default is 200..399, as in k6. An object is a full userdata holding a
 * struct tg_http_expect; a request copies it, so the object may be collected
 * while the request is in flight.
 */
#include "script/internal.h"

#include <lauxlib.h>
#include <string.h>

static const char mt_name[] = "tailgate.http.expected";

/* Reads a status (an integer in 100..599) at the top of the stack. */
static uint16_t status_at(lua_State *L, int idx, const char *what)
{
    lua_Number v = lua_tonumber(L, idx);
    if (lua_type(L, idx) != LUA_TNUMBER || v != (int)v || v < 100 || v > 599) {
        luaL_error(L, "http.expected_statuses: %s must be a status, an integer in 100..599", what);
    }
    return (uint16_t)v;
}

static int l_expected_statuses(lua_State *L)
{
    int n = lua_gettop(L);
    if (n == 0 || n > TG_HTTP_EXPECT_MAX) {
        return luaL_error(L, "http.expected_statuses: give 1 to %d statuses or {min=, max=} ranges",
                          TG_HTTP_EXPECT_MAX);
    }
    struct tg_http_expect e = { .n = (uint8_t)n };
    for (int i = 1; i <= n; i++) {
        if (lua_type(L, i) == LUA_TTABLE) {
            lua_getfield(L, i, "min");
            lua_getfield(L, i, "max");
            e.r[i - 1].lo = status_at(L, -2, "min");
            e.r[i - 1].hi = status_at(L, -1, "max");
            lua_pop(L, 2);
            if (e.r[i - 1].lo > e.r[i - 1].hi) {
                return luaL_error(L, "http.expected_statuses: range %d has min > max", i);
            }
        } else {
            e.r[i - 1].lo = e.r[i - 1].hi = status_at(L, i, "each argument");
        }
    }
    struct tg_http_expect *u = lua_newuserdata(L, sizeof(*u));
    *u = e;
    luaL_getmetatable(L, mt_name);
    lua_setmetatable(L, -2);
    return 1;
}

/* The expected-statuses object at idx, or NULL when it is something else. */
static const struct tg_http_expect *to_expect(lua_State *L, int idx)
{
    const struct tg_http_expect *e = lua_touserdata(L, idx);
    if (!e || !lua_getmetatable(L, idx)) {
        return NULL;
    }
    luaL_getmetatable(L, mt_name);
    bool ok = lua_rawequal(L, -1, -2);
    lua_pop(L, 2);
    return ok ? e : NULL;
}

static int l_set_expected(lua_State *L)
{
    struct tg_rt *rt = tg_runtime__of(L);
    if (rt->current) {
        return luaL_error(L, "http.set_expected can only be called in the init context");
    }
    if (lua_isnoneornil(L, 1)) {
        rt->http->expect = (struct tg_http_expect){ .off = true };
        return 0;
    }
    const struct tg_http_expect *e = to_expect(L, 1);
    if (!e) {
        return luaL_error(L, "http.set_expected: expected an object from "
                             "http.expected_statuses(), or nil");
    }
    rt->http->expect = *e;
    return 0;
}

void tg_lua_http_expect__of(lua_State *L, const struct tg_http_call *c, struct tg_http_xchg *x)
{
    int ty = tg_http_build__field(L, c, "expected");
    if (ty == LUA_TNIL) {
        x->expect = c->rt->http->expect;
    } else {
        const struct tg_http_expect *e = to_expect(L, -1);
        if (!e) {
            luaL_error(L, "http: params.expected must be an object from http.expected_statuses()");
        }
        x->expect = *e;
    }
    lua_pop(L, 1);
}

bool tg_lua_http_expect__is(lua_State *L, int idx)
{
    return to_expect(L, idx) != NULL;
}

void tg_lua_http_expect__register(lua_State *L, struct tg_rt *rt)
{
    luaL_newmetatable(L, mt_name);
    lua_pushstring(L, "expected statuses");
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 1);
    lua_pushlightuserdata(L, rt);
    lua_pushcclosure(L, l_expected_statuses, 1);
    lua_setfield(L, -2, "expected_statuses");
    lua_pushlightuserdata(L, rt);
    lua_pushcclosure(L, l_set_expected, 1);
    lua_setfield(L, -2, "set_expected");
}

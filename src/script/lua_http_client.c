/*
 * lua_http_client — http.client, Locust's self.client for Lua scripts:
 *
 *   local api = http.client {
 *     base_url = "http://127.0.0.1:8080/api",  headers = { Authorization = "Bearer x" },
 *     timeout = "5s",  tags = { service = "api" },  cookies = {},  redirects = 3,
 *     expected = http.expected_statuses(200, 404),
 *     retry = { on = { 503, "timeout" }, max = 2 },  -- see lua_http_retry
 *   }
 *   api:get("/users", params)   api:post("users", body, params)   api:batch { ... }
 *   api.headers["X-Token"] = t                   -- takes effect on the next request
 *
 * A client is a plain table with the options as fields, and its methods are
 * tailgate.http's functions. Each request reads the client's fields then:
 * a path is joined to base_url (an absolute URL is used as given), the
 * client's headers, cookies and tags go under the request's own (the
 * request's win, name by name), and timeout, redirects, expected and retry
 * are defaults for params. Clients may be made in the init context or during an
 * iteration; they hold no connection (the VU's are used).
 */
#include "core/units.h"
#include "script/internal.h"

#include <lauxlib.h>
#include <string.h>

static const char mt_name[] = "tailgate.http.client";

static void check_base_url(lua_State *L, struct tg_rt *rt)
{
    const char *s = lua_tostring(L, -1);
    struct tg_diag d = { "" };
    if (lua_type(L, -1) != LUA_TSTRING || strpbrk(s, "?#")) {
        luaL_error(L, "http.client: base_url must be an http(s) URL without a query");
    }
    if (tg_url_parse(s, rt->url, &d) < 0) {
        luaL_error(L, "http.client: base_url: %s", d.msg);
    }
}

/* Checks the option at the top of the stack, named k. */
static void check_option(lua_State *L, struct tg_rt *rt, const char *k)
{
    int t = lua_type(L, -1);
    tg_ns ns;
    lua_Number n = lua_tonumber(L, -1);
    if (strcmp(k, "base_url") == 0) {
        check_base_url(L, rt);
    } else if (strcmp(k, "headers") == 0 || strcmp(k, "tags") == 0 || strcmp(k, "cookies") == 0) {
        if (t != LUA_TTABLE) {
            luaL_error(L, "http.client: %s must be a table of name = value", k);
        }
    } else if (strcmp(k, "timeout") == 0) {
        if (t != LUA_TNUMBER &&
            (t != LUA_TSTRING ||
             tg_units_parse_duration(lua_tostring(L, -1), TG_NS_PER_MS, &ns) < 0)) {
            luaL_error(L, "http.client: timeout must be a duration such as \"5s\"");
        }
    } else if (strcmp(k, "redirects") == 0) {
        if (t != LUA_TNUMBER || n != (int)n || n < 0 || n > TG_HTTP_REDIRECTS_MAX) {
            luaL_error(L, "http.client: redirects must be an integer in 0..%d",
                       TG_HTTP_REDIRECTS_MAX);
        }
    } else if (strcmp(k, "retry") == 0) {
        tg_lua_http_retry__check(L, lua_gettop(L));
    } else if (strcmp(k, "expected") == 0) {
        if (!tg_lua_http_expect__is(L, -1)) {
            luaL_error(L, "http.client: expected must be an object from "
                          "http.expected_statuses()");
        }
    } else {
        luaL_error(L,
                   "http.client: unknown option \"%s\" (base_url, headers, tags, cookies, "
                   "timeout, redirects, expected, retry)",
                   k);
    }
}

static int l_client(lua_State *L)
{
    struct tg_rt *rt = tg_runtime__of(L);
    if (lua_isnoneornil(L, 1)) {
        lua_newtable(L);
        lua_replace(L, 1);
    }
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    lua_newtable(L);
    lua_pushnil(L);
    while (lua_next(L, 1) != 0) {
        if (lua_type(L, -2) != LUA_TSTRING) {
            return luaL_error(L, "http.client: options are named (base_url = ..., ...)");
        }
        check_option(L, rt, lua_tostring(L, -2));
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_rawset(L, 2);
    }
    static const char *const tables[] = { "headers", "tags", "cookies" };
    for (size_t i = 0; i < TG_ARRAY_LEN(tables); i++) {
        lua_getfield(L, 2, tables[i]);
        if (lua_isnil(L, -1)) {
            lua_newtable(L);
            lua_setfield(L, 2, tables[i]); /* so that c.headers.X = ... works */
        }
        lua_pop(L, 1);
    }
    luaL_getmetatable(L, mt_name);
    lua_setmetatable(L, 2);
    return 1;
}

/* Checks that the method was called on a client (with ':'). */
static void self(lua_State *L, const char *fn)
{
    bool ok = lua_type(L, 1) == LUA_TTABLE && lua_getmetatable(L, 1);
    if (ok) {
        luaL_getmetatable(L, mt_name);
        ok = lua_rawequal(L, -1, -2);
        lua_pop(L, 2);
    }
    if (!ok) {
        luaL_error(L, "client:%s: call it on a client with ':' (c:%s(...))", fn, fn);
    }
}

static int call(lua_State *L, const char *name, const char *method, bool has_body)
{
    self(L, name);
    struct tg_http_call c = { tg_runtime__of(L), method, 2, has_body ? 3 : 0, has_body ? 4 : 3, 1 };
    return tg_lua_http__call(L, &c);
}

static int l_get(lua_State *L)
{
    return call(L, "get", "GET", false);
}

static int l_head(lua_State *L)
{
    return call(L, "head", "HEAD", false);
}

static int l_options(lua_State *L)
{
    return call(L, "options", "OPTIONS", false);
}

static int l_post(lua_State *L)
{
    return call(L, "post", "POST", true);
}

static int l_put(lua_State *L)
{
    return call(L, "put", "PUT", true);
}

static int l_patch(lua_State *L)
{
    return call(L, "patch", "PATCH", true);
}

static int l_del(lua_State *L)
{
    return call(L, "del", "DELETE", true);
}

static int l_request(lua_State *L)
{
    self(L, "request");
    char m[16];
    struct tg_http_call c = { tg_runtime__of(L), tg_lua_http__method(L, 2, m), 3, 4, 5, 1 };
    return tg_lua_http__call(L, &c);
}

static int l_batch(lua_State *L)
{
    self(L, "batch");
    return tg_lua_http_batch__run(L, 2, 1);
}

void tg_lua_http_client__register(lua_State *L, struct tg_rt *rt)
{
    static const struct {
        const char *name;
        lua_CFunction fn;
    } methods[] = {
        { "get", l_get },   { "head", l_head },       { "options", l_options },
        { "post", l_post }, { "put", l_put },         { "patch", l_patch },
        { "del", l_del },   { "request", l_request }, { "batch", l_batch },
    };
    luaL_newmetatable(L, mt_name);
    lua_createtable(L, 0, (int)TG_ARRAY_LEN(methods));
    for (size_t i = 0; i < TG_ARRAY_LEN(methods); i++) {
        lua_pushlightuserdata(L, rt);
        lua_pushcclosure(L, methods[i].fn, 1);
        lua_setfield(L, -2, methods[i].name);
    }
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
    lua_pushlightuserdata(L, rt);
    lua_pushcclosure(L, l_client, 1);
    lua_setfield(L, -2, "client");
}

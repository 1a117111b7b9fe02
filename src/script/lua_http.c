/*
 * lua_http — tailgate.http on VU coroutines; see lua_http.h.
 *
 * A call builds its request into the VU's built-in exchange (http_build),
 * sends it (http_xchg) and yields; the exchange resumes the coroutine with
 * the response once the request, redirects included, is over. The other
 * parts of the module: lua_http_resp (responses and samples), lua_http_expect
 * (expected statuses), lua_http_client (http.client), lua_http_batch
 * (http.batch), lua_http_cookies (the cookie jar).
 */
#include "script/lua_http.h"

#include "script/internal.h"

#include <lauxlib.h>
#include <string.h>

int tg_lua_http__call(lua_State *L, struct tg_http_call *c)
{
    struct tg_vu *vu = tg_runtime__vu(L, "tailgate.http");
    if (c->params && lua_isnoneornil(L, c->params)) {
        c->params = 0;
    } else if (c->params && lua_type(L, c->params) != LUA_TTABLE) {
        luaL_error(L, "http: params must be a table");
    }
    struct tg_http_xchg *x = &vu->http.x0;
    tg_http_build__request(L, x, c);
    vu->http.answered = false;
    if (tg_http_xchg__dispatch(x) < 0) {
        luaL_error(L, "http: too many requests waiting for one name to resolve");
    }
    if (vu->http.answered) {
        vu->http.answered = false;
        struct tg_h1_resp *r = &vu->rt->http->resp;
        bool head = x->keep.head_len && tg_h1_parse_head(x->keep.head, x->keep.head_len, r) > 0;
        tg_lua_http__push_response(L, x, head ? r : NULL);
        return 1;
    }
    return lua_yield(L, 0);
}

/* Upper-cases the method of http.request (and batch entries) into m (16 bytes). */
const char *tg_lua_http__method(lua_State *L, int idx, char *m)
{
    size_t len;
    const char *method = luaL_checklstring(L, idx, &len);
    if (len >= 16) {
        luaL_error(L, "http: method \"%s\" is not an HTTP token", method);
    }
    for (size_t i = 0; i <= len; i++) {
        char ch = method[i];
        m[i] = (char)(ch >= 'a' && ch <= 'z' ? ch - 32 : ch);
    }
    return m;
}

static int simple(lua_State *L, const char *method, bool has_body)
{
    struct tg_http_call c = { tg_runtime__of(L), method, 1, has_body ? 2 : 0, has_body ? 3 : 2, 0 };
    return tg_lua_http__call(L, &c);
}

static int l_request(lua_State *L)
{
    char m[16];
    struct tg_http_call c = { tg_runtime__of(L), tg_lua_http__method(L, 1, m), 2, 3, 4, 0 };
    return tg_lua_http__call(L, &c);
}

static int l_get(lua_State *L)
{
    return simple(L, "GET", false);
}

static int l_head(lua_State *L)
{
    return simple(L, "HEAD", false);
}

static int l_options(lua_State *L)
{
    return simple(L, "OPTIONS", false);
}

static int l_post(lua_State *L)
{
    return simple(L, "POST", true);
}

static int l_put(lua_State *L)
{
    return simple(L, "PUT", true);
}

static int l_patch(lua_State *L)
{
    return simple(L, "PATCH", true);
}

static int l_del(lua_State *L)
{
    return simple(L, "DELETE", true);
}

void tg_lua_http__push(lua_State *L, struct tg_rt *rt)
{
    static const struct {
        const char *name;
        lua_CFunction fn;
    } fns[] = {
        { "request", l_request }, { "get", l_get }, { "head", l_head },   { "options", l_options },
        { "post", l_post },       { "put", l_put }, { "patch", l_patch }, { "del", l_del },
    };
    lua_createtable(L, 0, (int)TG_ARRAY_LEN(fns) + 6);
    for (size_t i = 0; i < TG_ARRAY_LEN(fns); i++) {
        lua_pushlightuserdata(L, rt);
        lua_pushcclosure(L, fns[i].fn, 1);
        lua_setfield(L, -2, fns[i].name);
    }
    tg_lua_http_expect__register(L, rt);
    tg_lua_http_cookies__register(L, rt);
    tg_lua_http_batch__register(L, rt);
    tg_lua_http_client__register(L, rt);
}

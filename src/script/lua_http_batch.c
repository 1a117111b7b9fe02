/*
 * lua_http_batch — http.batch(requests) and client:batch(requests): several
 * requests of one VU in parallel, k6's http.batch:
 *
 *   local rs = http.batch {
 *     { "GET", url },                                   -- method, url, body, params
 *     { method = "POST", url = url2, body = "x", params = { tags = { name = "p" } } },
 *     url3,                                             -- a GET
 *   }
 *   -- rs[1], rs[2], rs[3]; a table with string keys gives responses under the same keys
 *
 * Every request is built (and checked) before any is sent; then they go out
 * on the VU's exchanges, at most TG_HTTP_XCHG_PER_ORIGIN at a time per
 * origin (the others wait for one of them to finish), each on a connection
 * of the VU's own pool (opened on first need and kept alive). The VU yields
 * once and resumes with all the responses. A batch holds at most
 * TG_HTTP_XCHG_MAX requests; more is a Lua error. Each request records its
 * samples (and follows its redirects) as a single call would.
 */
#include "net/errcode.h"
#include "script/internal.h"

#include <lauxlib.h>
#include <string.h>

/* The VU's exchange i if it exists (no allocation). */
static struct tg_http_xchg *existing(struct tg_vu *vu, int i)
{
    if (i == 0) {
        return &vu->http.x0;
    }
    struct tg_http_xchg_more *m = vu->http.more;
    return m && i <= m->n_x ? m->x[i - 1] : NULL;
}

/* Sends queued requests, in order, while their origins have room. */
void tg_lua_http_batch__pump(struct tg_vu *vu)
{
    for (int i = 0; i < TG_HTTP_XCHG_MAX; i++) {
        struct tg_http_xchg *x = existing(vu, i);
        if (!x) {
            break;
        }
        if (x->state != TG_HTTP_XCHG_QUEUED ||
            tg_http_xchg__in_flight(vu, x->origin) >= TG_HTTP_XCHG_PER_ORIGIN) {
            continue;
        }
        x->state = TG_HTTP_XCHG_IDLE;
        if (tg_http_xchg__dispatch(x) < 0) {
            memset(&x->res, 0, sizeof(x->res));
            x->keep.head_len = x->keep.body_len = 0; /* no answer: nothing of the last one */
            x->res.error_code = TG_ERR_DNS;          /* too many requests waiting for one lookup */
            tg_http_xchg__hop_done(x);
        }
    }
}

/* Pushes the batch's results table and lets it go. */
static void push_results(struct tg_vu *vu, lua_State *L)
{
    lua_rawgeti(L, LUA_REGISTRYINDEX, vu->http.batch_ref);
    lua_rawgeti(L, -1, 1);
    lua_remove(L, -2);
    luaL_unref(L, LUA_REGISTRYINDEX, vu->http.batch_ref);
    vu->http.batch_ref = LUA_NOREF;
}

void tg_lua_http_batch__done(struct tg_http_xchg *x, const struct tg_h1_resp *r)
{
    struct tg_vu *vu = x->vu;
    lua_State *L = vu->co;
    lua_rawgeti(L, LUA_REGISTRYINDEX, vu->http.batch_ref); /* { results, keys } */
    lua_rawgeti(L, -1, 1);
    lua_rawgeti(L, -2, 2);
    lua_rawgeti(L, -1, x->batch_key);
    tg_lua_http__push_response(L, x, r);
    lua_settable(L, -4);
    lua_pop(L, 3);
    x->batch_key = -1;
    vu->http.batch_pending--;
    tg_lua_http_batch__pump(vu);
    if (vu->http.batch_pending == 0 && vu->state != TG_VU_RUNNING &&
        vu->http.batch_ref != LUA_NOREF) {
        push_results(vu, L);
        tg_runtime__resume(vu, 1);
    }
}

/* Pushes method, url, body and params of the entry on top (a URL, or a table in either form). */
static void push_entry(lua_State *L, int n)
{
    int e = lua_gettop(L);
    if (lua_type(L, e) == LUA_TSTRING) {
        lua_pushliteral(L, "GET");
        lua_pushvalue(L, e);
        lua_pushnil(L);
        lua_pushnil(L);
        return;
    }
    if (lua_type(L, e) != LUA_TTABLE) {
        luaL_error(L, "http.batch: request %d must be a URL or a table", n);
    }
    lua_rawgeti(L, e, 1);
    bool positional = !lua_isnil(L, -1);
    lua_pop(L, 1);
    static const char *const names[] = { "method", "url", "body", "params" };
    for (int i = 0; i < 4; i++) {
        if (positional) {
            lua_rawgeti(L, e, i + 1);
        } else {
            lua_getfield(L, e, names[i]);
        }
    }
    if (!positional && lua_isnil(L, e + 1)) {
        lua_pushliteral(L, "GET");
        lua_replace(L, e + 1);
    }
    if (lua_type(L, e + 1) != LUA_TSTRING || lua_type(L, e + 2) != LUA_TSTRING) {
        luaL_error(L, "http.batch: request %d needs a method and a URL (strings)", n);
    }
    if (!lua_isnil(L, e + 4) && lua_type(L, e + 4) != LUA_TTABLE) {
        luaL_error(L, "http.batch: request %d: params must be a table", n);
    }
}

/* Builds every request into the VU's exchanges 0..n-1 and records their keys; returns n. */
static int build_all(lua_State *L, struct tg_vu *vu, int reqs, int client, int keys)
{
    int n = 0;
    lua_pushnil(L);
    while (lua_next(L, reqs) != 0) {
        int kt = lua_type(L, -2);
        if (kt != LUA_TNUMBER && kt != LUA_TSTRING) {
            luaL_error(L, "http.batch: requests are keyed by numbers or strings");
        }
        if (n == TG_HTTP_XCHG_MAX) {
            luaL_error(L, "http.batch: at most %d requests in one batch", TG_HTTP_XCHG_MAX);
        }
        struct tg_http_xchg *x = tg_http_xchg__get(vu, n);
        if (!x) {
            luaL_error(L, "http.batch: out of memory");
        }
        lua_pushvalue(L, -2);
        lua_rawseti(L, keys, n + 1);
        int top = lua_gettop(L);
        push_entry(L, n + 1);
        char m[16];
        struct tg_http_call c = { vu->rt,  tg_lua_http__method(L, top + 1, m),  top + 2,
                                  top + 3, lua_isnil(L, top + 4) ? 0 : top + 4, client };
        tg_http_build__request(L, x, &c);
        lua_settop(L, top - 1); /* the key stays for lua_next */
        n++;
    }
    return n;
}

int tg_lua_http_batch__run(lua_State *L, int reqs, int client)
{
    struct tg_vu *vu = tg_runtime__vu(L, "http.batch");
    luaL_checktype(L, reqs, LUA_TTABLE);
    lua_createtable(L, 2, 0); /* { results, keys }, anchored while the batch runs */
    int anchor = lua_gettop(L);
    lua_newtable(L);
    lua_rawseti(L, anchor, 1);
    lua_newtable(L);
    lua_rawseti(L, anchor, 2);
    lua_rawgeti(L, anchor, 2);
    int n = build_all(L, vu, reqs, client, lua_gettop(L));
    lua_pop(L, 1);
    if (n == 0) {
        lua_rawgeti(L, anchor, 1);
        return 1;
    }
    vu->http.batch_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    vu->http.batch_pending = n;
    for (int i = 0; i < n; i++) {
        struct tg_http_xchg *x = existing(vu, i);
        x->batch_key = i + 1;
        x->state = TG_HTTP_XCHG_QUEUED;
    }
    tg_lua_http_batch__pump(vu);
    if (vu->http.batch_pending == 0) { /* all over already (failures found at once) */
        push_results(vu, L);
        return 1;
    }
    return lua_yield(L, 0);
}

static int l_batch(lua_State *L)
{
    return tg_lua_http_batch__run(L, 1, 0);
}

void tg_lua_http_batch__register(lua_State *L, struct tg_rt *rt)
{
    lua_pushlightuserdata(L, rt);
    lua_pushcclosure(L, l_batch, 1);
    lua_setfield(L, -2, "batch");
}

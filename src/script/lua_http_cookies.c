/*
 * lua_http_cookies — each VU's cookie jar (http/cookie_jar): Set-Cookie
 * headers of every response (each hop of a redirect included) are stored,
 * and requests carry the cookies that match them. As in k6 the jar is
 * emptied when the VU starts an iteration. Cookies a server sends beyond the
 * jar's bounds, or that are malformed or not allowed for its host, are
 * dropped and counted in http_cookies_dropped{reason}.
 *
 * http.cookie_jar() gives the running VU's jar to the script, with k6's
 * CookieJar methods in Lua's spelling:
 *   jar:cookies_for_url(url)            -> { name = value, ... }
 *   jar:set(url, name, value, opts)     opts: domain, path, max_age, expires, secure, http_only
 *   jar:delete(url, name)    jar:clear(url)
 */
#include "core/alloc.h"
#include "http/cookie_jar.h"
#include "http/h1_write.h"
#include "script/internal.h"

#include <lauxlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static struct tg_cookie_jar *jar_of(struct tg_vu *vu)
{
    if (!vu->http.jar) {
        vu->http.jar = tg_alloc(sizeof(*vu->http.jar));
        if (vu->http.jar) {
            tg_cookie_jar_init(vu->http.jar);
        }
    }
    return vu->http.jar;
}

static void count_drop(struct tg_vu *vu, const char *reason)
{
    struct tg_rt *rt = vu->rt;
    if (!rt->reg) {
        return;
    }
    int m =
        tg_registry_metric(rt->reg, "http_cookies_dropped", TG_KIND_COUNTER, TG_CONTAINS_DEFAULT);
    if (m < 0) {
        return;
    }
    struct tg_tag t[3];
    size_t n = 0;
    t[n++] = (struct tg_tag){ "scenario", vu->scenario };
    if (vu->group[0]) {
        t[n++] = (struct tg_tag){ "group", vu->group };
    }
    t[n++] = (struct tg_tag){ "reason", reason };
    tg_lua_metrics__record_c(rt, (uint32_t)m, t, n, 1);
}

static const char *drop_reason(int rc)
{
    switch (rc) {
    case TG_EPROTO:
        return "invalid";
    case TG_EINVAL:
        return "domain";
    case TG_E2BIG:
        return "limit";
    default:
        return "no_memory";
    }
}

void tg_lua_http_cookies__store(struct tg_http_xchg *x, const struct tg_h1_resp *r)
{
    struct tg_cookie_url cu = { NULL, 0, NULL, 0, false };
    int64_t now = 0;
    for (size_t i = 0; i < r->num_headers; i++) {
        const struct tg_h1_header *h = &r->headers[i];
        if (h->name.len != 10 || strncasecmp(h->name.ptr, "Set-Cookie", 10) != 0) {
            continue;
        }
        if (!cu.host) {
            struct tg_span t = tg_http_xchg__target(x);
            const char *q = memchr(t.ptr, '?', t.len);
            cu =
                (struct tg_cookie_url){ tg_http_xchg__host(x), strlen(tg_http_xchg__host(x)), t.ptr,
                                        q ? (size_t)(q - t.ptr) : t.len, tg_http_xchg__tls(x) };
            now = (int64_t)time(NULL);
        }
        struct tg_cookie_jar *jar = jar_of(x->vu);
        int rc = jar ? tg_cookie_jar_set(jar, &cu, h->value.ptr, h->value.len, now) : TG_ENOMEM;
        if (rc < 0) {
            count_drop(x->vu, drop_reason(rc));
        }
    }
}

void tg_lua_http_cookies__reset(struct tg_vu *vu)
{
    if (vu->http.jar) {
        tg_cookie_jar_clear(vu->http.jar);
    }
}

/* ---- http.cookie_jar() ------------------------------------------------------------ */

/* The URL at idx as the jar sees it; its parts live in the runtime's scratch URL. */
static struct tg_cookie_url url_arg(lua_State *L, int idx, const char *fn)
{
    struct tg_rt *rt = tg_runtime__of(L);
    struct tg_diag d = { "" };
    if (tg_url_parse(luaL_checkstring(L, idx), rt->url, &d) < 0) {
        luaL_error(L, "%s: %s", fn, d.msg);
    }
    const struct tg_url *u = rt->url;
    const char *q = strchr(u->target, '?');
    return (struct tg_cookie_url){ u->host, strlen(u->host), u->target,
                                   q ? (size_t)(q - u->target) : strlen(u->target), u->tls };
}

static struct tg_cookie_jar *running_jar(lua_State *L, const char *fn)
{
    struct tg_cookie_jar *jar = jar_of(tg_runtime__vu(L, fn));
    if (!jar) {
        luaL_error(L, "%s: out of memory", fn);
    }
    return jar;
}

static int l_cookies_for_url(lua_State *L)
{
    struct tg_cookie_jar *jar = running_jar(L, "jar:cookies_for_url");
    struct tg_cookie_url u = url_arg(L, 2, "jar:cookies_for_url");
    const struct tg_cookie_jar_entry *m[TG_COOKIE_JAR_MAX];
    size_t n = tg_cookie_jar_match(jar, &u, (int64_t)time(NULL), m);
    lua_createtable(L, 0, (int)n);
    for (size_t i = n; i-- > 0;) { /* the first in sending order wins a repeated name */
        lua_pushlstring(L, tg_cookie_jar_value(m[i]), m[i]->value_len);
        lua_setfield(L, -2, tg_cookie_jar_name(m[i]));
    }
    return 1;
}

/* Fills a's options from the table at idx (domain, path, max_age, expires, secure, http_only). */
static void set_options(lua_State *L, int idx, struct tg_cookie_attrs *a)
{
    if (lua_isnoneornil(L, idx)) {
        return;
    }
    luaL_checktype(L, idx, LUA_TTABLE);
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?";
        int vt = lua_type(L, -1);
        size_t len = 0;
        if ((strcmp(k, "domain") == 0 || strcmp(k, "path") == 0) && vt == LUA_TSTRING) {
            const char *v = lua_tolstring(L, -1, &len);
            bool dom = k[0] == 'd';
            struct tg_span s = { v + (dom && v[0] == '.'), len - (dom && v[0] == '.') };
            if (!dom && (len == 0 || v[0] != '/')) {
                luaL_error(L, "jar:set: opts.path must start with '/'");
            }
            *(dom ? &a->domain : &a->path) = s;
        } else if (strcmp(k, "max_age") == 0 && vt == LUA_TNUMBER) {
            a->has_max_age = true;
            a->max_age_s = (int64_t)lua_tonumber(L, -1);
        } else if (strcmp(k, "expires") == 0 && vt == LUA_TSTRING) {
            const char *v = lua_tolstring(L, -1, &len);
            if (tg_cookie_parse_date(v, len, &a->expires_s) < 0) {
                luaL_error(L, "jar:set: opts.expires \"%s\" is not a date", v);
            }
            a->has_expires = true;
        } else if (strcmp(k, "secure") == 0 && vt == LUA_TBOOLEAN) {
            a->secure = lua_toboolean(L, -1);
        } else if (strcmp(k, "http_only") == 0 && vt == LUA_TBOOLEAN) {
            a->http_only = lua_toboolean(L, -1);
        } else {
            luaL_error(L,
                       "jar:set: opts.%s is not an option (domain, path: strings; max_age: "
                       "seconds; expires: a date; secure, http_only: booleans)",
                       k);
        }
        lua_pop(L, 1);
    }
}

static int l_set(lua_State *L)
{
    struct tg_cookie_jar *jar = running_jar(L, "jar:set");
    size_t nl;
    size_t vl;
    const char *name = luaL_checklstring(L, 3, &nl);
    const char *value = luaL_checklstring(L, 4, &vl);
    if (!tg_h1_write_token_ok(name, nl)) {
        return luaL_error(L, "jar:set: cookie name \"%s\" is not a token", name);
    }
    if (!tg_h1_write_value_ok(value, vl) || memchr(value, ';', vl)) {
        return luaL_error(L, "jar:set: the value may not hold ';' or control characters");
    }
    struct tg_cookie_attrs a = { .name = { name, nl }, .value = { value, vl } };
    set_options(L, 5, &a);
    struct tg_cookie_url u = url_arg(L, 2, "jar:set");
    int rc = tg_cookie_jar_store(jar, &u, &a, (int64_t)time(NULL));
    if (rc == TG_EINVAL) {
        return luaL_error(L, "jar:set: domain \"%s\" does not match the URL's host",
                          lua_tostring(L, 2));
    }
    if (rc < 0) {
        return luaL_error(L, "jar:set: the cookie is too large or the jar is full (%d cookies)",
                          TG_COOKIE_JAR_MAX);
    }
    return 0;
}

static int l_delete(lua_State *L)
{
    struct tg_cookie_jar *jar = running_jar(L, "jar:delete");
    const char *name = luaL_checkstring(L, 3);
    struct tg_cookie_url u = url_arg(L, 2, "jar:delete");
    tg_cookie_jar_remove(jar, &u, name, (int64_t)time(NULL));
    return 0;
}

static int l_clear(lua_State *L)
{
    struct tg_cookie_jar *jar = running_jar(L, "jar:clear");
    struct tg_cookie_url u = url_arg(L, 2, "jar:clear");
    tg_cookie_jar_remove(jar, &u, NULL, (int64_t)time(NULL));
    return 0;
}

static int l_cookie_jar(lua_State *L)
{
    tg_runtime__vu(L, "http.cookie_jar");
    lua_pushvalue(L, lua_upvalueindex(2)); /* one methods table; they act on the running VU */
    return 1;
}

void tg_lua_http_cookies__register(lua_State *L, struct tg_rt *rt)
{
    static const struct {
        const char *name;
        lua_CFunction fn;
    } methods[] = {
        { "cookies_for_url", l_cookies_for_url },
        { "set", l_set },
        { "delete", l_delete },
        { "clear", l_clear },
    };
    lua_pushlightuserdata(L, rt);
    lua_createtable(L, 0, (int)TG_ARRAY_LEN(methods));
    for (size_t i = 0; i < TG_ARRAY_LEN(methods); i++) {
        lua_pushlightuserdata(L, rt);
        lua_pushcclosure(L, methods[i].fn, 1);
        lua_setfield(L, -2, methods[i].name);
    }
    lua_pushcclosure(L, l_cookie_jar, 2);
    lua_setfield(L, -2, "cookie_jar");
}

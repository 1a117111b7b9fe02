/*
 * http_build — a script's request, from its call to its bytes: the URL (a
 * client's base_url joined), params and a client's defaults merged (the
 * request's own win, per header, cookie and tag), then the request
 * composed into the exchange's buffer. A redirect's next hop is composed by
 * the same function from the pieces of the previous request (http_redirect).
 *
 * Request layout (the offsets of the script's headers, cookies and body are
 * kept in the exchange):
 *   METHOD SP target SP "HTTP/1.1" CRLF
 *   [Host]  <script's headers>  [User-Agent] [Content-Type] [Content-Length]
 *   [Cookie: <script's cookies> ["; " <the jar's>]]  CRLF  body
 *
 * Every mistake in the call is a Lua error naming the function and the
 * problem, raised before anything is sent. Scratch buffers are the
 * runtime's and are reused: a warm VU allocates nothing here.
 */
#include "core/alloc.h"
#include "core/units.h"
#include "http/cookie_jar.h"
#include "http/h1_write.h"
#include "http/url_ref.h"
#include "script/internal.h"
#include "script/lua_json.h"

#include <lauxlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* ---- growing buffers -------------------------------------------------------------- */

/* Appends to *buf (growing it); false when out of memory. */
static bool append(char **buf, size_t *cap, size_t *len, const char *p, size_t n)
{
    if (n == 0) {
        return true; /* p may be NULL (an empty scratch buffer) */
    }
    if (*len + n > *cap) {
        size_t c = *cap ? *cap : 512;
        while (c < *len + n) {
            c *= 2;
        }
        char *q = tg_realloc(*buf, c, 1);
        if (!q) {
            return false;
        }
        *buf = q;
        *cap = c;
    }
    memcpy(*buf + *len, p, n);
    *len += n;
    return true;
}

struct out {
    char **buf;
    size_t *cap;
    size_t len;
    bool nomem;
};

static void put(struct out *o, const char *p, size_t n)
{
    o->nomem = o->nomem || !append(o->buf, o->cap, &o->len, p, n);
}

static void puts_(struct out *o, const char *s)
{
    put(o, s, strlen(s));
}

/* ---- composing ------------------------------------------------------------------- */

static bool wants_length(const char *method, size_t body_len)
{
    return body_len || strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ||
           strcmp(method, "PATCH") == 0;
}

/* Whether name=... is among the script's cookies ("a=1; b=2"). */
static bool script_has_cookie(struct tg_span cks, const char *name, size_t len)
{
    for (const char *p = cks.ptr, *end = cks.ptr + cks.len; p < end;) {
        const char *eq = memchr(p, '=', (size_t)(end - p));
        if (eq && (size_t)(eq - p) == len && memcmp(p, name, len) == 0) {
            return true;
        }
        const char *semi = memchr(p, ';', (size_t)(end - p));
        p = semi ? semi + 2 : end;
    }
    return false;
}

/* Adds the jar's cookies for u (not those the script sets itself) after the script's. */
static void put_cookies(struct out *o, struct tg_vu *vu, const struct tg_url *u,
                        struct tg_http_xchg *x, struct tg_span cks)
{
    struct tg_cookie_jar *jar = vu->http.jar;
    const struct tg_cookie_jar_entry *m[TG_COOKIE_JAR_MAX];
    size_t n = 0;
    if (jar && jar->n) {
        const char *q = strchr(u->target, '?');
        struct tg_cookie_url cu = { u->host, strlen(u->host), u->target,
                                    q ? (size_t)(q - u->target) : strlen(u->target), u->tls };
        n = tg_cookie_jar_match(jar, &cu, (int64_t)time(NULL), m);
    }
    bool any = cks.len > 0;
    for (size_t i = 0; i < n; i++) {
        any = any || !script_has_cookie(cks, tg_cookie_jar_name(m[i]), m[i]->name_len);
    }
    x->ck_off = 0;
    x->ck_len = 0;
    if (!any) {
        return;
    }
    puts_(o, "Cookie: ");
    x->ck_off = (uint32_t)o->len;
    x->ck_len = (uint32_t)cks.len;
    put(o, cks.ptr, cks.len);
    bool sep = cks.len > 0;
    for (size_t i = 0; i < n; i++) {
        if (script_has_cookie(cks, tg_cookie_jar_name(m[i]), m[i]->name_len)) {
            continue;
        }
        if (sep) {
            put(o, "; ", 2);
        }
        put(o, tg_cookie_jar_name(m[i]), m[i]->name_len);
        put(o, "=", 1);
        put(o, tg_cookie_jar_value(m[i]), m[i]->value_len);
        sep = true;
    }
    put(o, "\r\n", 2);
}

/* v in decimal, into buf (24 bytes); returns buf. */
static const char *decimal(uint64_t v, char *buf)
{
    char tmp[24];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++) {
        buf[i] = tmp[n - 1 - i];
    }
    buf[n] = '\0';
    return buf;
}

int tg_http_build__compose(struct tg_http_xchg *x, const struct tg_http_parts *p, char **buf,
                           size_t *cap, size_t *len)
{
    struct out o = { buf, cap, 0, false };
    const struct tg_url *u = p->u;
    puts_(&o, p->method);
    put(&o, " ", 1);
    puts_(&o, u->target);
    puts_(&o, " HTTP/1.1\r\n");
    char num[24];
    if (!(p->flags & TG_HTTP_F_HOST)) { /* no printf on the request path */
        bool v6 = u->host_is_ipv6;
        bool dflt = (u->tls && u->port == 443) || (!u->tls && u->port == 80);
        puts_(&o, v6 ? "Host: [" : "Host: ");
        puts_(&o, u->host);
        puts_(&o, v6 ? "]" : "");
        if (!dflt) {
            put(&o, ":", 1);
            puts_(&o, decimal((uint64_t)u->port, num));
        }
        puts_(&o, "\r\n");
    }
    x->hdr_off = (uint32_t)o.len;
    x->hdr_len = (uint32_t)p->hdrs.len;
    put(&o, p->hdrs.ptr, p->hdrs.len);
    const char *syn = x->vu->rt->rails.synthetic;
    if (syn) { /* --synthetic-header: on every request, whatever the script sets */
        puts_(&o, syn);
        put(&o, "\r\n", 2);
    }
    if (!(p->flags & TG_HTTP_F_UA)) {
        puts_(&o, "User-Agent: tailgate/0.1\r\n");
    }
    if ((p->flags & TG_HTTP_F_JSON) && !(p->flags & TG_HTTP_F_CT)) {
        puts_(&o, "Content-Type: application/json\r\n");
    }
    if (wants_length(p->method, p->body.len) && !(p->flags & TG_HTTP_F_CL)) {
        puts_(&o, "Content-Length: ");
        puts_(&o, decimal(p->body.len, num));
        puts_(&o, "\r\n");
    }
    put_cookies(&o, x->vu, u, x, p->cks);
    put(&o, "\r\n", 2);
    put(&o, p->body.ptr, p->body.len);
    x->body_len = p->body.len;
    x->flags = p->flags;
    *len = o.len;
    return o.nomem ? TG_ENOMEM : 0;
}

/* ---- from the script's call ------------------------------------------------------- */

/* Pushes params[name], or the client's when params has none (nil when neither). */
static int field(lua_State *L, const struct tg_http_call *c, const char *name)
{
    if (c->params) {
        lua_getfield(L, c->params, name);
        if (!lua_isnil(L, -1)) {
            return lua_type(L, -1);
        }
        lua_pop(L, 1);
    }
    if (c->client) {
        lua_getfield(L, c->client, name);
        return lua_type(L, -1);
    }
    lua_pushnil(L);
    return LUA_TNIL;
}

/* Pushes the table params[name] and the client's (either may be nil); raises on non-tables. */
static void both_tables(lua_State *L, const struct tg_http_call *c, const char *name)
{
    const int idx[2] = { c->params, c->client };
    for (int i = 0; i < 2; i++) {
        if (idx[i]) {
            lua_getfield(L, idx[i], name);
        } else {
            lua_pushnil(L);
        }
        if (!lua_isnil(L, -1) && lua_type(L, -1) != LUA_TTABLE) {
            luaL_error(L, "http: %s.%s must be a table of name = value", i ? "client" : "params",
                       name);
        }
    }
}

/* Whether table t (or nil) has a string key equal to k, ignoring case. */
static bool has_key_nocase(lua_State *L, int t, const char *k)
{
    if (lua_isnil(L, t)) {
        return false;
    }
    bool found = false;
    lua_pushnil(L);
    while (!found && lua_next(L, t) != 0) {
        found = lua_type(L, -2) == LUA_TSTRING && strcasecmp(lua_tostring(L, -2), k) == 0;
        lua_pop(L, 1);
    }
    if (found) {
        lua_pop(L, 1); /* the key lua_next left */
    }
    return found;
}

static void scratch(lua_State *L, char **buf, size_t *cap, size_t *len, const char *p, size_t n)
{
    if (!append(buf, cap, len, p, n)) {
        luaL_error(L, "http: out of memory building the request");
    }
}

/* One header from the table at the top two slots (key, value) into the scratch lines. */
static uint8_t take_header(lua_State *L, struct tg_http_rt *h)
{
    static const char *const special[] = { "Host", "User-Agent", "Content-Type", "Content-Length" };
    size_t kl = 0;
    size_t vl = 0;
    const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tolstring(L, -2, &kl) : NULL;
    int vt = lua_type(L, -1);
    const char *v = (vt == LUA_TSTRING || vt == LUA_TNUMBER) ? lua_tolstring(L, -1, &vl) : NULL;
    if (!k || !tg_h1_write_token_ok(k, kl)) {
        luaL_error(L, "http: header name \"%s\" is not an HTTP token", k ? k : "?");
    }
    if (!v || !tg_h1_write_value_ok(v, vl)) {
        luaL_error(L, "http: header %s: the value must be a string without control characters", k);
    }
    if (strcasecmp(k, "Cookie") == 0) { /* merged with params.cookies into one Cookie line */
        if (h->cks_len) {
            scratch(L, &h->cks, &h->cks_cap, &h->cks_len, "; ", 2);
        }
        scratch(L, &h->cks, &h->cks_cap, &h->cks_len, v, vl);
        return 0;
    }
    uint8_t seen = 0;
    for (size_t i = 0; i < TG_ARRAY_LEN(special); i++) {
        seen |= strcasecmp(k, special[i]) == 0 ? (uint8_t)(1u << i) : 0;
    }
    scratch(L, &h->hdrs, &h->hdrs_cap, &h->hdrs_len, k, kl);
    scratch(L, &h->hdrs, &h->hdrs_cap, &h->hdrs_len, ": ", 2);
    scratch(L, &h->hdrs, &h->hdrs_cap, &h->hdrs_len, v, vl);
    scratch(L, &h->hdrs, &h->hdrs_cap, &h->hdrs_len, "\r\n", 2);
    return seen;
}

/* params.headers, then the client's headers the request does not set; returns TG_HTTP_F_*. */
static uint8_t collect_headers(lua_State *L, const struct tg_http_call *c, struct tg_http_rt *h)
{
    uint8_t seen = 0;
    both_tables(L, c, "headers");
    int top = lua_gettop(L);
    for (int t = top - 1; t <= top; t++) {
        if (lua_isnil(L, t)) {
            continue;
        }
        lua_pushnil(L);
        while (lua_next(L, t) != 0) {
            bool shadowed = t == top && lua_type(L, -2) == LUA_TSTRING &&
                            has_key_nocase(L, top - 1, lua_tostring(L, -2));
            if (!shadowed) {
                seen |= take_header(L, h);
            }
            lua_pop(L, 1);
        }
    }
    lua_pop(L, 2);
    return seen;
}

/* params.cookies, then the client's the request does not set, as "a=1; b=2". */
static void collect_cookies(lua_State *L, const struct tg_http_call *c, struct tg_http_rt *h)
{
    both_tables(L, c, "cookies");
    int top = lua_gettop(L);
    for (int t = top - 1; t <= top; t++) {
        if (lua_isnil(L, t)) {
            continue;
        }
        lua_pushnil(L);
        while (lua_next(L, t) != 0) {
            size_t kl = 0;
            size_t vl = 0;
            const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tolstring(L, -2, &kl) : NULL;
            int vt = lua_type(L, -1);
            const char *v =
                vt == LUA_TSTRING || vt == LUA_TNUMBER ? lua_tolstring(L, -1, &vl) : NULL;
            if (!k || !tg_h1_write_token_ok(k, kl)) {
                luaL_error(L, "http: cookie name \"%s\" is not a token", k ? k : "?");
            }
            if (!v || !tg_h1_write_value_ok(v, vl) || memchr(v, ';', vl)) {
                luaL_error(L, "http: cookies.%s must be a string without ';' or control characters",
                           k);
            }
            bool shadowed = false;
            if (t == top && !lua_isnil(L, top - 1)) {
                lua_getfield(L, top - 1, k);
                shadowed = !lua_isnil(L, -1);
                lua_pop(L, 1);
            }
            if (!shadowed) {
                if (h->cks_len) {
                    scratch(L, &h->cks, &h->cks_cap, &h->cks_len, "; ", 2);
                }
                scratch(L, &h->cks, &h->cks_cap, &h->cks_len, k, kl);
                scratch(L, &h->cks, &h->cks_cap, &h->cks_len, "=", 1);
                scratch(L, &h->cks, &h->cks_cap, &h->cks_len, v, vl);
            }
            lua_pop(L, 1);
        }
    }
    lua_pop(L, 2);
}

/* One tag (key and value at the top of the stack) into the exchange, replacing an earlier one. */
static void take_tag(lua_State *L, struct tg_http_xchg *x, size_t *used)
{
    int vt = lua_type(L, -1);
    if (lua_type(L, -2) != LUA_TSTRING || (vt != LUA_TSTRING && vt != LUA_TNUMBER)) {
        luaL_error(L, "http: params.tags keys and values must be strings");
    }
    size_t kl;
    size_t vl;
    const char *k = lua_tolstring(L, -2, &kl);
    const char *v = lua_tolstring(L, -1, &vl);
    size_t slot = x->n_req_tags;
    for (size_t i = 0; i < x->n_req_tags; i++) {
        slot = strcmp(x->req_tags[i].key, k) == 0 ? i : slot;
    }
    if (slot == TG_ARRAY_LEN(x->req_tags) || *used + kl + vl + 2 > sizeof(x->req_tag_buf)) {
        luaL_error(L, "http: params.tags: too many or too long");
    }
    char *kp = x->req_tag_buf + *used;
    memcpy(kp, k, kl + 1);
    *used += kl + 1;
    char *vp = x->req_tag_buf + *used;
    memcpy(vp, v, vl + 1);
    *used += vl + 1;
    x->req_tags[slot] = (struct tg_tag){ kp, vp };
    x->n_req_tags += slot == x->n_req_tags;
}

/* The client's tags, then params.tags (a request's tag wins). */
static void collect_tags(lua_State *L, const struct tg_http_call *c, struct tg_http_xchg *x)
{
    x->n_req_tags = 0;
    size_t used = 0;
    both_tables(L, c, "tags");
    int top = lua_gettop(L);
    for (int t = top; t >= top - 1; t--) {
        if (lua_isnil(L, t)) {
            continue;
        }
        lua_pushnil(L);
        while (lua_next(L, t) != 0) {
            take_tag(L, x, &used);
            lua_pop(L, 1);
        }
    }
    lua_pop(L, 2);
}

static tg_ns timeout_of(lua_State *L, const struct tg_http_call *c, tg_ns dflt)
{
    tg_ns t = dflt;
    int ty = field(L, c, "timeout");
    if (ty == LUA_TNUMBER) {
        t = (tg_ns)(lua_tonumber(L, -1) * 1e6); /* milliseconds, as in k6 */
    } else if (ty == LUA_TSTRING) {
        if (tg_units_parse_duration(lua_tostring(L, -1), TG_NS_PER_MS, &t) < 0) {
            luaL_error(L, "http: params.timeout \"%s\" is not a duration", lua_tostring(L, -1));
        }
    } else if (ty != LUA_TNIL) {
        luaL_error(L, "http: params.timeout must be a duration such as \"10s\"");
    }
    lua_pop(L, 1);
    return t;
}

static int redirects_of(lua_State *L, const struct tg_http_call *c)
{
    int ty = field(L, c, "redirects");
    lua_Number n = ty == LUA_TNIL ? TG_HTTP_REDIRECTS_DEFAULT : lua_tonumber(L, -1);
    if ((ty != LUA_TNIL && ty != LUA_TNUMBER) || n != (int)n || n < 0 ||
        n > TG_HTTP_REDIRECTS_MAX) {
        luaL_error(L, "http: params.redirects must be an integer in 0..%d", TG_HTTP_REDIRECTS_MAX);
    }
    lua_pop(L, 1);
    return (int)n;
}

/* The body at c->body: a string, a table sent as JSON, or nothing. */
static struct tg_span body_of(lua_State *L, const struct tg_http_call *c, uint8_t *flags)
{
    size_t len = 0;
    if (!c->body || lua_isnoneornil(L, c->body)) {
        return (struct tg_span){ "", 0 };
    }
    if (lua_type(L, c->body) == LUA_TTABLE || tg_lua_shared__is(L, c->body)) {
        tg_lua_json_encode(L, c->body);
        lua_replace(L, c->body);
        *flags |= TG_HTTP_F_JSON;
    }
    if (lua_type(L, c->body) != LUA_TSTRING) {
        luaL_error(L, "http: the body must be a string or a table");
    }
    const char *p = lua_tolstring(L, c->body, &len);
    return (struct tg_span){ p, len };
}

/* The call's absolute URL, parsed into the runtime's scratch URL; copied into buf. */
static void url_of(lua_State *L, const struct tg_http_call *c, char *buf, size_t cap)
{
    const char *url = luaL_checkstring(L, c->url);
    if (c->client) {
        lua_getfield(L, c->client, "base_url");
        if (!lua_isnil(L, -1) && lua_type(L, -1) != LUA_TSTRING) {
            luaL_error(L, "http: client.base_url must be a string");
        }
        const char *base = lua_tostring(L, -1);
        if (base && tg_url_ref_join(base, url, buf, cap) < 0) {
            luaL_error(L, "http: the URL joined to base_url is longer than %d bytes", (int)cap);
        }
        lua_pop(L, 1);
        url = base ? buf : url;
    }
    struct tg_diag d = { "" };
    if (tg_url_parse(url, c->rt->url, &d) < 0) {
        luaL_error(L, "http: %s", d.msg);
    }
    if (url != buf) {
        snprintf(buf, cap, "%s", url);
    }
}

void tg_http_build__set_url(struct tg_http_xchg *x, const char *url)
{
    x->req_key_valid = false; /* a new request or hop */
    size_t n = strlen(url);
    n = n < sizeof(x->url) ? n : sizeof(x->url) - 1; /* the url tag and field; longer is cut */
    memcpy(x->url, url, n);
    x->url[n] = '\0';
}

/*
 * The same plain call as last time (no params, body or client, the same
 * method and URL, no cookies then or now, no redirect followed): the request
 * built then is still exactly right, so it is sent again as it is.
 */
static bool same_as_last(lua_State *L, const struct tg_http_xchg *x, const struct tg_http_call *c)
{
    if (!x->plain || c->params || c->body || c->client || x->redirects_left != x->redirects_max ||
        (x->vu->http.jar && x->vu->http.jar->n > 0) || strcmp(x->method, c->method) != 0) {
        return false;
    }
    const char *url = lua_tostring(L, c->url);
    return url && strcmp(url, x->url) == 0;
}

void tg_http_build__request(lua_State *L, struct tg_http_xchg *x, const struct tg_http_call *c)
{
    struct tg_rt *rt = c->rt;
    struct tg_http_rt *h = rt->http;
    x->attempt = 1;
    if (same_as_last(L, x, c)) {
        return;
    }
    x->plain = false; /* until this build has succeeded */
    if (!tg_h1_write_token_ok(c->method, strlen(c->method)) ||
        strlen(c->method) >= sizeof(x->method)) {
        luaL_error(L, "http: method \"%s\" is not an HTTP token", c->method);
    }
    char url[8448];
    url_of(L, c, url, sizeof(url));
    h->hdrs_len = 0;
    h->cks_len = 0;
    uint8_t flags = collect_headers(L, c, h);
    collect_cookies(L, c, h);
    collect_tags(L, c, x);
    x->timeout_ns = timeout_of(L, c, rt->timeout_ns);
    x->redirects_left = redirects_of(L, c);
    x->redirects_max = x->redirects_left;
    tg_lua_http_expect__of(L, c, x);
    tg_lua_http_retry__of(L, c, x);
    struct tg_span body = body_of(L, c, &flags);
    memcpy(x->method, c->method, strlen(c->method) + 1); /* checked shorter above */
    tg_http_build__set_url(x, url);
    x->origin = tg_http_xchg__origin(rt, rt->url);
    struct tg_http_parts p = { c->method, rt->url, { h->hdrs, h->hdrs_len }, { h->cks, h->cks_len },
                               body,      flags };
    if (!x->origin || tg_http_build__compose(x, &p, &x->req, &x->req_cap, &x->req_len) < 0) {
        luaL_error(L, "http: out of memory building the request");
    }
    x->creq = (struct tg_conn_req){
        x->req,  x->req_len, strcmp(c->method, "HEAD") == 0, x->timeout_ns, rt->connect_timeout_ns,
        &x->keep
    };
    /* a plain call, fully described by its method and URL, may be sent again as built */
    x->plain = !c->params && !c->body && !c->client && h->cks_len == 0 &&
               !(x->vu->http.jar && x->vu->http.jar->n > 0) && strlen(url) < sizeof(x->url) &&
               lua_type(L, c->url) == LUA_TSTRING;
}

/* Pushes the field of params or the client for other files (expected statuses). */
int tg_http_build__field(lua_State *L, const struct tg_http_call *c, const char *name)
{
    return field(L, c, name);
}

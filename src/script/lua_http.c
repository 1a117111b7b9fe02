/*
 * lua_http — tailgate.http on VU coroutines; see lua_http.h.
 */
#include "script/lua_http.h"

#include "core/alloc.h"
#include "core/clock.h"
#include "core/units.h"
#include "http/h1_parse.h"
#include "http/h1_write.h"
#include "net/errcode.h"
#include "script/internal.h"
#include "script/lua_json.h"
#include "script/lua_scenario.h"

#include <lauxlib.h>
#include <stdio.h>
#include <string.h>

/* An origin (scheme, host, port) the script talks to, with its addresses. */
struct tg_origin {
    char host[256];
    int port;
    bool tls;
    bool resolving;
    tg_ns expires; /* resolved until then */
    struct tg_addr addrs[TG_RESOLVE_MAX_ADDRS];
    struct tg_conn_target target;
    struct tg_vu *waiting[64]; /* VUs waiting for the lookup */
    int n_waiting;
    struct tg_resolve_waiter waiter;
    struct tg_origin *next;
};

void tg_lua_http__free_origins(struct tg_rt *rt)
{
    struct tg_origin *o = rt->origins;
    while (o) {
        struct tg_origin *next = o->next;
        tg_free(o);
        o = next;
    }
    rt->origins = NULL;
}

void tg_lua_http__forget(struct tg_vu *vu)
{
    struct tg_origin *o = vu->origin;
    if (!o) {
        return;
    }
    for (int i = 0; i < o->n_waiting; i++) {
        if (o->waiting[i] == vu) {
            o->waiting[i] = o->waiting[--o->n_waiting];
            break;
        }
    }
}

/* ---- the response --------------------------------------------------------- */

static double ms(tg_ns from, tg_ns to)
{
    return (from && to && to > from) ? (double)(to - from) / 1e6 : 0;
}

static void push_headers(lua_State *L, const struct tg_conn_keep *k)
{
    lua_newtable(L);
    struct tg_h1_resp r;
    if (k->head_len == 0 || tg_h1_parse_head(k->head, k->head_len, &r) <= 0) {
        return;
    }
    for (size_t i = 0; i < r.num_headers; i++) {
        lua_pushlstring(L, r.headers[i].name.ptr, r.headers[i].name.len);
        lua_pushlstring(L, r.headers[i].value.ptr, r.headers[i].value.len);
        lua_rawset(L, -3);
    }
}

static void push_timings(lua_State *L, const struct tg_conn_result *r)
{
    lua_createtable(L, 0, 7);
    lua_pushnumber(L, 0);
    lua_setfield(L, -2, "blocked");
    lua_pushnumber(L, ms(r->t_conn_start, r->t_connected));
    lua_setfield(L, -2, "connecting");
    lua_pushnumber(L, r->t_tls_done > r->t_connected ? ms(r->t_connected, r->t_tls_done) : 0);
    lua_setfield(L, -2, "tls_handshaking");
    lua_pushnumber(L, ms(r->t_send_start, r->t_send_end));
    lua_setfield(L, -2, "sending");
    lua_pushnumber(L, ms(r->t_send_end, r->t_first_byte));
    lua_setfield(L, -2, "waiting");
    lua_pushnumber(L, ms(r->t_first_byte, r->t_done));
    lua_setfield(L, -2, "receiving");
    lua_pushnumber(L, ms(r->t_send_start, r->t_done));
    lua_setfield(L, -2, "duration");
}

static int l_json(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_getfield(L, 1, "body");
    size_t len;
    const char *body = lua_tolstring(L, -1, &len);
    if (!body) {
        return luaL_error(L, "response:json(): the response has no body");
    }
    tg_lua_json_decode(L, body, len);
    return 1;
}

static void push_response(lua_State *L, struct tg_vu *vu)
{
    const struct tg_conn_result *r = &vu->conn.res;
    int code = r->error_code ? r->error_code : (r->status >= 400 ? 1000 + r->status : 0);
    lua_createtable(L, 0, 8);
    lua_pushnumber(L, r->error_code ? 0 : r->status);
    lua_setfield(L, -2, "status");
    lua_pushlstring(L, vu->keep.body ? vu->keep.body : "", vu->keep.body_len);
    lua_setfield(L, -2, "body");
    push_headers(L, &vu->keep);
    lua_setfield(L, -2, "headers");
    lua_pushstring(L, vu->url);
    lua_setfield(L, -2, "url");
    lua_pushstring(L, code ? tg_errcode_name(code) : "");
    lua_setfield(L, -2, "error");
    lua_pushnumber(L, code);
    lua_setfield(L, -2, "error_code");
    push_timings(L, r);
    lua_setfield(L, -2, "timings");
    if (luaL_newmetatable(L, "tailgate.http.response")) {
        lua_newtable(L);
        lua_pushcfunction(L, l_json);
        lua_setfield(L, -2, "json");
        lua_setfield(L, -2, "__index");
    }
    lua_setmetatable(L, -2);
}

/* The request's samples: k6's http_* metrics with its system tags plus params.tags. */
static void record_http(struct tg_vu *vu)
{
    const struct tg_conn_result *r = &vu->conn.res;
    int code = r->error_code ? r->error_code : (r->status >= 400 ? 1000 + r->status : 0);
    bool expected = r->error_code == 0 && r->status >= 200 && r->status < 400;
    char status[16];
    char ecode[16];
    snprintf(status, sizeof(status), "%d", r->error_code ? 0 : r->status);
    snprintf(ecode, sizeof(ecode), "%d", code);
    struct tg_tag t[TG_TAGS_MAX];
    size_t n = 0;
    for (size_t i = 0; vu->scen && i < vu->scen->n_tags; i++) {
        t[n++] = vu->scen->tags[i]; /* first: the built-in tags below win over them */
    }
    t[n++] = (struct tg_tag){ "scenario", vu->scenario };
    if (vu->group[0]) {
        t[n++] = (struct tg_tag){ "group", vu->group };
    }
    size_t base = n;
    t[n++] = (struct tg_tag){ "method", vu->method };
    t[n++] = (struct tg_tag){ "url", vu->url };
    t[n++] = (struct tg_tag){ "name", vu->url }; /* params.tags.name, below, replaces it */
    t[n++] = (struct tg_tag){ "proto", "HTTP/1.1" };
    t[n++] = (struct tg_tag){ "status", status };
    t[n++] = (struct tg_tag){ "expected_response", expected ? "true" : "false" };
    if (code) {
        t[n++] = (struct tg_tag){ "error_code", ecode };
    }
    for (size_t i = 0; i < vu->n_req_tags && n < TG_ARRAY_LEN(t); i++) {
        t[n++] = vu->req_tags[i];
    }
    const struct {
        uint32_t metric;
        double v;
    } samples[] = {
        { TG_M_HTTP_REQS, 1 },
        { TG_M_HTTP_REQ_FAILED, expected ? 0 : 1 },
        { TG_M_HTTP_REQ_DURATION, ms(r->t_send_start, r->t_done) },
        { TG_M_HTTP_REQ_BLOCKED, 0 },
        { TG_M_HTTP_REQ_CONNECTING, ms(r->t_conn_start, r->t_connected) },
        { TG_M_HTTP_REQ_TLS_HANDSHAKING,
          r->t_tls_done > r->t_connected ? ms(r->t_connected, r->t_tls_done) : 0 },
        { TG_M_HTTP_REQ_SENDING, ms(r->t_send_start, r->t_send_end) },
        { TG_M_HTTP_REQ_WAITING, ms(r->t_send_end, r->t_first_byte) },
        { TG_M_HTTP_REQ_RECEIVING, ms(r->t_first_byte, r->t_done) },
    };
    int ts = tg_lua_metrics__tagset(vu->rt, t, n); /* once for the nine samples */
    for (size_t i = 0; i < TG_ARRAY_LEN(samples); i++) {
        tg_lua_metrics__record_ts(vu->rt, samples[i].metric, ts, samples[i].v);
    }
    int base_ts = tg_lua_metrics__tagset(vu->rt, t, base);
    tg_lua_metrics__record_ts(vu->rt, TG_M_DATA_SENT, base_ts, (double)r->bytes_sent);
    tg_lua_metrics__record_ts(vu->rt, TG_M_DATA_RECEIVED, base_ts, (double)r->bytes_received);
}

/* Every VU connection's completion: report, then hand the response to the script. */
void tg_lua_http__done(struct tg_conn *c, void *ctx)
{
    (void)c;
    struct tg_vu *vu = ctx;
    struct tg_rt *rt = vu->rt;
    record_http(vu);
    if (rt->hooks.on_http) {
        struct tg_rt_http h = { vu->method, vu->url, &vu->conn.res };
        rt->hooks.on_http(rt->hooks.owner, vu, &h);
    }
    if (vu->state == TG_VU_RUNNING) {
        vu->answered = true; /* the call has not yielded yet: it returns the response itself */
        return;
    }
    push_response(vu->co, vu);
    tg_runtime__resume(vu, 1);
}

/* ---- origins and sending ------------------------------------------------------ */

static void send_now(struct tg_vu *vu)
{
    tg_conn_send(&vu->conn, &vu->origin->target, &vu->creq, tg_clock_now());
}

static void resolved(void *ctx, const struct tg_addr *addrs, int n, int err)
{
    struct tg_origin *o = ctx;
    o->resolving = false;
    o->target.n_addrs = n;
    o->target.addr_pref = 0;
    o->target.resolve_error = err;
    memcpy(o->addrs, addrs, (size_t)n * sizeof(*addrs));
    o->expires = tg_clock_now() + (n ? 300 * TG_NS_PER_S : TG_NS_PER_S);
    int k = o->n_waiting;
    o->n_waiting = 0;
    for (int i = 0; i < k; i++) {
        send_now(o->waiting[i]);
    }
}

static struct tg_origin *origin_for(struct tg_rt *rt, const struct tg_url *u)
{
    for (struct tg_origin *o = rt->origins; o; o = o->next) {
        if (o->port == u->port && o->tls == u->tls && strcmp(o->host, u->host) == 0) {
            return o;
        }
    }
    struct tg_origin *o = tg_calloc(1, sizeof(*o));
    if (!o) {
        return NULL;
    }
    snprintf(o->host, sizeof(o->host), "%s", u->host);
    o->port = u->port;
    o->tls = u->tls;
    o->target.addrs = o->addrs;
    o->target.host = o->host;
    o->target.tls = u->tls ? rt->tls : NULL;
    o->target.tls_verify = rt->tls_verify;
    o->waiter = (struct tg_resolve_waiter){ resolved, o, NULL };
    o->next = rt->origins;
    rt->origins = o;
    return o;
}

/* Sends vu's request to its origin, resolving it first when needed. */
static int dispatch(struct tg_vu *vu)
{
    struct tg_origin *o = vu->origin;
    tg_ns now = tg_clock_now();
    if (!o->resolving && o->expires > now) {
        send_now(vu);
        return 0;
    }
    if ((size_t)o->n_waiting == TG_ARRAY_LEN(o->waiting)) {
        return TG_E2BIG;
    }
    o->waiting[o->n_waiting++] = vu;
    if (!o->resolving) {
        o->resolving = true;
        int rc = tg_resolve_lookup(&vu->rt->resolve, o->host, o->port, &o->waiter, now);
        if (rc < 0) {
            o->resolving = false;
            o->n_waiting--;
            return rc;
        }
    }
    return 0;
}

/* ---- building the request --------------------------------------------------------- */

/* Appends to the VU's request buffer (reused across requests), raising on failure. */
static void put(lua_State *L, struct tg_vu *vu, const char *p, size_t n)
{
    if (vu->req_len + n > vu->req_cap) {
        size_t cap = vu->req_cap ? vu->req_cap : 1024;
        while (cap < vu->req_len + n) {
            cap *= 2;
        }
        char *q = tg_realloc(vu->req, cap, 1);
        if (!q) {
            luaL_error(L, "http: out of memory building the request");
        }
        vu->req = q;
        vu->req_cap = cap;
    }
    memcpy(vu->req + vu->req_len, p, n);
    vu->req_len += n;
}

static void puts_(lua_State *L, struct tg_vu *vu, const char *s)
{
    put(L, vu, s, strlen(s));
}

/* Adds params.headers; returns which of Host/User-Agent/Content-Type/Content-Length it had. */
static unsigned add_headers(lua_State *L, struct tg_vu *vu, int params)
{
    unsigned seen = 0;
    if (params == 0) {
        return 0;
    }
    lua_getfield(L, params, "headers");
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return 0;
    }
    if (lua_type(L, -1) != LUA_TTABLE) {
        luaL_error(L, "http: params.headers must be a table of name = value");
    }
    static const char *const special[] = { "Host", "User-Agent", "Content-Type", "Content-Length" };
    lua_pushnil(L);
    while (lua_next(L, -2) != 0) {
        size_t kl = 0;
        size_t vl = 0;
        const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tolstring(L, -2, &kl) : NULL;
        int vt = lua_type(L, -1);
        const char *v = (vt == LUA_TSTRING || vt == LUA_TNUMBER) ? lua_tolstring(L, -1, &vl) : NULL;
        if (!k || !tg_h1_write_token_ok(k, kl)) {
            luaL_error(L, "http: header name \"%s\" is not an HTTP token", k ? k : "?");
        }
        if (!v || !tg_h1_write_value_ok(v, vl)) {
            luaL_error(L, "http: header %s: the value must be a string without control characters",
                       k);
        }
        for (size_t i = 0; i < TG_ARRAY_LEN(special); i++) {
            if (strcasecmp(k, special[i]) == 0) {
                seen |= 1u << i;
            }
        }
        put(L, vu, k, kl);
        put(L, vu, ": ", 2);
        put(L, vu, v, vl);
        put(L, vu, "\r\n", 2);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return seen;
}

/* Copies params.tags (string keys and values) into the VU for the request's samples. */
static void tags_param(lua_State *L, struct tg_vu *vu, int params)
{
    vu->n_req_tags = 0;
    if (params == 0) {
        return;
    }
    lua_getfield(L, params, "tags");
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return;
    }
    if (lua_type(L, -1) != LUA_TTABLE) {
        luaL_error(L, "http: params.tags must be a table of name = value");
    }
    size_t used = 0;
    lua_pushnil(L);
    while (lua_next(L, -2) != 0) {
        int vt = lua_type(L, -1);
        if (lua_type(L, -2) != LUA_TSTRING || (vt != LUA_TSTRING && vt != LUA_TNUMBER)) {
            luaL_error(L, "http: params.tags keys and values must be strings");
        }
        size_t kl;
        size_t vl;
        const char *k = lua_tolstring(L, -2, &kl);
        const char *v = lua_tolstring(L, -1, &vl);
        if (vu->n_req_tags == TG_ARRAY_LEN(vu->req_tags) ||
            used + kl + vl + 2 > sizeof(vu->req_tag_buf)) {
            luaL_error(L, "http: params.tags: too many or too long");
        }
        char *kp = vu->req_tag_buf + used;
        memcpy(kp, k, kl + 1);
        used += kl + 1;
        char *vp = vu->req_tag_buf + used;
        memcpy(vp, v, vl + 1);
        used += vl + 1;
        vu->req_tags[vu->n_req_tags++] = (struct tg_tag){ kp, vp };
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

static tg_ns timeout_param(lua_State *L, struct tg_rt *rt, int params)
{
    if (params == 0) {
        return rt->timeout_ns;
    }
    lua_getfield(L, params, "timeout");
    tg_ns t = rt->timeout_ns;
    if (lua_type(L, -1) == LUA_TNUMBER) {
        t = (tg_ns)(lua_tonumber(L, -1) * 1e6); /* milliseconds, as in k6 */
    } else if (lua_type(L, -1) == LUA_TSTRING) {
        if (tg_units_parse_duration(lua_tostring(L, -1), TG_NS_PER_MS, &t) < 0) {
            luaL_error(L, "http: params.timeout \"%s\" is not a duration", lua_tostring(L, -1));
        }
    } else if (!lua_isnil(L, -1)) {
        luaL_error(L, "http: params.timeout must be a duration such as \"10s\"");
    }
    lua_pop(L, 1);
    return t;
}

/* Builds the request into vu->req; the body is at index body (0 = none). */
static void build(lua_State *L, struct tg_vu *vu, const char *method, int body, int params)
{
    struct tg_url *u = vu->rt->url;
    size_t blen = 0;
    const char *bytes = NULL;
    bool json = false;
    if (body && (lua_type(L, body) == LUA_TTABLE || tg_lua_shared__is(L, body))) {
        tg_lua_json_encode(L, body);
        lua_replace(L, body);
        json = true;
    }
    if (body && !lua_isnil(L, body)) {
        if (lua_type(L, body) != LUA_TSTRING) {
            luaL_error(L, "http: the body must be a string or a table");
        }
        bytes = lua_tolstring(L, body, &blen);
    }
    vu->req_len = 0;
    puts_(L, vu, method);
    put(L, vu, " ", 1);
    puts_(L, vu, u->target);
    puts_(L, vu, " HTTP/1.1\r\n");
    unsigned seen = add_headers(L, vu, params);
    char line[320];
    if (!(seen & 1u)) {
        char host[300];
        tg_url_host_header(u, host, sizeof(host));
        snprintf(line, sizeof(line), "Host: %s\r\n", host);
        puts_(L, vu, line);
    }
    if (!(seen & 2u)) {
        puts_(L, vu, "User-Agent: tailgate/0.1\r\n");
    }
    if (json && !(seen & 4u)) {
        puts_(L, vu, "Content-Type: application/json\r\n");
    }
    bool wants_len = bytes || strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ||
                     strcmp(method, "PATCH") == 0;
    if (wants_len && !(seen & 8u)) {
        snprintf(line, sizeof(line), "Content-Length: %zu\r\n", blen);
        puts_(L, vu, line);
    }
    put(L, vu, "\r\n", 2);
    if (blen) {
        put(L, vu, bytes, blen);
    }
}

/* The common path of every http function: method, url at 1, body index, params index. */
static int request(lua_State *L, const char *method, int url_idx, int body, int params)
{
    struct tg_vu *vu = tg_runtime__vu(L, "tailgate.http");
    struct tg_rt *rt = vu->rt;
    const char *url = luaL_checkstring(L, url_idx);
    if (params && lua_isnoneornil(L, params)) {
        params = 0;
    } else if (params && lua_type(L, params) != LUA_TTABLE) {
        luaL_error(L, "http: params must be a table");
    }
    if (!tg_h1_write_token_ok(method, strlen(method)) || strlen(method) >= sizeof(vu->method)) {
        luaL_error(L, "http: method \"%s\" is not an HTTP token", method);
    }
    struct tg_diag d = { "" };
    if (tg_url_parse(url, rt->url, &d) < 0) {
        luaL_error(L, "http: %s", d.msg);
    }
    build(L, vu, method, body, params);
    tags_param(L, vu, params);
    snprintf(vu->method, sizeof(vu->method), "%s", method);
    snprintf(vu->url, sizeof(vu->url), "%s", url);
    vu->origin = origin_for(rt, rt->url);
    if (!vu->origin) {
        luaL_error(L, "http: out of memory");
    }
    vu->creq = (struct tg_conn_req){ vu->req,
                                     vu->req_len,
                                     strcmp(method, "HEAD") == 0,
                                     timeout_param(L, rt, params),
                                     rt->connect_timeout_ns,
                                     &vu->keep };
    vu->answered = false;
    if (dispatch(vu) < 0) {
        luaL_error(L, "http: too many requests waiting for one name to resolve");
    }
    if (vu->answered) {
        push_response(L, vu);
        return 1;
    }
    return lua_yield(L, 0);
}

static int l_request(lua_State *L)
{
    const char *method = luaL_checkstring(L, 1);
    char m[16];
    snprintf(m, sizeof(m), "%s", method);
    for (char *p = m; *p; p++) {
        *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
    }
    return request(L, m, 2, 3, 4);
}

static int l_get(lua_State *L)
{
    return request(L, "GET", 1, 0, 2);
}

static int l_head(lua_State *L)
{
    return request(L, "HEAD", 1, 0, 2);
}

static int l_options(lua_State *L)
{
    return request(L, "OPTIONS", 1, 0, 2);
}

static int l_post(lua_State *L)
{
    return request(L, "POST", 1, 2, 3);
}

static int l_put(lua_State *L)
{
    return request(L, "PUT", 1, 2, 3);
}

static int l_patch(lua_State *L)
{
    return request(L, "PATCH", 1, 2, 3);
}

static int l_del(lua_State *L)
{
    return request(L, "DELETE", 1, 2, 3);
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
    lua_createtable(L, 0, (int)TG_ARRAY_LEN(fns));
    for (size_t i = 0; i < TG_ARRAY_LEN(fns); i++) {
        lua_pushlightuserdata(L, rt);
        lua_pushcclosure(L, fns[i].fn, 1);
        lua_setfield(L, -2, fns[i].name);
    }
}

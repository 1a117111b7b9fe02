/*
 * lua_http_resp — what a finished request gives: the response table the
 * script receives, and each hop's samples in k6's http_* metrics.
 *
 * A request that followed redirects records one set of samples per hop (as
 * k6 does) and hands the script the last hop's response, whose url is the
 * final URL. A request retried by its policy (http_retry) records a set
 * per attempt, tagged attempt = 1, 2, ..., and hands the script the last
 * attempt's response with its attempts. Whether a hop was "expected" (the expected_response tag and
 * the http_req_failed sample) follows its exchange's expected statuses; a hop that failed (no
 * response, or tailgate's own redirect errors) never is.
 */
#include "core/clock.h"
#include "net/errcode.h"
#include "script/internal.h"
#include "script/lua_json.h"
#include "script/lua_scenario.h"

#include <lauxlib.h>
#include <stdio.h>
#include <string.h>

static double ms(tg_ns from, tg_ns to)
{
    return (from && to && to > from) ? (double)(to - from) / 1e6 : 0;
}

/* The error_code of the hop: the connection's, tailgate's own, or 1000 + a status >= 400. */
static int code_of(const struct tg_http_xchg *x)
{
    const struct tg_conn_result *r = &x->res;
    if (r->error_code) {
        return r->error_code;
    }
    if (x->error_code) {
        return x->error_code;
    }
    return r->status >= 400 ? 1000 + r->status : 0;
}

static bool expected(const struct tg_http_xchg *x)
{
    if (x->res.error_code || x->error_code) {
        return false;
    }
    for (uint8_t i = 0; i < x->expect.n; i++) {
        if (x->res.status >= x->expect.r[i].lo && x->res.status <= x->expect.r[i].hi) {
            return true;
        }
    }
    return false;
}

static void push_headers(lua_State *L, const struct tg_h1_resp *r)
{
    lua_createtable(L, 0, r ? (int)r->num_headers : 0);
    for (size_t i = 0; r && i < r->num_headers; i++) {
        lua_pushlstring(L, r->headers[i].name.ptr, r->headers[i].name.len);
        lua_pushlstring(L, r->headers[i].value.ptr, r->headers[i].value.len);
        lua_rawset(L, -3);
    }
}

/* The field names, interned once per state: setting a field costs no string hashing. */
enum { K_STATUS, K_BODY, K_HEADERS, K_URL, K_ERROR, K_ERROR_CODE, K_TIMINGS, K_ATTEMPTS };

static const char *const key_names[TG_HTTP_RESP_KEYS] = {
    "status", "body", "headers", "url", "error", "error_code", "timings", "attempts",
};

/* t[key] = the value on top (t at -2 before the call). */
static void set_key(lua_State *L, const struct tg_http_rt *h, int k)
{
    lua_rawgeti(L, LUA_REGISTRYINDEX, h->keys[k]);
    lua_insert(L, -2);
    lua_rawset(L, -3);
}

static void set_num(lua_State *L, const struct tg_http_rt *h, int k, double v)
{
    lua_pushnumber(L, v);
    set_key(L, h, k);
}

/*
 * timings: a small read-only object, not a table, so a response costs one
 * allocation less; fields by name, tostring, tailgate.json and tailgate.pairs
 * (through its __totable) work on it.
 */
static const char *const timing_names[TG_HTTP_TIMINGS] = {
    "blocked", "connecting", "tls_handshaking", "sending", "waiting", "receiving", "duration",
};

struct timings {
    double v[TG_HTTP_TIMINGS];
};

static int timing_index(const char *k)
{
    for (int i = 0; i < TG_HTTP_TIMINGS; i++) {
        if (strcmp(k, timing_names[i]) == 0) {
            return i;
        }
    }
    return -1;
}

static int l_timings_index(lua_State *L)
{
    const struct timings *t = lua_touserdata(L, 1);
    const char *k = lua_tostring(L, 2);
    int i = k ? timing_index(k) : -1;
    if (i < 0) {
        lua_pushnil(L);
    } else {
        lua_pushnumber(L, t->v[i]);
    }
    return 1;
}

static int l_timings_newindex(lua_State *L)
{
    return luaL_error(L, "response timings are read-only");
}

static int l_timings_totable(lua_State *L)
{
    const struct timings *t = lua_touserdata(L, 1);
    lua_createtable(L, 0, TG_HTTP_TIMINGS);
    for (int i = 0; i < TG_HTTP_TIMINGS; i++) {
        lua_pushnumber(L, t->v[i]);
        lua_setfield(L, -2, timing_names[i]);
    }
    return 1;
}

static int l_timings_tostring(lua_State *L)
{
    const struct timings *t = lua_touserdata(L, 1);
    char buf[400];
    size_t n = 0;
    for (int i = 0; i < TG_HTTP_TIMINGS && n < sizeof(buf); i++) {
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s=%g", i ? ", " : "timings{ ",
                              timing_names[i], t->v[i]);
    }
    lua_pushfstring(L, "%s }", buf);
    return 1;
}

static void push_timings(lua_State *L, const struct tg_http_rt *h, const struct tg_conn_result *r)
{
    struct timings *t = lua_newuserdata(L, sizeof(*t));
    t->v[0] = 0;
    t->v[1] = ms(r->t_conn_start, r->t_connected);
    t->v[2] = r->t_tls_done > r->t_connected ? ms(r->t_connected, r->t_tls_done) : 0;
    t->v[3] = ms(r->t_send_start, r->t_send_end);
    t->v[4] = ms(r->t_send_end, r->t_first_byte);
    t->v[5] = ms(r->t_first_byte, r->t_done);
    t->v[6] = ms(r->t_send_start, r->t_done);
    lua_rawgeti(L, LUA_REGISTRYINDEX, h->timings_mt);
    lua_setmetatable(L, -2);
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

/* Interns the field names and makes the metatable, once per state. */
static void prepare(lua_State *L, struct tg_http_rt *h)
{
    for (int i = 0; i < TG_HTTP_RESP_KEYS; i++) {
        lua_pushstring(L, key_names[i]);
        h->keys[i] = luaL_ref(L, LUA_REGISTRYINDEX);
    }
    lua_createtable(L, 0, 1);
    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, l_json);
    lua_setfield(L, -2, "json");
    lua_setfield(L, -2, "__index");
    h->resp_mt = luaL_ref(L, LUA_REGISTRYINDEX);
    static const luaL_Reg timings_mt[] = {
        { "__index", l_timings_index },
        { "__newindex", l_timings_newindex },
        { "__totable", l_timings_totable },
        { "__tostring", l_timings_tostring },
        { NULL, NULL },
    };
    lua_createtable(L, 0, 5);
    for (const luaL_Reg *f = timings_mt; f->name; f++) {
        lua_pushcfunction(L, f->func);
        lua_setfield(L, -2, f->name);
    }
    lua_pushliteral(L, "tailgate.http.timings");
    lua_setfield(L, -2, "__metatable");
    h->timings_mt = luaL_ref(L, LUA_REGISTRYINDEX);
}

void tg_lua_http__push_response(lua_State *L, struct tg_http_xchg *x, const struct tg_h1_resp *r)
{
    struct tg_http_rt *h = x->vu->rt->http;
    if (tg_unlikely(h->resp_mt == LUA_NOREF)) {
        prepare(L, h);
    }
    const struct tg_conn_result *res = &x->res;
    int code = code_of(x);
    lua_createtable(L, 0, TG_HTTP_RESP_KEYS);
    set_num(L, h, K_STATUS, res->error_code ? 0 : res->status);
    lua_pushlstring(L, x->keep.body ? x->keep.body : "", x->keep.body_len);
    set_key(L, h, K_BODY);
    push_headers(L, r);
    set_key(L, h, K_HEADERS);
    lua_pushstring(L, x->url);
    set_key(L, h, K_URL);
    lua_pushstring(L, code ? tg_errcode_name(code) : "");
    set_key(L, h, K_ERROR);
    set_num(L, h, K_ERROR_CODE, code);
    push_timings(L, h, res);
    set_key(L, h, K_TIMINGS);
    set_num(L, h, K_ATTEMPTS, x->attempt);
    lua_rawgeti(L, LUA_REGISTRYINDEX, h->resp_mt);
    lua_setmetatable(L, -2);
}

/* FNV-1a over a string and its terminator, folded into h. */
static uint64_t fold(uint64_t h, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s;; p++) {
        h = (h ^ *p) * 0x100000001b3ULL;
        if (!*p) {
            return h;
        }
    }
}

/* What decides a hop's tag set, as one number: the strings hashed, the rest as is. */
static uint64_t tag_key(struct tg_http_xchg *x, int code, bool ok)
{
    const struct tg_vu *vu = x->vu;
    if (!x->req_key_valid) { /* the request's part: once per built request or hop */
        uint64_t h = 0xcbf29ce484222325ULL;
        h = fold(h, vu->scenario);
        h = fold(h, x->method);
        h = fold(h, x->url);
        for (size_t i = 0; i < x->n_req_tags; i++) {
            h = fold(fold(h, x->req_tags[i].key), x->req_tags[i].value);
        }
        x->req_key = h ^ (uint64_t)(uintptr_t)vu->scen;
        x->req_key_valid = true;
    }
    uint64_t h = fold(x->req_key, vu->group);
    h = (h ^ (uint64_t)(x->retry.max ? x->attempt : 0)) * 0x100000001b3ULL;
    h = (h ^ (uint64_t)(unsigned)x->res.status) * 0x100000001b3ULL;
    h = (h ^ (uint64_t)(unsigned)x->res.error_code) * 0x100000001b3ULL;
    h = (h ^ (uint64_t)(unsigned)code) * 0x100000001b3ULL;
    return (h ^ (uint64_t)(ok | (x->expect.off << 1))) * 0x100000001b3ULL;
}

/* Interns the hop's two tag sets (all tags; the base ones for data_sent/received). */
static void intern_tags(struct tg_http_xchg *x, int code, bool ok, int *ts, int *base_ts)
{
    struct tg_vu *vu = x->vu;
    const struct tg_conn_result *r = &x->res;
    char status[16];
    char ecode[16];
    char attempt[8];
    snprintf(status, sizeof(status), "%d", r->error_code ? 0 : r->status);
    snprintf(ecode, sizeof(ecode), "%d", code);
    snprintf(attempt, sizeof(attempt), "%d", x->attempt);
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
    t[n++] = (struct tg_tag){ "method", x->method };
    t[n++] = (struct tg_tag){ "url", x->url };
    t[n++] = (struct tg_tag){ "name", x->url }; /* params.tags.name, below, replaces it */
    t[n++] = (struct tg_tag){ "proto", "HTTP/1.1" };
    t[n++] = (struct tg_tag){ "status", status };
    if (!x->expect.off) {
        t[n++] = (struct tg_tag){ "expected_response", ok ? "true" : "false" };
    }
    if (code) {
        t[n++] = (struct tg_tag){ "error_code", ecode };
    }
    if (x->retry.max) { /* with a retry policy: which attempt this is */
        t[n++] = (struct tg_tag){ "attempt", attempt };
    }
    for (size_t i = 0; i < x->n_req_tags && n < TG_ARRAY_LEN(t); i++) {
        t[n++] = x->req_tags[i];
    }
    *ts = tg_lua_metrics__tagset(vu->rt, t, n);
    *base_ts = tg_lua_metrics__tagset(vu->rt, t, base);
}

/* The samples of a hop, in this order: the first nine under all its tags, the rest under the base
 * ones. */
static const uint32_t rec_metrics[TG_HTTP_REC_SAMPLES] = {
    TG_M_HTTP_REQ_FAILED,  TG_M_HTTP_REQS,           TG_M_HTTP_REQ_DURATION,
    TG_M_HTTP_REQ_BLOCKED, TG_M_HTTP_REQ_CONNECTING, TG_M_HTTP_REQ_TLS_HANDSHAKING,
    TG_M_HTTP_REQ_SENDING, TG_M_HTTP_REQ_WAITING,    TG_M_HTTP_REQ_RECEIVING,
    TG_M_DATA_SENT,        TG_M_DATA_RECEIVED,
};

void tg_lua_http__record(struct tg_http_xchg *x)
{
    struct tg_vu *vu = x->vu;
    const struct tg_conn_result *r = &x->res;
    int code = code_of(x);
    bool ok = expected(x);
    /* the same request as last time gets the same series: no string work, no lookups */
    uint64_t key = tag_key(x, code, ok);
    struct tg_rt *rt = vu->rt;
    if (key != x->rec_key || !x->rec_valid) {
        int ts;
        int base_ts;
        intern_tags(x, code, ok, &ts, &base_ts);
        x->rec_valid = true;
        for (size_t i = 0; i < TG_ARRAY_LEN(rec_metrics); i++) {
            x->rec_sid[i] = tg_lua_metrics__series(rt, rec_metrics[i], i < 9 ? ts : base_ts);
            x->rec_valid = x->rec_valid && x->rec_sid[i] >= 0;
        }
        x->rec_key = key;
    }
    const double v[TG_ARRAY_LEN(rec_metrics)] = {
        ok ? 0 : 1,
        1,
        ms(r->t_send_start, r->t_done),
        0,
        ms(r->t_conn_start, r->t_connected),
        r->t_tls_done > r->t_connected ? ms(r->t_connected, r->t_tls_done) : 0,
        ms(r->t_send_start, r->t_send_end),
        ms(r->t_send_end, r->t_first_byte),
        ms(r->t_first_byte, r->t_done),
        (double)r->bytes_sent,
        (double)r->bytes_received,
    };
    /* http_req_failed first: skipped when expectations are off */
    for (size_t i = x->expect.off ? 1 : 0; i < TG_ARRAY_LEN(rec_metrics); i++) {
        tg_lua_metrics__record_sid(rt, rec_metrics[i], x->rec_sid[i], v[i]);
    }
}

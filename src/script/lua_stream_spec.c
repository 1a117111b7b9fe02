/*
 * lua_stream_spec — what a ws.connect or sse.connect call's arguments
 * become (the session's spec: URL, Host, target, header lines, tags,
 * timeout, checked once, where the script can be told), the sessions'
 * samples, their common fields, and the modules' registration; see
 * lua_stream.h.
 *
 * Samples carry the tags an HTTP request's do: the scenario's tags,
 * scenario, group (as it was when the session opened), url, name (the URL,
 * or params.tags.name), status (of the handshake) and params.tags; failures
 * add error_code. The open session's tag set and its message counters'
 * series are interned once, when it opens.
 */
#include "script/lua_stream.h"

#include "core/alloc.h"
#include "core/units.h"
#include "http/h1_write.h"
#include "net/errcode.h"
#include "script/lua_scenario.h"

#include <lauxlib.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define URL_TAG_MAX 2047 /* the url tag is cut there, as an HTTP request's */

/* ---- the spec ------------------------------------------------------------------------- */

/* Appends strings into one block; offsets survive its reallocations. */
struct builder {
    char *buf;
    size_t len;
    size_t cap;
    bool nomem;
    char **owner; /* where the block is kept at every step: a Lua error cannot leak it */
};

static size_t put(struct builder *b, const char *p, size_t n, bool end)
{
    size_t at = b->len;
    size_t need = b->len + n + (end ? 1 : 0);
    if (need > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 512;
        while (cap < need) {
            cap *= 2;
        }
        char *q = tg_realloc(b->buf, cap, 1);
        if (!q) {
            b->nomem = true;
            return at;
        }
        b->buf = q;
        b->cap = cap;
        *b->owner = q;
    }
    memcpy(b->buf + b->len, p, n);
    b->len += n;
    if (end) {
        b->buf[b->len++] = '\0';
    }
    return at;
}

static size_t put_str(struct builder *b, const char *s)
{
    return put(b, s, strlen(s), true);
}

/* The offsets of the spec's strings in the block, until it stops moving. */
struct spec_offs {
    size_t url, name, group, host, target;
    size_t hdr[TG_LUA_STREAM_HDRS + 1];
    size_t tag_k[TG_LUA_STREAM_TAGS];
    size_t tag_v[TG_LUA_STREAM_TAGS];
    bool has_name;
};

/* The call's URL, checked and parsed into rt->url; its url tag into the block. */
static void url_of(lua_State *L, struct tg_lua_stream *s, const char *what, int idx, bool ws,
                   struct builder *b, struct spec_offs *o)
{
    size_t len;
    const char *url = luaL_checklstring(L, idx, &len);
    char mapped[8448];
    const char *parse = url;
    if (ws) { /* ws:// and wss:// are http:// and https:// with an upgrade */
        bool tls = strncasecmp(url, "wss://", 6) == 0;
        if (!tls && strncasecmp(url, "ws://", 5) != 0) {
            luaL_error(L, "%s: the URL must start with ws:// or wss:// (got \"%s\")", what, url);
        }
        if (len + 2 >= sizeof(mapped)) {
            luaL_error(L, "%s: the URL is longer than %d bytes", what, (int)sizeof(mapped) - 3);
        }
        (void)snprintf(mapped, sizeof(mapped), "%s%s", tls ? "https" : "http", url + (tls ? 3 : 2));
        parse = mapped;
    }
    struct tg_diag d = { "" };
    if (tg_url_parse(parse, s->rt->url, &d) < 0) {
        luaL_error(L, "%s: %s", what, d.msg);
    }
    o->url = put(b, url, TG_MIN(len, (size_t)URL_TAG_MAX), true);
    char host[300];
    tg_url_host_header(s->rt->url, host, sizeof(host));
    o->host = put_str(b, host);
    o->target = put_str(b, s->rt->url->target);
}

/* One header of params.headers (key and value on top) as a "Name: value" line. */
static void take_header(lua_State *L, const char *what, bool ws, struct builder *b,
                        struct spec_offs *o, size_t *n)
{
    size_t kl = 0;
    size_t vl = 0;
    const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tolstring(L, -2, &kl) : NULL;
    int vt = lua_type(L, -1);
    const char *v = vt == LUA_TSTRING || vt == LUA_TNUMBER ? lua_tolstring(L, -1, &vl) : NULL;
    if (!k || !tg_h1_write_token_ok(k, kl)) {
        luaL_error(L, "%s: header name \"%s\" is not an HTTP token", what, k ? k : "?");
    }
    if (!v || !tg_h1_write_value_ok(v, vl)) {
        luaL_error(L, "%s: header %s: the value must be a string without control characters", what,
                   k);
    }
    static const char *const framing[] = { "Content-Length", "Transfer-Encoding", "Connection",
                                           "Upgrade" };
    for (size_t i = 0; !ws && i < TG_ARRAY_LEN(framing); i++) {
        if (strcasecmp(k, framing[i]) == 0) {
            luaL_error(L, "%s: header %s is the stream's own; it cannot be set", what, k);
        }
    }
    if (*n == TG_LUA_STREAM_HDRS) {
        luaL_error(L, "%s: at most %d headers", what, TG_LUA_STREAM_HDRS);
    }
    size_t at = put(b, k, kl, false);
    put(b, ": ", 2, false);
    put(b, v, vl, true);
    o->hdr[(*n)++] = at;
    struct tg_diag d = { "" };
    const char *line = b->buf + at;
    if (ws && !b->nomem && tg_ws_handshake_check_headers(&line, 1, &d) < 0) {
        luaL_error(L, "%s: %s", what, d.msg); /* one the handshake owns */
    }
}

static void headers_of(lua_State *L, struct tg_lua_stream *s, const char *what, bool ws,
                       struct builder *b, struct spec_offs *o)
{
    size_t n = 0;
    if (!lua_isnil(L, -1)) {
        if (lua_type(L, -1) != LUA_TTABLE) {
            luaL_error(L, "%s: params.headers must be a table of name = value", what);
        }
        lua_pushnil(L);
        while (lua_next(L, -2) != 0) {
            take_header(L, what, ws, b, o, &n);
            lua_pop(L, 1);
        }
    }
    const char *syn = s->rt->rails.synthetic;
    if (syn) { /* --synthetic-header: on every handshake, whatever the script sets */
        o->hdr[n++] = put_str(b, syn);
    }
    s->n_hdr = n;
}

static void tags_of(lua_State *L, struct tg_lua_stream *s, const char *what, struct builder *b,
                    struct spec_offs *o)
{
    size_t n = 0;
    if (!lua_isnil(L, -1)) {
        if (lua_type(L, -1) != LUA_TTABLE) {
            luaL_error(L, "%s: params.tags must be a table of name = value", what);
        }
        lua_pushnil(L);
        while (lua_next(L, -2) != 0) {
            int vt = lua_type(L, -1);
            if (lua_type(L, -2) != LUA_TSTRING || (vt != LUA_TSTRING && vt != LUA_TNUMBER)) {
                luaL_error(L, "%s: params.tags keys and values must be strings", what);
            }
            if (n == TG_LUA_STREAM_TAGS) {
                luaL_error(L, "%s: at most %d tags", what, TG_LUA_STREAM_TAGS);
            }
            const char *k = lua_tostring(L, -2);
            o->tag_k[n] = put_str(b, k);
            o->tag_v[n] = put_str(b, lua_tostring(L, -1));
            if (strcmp(k, "name") == 0) {
                o->has_name = true;
                o->name = o->tag_v[n];
            }
            n++;
            lua_pop(L, 1);
        }
    }
    s->n_tags = n;
}

static tg_ns timeout_of(lua_State *L, struct tg_lua_stream *s, const char *what)
{
    tg_ns t = s->rt->timeout_ns;
    int ty = lua_type(L, -1);
    if (ty == LUA_TNUMBER) {
        t = (tg_ns)(lua_tonumber(L, -1) * 1e6); /* milliseconds, as in k6 */
    } else if (ty == LUA_TSTRING) {
        if (tg_units_parse_duration(lua_tostring(L, -1), TG_NS_PER_MS, &t) < 0) {
            luaL_error(L, "%s: params.timeout \"%s\" is not a duration", what, lua_tostring(L, -1));
        }
    } else if (ty != LUA_TNIL) {
        luaL_error(L, "%s: params.timeout must be a duration such as \"10s\"", what);
    }
    if (t <= 0) {
        luaL_error(L, "%s: params.timeout must be more than 0", what);
    }
    return t;
}

/* Raises on a key of params that is not an option. */
static void check_keys(lua_State *L, int params, const char *what, const char *const *extra)
{
    lua_pushnil(L);
    while (lua_next(L, params) != 0) {
        const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
        bool ok =
            k && (strcmp(k, "headers") == 0 || strcmp(k, "tags") == 0 || strcmp(k, "timeout") == 0);
        for (size_t i = 0; k && extra && extra[i] && !ok; i++) {
            ok = strcmp(k, extra[i]) == 0;
        }
        if (!ok) {
            luaL_error(L, "%s: params.%s is not an option (headers, tags, timeout%s%s)", what,
                       k ? k : "?", extra && extra[0] ? ", " : "", extra ? extra[0] : "");
        }
        lua_pop(L, 1);
    }
}

/* Points the spec's fields into the finished block. */
static void fix_spec(struct tg_lua_stream *s, const struct spec_offs *o, char *blk)
{
    s->spec = blk;
    s->url = blk + o->url;
    s->name = blk + (o->has_name ? o->name : o->url);
    s->group = blk + o->group;
    s->host = blk + o->host;
    s->target = blk + o->target;
    for (size_t i = 0; i < s->n_hdr; i++) {
        s->hdr[i] = blk + o->hdr[i];
    }
    for (size_t i = 0; i < s->n_tags; i++) {
        s->tags[i] = (struct tg_tag){ blk + o->tag_k[i], blk + o->tag_v[i] };
    }
}

void tg_lua_stream__spec(lua_State *L, struct tg_lua_stream *s, const char *what, int url,
                         int params, const char *const *extra)
{
    bool ws = s->proto->kind == 0;
    if (!lua_isnoneornil(L, params) && lua_type(L, params) != LUA_TTABLE) {
        luaL_error(L, "%s: params must be a table", what);
    }
    bool has = lua_type(L, params) == LUA_TTABLE;
    if (has) {
        check_keys(L, params, what, extra);
    }
    tg_free(s->spec); /* an open that runs again keeps nothing of the last call's */
    s->spec = NULL;
    struct builder b = { NULL, 0, 0, false, &s->spec };
    struct spec_offs o = { 0 };
    url_of(L, s, what, url, ws, &b, &o);
    s->origin = tg_http_xchg__origin(s->rt, s->rt->url);
    o.group = put_str(&b, s->vu->group);
    const char *const keys[3] = { "headers", "tags", "timeout" };
    for (int i = 0; i < 3; i++) {
        if (has) {
            lua_getfield(L, params, keys[i]);
        } else {
            lua_pushnil(L);
        }
        if (i == 0) {
            headers_of(L, s, what, ws, &b, &o);
        } else if (i == 1) {
            tags_of(L, s, what, &b, &o);
        } else {
            s->timeout_ns = timeout_of(L, s, what);
        }
        lua_pop(L, 1);
    }
    if (b.nomem || !s->origin) {
        luaL_error(L, "%s: out of memory", what); /* the block is s->spec: freed with s */
    }
    fix_spec(s, &o, b.buf);
}

/* A receive's timeout at idx: milliseconds or a duration string; nil: dflt. */
tg_ns tg_lua_stream__timeout(lua_State *L, int idx, tg_ns dflt, const char *what)
{
    tg_ns t = dflt;
    int ty = lua_type(L, idx);
    if (ty == LUA_TNUMBER) {
        double ms = lua_tonumber(L, idx);
        if (!(ms >= 0 && ms < 1e12)) {
            luaL_error(L, "%s: the timeout must be milliseconds >= 0", what);
        }
        t = (tg_ns)(ms * 1e6);
    } else if (ty == LUA_TSTRING) {
        if (tg_units_parse_duration(lua_tostring(L, idx), TG_NS_PER_MS, &t) < 0) {
            luaL_error(L, "%s: timeout \"%s\" is not a duration", what, lua_tostring(L, idx));
        }
    } else if (ty != LUA_TNIL && ty != LUA_TNONE) {
        luaL_error(L, "%s: the timeout must be a duration such as \"2s\" or milliseconds", what);
    }
    return t;
}

/* ---- samples ------------------------------------------------------------------------- */

static int metric_of(const struct tg_lua_stream *s, int m)
{
    const struct tg_lua_stream_rt *sr = s->rt->streams;
    return sr ? sr->metric[s->proto->kind][m] : -1;
}

/* The tags every sample of s has, then status, error_code (when code) and params.tags. */
static size_t tags_for(const struct tg_lua_stream *s, struct tg_tag *t, bool base_only,
                       char *status, char *ecode, int code)
{
    size_t n = 0;
    const struct tg_vu *vu = s->vu;
    for (size_t i = 0; vu && vu->scen && i < vu->scen->n_tags; i++) {
        t[n++] = vu->scen->tags[i]; /* first: the built-in tags below win over them */
    }
    t[n++] = (struct tg_tag){ "scenario", vu ? vu->scenario : "default" };
    if (s->group[0]) {
        t[n++] = (struct tg_tag){ "group", s->group };
    }
    if (base_only) {
        return n;
    }
    (void)snprintf(status, 16, "%d", s->status);
    t[n++] = (struct tg_tag){ "url", s->url };
    t[n++] = (struct tg_tag){ "name", s->name };
    t[n++] = (struct tg_tag){ "status", status };
    if (code) {
        (void)snprintf(ecode, 16, "%d", code);
        t[n++] = (struct tg_tag){ "error_code", ecode };
    }
    for (size_t i = 0; i < s->n_tags; i++) {
        t[n++] = s->tags[i];
    }
    return n;
}

void tg_lua_stream__opened(struct tg_lua_stream *s)
{
    struct tg_tag t[TG_TAGS_MAX];
    char status[16];
    char ecode[16];
    size_t n = tags_for(s, t, false, status, ecode, 0);
    s->tagset = tg_lua_metrics__tagset(s->rt, t, n);
    int sent = metric_of(s, TG_LUA_STREAM_M_SENT);
    int recv = metric_of(s, TG_LUA_STREAM_M_RECEIVED);
    s->sid_sent = sent >= 0 ? tg_lua_metrics__series(s->rt, (uint32_t)sent, s->tagset) : -1;
    s->sid_recv = recv >= 0 ? tg_lua_metrics__series(s->rt, (uint32_t)recv, s->tagset) : -1;
}

void tg_lua_stream__record(struct tg_lua_stream *s, int m, double v)
{
    int id = metric_of(s, m);
    if (id < 0 || s->tagset < 0) {
        return;
    }
    if (m == TG_LUA_STREAM_M_SENT || m == TG_LUA_STREAM_M_RECEIVED) {
        tg_lua_metrics__record_sid(s->rt, (uint32_t)id,
                                   m == TG_LUA_STREAM_M_SENT ? s->sid_sent : s->sid_recv, v);
        return;
    }
    (void)tg_lua_metrics__record_ts(s->rt, (uint32_t)id, s->tagset, v);
}

void tg_lua_stream__error(struct tg_lua_stream *s, int code)
{
    if (s->error_code == 0) {
        s->error_code = code;
    }
    int id = metric_of(s, TG_LUA_STREAM_M_ERRORS);
    if (id < 0) {
        return;
    }
    struct tg_tag t[TG_TAGS_MAX];
    char status[16];
    char ecode[16];
    size_t n = tags_for(s, t, false, status, ecode, code);
    (void)tg_lua_metrics__record_c(s->rt, (uint32_t)id, t, n, 1);
}

void tg_lua_stream__bytes(struct tg_lua_stream *s, uint64_t sent, uint64_t received)
{
    struct tg_tag t[TG_TAGS_MAX];
    size_t n = tags_for(s, t, true, NULL, NULL, 0);
    int ts = tg_lua_metrics__tagset(s->rt, t, n);
    (void)tg_lua_metrics__record_ts(s->rt, TG_M_DATA_SENT, ts, (double)sent);
    (void)tg_lua_metrics__record_ts(s->rt, TG_M_DATA_RECEIVED, ts, (double)received);
}

/* ---- common fields and checks ------------------------------------------------------------ */

struct tg_lua_stream *tg_lua_stream__check(lua_State *L, const struct tg_lua_stream_proto *p,
                                           const char *what)
{
    struct tg_lua_stream *s = luaL_checkudata(L, 1, p->mt);
    struct tg_vu *vu = tg_runtime__vu(L, what);
    if (s->vu && s->vu != vu) {
        luaL_error(L, "%s: the session belongs to another VU", what);
    }
    return s;
}

bool tg_lua_stream__field(lua_State *L, const struct tg_lua_stream *s, const char *k)
{
    if (strcmp(k, "closed") == 0) {
        lua_pushboolean(L, s->phase == TG_LUA_STREAM_CLOSED || s->phase == TG_LUA_STREAM_IDLE);
    } else if (strcmp(k, "status") == 0) {
        lua_pushinteger(L, s->status);
    } else if (strcmp(k, "error_code") == 0) {
        lua_pushinteger(L, s->error_code);
    } else if (strcmp(k, "error") == 0) {
        lua_pushstring(L, s->error_code ? tg_errcode_name(s->error_code) : "");
    } else if (strcmp(k, "url") == 0) {
        lua_pushstring(L, s->url ? s->url : "");
    } else {
        return false;
    }
    return true;
}

/* ---- registration ---------------------------------------------------------------------- */

/* package.preload loader: registers the kind's metrics, then returns its module table. */
static int load(lua_State *L)
{
    struct tg_rt *rt = lua_touserdata(L, lua_upvalueindex(1));
    const struct tg_lua_stream_proto *p = lua_touserdata(L, lua_upvalueindex(2));
    for (int m = 0; rt->reg && m < TG_LUA_STREAM_M_COUNT; m++) {
        if (!p->metrics[m]) {
            continue;
        }
        bool trend = m == TG_LUA_STREAM_M_CONNECTING || m == TG_LUA_STREAM_M_DURATION ||
                     m == TG_LUA_STREAM_M_PING;
        int id = tg_registry_metric(rt->reg, p->metrics[m], trend ? TG_KIND_TREND : TG_KIND_COUNTER,
                                    trend ? TG_CONTAINS_TIME : TG_CONTAINS_DEFAULT);
        if (id < 0) {
            return luaL_error(L, "%s: cannot register the metric %s", p->what, p->metrics[m]);
        }
        rt->streams->metric[p->kind][m] = id;
    }
    lua_pushvalue(L, lua_upvalueindex(3));
    return 1;
}

static void preload(lua_State *L, struct tg_rt *rt, const struct tg_lua_stream_proto *p,
                    const char *name)
{
    /* the module table is on top of the stack */
    lua_getglobal(L, "package");
    lua_getfield(L, -1, "preload");
    lua_pushlightuserdata(L, rt);
    lua_pushlightuserdata(L, (void *)(uintptr_t)p);
    lua_pushvalue(L, -5);
    lua_pushcclosure(L, load, 3);
    lua_setfield(L, -2, name);
    lua_pop(L, 3);
}

int tg_lua_stream__register(lua_State *L, struct tg_rt *rt)
{
    rt->streams = tg_calloc(1, sizeof(*rt->streams));
    if (!rt->streams) {
        return TG_ENOMEM;
    }
    for (size_t k = 0; k < 2; k++) {
        for (size_t m = 0; m < TG_LUA_STREAM_M_COUNT; m++) {
            rt->streams->metric[k][m] = -1;
        }
    }
    if (RAND_bytes((unsigned char *)&rt->streams->rng, sizeof(rt->streams->rng)) != 1) {
        rt->streams->rng = (uint64_t)(uintptr_t)rt ^ 0x9e3779b97f4a7c15ULL;
    }
    tg_lua_ws__module(L, rt);
    preload(L, rt, &tg_lua_ws__proto, "tailgate.ws");
    tg_lua_sse__module(L, rt);
    preload(L, rt, &tg_lua_sse__proto, "tailgate.sse");
    return 0;
}

void tg_lua_stream__rt_fini(struct tg_rt *rt)
{
    if (rt->streams) {
        tg_free(rt->streams->wbuf);
        tg_free(rt->streams);
        rt->streams = NULL;
    }
}

uint64_t tg_lua_stream__random(struct tg_rt *rt)
{
    uint64_t z = (rt->streams->rng += UINT64_C(0x9E3779B97F4A7C15)); /* splitmix64 */
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/*
 * lua_sse — tailgate.sse, server-sent event streams for scripts:
 *   local sse = require "tailgate.sse"
 *   local st = sse.connect("http://127.0.0.1:8080/sse/ticks",
 *                          { headers = ..., tags = ..., timeout = "5s", last_event_id = "41" })
 *   st:receive(timeout) -> { id = "42", event = "message", data = "...", retry = 3000 | nil,
 *                            time = arrival, ms since the epoch }
 *                          or nil, "timeout" | "closed"
 *   st:close()
 *   st.status, st.error, st.error_code, st.closed, st.last_event_id, st.retry, st.url
 * The session's life (open, queue, waits, end) is lua_stream.c's; this file
 * is the protocol: a GET with Accept: text/event-stream (and Last-Event-ID
 * when resuming), a 200 text/event-stream answer, its body's transfer
 * coding removed (chunked, a length, or until the server closes) and the
 * rest parsed by sse/sse_parse into events.
 *
 * Failures counted in sse_errors: another status (1000 + status from 400
 * on, as k6 does; else 1725, like a 200 that is not text/event-stream), an
 * event whose data passes TG_LUA_STREAM_MSG_MAX (1726), a malformed chunked
 * body (1704), a body cut short (1705) and the connection's own errors. A
 * server that ends a close-delimited stream (or a chunked one properly)
 * ends it cleanly: receive says "closed".
 */
#include "script/lua_stream.h"

#include "core/alloc.h"
#include "http/h1_write.h"
#include "net/errcode.h"

#include <lauxlib.h>
#include <string.h>
#include <strings.h>

#define MT "tailgate.sse.stream"

/* ---- the request and the answer ------------------------------------------------------- */

struct out {
    char *p;
    size_t len;
    size_t cap;
    bool full;
};

static void put(struct out *o, const char *s)
{
    size_t n = strlen(s);
    if (o->len + n > o->cap) {
        o->full = true;
        return;
    }
    memcpy(o->p + o->len, s, n);
    o->len += n;
}

static bool has_header(const struct tg_lua_stream *s, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < s->n_hdr; i++) {
        if (strncasecmp(s->hdr[i], name, n) == 0 && s->hdr[i][n] == ':') {
            return true;
        }
    }
    return false;
}

static int sse_request(struct tg_lua_stream *s, char *dst, size_t cap)
{
    struct out o = { dst, 0, cap, false };
    put(&o, "GET ");
    put(&o, s->target);
    put(&o, " HTTP/1.1\r\n");
    static const char *const ours[][2] = {
        { "Host", NULL },
        { "Accept", "text/event-stream" },
        { "Cache-Control", "no-cache" },
        { "User-Agent", "tailgate/0.1" },
    };
    for (size_t i = 0; i < TG_ARRAY_LEN(ours); i++) {
        if (!has_header(s, ours[i][0])) {
            put(&o, ours[i][0]);
            put(&o, ": ");
            put(&o, ours[i][1] ? ours[i][1] : s->host);
            put(&o, "\r\n");
        }
    }
    const struct tg_lua_sse *e = &s->u.sse;
    if (e->p.id_len > 0 && !has_header(s, "Last-Event-ID")) { /* resuming: where it was */
        put(&o, "Last-Event-ID: ");
        char id[TG_SSE_ID_MAX + 1];
        memcpy(id, e->p.id, e->p.id_len);
        id[e->p.id_len] = '\0';
        put(&o, id);
        put(&o, "\r\n");
    }
    for (size_t i = 0; i < s->n_hdr; i++) {
        put(&o, s->hdr[i]);
        put(&o, "\r\n");
    }
    put(&o, "\r\n");
    return o.full ? TG_E2BIG : (int)o.len;
}

/* Whether r's Content-Type is text/event-stream (parameters allowed). */
static bool event_stream(const struct tg_h1_resp *r)
{
    const struct tg_span *ct = tg_h1_header_get(r, "Content-Type");
    static const char want[] = "text/event-stream";
    size_t n = sizeof(want) - 1;
    return ct && ct->len >= n && strncasecmp(ct->ptr, want, n) == 0 &&
           (ct->len == n || ct->ptr[n] == ';' || ct->ptr[n] == ' ' || ct->ptr[n] == '\t');
}

static int sse_head(struct tg_lua_stream *s, const struct tg_h1_resp *r)
{
    struct tg_lua_sse *e = &s->u.sse;
    if (r->status != 200 || !event_stream(r)) {
        return r->status >= 400 ? 1000 + r->status : TG_ERR_SSE_BAD_RESPONSE;
    }
    char id[TG_SSE_ID_MAX];
    size_t id_len = e->p.id_len; /* kept across opens, as an EventSource keeps it */
    memcpy(id, e->p.id, id_len);
    int64_t retry = e->p.retry_ms;
    tg_sse_init(&e->p, TG_LUA_STREAM_MSG_MAX);
    tg_sse_set_last_id(&e->p, id, id_len);
    e->p.retry_ms = retry;
    e->framing = tg_h1_body_framing(r, false);
    tg_chunked_init(&e->ch);
    e->body_left = r->content_length > 0 ? (uint64_t)r->content_length : 0;
    e->body_done =
        e->framing == TG_H1_BODY_NONE || (e->framing == TG_H1_BODY_LENGTH && e->body_left == 0);
    e->held = false;
    return 0;
}

/* ---- the body --------------------------------------------------------------------- */

/* Removes the transfer coding from p[0..*n) in place. false: the session failed. */
static bool decode(struct tg_lua_stream *s, char *p, size_t *n)
{
    struct tg_lua_sse *e = &s->u.sse;
    if (e->body_done) {
        *n = 0; /* bytes after the body's end are not events */
        return true;
    }
    if (e->framing == TG_H1_BODY_CHUNKED) {
        size_t data = 0;
        if (tg_chunked_decode(&e->ch, p, *n, &data) < 0) {
            tg_lua_stream__fail(s, TG_ERR_HTTP_BAD_CHUNK);
            return false;
        }
        *n = data;
        e->body_done = tg_chunked_done(&e->ch);
    } else if (e->framing == TG_H1_BODY_LENGTH) {
        *n = (size_t)TG_MIN((uint64_t)*n, e->body_left);
        e->body_left -= *n;
        e->body_done = e->body_left == 0;
    }
    return true;
}

/* Queues an event: 0, 1 when the queue is full (it waits), -1 when the session failed. */
static int queue(struct tg_lua_stream *s, const struct tg_sse_event *ev)
{
    struct tg_span parts[3] = { ev->name, ev->id, ev->data };
    const int64_t aux[TG_FIFO_AUX] = { s->u.sse.p.retry_ms, s->t_read_us };
    int rc = tg_fifo_push(&s->q, 0, aux, parts, 3);
    if (rc == TG_E2BIG) {
        return 1;
    }
    if (rc < 0) {
        tg_lua_stream__fail(s, TG_ERR_GENERIC);
        return -1;
    }
    tg_lua_stream__record(s, TG_LUA_STREAM_M_RECEIVED, 1);
    return 0;
}

/* Parses p[0..n): returns the bytes taken (fewer when the queue filled up). */
static size_t parse(struct tg_lua_stream *s, const char *p, size_t n)
{
    struct tg_lua_sse *e = &s->u.sse;
    size_t off = 0;
    while (s->phase == TG_LUA_STREAM_OPEN) {
        struct tg_sse_event ev;
        int rc = tg_sse_feed(&e->p, p + off, n - off, &ev);
        if (rc < 0) {
            tg_lua_stream__fail(s, TG_ERR_SSE_TOO_BIG);
            return n;
        }
        off += (size_t)rc;
        if (ev.type == TG_SSE_EV_NONE) {
            return n;
        }
        if (ev.type == TG_SSE_EV_NEED_ROOM) {
            size_t cap = TG_MAX(ev.need, TG_MIN(e->p.cap * 2, (size_t)TG_LUA_STREAM_MSG_MAX));
            char *q = tg_realloc(e->p.buf, cap, 1);
            if (!q) {
                tg_lua_stream__fail(s, TG_ERR_GENERIC);
                return n;
            }
            e->p.buf = q;
            e->p.cap = cap;
            continue;
        }
        int q = queue(s, &ev);
        if (q == 1) { /* its views stay valid: the parser is not fed until it is queued */
            e->held = true;
            e->held_ev = ev;
            return off;
        }
        if (q < 0) {
            return n;
        }
    }
    return n;
}

static size_t sse_feed(struct tg_lua_stream *s, char *p, size_t *np, bool carried)
{
    struct tg_lua_sse *e = &s->u.sse;
    if (!carried && !decode(s, p, np)) {
        return *np;
    }
    if (e->held) {
        int rc = queue(s, &e->held_ev);
        if (rc != 0) {
            return rc > 0 ? 0 : *np;
        }
        e->held = false;
    }
    size_t took = parse(s, p, *np);
    if (took == *np && e->body_done && s->phase == TG_LUA_STREAM_OPEN) {
        tg_lua_stream__end_conn(s); /* the server ended the body: a clean end */
    }
    return took;
}

static void sse_lost(struct tg_lua_stream *s, int code)
{
    const struct tg_lua_sse *e = &s->u.sse;
    if (code) {
        tg_lua_stream__error(s, code);
    } else if (e->framing != TG_H1_BODY_CLOSE && !e->body_done) {
        tg_lua_stream__error(s, TG_ERR_HTTP_UNEXPECTED_EOF); /* cut short */
    }
}

static void sse_goodbye(struct tg_lua_stream *s)
{
    (void)s; /* an event stream has no closing message */
}

static int sse_push(lua_State *L, struct tg_lua_stream *s, const struct tg_fifo_rec *r)
{
    (void)s;
    lua_createtable(L, 0, 5);
    lua_pushlstring(L, r->part[1].ptr, r->part[1].len);
    lua_setfield(L, -2, "id");
    lua_pushlstring(L, r->part[0].ptr, r->part[0].len);
    lua_setfield(L, -2, "event");
    lua_pushlstring(L, r->part[2].ptr, r->part[2].len);
    lua_setfield(L, -2, "data");
    if (r->aux[0] >= 0) {
        lua_pushnumber(L, (lua_Number)r->aux[0]);
        lua_setfield(L, -2, "retry");
    }
    lua_pushnumber(L, (lua_Number)r->aux[1] / 1e3); /* when it arrived: ms since the epoch */
    lua_setfield(L, -2, "time");
    return 1;
}

static void sse_release(struct tg_lua_stream *s)
{
    struct tg_lua_sse *e = &s->u.sse;
    tg_free(e->p.buf);
    e->p.buf = NULL;
    e->p.cap = 0;
    e->held = false;
}

const struct tg_lua_stream_proto tg_lua_sse__proto = {
    1,           "tailgate.sse",
    MT,          { "sse_sessions", NULL, NULL, NULL, "sse_events_received", NULL, "sse_errors" },
    sse_request, sse_head,
    sse_feed,    sse_lost,
    sse_goodbye, sse_push,
    sse_release,
};

/* ---- the script's calls --------------------------------------------------------------- */

/* params.last_event_id, checked; NULL when absent. */
static const char *resume_id_of(lua_State *L, int params)
{
    if (lua_type(L, params) != LUA_TTABLE) {
        return NULL;
    }
    lua_getfield(L, params, "last_event_id");
    int ty = lua_type(L, -1);
    if (ty == LUA_TNIL) {
        lua_pop(L, 1);
        return NULL;
    }
    size_t n = 0;
    const char *id = ty == LUA_TSTRING || ty == LUA_TNUMBER ? lua_tolstring(L, -1, &n) : NULL;
    if (!id || n > TG_SSE_ID_MAX || !tg_h1_write_value_ok(id, n) || memchr(id, '\0', n)) {
        luaL_error(L,
                   "sse.connect: params.last_event_id must be a string of at most %d bytes "
                   "without control characters",
                   TG_SSE_ID_MAX);
    }
    return id; /* left on the stack: anchored until the call returns */
}

static int l_connect(lua_State *L)
{
    struct tg_vu *vu = tg_runtime__vu(L, "sse.connect");
    lua_settop(L, 2); /* url, params: what follows is the call's own */
    const char *id = resume_id_of(L, 2);
    size_t size = offsetof(struct tg_lua_stream, u) + sizeof(struct tg_lua_sse);
    struct tg_lua_stream *s = tg_lua_stream__new(L, vu, &tg_lua_sse__proto, size);
    static const char *const extra[] = { "last_event_id", NULL };
    tg_lua_stream__spec(L, s, "sse.connect", 1, 2, extra);
    struct tg_lua_sse *e = &s->u.sse;
    tg_sse_init(&e->p, TG_LUA_STREAM_MSG_MAX);
    if (id) {
        tg_sse_set_last_id(&e->p, id, strlen(id));
    }
    (void)tg_lua_stream__open(s); /* a failure at once is the stream's, seen by the script */
    return tg_lua_stream__wait(L, s, TG_LUA_STREAM_WAIT_OPEN, s->timeout_ns);
}

static int l_receive(lua_State *L)
{
    struct tg_lua_stream *s = tg_lua_stream__check(L, &tg_lua_sse__proto, "stream:receive");
    tg_ns t = tg_lua_stream__timeout(L, 2, s->rt->timeout_ns, "stream:receive");
    return tg_lua_stream__wait(L, s, TG_LUA_STREAM_WAIT_RECV, t);
}

static int l_close(lua_State *L)
{
    struct tg_lua_stream *s = tg_lua_stream__check(L, &tg_lua_sse__proto, "stream:close");
    tg_lua_stream__end_conn(s);
    return 0;
}

static int l_index(lua_State *L)
{
    struct tg_lua_stream *s = luaL_checkudata(L, 1, MT);
    const char *k = luaL_checkstring(L, 2);
    if (tg_lua_stream__field(L, s, k)) {
        return 1;
    }
    const struct tg_sse *p = &s->u.sse.p;
    if (strcmp(k, "last_event_id") == 0) {
        lua_pushlstring(L, p->id, p->id_len);
        return 1;
    }
    if (strcmp(k, "retry") == 0) {
        if (p->retry_ms >= 0) {
            lua_pushnumber(L, (lua_Number)p->retry_ms);
        } else {
            lua_pushnil(L);
        }
        return 1;
    }
    lua_getfield(L, lua_upvalueindex(1), k); /* the methods */
    return 1;
}

void tg_lua_sse__module(lua_State *L, struct tg_rt *rt)
{
    static const luaL_Reg methods[] = {
        { "receive", l_receive },
        { "close", l_close },
        { NULL, NULL },
    };
    luaL_newmetatable(L, MT);
    lua_newtable(L);
    for (const luaL_Reg *f = methods; f->name; f++) {
        lua_pushlightuserdata(L, rt);
        lua_pushcclosure(L, f->func, 1);
        lua_setfield(L, -2, f->name);
    }
    lua_pushcclosure(L, l_index, 1);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, tg_lua_stream__gc);
    lua_setfield(L, -2, "__gc");
    lua_pushliteral(L, MT);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 1);
    lua_newtable(L); /* the module */
    lua_pushlightuserdata(L, rt);
    lua_pushcclosure(L, l_connect, 1);
    lua_setfield(L, -2, "connect");
}

/*
 * lua_ws — tailgate.ws, WebSocket sessions for scripts:
 *   local ws = require "tailgate.ws"
 *   local s = ws.connect("ws://127.0.0.1:8080/ws/ticks", { headers = ..., tags = ..., timeout =
 * "5s" }) s:send(text), s:send_binary(bytes), s:ping()   -> true, or false when closed
 *   s:receive(timeout)  -> message, "text"|"binary", arrival (ms since the epoch)
 *                          or  nil, "timeout"|"closed"
 *   s:close(code, reason)                           -- the close handshake, 2 s at most
 *   s.status, s.error, s.error_code, s.closed, s.close_code, s.close_reason, s.url
 * The session's life (open, queue, waits, end) is lua_stream.c's; this file
 * is the protocol: the opening handshake (ws/ws_handshake), frames in
 * (ws/ws_msg: pings answered at once, pongs timed against our pings, the
 * server's close answered) and out (masked with a fresh key each).
 *
 * A server that breaks the protocol gets the close code that says why
 * (1002, 1007, 1009 for a message over TG_LUA_STREAM_MSG_MAX) and the
 * failure is counted in ws_errors (1721, 1722, 1723); a connection that
 * ends without a close frame is close code 1006 and counted (1705, or the
 * connection's error).
 */
#include "script/lua_stream.h"

#include "core/alloc.h"
#include "core/clock.h"
#include "net/errcode.h"
#include "ws/ws_close.h"
#include "ws/ws_frame.h"
#include "ws/ws_utf8.h"

#include <lauxlib.h>
#include <string.h>

#define MT "tailgate.ws.session"

enum { KIND_TEXT = 1, KIND_BINARY = 2 };

/* ---- frames out ------------------------------------------------------------------ */

/* Writes one masked frame. 0, TG_ECLOSED, TG_E2BIG (too much unsent) or TG_ENOMEM. */
static int send_frame(struct tg_lua_stream *s, enum tg_ws_opcode op, const char *p, size_t n)
{
    struct tg_lua_stream_rt *sr = s->rt->streams;
    size_t need = n + TG_WS_FRAME_HEAD_MAX;
    if (need > sr->wcap) {
        size_t cap = TG_MAX(need, TG_MIN(sr->wcap * 2, (size_t)TG_LUA_STREAM_MSG_MAX));
        char *q = tg_realloc(sr->wbuf, cap, 1);
        if (!q) {
            return TG_ENOMEM;
        }
        sr->wbuf = q;
        sr->wcap = cap;
    }
    uint64_t r = tg_lua_stream__random(s->rt);
    uint8_t key[4];
    memcpy(key, &r, sizeof(key));
    size_t h = tg_ws_frame_head(sr->wbuf, true, op, n, key);
    tg_ws_mask(sr->wbuf + h, p, n, key, 0);
    return tg_stream_write(&s->conn, sr->wbuf, h + n);
}

/* Sends our close frame (code 0: none) and remembers it as the session's close. */
static void send_close(struct tg_lua_stream *s, unsigned code, const char *reason, size_t len)
{
    struct tg_lua_ws *ws = &s->u.ws;
    char pl[TG_WS_CONTROL_MAX];
    int n = tg_ws_close_payload(pl, code, reason, len);
    if (n < 0) {
        n = 0;
    }
    (void)send_frame(s, TG_WS_OP_CLOSE, pl, (size_t)n);
    if (ws->close_code == 0) {
        ws->close_code = (uint16_t)(code ? code : TG_WS_CLOSE_NO_STATUS);
        ws->close_reason_len = (uint8_t)TG_MIN(len, (size_t)TG_WS_CLOSE_REASON_MAX);
        memcpy(ws->close_reason, reason, ws->close_reason_len);
    }
}

/* ---- the handshake ------------------------------------------------------------------- */

static struct tg_ws_handshake_spec spec_of(struct tg_lua_stream *s)
{
    return (struct tg_ws_handshake_spec){ s->host, s->target, s->hdr, s->n_hdr, s->u.ws.key };
}

static int ws_request(struct tg_lua_stream *s, char *dst, size_t cap)
{
    uint64_t r[2] = { tg_lua_stream__random(s->rt), tg_lua_stream__random(s->rt) };
    uint8_t rnd[16];
    memcpy(rnd, r, sizeof(rnd));
    tg_ws_handshake_key(rnd, s->u.ws.key);
    struct tg_ws_handshake_spec spec = spec_of(s);
    struct tg_diag d = { "" };
    return tg_ws_handshake_request(dst, cap, &spec, &d);
}

static int ws_head(struct tg_lua_stream *s, const struct tg_h1_resp *r)
{
    struct tg_lua_ws *ws = &s->u.ws;
    struct tg_ws_handshake_spec spec = spec_of(s);
    const char *why;
    if (tg_ws_handshake_verify(r, &spec, &why) < 0) {
        return r->status >= 400 ? 1000 + r->status : TG_ERR_WS_BAD_HANDSHAKE;
    }
    tg_ws_msg_init(&ws->m, false, TG_LUA_STREAM_MSG_MAX);
    ws->held = false;
    ws->close_code = 0;
    ws->close_reason_len = 0;
    return 0;
}

/* ---- frames in ---------------------------------------------------------------------- */

/* Queues a message: 0, 1 when the queue is full (it waits), -1 when the session failed. */
static int queue(struct tg_lua_stream *s, uint8_t kind, struct tg_span msg)
{
    const int64_t aux[TG_FIFO_AUX] = { s->t_read_us, 0 };
    int rc = tg_fifo_push(&s->q, kind, aux, &msg, 1);
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

/* The decoder failed: the close code that says why, counted. */
static void protocol_error(struct tg_lua_stream *s)
{
    uint16_t code = s->u.ws.m.close_code;
    const char *why = code == TG_WS_CLOSE_TOO_BIG        ? "message too big"
                      : code == TG_WS_CLOSE_INVALID_DATA ? "invalid UTF-8"
                                                         : "protocol error";
    send_close(s, code, why, strlen(why));
    tg_lua_stream__fail(s, code == TG_WS_CLOSE_TOO_BIG        ? TG_ERR_WS_TOO_BIG
                           : code == TG_WS_CLOSE_INVALID_DATA ? TG_ERR_WS_INVALID_UTF8
                                                              : TG_ERR_WS_PROTOCOL);
}

/* A pong: the round trip of the ping it answers. */
static void pong(struct tg_lua_stream *s, struct tg_span data)
{
    struct tg_lua_ws *ws = &s->u.ws;
    uint64_t seq;
    if (data.len != sizeof(seq)) {
        return; /* not an answer to one of ours */
    }
    memcpy(&seq, data.ptr, sizeof(seq));
    size_t i = seq % TG_ARRAY_LEN(ws->pings);
    if (seq != 0 && ws->pings[i].seq == seq) {
        ws->pings[i].seq = 0;
        tg_lua_stream__record(s, TG_LUA_STREAM_M_PING,
                              (double)(tg_clock_now() - ws->pings[i].t) / 1e6);
    }
}

/* The server's close frame: answered when it came first; the connection ends. */
static void server_close(struct tg_lua_stream *s, const struct tg_ws_event *ev)
{
    struct tg_lua_ws *ws = &s->u.ws;
    if (ws->close_code == 0) {
        unsigned code = ev->close_code == TG_WS_CLOSE_NO_STATUS ? 0 : ev->close_code;
        send_close(s, code, ev->data.ptr, ev->data.len);
        ws->close_code = ev->close_code;
    }
    tg_lua_stream__end_conn(s);
}

/* Room for a message of need bytes in the decoder's buffer. false: the session failed. */
static bool grow(struct tg_lua_stream *s, uint64_t need)
{
    struct tg_ws_msg *m = &s->u.ws.m;
    size_t cap = TG_MAX((size_t)need, TG_MIN(m->cap * 2, (size_t)TG_LUA_STREAM_MSG_MAX));
    char *p = tg_realloc(m->buf, cap, 1);
    if (!p) {
        tg_lua_stream__fail(s, TG_ERR_GENERIC);
        return false;
    }
    m->buf = p;
    m->cap = cap;
    return true;
}

/* One event of the decoder. false: stop (the queue is full, or the session is over). */
static bool on_event(struct tg_lua_stream *s, const struct tg_ws_event *ev)
{
    struct tg_lua_ws *ws = &s->u.ws;
    switch (ev->type) {
    case TG_WS_EV_NEED_ROOM:
        return grow(s, ev->need);
    case TG_WS_EV_TEXT:
    case TG_WS_EV_BINARY: {
        uint8_t kind = ev->type == TG_WS_EV_TEXT ? KIND_TEXT : KIND_BINARY;
        int rc = queue(s, kind, ev->data);
        if (rc == 1) { /* it stays in the decoder's buffer until there is room */
            ws->held = true;
            ws->held_kind = kind;
            ws->held_msg = ev->data;
        }
        return rc == 0;
    }
    case TG_WS_EV_PING:
        (void)send_frame(s, TG_WS_OP_PONG, ev->data.ptr, ev->data.len);
        return true;
    case TG_WS_EV_PONG:
        pong(s, ev->data);
        return true;
    default: /* TG_WS_EV_CLOSE */
        server_close(s, ev);
        return false;
    }
}

static size_t ws_feed(struct tg_lua_stream *s, char *p, size_t *np, bool carried)
{
    (void)carried;
    struct tg_lua_ws *ws = &s->u.ws;
    size_t n = *np;
    if (ws->held) {
        int rc = queue(s, ws->held_kind, ws->held_msg);
        if (rc != 0) {
            return rc > 0 ? 0 : n;
        }
        ws->held = false;
    }
    size_t off = 0;
    while (s->phase == TG_LUA_STREAM_OPEN || s->phase == TG_LUA_STREAM_CLOSING) {
        struct tg_ws_event ev;
        int rc = tg_ws_msg_feed(&ws->m, p + off, n - off, &ev);
        if (rc < 0) {
            protocol_error(s);
            return n;
        }
        off += (size_t)rc;
        if (ev.type == TG_WS_EV_NONE) {
            return n;
        }
        if (!on_event(s, &ev)) {
            return ws->held ? off : n;
        }
    }
    return n;
}

static void ws_lost(struct tg_lua_stream *s, int code)
{
    struct tg_lua_ws *ws = &s->u.ws;
    bool closing = s->phase == TG_LUA_STREAM_CLOSING;
    if (ws->close_code == 0) {
        ws->close_code = TG_WS_CLOSE_ABNORMAL;
    }
    if (code) {
        tg_lua_stream__error(s, code);
    } else if (!closing) {
        tg_lua_stream__error(s, TG_ERR_HTTP_UNEXPECTED_EOF); /* gone without a close frame */
    }
}

static void ws_goodbye(struct tg_lua_stream *s)
{
    send_close(s, TG_WS_CLOSE_GOING_AWAY, "", 0);
}

static int ws_push(lua_State *L, struct tg_lua_stream *s, const struct tg_fifo_rec *r)
{
    (void)s;
    lua_pushlstring(L, r->part[0].ptr, r->part[0].len);
    lua_pushstring(L, r->kind == KIND_TEXT ? "text" : "binary");
    lua_pushnumber(L, (lua_Number)r->aux[0] / 1e3); /* when it arrived: ms since the epoch */
    return 3;
}

static void ws_release(struct tg_lua_stream *s)
{
    struct tg_lua_ws *ws = &s->u.ws;
    tg_free(ws->m.buf);
    ws->m.buf = NULL;
    ws->m.cap = 0;
    ws->held = false;
}

const struct tg_lua_stream_proto tg_lua_ws__proto = {
    0,
    "tailgate.ws",
    MT,
    { "ws_sessions", "ws_connecting", "ws_session_duration", "ws_msgs_sent", "ws_msgs_received",
      "ws_ping", "ws_errors" },
    ws_request,
    ws_head,
    ws_feed,
    ws_lost,
    ws_goodbye,
    ws_push,
    ws_release,
};

/* ---- the script's calls --------------------------------------------------------------- */

static int l_connect(lua_State *L)
{
    struct tg_vu *vu = tg_runtime__vu(L, "ws.connect");
    lua_settop(L, 2); /* url, params: what follows is the call's own */
    size_t size = offsetof(struct tg_lua_stream, u) + sizeof(struct tg_lua_ws);
    struct tg_lua_stream *s = tg_lua_stream__new(L, vu, &tg_lua_ws__proto, size);
    tg_lua_stream__spec(L, s, "ws.connect", 1, 2, NULL);
    (void)tg_lua_stream__open(s); /* a failure at once is the session's, seen by the script */
    return tg_lua_stream__wait(L, s, TG_LUA_STREAM_WAIT_OPEN, s->timeout_ns);
}

static int send_data(lua_State *L, bool binary)
{
    const char *what = binary ? "session:send_binary" : "session:send";
    struct tg_lua_stream *s = tg_lua_stream__check(L, &tg_lua_ws__proto, what);
    size_t n;
    const char *p = luaL_checklstring(L, 2, &n);
    if (n > TG_LUA_STREAM_MSG_MAX) {
        return luaL_error(L, "%s: a message of %d bytes is over the 1 MiB limit", what, (int)n);
    }
    if (!binary && !tg_ws_utf8_valid(p, n)) {
        return luaL_error(L, "%s: the text is not valid UTF-8 (send_binary sends bytes)", what);
    }
    int rc = s->phase == TG_LUA_STREAM_OPEN
                 ? send_frame(s, binary ? TG_WS_OP_BINARY : TG_WS_OP_TEXT, p, n)
                 : TG_ECLOSED;
    if (rc == TG_E2BIG) {
        return luaL_error(L, "%s: over 4 MiB are waiting to be sent (the server is not reading)",
                          what);
    }
    if (rc == TG_ENOMEM) {
        return luaL_error(L, "%s: out of memory", what);
    }
    if (rc == 0) {
        tg_lua_stream__record(s, TG_LUA_STREAM_M_SENT, 1);
    }
    lua_pushboolean(L, rc == 0);
    return 1;
}

static int l_send(lua_State *L)
{
    return send_data(L, false);
}

static int l_send_binary(lua_State *L)
{
    return send_data(L, true);
}

static int l_ping(lua_State *L)
{
    struct tg_lua_stream *s = tg_lua_stream__check(L, &tg_lua_ws__proto, "session:ping");
    struct tg_lua_ws *ws = &s->u.ws;
    if (s->phase != TG_LUA_STREAM_OPEN) {
        lua_pushboolean(L, 0);
        return 1;
    }
    uint64_t seq = ++ws->ping_seq;
    size_t i = seq % TG_ARRAY_LEN(ws->pings);
    ws->pings[i].seq = seq;
    ws->pings[i].t = tg_clock_now();
    char pl[sizeof(seq)];
    memcpy(pl, &seq, sizeof(seq));
    lua_pushboolean(L, send_frame(s, TG_WS_OP_PING, pl, sizeof(pl)) == 0);
    return 1;
}

static int l_receive(lua_State *L)
{
    struct tg_lua_stream *s = tg_lua_stream__check(L, &tg_lua_ws__proto, "session:receive");
    tg_ns t = tg_lua_stream__timeout(L, 2, s->rt->timeout_ns, "session:receive");
    return tg_lua_stream__wait(L, s, TG_LUA_STREAM_WAIT_RECV, t);
}

static int l_close(lua_State *L)
{
    struct tg_lua_stream *s = tg_lua_stream__check(L, &tg_lua_ws__proto, "session:close");
    lua_Integer code = luaL_optinteger(L, 2, TG_WS_CLOSE_NORMAL);
    size_t len;
    const char *reason = luaL_optlstring(L, 3, "", &len);
    char pl[TG_WS_CONTROL_MAX];
    if (code < 0 || code > 65535 || tg_ws_close_payload(pl, (unsigned)code, reason, len) < 0) {
        return luaL_error(L,
                          "session:close: code %d cannot be sent (1000-1003, 1007-1014, "
                          "3000-4999), or the reason is over 123 bytes or not UTF-8",
                          (int)code);
    }
    if (s->phase != TG_LUA_STREAM_OPEN) {
        return 0; /* closing or closed already */
    }
    send_close(s, (unsigned)code, reason, len);
    s->phase = TG_LUA_STREAM_CLOSING;
    return tg_lua_stream__wait(L, s, TG_LUA_STREAM_WAIT_CLOSE, TG_LUA_STREAM_CLOSE_NS);
}

static int l_index(lua_State *L)
{
    struct tg_lua_stream *s = luaL_checkudata(L, 1, MT);
    const char *k = luaL_checkstring(L, 2);
    if (tg_lua_stream__field(L, s, k)) {
        return 1;
    }
    if (strcmp(k, "close_code") == 0) {
        if (s->u.ws.close_code) {
            lua_pushinteger(L, s->u.ws.close_code);
        } else {
            lua_pushnil(L);
        }
        return 1;
    }
    if (strcmp(k, "close_reason") == 0) {
        lua_pushlstring(L, s->u.ws.close_reason, s->u.ws.close_reason_len);
        return 1;
    }
    lua_getfield(L, lua_upvalueindex(1), k); /* the methods */
    return 1;
}

void tg_lua_ws__module(lua_State *L, struct tg_rt *rt)
{
    static const luaL_Reg methods[] = {
        { "send", l_send },       { "send_binary", l_send_binary },
        { "receive", l_receive }, { "ping", l_ping },
        { "close", l_close },     { NULL, NULL },
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

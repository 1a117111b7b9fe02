/*
 * lua_stream — the life of a ws/sse session: open (lookup, connect, request,
 * the answer's head), reading into the queue, the VU's waits and their
 * timer, and the end; see lua_stream.h. What a call's arguments become
 * (the spec) and the samples are lua_stream_spec.c.
 */
#include "script/lua_stream.h"

#include "core/alloc.h"
#include "core/clock.h"
#include "net/errcode.h"

#include <lauxlib.h>
#include <string.h>

static void on_open(struct tg_stream *c);
static void on_readable(struct tg_stream *c);
static void on_error(struct tg_stream *c, int code);
static const struct tg_stream_ops conn_ops = { on_open, on_readable, on_error };

static struct tg_lua_stream *of_conn(struct tg_stream *c)
{
    return c->ctx;
}

/* ---- the VU's list --------------------------------------------------------------- */

static size_t listed(const struct tg_vu *vu)
{
    size_t n = 0;
    for (const struct tg_lua_stream *s = vu->streams; s; s = s->next) {
        n++;
    }
    return n;
}

static void unlist(struct tg_lua_stream *s)
{
    if (s->prev) {
        s->prev->next = s->next;
    } else {
        s->vu->streams = s->next;
    }
    if (s->next) {
        s->next->prev = s->prev;
    }
    s->prev = s->next = NULL;
}

/* ---- waking the VU ---------------------------------------------------------------- */

static bool satisfied(const struct tg_lua_stream *s, enum tg_lua_stream_wait w)
{
    switch (w) {
    case TG_LUA_STREAM_WAIT_OPEN:
        return s->phase >= TG_LUA_STREAM_OPEN;
    case TG_LUA_STREAM_WAIT_RECV:
        return s->q.n > 0 || s->phase == TG_LUA_STREAM_CLOSED || s->timed_out;
    case TG_LUA_STREAM_WAIT_CLOSE:
        return s->phase == TG_LUA_STREAM_CLOSED;
    default:
        return false;
    }
}

static void unpause(struct tg_lua_stream *s);

/* Pushes what the wait w gives onto L; their number. */
static int results(lua_State *L, struct tg_lua_stream *s, enum tg_lua_stream_wait w)
{
    if (w == TG_LUA_STREAM_WAIT_OPEN) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, s->ref);
        return 1;
    }
    if (w == TG_LUA_STREAM_WAIT_CLOSE) {
        return 0;
    }
    struct tg_fifo_rec r;
    if (tg_fifo_pop(&s->q, &r)) {
        int n = s->proto->push(L, s, &r);
        tg_fifo_trim(&s->q, 16384);
        unpause(s); /* room again: what was held back goes in */
        return n;
    }
    lua_pushnil(L);
    lua_pushstring(L, s->phase == TG_LUA_STREAM_CLOSED ? "closed" : "timeout");
    return 2;
}

/*
 * Resumes the VU when what it waits for on s happened. Callbacks end with
 * it: once the VU runs, s may be closed or collected.
 */
static void settle(struct tg_lua_stream *s)
{
    enum tg_lua_stream_wait w = s->wait;
    if (w == TG_LUA_STREAM_WAIT_NONE || !s->vu || !satisfied(s, w)) {
        return;
    }
    struct tg_vu *vu = s->vu;
    ev_timer_stop(s->rt->loop, &s->timer);
    s->wait = TG_LUA_STREAM_WAIT_NONE;
    int n = results(vu->co, s, w);
    tg_runtime__resume(vu, n);
}

int tg_lua_stream__wait(lua_State *L, struct tg_lua_stream *s, int wait, tg_ns timeout_ns)
{
    enum tg_lua_stream_wait w = (enum tg_lua_stream_wait)wait;
    s->timed_out = false;
    if (satisfied(s, w) || (w == TG_LUA_STREAM_WAIT_RECV && timeout_ns == 0)) {
        return results(L, s, w);
    }
    s->wait = w;
    ev_now_update(s->rt->loop);
    ev_timer_stop(s->rt->loop, &s->timer);
    ev_timer_set(&s->timer, (double)timeout_ns / 1e9, 0);
    ev_timer_start(s->rt->loop, &s->timer);
    return lua_yield(L, 0);
}

/* ---- the end ------------------------------------------------------------------------ */

void tg_lua_stream__end_conn(struct tg_lua_stream *s)
{
    if (s->phase == TG_LUA_STREAM_CLOSED) {
        return;
    }
    tg_http_xchg__origin_unwait(&s->ow);
    if (s->conn.state == TG_STREAM_OPEN) { /* unread bytes would turn the close into a reset */
        char junk[16384]; /* not the scratch buffer: a feed may still be reading it */
        tg_stream_drain(&s->conn, junk, sizeof(junk), 1u << 20);
    }
    if (s->was_open) {
        double ms = (double)(tg_clock_now() - s->t_start) / 1e6;
        tg_lua_stream__record(s, TG_LUA_STREAM_M_DURATION, ms);
        tg_lua_stream__bytes(s, s->conn.bytes_sent, s->conn.bytes_received);
    }
    tg_stream_close(&s->conn);
    s->proto->release(s);
    tg_free(s->head);
    s->head = NULL;
    s->head_len = s->head_cap = 0;
    s->phase = TG_LUA_STREAM_CLOSED;
}

void tg_lua_stream__fail(struct tg_lua_stream *s, int code)
{
    tg_lua_stream__error(s, code);
    tg_lua_stream__end_conn(s);
}

/* Everything the session holds but its spec: what an ended iteration leaves. */
static void drop(struct tg_lua_stream *s)
{
    ev_timer_stop(s->rt->loop, &s->timer);
    s->wait = TG_LUA_STREAM_WAIT_NONE;
    if (s->phase == TG_LUA_STREAM_OPEN) {
        s->proto->goodbye(s);
    }
    tg_lua_stream__end_conn(s);
    tg_fifo_fini(&s->q);
    tg_free(s->carry);
    s->carry = NULL;
    s->carry_off = s->carry_len = 0;
    s->paused = false;
}

void tg_lua_stream__end_all(struct tg_vu *vu)
{
    while (vu->streams) {
        struct tg_lua_stream *s = vu->streams;
        drop(s);
        unlist(s);
        int ref = s->ref;
        s->ref = LUA_NOREF;
        s->vu = NULL;
        luaL_unref(vu->rt->L, LUA_REGISTRYINDEX, ref); /* collectable from now on */
    }
}

/* __gc: the spec (everything else went when its iteration ended). */
int tg_lua_stream__gc(lua_State *L)
{
    struct tg_lua_stream *s = lua_touserdata(L, 1);
    tg_free(s->spec);
    s->spec = NULL;
    return 0;
}

/* ---- the timer ----------------------------------------------------------------------- */

static void timer_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
    (void)loop;
    (void)revents;
    struct tg_lua_stream *s = t->data;
    if (!satisfied(s, s->wait)) {
        switch (s->wait) {
        case TG_LUA_STREAM_WAIT_OPEN: /* the open's bound */
            tg_lua_stream__fail(s, s->phase <= TG_LUA_STREAM_CONNECTING ? TG_ERR_TCP_DIAL_TIMEOUT
                                                                        : TG_ERR_REQUEST_TIMEOUT);
            break;
        case TG_LUA_STREAM_WAIT_RECV:
            s->timed_out = true;
            break;
        case TG_LUA_STREAM_WAIT_CLOSE: /* the server never answered our close */
            tg_lua_stream__end_conn(s);
            break;
        default:
            break;
        }
    }
    settle(s);
}

/* ---- opening ---------------------------------------------------------------------- */

struct tg_lua_stream *tg_lua_stream__new(lua_State *L, struct tg_vu *vu,
                                         const struct tg_lua_stream_proto *p, size_t size)
{
    if (listed(vu) >= TG_LUA_STREAM_PER_VU) {
        luaL_error(L, "%s: this VU has %d sessions open already", p->what, TG_LUA_STREAM_PER_VU);
    }
    struct tg_lua_stream *s = lua_newuserdata(L, size);
    memset(s, 0, size);
    luaL_getmetatable(L, p->mt);
    lua_setmetatable(L, -2);
    s->proto = p;
    s->rt = vu->rt;
    s->vu = vu;
    s->tagset = -1;
    s->sid_sent = s->sid_recv = -1;
    tg_stream_init(&s->conn, vu->rt->loop, &conn_ops, s, TG_LUA_STREAM_SEND_MAX);
    ev_timer_init(&s->timer, timer_cb, 0, 0);
    s->timer.data = s;
    tg_fifo_init(&s->q, TG_LUA_STREAM_QUEUE_MAX);
    lua_pushvalue(L, -1);
    s->ref = luaL_ref(L, LUA_REGISTRYINDEX);
    s->next = vu->streams;
    if (vu->streams) {
        vu->streams->prev = s;
    }
    vu->streams = s;
    return s;
}

static int connect_to(struct tg_lua_stream *s, struct tg_conn_target *t)
{
    s->phase = TG_LUA_STREAM_CONNECTING;
    int code = tg_stream_connect(&s->conn, t, tg_clock_now());
    if (code) {
        tg_lua_stream__fail(s, code);
    }
    return code;
}

/* The origin's lookup ended: connect. Never resumes the VU here (see origin_target). */
static void on_resolved(struct tg_origin_wait *w)
{
    struct tg_lua_stream *s =
        (struct tg_lua_stream *)((char *)w - offsetof(struct tg_lua_stream, ow));
    int err;
    struct tg_conn_target *t = tg_http_xchg__origin_target(s->rt, s->origin, &s->ow, &err);
    if (!t && !err) {
        return; /* expired again meanwhile: waiting for the next lookup */
    }
    int code = t ? connect_to(s, t) : TG_ERR_DNS;
    if (!t) {
        tg_lua_stream__fail(s, code);
    }
    if (code && s->wait != TG_LUA_STREAM_WAIT_NONE) { /* the VU hears of it from the timer */
        ev_timer_stop(s->rt->loop, &s->timer);
        ev_timer_set(&s->timer, 0, 0);
        ev_timer_start(s->rt->loop, &s->timer);
    }
}

int tg_lua_stream__open(struct tg_lua_stream *s)
{
    tg_lua_stream__end_conn(s); /* an open that runs again starts from a clean connection */
    tg_free(s->carry);          /* bytes held back belonged to the last one */
    s->carry = NULL;
    s->carry_off = s->carry_len = 0;
    s->paused = false;
    s->t_start = tg_clock_now();
    s->phase = TG_LUA_STREAM_RESOLVING;
    s->status = 0;
    s->error_code = 0;
    s->was_open = false;
    s->ow.cb = on_resolved;
    int err;
    struct tg_conn_target *t = tg_http_xchg__origin_target(s->rt, s->origin, &s->ow, &err);
    if (t) {
        return connect_to(s, t);
    }
    if (err) {
        tg_lua_stream__fail(s, TG_ERR_DNS);
        return TG_ERR_DNS;
    }
    return 0;
}

static void on_open(struct tg_stream *c)
{
    struct tg_lua_stream *s = of_conn(c);
    struct tg_conn_env *env = s->rt->env;
    int n = s->proto->request(s, env->scratch, env->scratch_len);
    if (n < 0 || tg_stream_write(&s->conn, env->scratch, (size_t)n) < 0) {
        tg_lua_stream__fail(s, TG_ERR_GENERIC);
        settle(s);
        return;
    }
    s->phase = TG_LUA_STREAM_HANDSHAKE;
    tg_stream_want_read(&s->conn, true);
}

/* The connection ended: before the open, a failed open; after it, the protocol says what it was. */
static void ended(struct tg_lua_stream *s, int code)
{
    if (s->phase >= TG_LUA_STREAM_OPEN) {
        s->proto->lost(s, code);
        tg_lua_stream__end_conn(s);
    } else {
        tg_lua_stream__fail(s, code ? code : TG_ERR_HTTP_UNEXPECTED_EOF);
    }
}

static void on_error(struct tg_stream *c, int code)
{
    struct tg_lua_stream *s = of_conn(c);
    ended(s, code);
    settle(s);
}

/* ---- reading ---------------------------------------------------------------------- */

/* Gives p[0..n) to the protocol; keeps what it cannot take yet. */
static void feed(struct tg_lua_stream *s, char *p, size_t n, bool carried)
{
    size_t took = s->proto->feed(s, p, &n, carried);
    if (took >= n || s->phase == TG_LUA_STREAM_CLOSED) {
        return;
    }
    size_t rest = n - took;
    if (!carried) {
        s->carry = tg_alloc(rest);
        if (!s->carry) {
            tg_lua_stream__fail(s, TG_ERR_GENERIC);
            return;
        }
        memcpy(s->carry, p + took, rest);
        s->carry_off = 0;
        s->carry_len = rest;
    } else {
        s->carry_off = (size_t)(p + took - s->carry);
        s->carry_len = (size_t)(p + n - s->carry);
    }
    s->paused = true;
    tg_stream_want_read(&s->conn, false);
}

/* The queue has room again: the carried bytes go in, then reading resumes. */
static void unpause(struct tg_lua_stream *s)
{
    if (!s->paused) {
        return;
    }
    s->paused = false;
    char *p = s->carry + s->carry_off;
    size_t n = s->carry_len - s->carry_off;
    feed(s, p, n, true);
    if (s->paused || s->phase == TG_LUA_STREAM_CLOSED) {
        return;
    }
    tg_free(s->carry);
    s->carry = NULL;
    s->carry_off = s->carry_len = 0;
    tg_stream_want_read(&s->conn, true);
}

/* The answer is open: samples, then the bytes after the head go to the protocol. */
static void opened(struct tg_lua_stream *s, size_t head_len)
{
    s->phase = TG_LUA_STREAM_OPEN;
    s->was_open = true;
    s->t_open = tg_clock_now();
    tg_lua_stream__opened(s);
    tg_lua_stream__record(s, TG_LUA_STREAM_M_SESSIONS, 1);
    tg_lua_stream__record(s, TG_LUA_STREAM_M_CONNECTING, (double)(s->t_open - s->t_start) / 1e6);
    char *head = s->head;
    size_t rest = s->head_len - head_len;
    s->head = NULL;
    s->head_len = s->head_cap = 0;
    feed(s, head + head_len, rest, false); /* even none: a stream may end with its head */
    tg_free(head);
}

/* Head bytes: kept until the head is complete. */
static void take_head(struct tg_lua_stream *s, const char *p, size_t n)
{
    size_t max = s->rt->env->max_head;
    if (s->head_len + n > s->head_cap) { /* grows as needed: most heads are a few hundred bytes */
        size_t cap = TG_MAX(s->head_len + n, TG_MIN(s->head_cap * 2, max + TG_LUA_STREAM_READ));
        char *q = tg_realloc(s->head, cap, 1);
        if (!q) {
            tg_lua_stream__fail(s, TG_ERR_GENERIC);
            return;
        }
        s->head = q;
        s->head_cap = cap;
    }
    memcpy(s->head + s->head_len, p, n);
    s->head_len += n;
    struct tg_h1_resp *r = &s->rt->http->resp;
    int hl = tg_h1_parse_head(s->head, s->head_len, r);
    if (hl == TG_EAGAIN && s->head_len < max) {
        return;
    }
    if (hl < 0 || (size_t)hl > max) {
        tg_lua_stream__fail(s,
                            hl == TG_EPROTO ? TG_ERR_HTTP_MALFORMED : TG_ERR_HTTP_HEADER_TOO_LARGE);
        return;
    }
    s->status = r->status;
    int code = s->proto->head(s, r);
    if (code) {
        tg_lua_stream__fail(s, code);
        return;
    }
    opened(s, (size_t)hl);
}

static void on_readable(struct tg_stream *c)
{
    struct tg_lua_stream *s = of_conn(c);
    struct tg_conn_env *env = s->rt->env;
    /* a bounded number of reads: a flooding server cannot keep the loop from other VUs */
    int i = 0;
    for (; i < 16 && !s->paused && s->phase != TG_LUA_STREAM_CLOSED; i++) {
        int code;
        size_t cap = TG_MIN(env->scratch_len, (size_t)TG_LUA_STREAM_READ);
        if (s->phase == TG_LUA_STREAM_HANDSHAKE) { /* never more than the head buffer holds */
            cap = TG_MIN(cap, env->max_head + TG_LUA_STREAM_READ - s->head_len);
        }
        int n = tg_stream_read(&s->conn, env->scratch, cap, &code);
        if (n == TG_EAGAIN) {
            break;
        }
        if (n <= 0) { /* the server closed (n == 0) or the connection broke */
            ended(s, n == 0 ? 0 : code);
            break;
        }
        s->t_read_us = tg_clock_wall_ns() / 1000;
        if (s->phase == TG_LUA_STREAM_HANDSHAKE) {
            take_head(s, env->scratch, (size_t)n);
        } else {
            feed(s, env->scratch, (size_t)n, false);
        }
    }
    if (i == 16) {
        tg_stream_read_later(&s->conn); /* TLS may hold more than the kernel will signal */
    }
    settle(s);
}

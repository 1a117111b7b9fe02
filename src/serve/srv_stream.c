/*
 * srv_stream — serve's stream endpoints, GET /ws/ticks (WebSocket) and
 * GET /sse/ticks (server-sent events): checking the handshake request,
 * charging the handshake cost, answering it, keeping the subscriber list and
 * fanning every tick out to it. A WebSocket session's own input is srv_ws.c;
 * the tick feed itself is srv_ticker.c. Part of the connection object
 * described in serve/internal.h.
 *
 * Fan-out: each tick is serialised once (srv_ticker) and written to every
 * subscriber in subscription order. A subscriber that owes nothing gets it
 * with one send() straight from the shared bytes — no buffer, no copy; only
 * what the socket does not take is copied into an output buffer from the
 * pool, and the write watcher sends it later. A subscriber whose unsent
 * bytes would pass TG_SRV_STREAM_BACKLOG_MAX with the next tick is dropped
 * (the kernel's send buffer of a subscriber is fixed at SNDBUF bytes, which
 * the kernel doubles, so a subscriber that stops reading is found out after
 * about 2 × SNDBUF + TG_SRV_STREAM_BACKLOG_MAX bytes rather than after the
 * megabytes Linux's send-buffer autotuning would otherwise absorb):
 * a WebSocket gets a close frame with 1008 and DROP_GRACE_NS to read
 * its backlog before the connection is cut; an SSE stream is closed at once
 * (it has no close message). Either way it is counted as dropped_slow.
 *
 * Lateness: ticks are made when due; if the loop was busy (a handshake
 * storm) the missed ones are made in order, TICK_BATCH per loop turn, each
 * carrying its own due time, so the lateness shows in every subscriber's
 * measurement instead of being skipped.
 *
 * Hot file: per tick and subscriber, one send() and no allocation; the
 * ticker timer runs only while someone is subscribed.
 */
#include "core/clock.h"
#include "serve/internal.h"
#include "serve/srv_fmt.h"
#include "ws/ws_close.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#define TICK_BATCH    64 /* ticks made per timer callback when the loop is behind */
#define DROP_GRACE_NS (2 * TG_NS_PER_S)
#define SNDBUF        65536 /* SO_SNDBUF of a subscriber's socket */

int tg_srv_stream__init(struct tg_serve *srv)
{
    const struct tg_serve_config *cfg = srv->cfg;
    tg_ns mono = tg_clock_now();
    tg_srv_ticker_init(&srv->ticker, cfg->tick_rate_per_s, mono, tg_clock_wall_ns() - mono);
    return tg_srv_burn_init(&srv->burn);
}

void tg_srv_stream__fini(struct tg_serve *srv)
{
    tg_srv_timer_stop(&srv->timers, &srv->tick_timer);
    tg_srv_burn_fini(&srv->burn);
}

/* ---- the handshake request ---- */

static bool span_is(struct tg_span s, const char *lit)
{
    return s.len == strlen(lit) && memcmp(s.ptr, lit, s.len) == 0;
}

/* SSE: Last-Event-ID, when present and not empty, must be a tick seq (1..19 digits). */
static void check_sse(struct tg_srv_conn *c, const struct tg_req_head *h)
{
    struct tg_span id = h->last_event_id;
    if (id.len == 0) {
        return;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < id.len; i++) {
        if (id.len > 19 || id.ptr[i] < '0' || id.ptr[i] > '9') {
            c->error = "Last-Event-ID must be a tick sequence number (1 to 19 digits)";
            return;
        }
        v = v * 10 + (uint64_t)(id.ptr[i] - '0');
    }
    c->resume = true;
    c->n = v;
}

void tg_srv_stream__check(struct tg_srv_conn *c, const struct tg_req_head *h)
{
    if (c->route == TG_SRV_ROUTE_SSE_TICKS) {
        check_sse(c, h);
        return;
    }
    if (h->minor == 0) {
        c->error = "a WebSocket handshake needs HTTP/1.1";
    } else if (h->content_length > 0 || h->chunked) {
        c->error = "a WebSocket handshake has no body";
    } else if (!h->upgrade_websocket || !h->conn_upgrade) {
        c->upgrade_why = "GET /ws/ticks is a WebSocket endpoint: send \"Upgrade: websocket\" "
                         "and \"Connection: Upgrade\"";
    } else if (!span_is(h->ws_version, "13")) {
        c->upgrade_why = "Sec-WebSocket-Version must be 13";
    } else if (!tg_ws_handshake_key_ok(h->ws_key.ptr, h->ws_key.len)) {
        c->error = "Sec-WebSocket-Key must be the base64 of 16 bytes";
    } else if (tg_ws_handshake_accept(h->ws_key.ptr, h->ws_key.len, c->ws_accept) < 0) {
        c->error = "cannot compute Sec-WebSocket-Accept";
    }
}

void tg_srv_stream__plan(struct tg_srv_conn *c)
{
    struct tg_serve *srv = c->srv;
    if (c->upgrade_why) {
        c->reply = TG_SRV_REPLY_UPGRADE_REQUIRED;
        c->status = 426;
        c->mode = TG_SRV_MODE_CLOSE;
        c->close_after = true;
        return;
    }
    if (!tg_svc_time_is_zero(&srv->cfg->handshake_cost)) {
        tg_ns cost = tg_svc_time_sample(&srv->cfg->handshake_cost, &srv->rng);
        srv->stats.handshake_cpu_ns += (uint64_t)tg_srv_burn_run(&srv->burn, cost);
    }
    bool ws = c->route == TG_SRV_ROUTE_WS_TICKS;
    c->reply = ws ? TG_SRV_REPLY_WS_ACCEPT : TG_SRV_REPLY_SSE_OPEN;
    c->status = ws ? 101 : 200;
}

size_t tg_srv_stream__head(const struct tg_srv_conn *c, char *dst)
{
    char *p = dst;
    if (c->reply == TG_SRV_REPLY_WS_ACCEPT) {
        p += tg_srv_fmt_str(p, "HTTP/1.1 101 Switching Protocols\r\nServer: tailgate\r\n"
                               "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                               "Sec-WebSocket-Accept: ");
        p += tg_srv_fmt_str(p, c->ws_accept);
        p += tg_srv_fmt_str(p, "\r\n\r\n");
    } else if (c->reply == TG_SRV_REPLY_SSE_OPEN) {
        p += tg_srv_fmt_str(p, "HTTP/1.1 200 OK\r\nServer: tailgate\r\n"
                               "Content-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                               "Connection: close\r\n\r\n");
    } else { /* TG_SRV_REPLY_UPGRADE_REQUIRED */
        p += tg_srv_fmt_str(p, "HTTP/1.1 426 Upgrade Required\r\nServer: tailgate\r\n"
                               "Upgrade: websocket\r\nConnection: Upgrade, close\r\n"
                               "Sec-WebSocket-Version: 13\r\nContent-Type: text/plain\r\n"
                               "Content-Length: ");
        p += tg_srv_fmt_u64(p, strlen(c->upgrade_why) + 1);
        p += tg_srv_fmt_str(p, "\r\n\r\n");
        if (!c->head_only) {
            p += tg_srv_fmt_str(p, c->upgrade_why);
            *p++ = '\n';
        }
    }
    return (size_t)(p - dst);
}

/* ---- subscription ---- */

static void on_tick(struct tg_srv_timer *t, tg_ns now_ns);

static void subscribe(struct tg_srv_conn *c)
{
    struct tg_serve *srv = c->srv;
    c->sub_next = NULL;
    c->sub_prev = srv->subs_tail;
    if (srv->subs_tail) {
        srv->subs_tail->sub_next = c;
    } else {
        srv->subs_head = c;
    }
    srv->subs_tail = c;
    if (!tg_srv_timer_armed(&srv->tick_timer)) {
        /* The feed ticks whether or not anyone listens; nobody did, so the ticks due since
         * the last one made were skipped. Make the latest of them into the history, so that
         * a resuming SSE client finds no gap. */
        struct tg_srv_ticker *t = &srv->ticker;
        srv->tick_next = tg_srv_ticker_first_after(t, tg_clock_now());
        uint64_t from =
            srv->tick_next > TG_SRV_TICK_HISTORY ? srv->tick_next - TG_SRV_TICK_HISTORY : 1;
        for (uint64_t seq = TG_MAX(from, t->seq + 1); seq < srv->tick_next; seq++) {
            tg_srv_ticker_make(t, seq);
        }
        tg_srv_timer_start(&srv->timers, &srv->tick_timer,
                           tg_srv_ticker_due(&srv->ticker, srv->tick_next), on_tick);
    }
}

void tg_srv_stream__leave(struct tg_srv_conn *c)
{
    struct tg_serve *srv = c->srv;
    if (c->stream == TG_SRV_STREAM_NONE) {
        return;
    }
    if (c->sub_prev) {
        c->sub_prev->sub_next = c->sub_next;
    } else {
        srv->subs_head = c->sub_next;
    }
    if (c->sub_next) {
        c->sub_next->sub_prev = c->sub_prev;
    } else {
        srv->subs_tail = c->sub_prev;
    }
    c->sub_prev = c->sub_next = NULL;
    if (c->stream == TG_SRV_STREAM_WS) {
        srv->ws_open--;
        tg_srv_bufpool_put(&srv->bufs, c->ws.buf);
        c->ws.buf = NULL;
        c->ws.cap = 0;
    } else {
        srv->sse_open--;
    }
    c->stream = TG_SRV_STREAM_NONE;
    if (!srv->subs_head) {
        tg_srv_timer_stop(&srv->timers, &srv->tick_timer);
    }
}

/* Appends the history's ticks after c->n (Last-Event-ID) behind the SSE head. */
static void replay(struct tg_srv_conn *c)
{
    struct tg_serve *srv = c->srv;
    uint64_t last = srv->ticker.seq;
    uint64_t from = last >= TG_SRV_TICK_HISTORY ? last - TG_SRV_TICK_HISTORY + 1 : 1;
    for (uint64_t seq = TG_MAX(from, c->n + 1); seq <= last; seq++) {
        const struct tg_srv_tick_event *e = tg_srv_ticker_event(&srv->ticker, seq);
        if (!e) {
            continue;
        }
        if (tg_srv_conn__make_room(c, e->len) <= 0) {
            return; /* closed, or no room: the stream goes on from the live ticks */
        }
        memcpy(c->out + c->out_w, e->sse, e->len);
        c->out_w += e->len;
        srv->stats.sse_ticks_replayed++;
    }
}

enum tg_srv_conn_step tg_srv_stream__start(struct tg_srv_conn *c)
{
    struct tg_serve *srv = c->srv;
    if (c->reply == TG_SRV_REPLY_WS_ACCEPT) {
        c->stream = TG_SRV_STREAM_WS;
        c->state = TG_SRV_CONN_WS;
        c->ws_paused = false;
        tg_ws_msg_init(&c->ws, true, TG_SRV_WS_MSG_MAX);
        srv->ws_open++;
        srv->stats.ws_accepted++;
    } else {
        c->stream = TG_SRV_STREAM_SSE;
        c->state = TG_SRV_CONN_SSE;
        srv->sse_open++;
        srv->stats.sse_accepted++;
    }
    int sndbuf = SNDBUF;
    (void)setsockopt(c->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
    subscribe(c); /* first: a failed replay closes c, which unsubscribes it */
    if (c->resume) {
        replay(c);
        if (c->fd < 0) {
            return TG_SRV_CONN_CLOSED;
        }
    }
    return TG_SRV_CONN_CONTINUE;
}

enum tg_srv_conn_step tg_srv_stream__step_sse(struct tg_srv_conn *c)
{
    c->in_r = c->in_w; /* a subscriber has nothing to say; what it sends is ignored */
    if (c->peer_eof) {
        tg_srv_conn__close(c);
        return TG_SRV_CONN_CLOSED;
    }
    return TG_SRV_CONN_STOP;
}

/* ---- fan-out ---- */

static void on_drop_deadline(struct tg_srv_timer *t, tg_ns now_ns)
{
    (void)now_ns;
    tg_srv_conn__close(TG_SRV_CONN_OF(t, timer));
}

/* Drops a subscriber whose backlog is over the cap. */
static void drop_slow(struct tg_srv_conn *c)
{
    static const char why[] = "subscriber too slow";
    struct tg_serve *srv = c->srv;
    if (c->stream == TG_SRV_STREAM_SSE) {
        srv->stats.sse_dropped_slow++;
        tg_srv_conn__close(c);
        return;
    }
    srv->stats.ws_dropped_slow++;
    tg_srv_ws__close(c, TG_WS_CLOSE_POLICY, why, sizeof(why) - 1);
    tg_srv_timer_stop(&srv->timers, &c->timer);
    tg_srv_timer_start(&srv->timers, &c->timer, tg_clock_now() + DROP_GRACE_NS, on_drop_deadline);
    tg_srv_conn__settle(c);
}

/* Queues p[0..n) behind c's unsent output. false: c was dropped or closed. */
static bool queue(struct tg_srv_conn *c, const char *p, size_t n)
{
    uint32_t owed = c->out_w - c->out_r;
    if (owed + n > TG_SRV_STREAM_BACKLOG_MAX) {
        drop_slow(c);
        return false;
    }
    if (!c->out && !(c->out = tg_srv_bufpool_get(&c->srv->bufs))) {
        tg_srv_conn__close(c);
        return false;
    }
    if (TG_SRV_BUF_SIZE - c->out_w < n) {
        memmove(c->out, c->out + c->out_r, owed);
        c->out_r = 0;
        c->out_w = owed;
    }
    memcpy(c->out + c->out_w, p, n);
    c->out_w += (uint32_t)n;
    return true;
}

/* Hands tick bytes p[0..n) to subscriber c. false: c was dropped or closed. */
static bool deliver(struct tg_srv_conn *c, const char *p, size_t n)
{
    if (c->out_r < c->out_w) {
        return queue(c, p, n); /* the write watcher is on while output is pending */
    }
    c->out_r = c->out_w = 0;
    ssize_t k = send(c->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (k == (ssize_t)n) {
        return true;
    }
    if (k < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        tg_srv_conn__close(c);
        return false;
    }
    size_t sent = k > 0 ? (size_t)k : 0;
    if (!queue(c, p + sent, n - sent)) {
        return false;
    }
    tg_srv_conn__settle(c);
    return true;
}

static void fan_out(struct tg_serve *srv)
{
    const struct tg_srv_ticker *t = &srv->ticker;
    const struct tg_srv_tick_event *e = tg_srv_ticker_event(t, t->seq);
    struct tg_srv_conn *next;
    for (struct tg_srv_conn *c = srv->subs_head; c; c = next) {
        next = c->sub_next;
        if (c->stream == TG_SRV_STREAM_WS) {
            srv->stats.ws_ticks_sent += deliver(c, t->ws, t->ws_len);
        } else if (!c->resume || t->seq > c->n) {
            srv->stats.sse_ticks_sent += deliver(c, e->sse, e->len);
        }
    }
}

static void on_tick(struct tg_srv_timer *timer, tg_ns now_ns)
{
    struct tg_serve *srv =
        (struct tg_serve *)(void *)((char *)timer - offsetof(struct tg_serve, tick_timer));
    for (int i = 0; i < TICK_BATCH && srv->subs_head; i++) {
        if (tg_srv_ticker_due(&srv->ticker, srv->tick_next) > now_ns) {
            break;
        }
        tg_srv_ticker_make(&srv->ticker, srv->tick_next++);
        srv->stats.ticks_produced++;
        fan_out(srv);
    }
    if (srv->subs_head) {
        tg_srv_timer_start(&srv->timers, &srv->tick_timer,
                           tg_srv_ticker_due(&srv->ticker, srv->tick_next), on_tick);
    }
}

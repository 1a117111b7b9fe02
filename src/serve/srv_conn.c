/*
 * srv_conn — connection lifecycle, socket I/O and the state-machine driver;
 * states, ordering and error rules in srv_conn.h, the object in
 * serve/internal.h.
 *
 * Control flow: the read and write callbacks and the wait callbacks (slot
 * served, delay elapsed, stall released) all end in pump(), which runs the
 * current state's step until one says STOP (needs I/O or a wait) or CLOSED
 * (the object is back on the free list and must not be touched), then sends
 * what is pending, sets the watchers to what the state wants and gives idle
 * buffers back to the pool.
 *
 * Hot file: per request, one recv and one send when the client does not
 * pipeline; watchers are only touched when what the state wants changes.
 */
#include "serve/srv_conn.h"

#include "core/alloc.h"
#include "core/clock.h"
#include "serve/internal.h"

#include <assert.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define LINGER_NS     (1 * TG_NS_PER_S) /* drain time after a half-close */
#define COMPACT_BELOW 4096              /* move unread input to the front below this room */

void tg_srv_conn__close(struct tg_srv_conn *c)
{
    struct tg_serve *srv = c->srv;
    ev_io_stop(srv->loop, &c->rio);
    ev_io_stop(srv->loop, &c->wio);
    tg_capacity_cancel(&srv->cap, &c->slot);
    tg_srv_timer_stop(&srv->timers, &c->timer);
    tg_srv_stall_cancel(&srv->stall, &c->hold);
    tg_srv_stream__leave(c);
    close(c->fd);
    c->fd = -1;
    tg_srv_bufpool_put(&srv->bufs, c->in);
    tg_srv_bufpool_put(&srv->bufs, c->out);
    tg_srv_bufpool_put(&srv->bufs, c->aux);
    c->in = c->out = c->aux = NULL;
    srv->connections_open--;
    c->next_free = srv->free_conns;
    srv->free_conns = c;
}

bool tg_srv_conn__flush(struct tg_srv_conn *c)
{
    while (c->out_r < c->out_w) {
        ssize_t n = send(c->fd, c->out + c->out_r, c->out_w - c->out_r, MSG_NOSIGNAL);
        if (n > 0) {
            c->out_r += (uint32_t)n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return true;
        } else {
            tg_srv_conn__close(c);
            return false;
        }
    }
    c->out_r = c->out_w = 0;
    return true;
}

int tg_srv_conn__make_room(struct tg_srv_conn *c, size_t need)
{
    if (!c->out && !(c->out = tg_srv_bufpool_get(&c->srv->bufs))) {
        tg_srv_conn__close(c);
        return -1;
    }
    if (TG_SRV_BUF_SIZE - c->out_w >= need) {
        return 1;
    }
    if (!tg_srv_conn__flush(c)) {
        return -1;
    }
    if (c->out_r > 0) {
        memmove(c->out, c->out + c->out_r, c->out_w - c->out_r);
        c->out_w -= c->out_r;
        c->out_r = 0;
    }
    return TG_SRV_BUF_SIZE - c->out_w >= need;
}

static void set_watcher(struct ev_loop *loop, ev_io *w, bool on)
{
    if (on && !ev_is_active(w)) {
        ev_io_start(loop, w);
    } else if (!on && ev_is_active(w)) {
        ev_io_stop(loop, w);
    }
}

void tg_srv_conn__settle(struct tg_srv_conn *c)
{
    struct tg_serve *srv = c->srv;
    bool reading = c->state == TG_SRV_CONN_HEAD || c->state == TG_SRV_CONN_BODY ||
                   c->state == TG_SRV_CONN_LINGER || c->state == TG_SRV_CONN_SSE ||
                   (c->state == TG_SRV_CONN_WS && !c->ws_paused);
    set_watcher(srv->loop, &c->rio, reading && !c->peer_eof);
    set_watcher(srv->loop, &c->wio, c->out_r < c->out_w || c->state == TG_SRV_CONN_RESPOND);
    if (c->in && c->in_r == c->in_w) {
        tg_srv_bufpool_put(&srv->bufs, c->in);
        c->in = NULL;
        c->in_r = c->in_w = 0;
    }
    if (c->out && c->out_r == c->out_w) {
        tg_srv_bufpool_put(&srv->bufs, c->out);
        c->out = NULL;
        c->out_r = c->out_w = 0;
    }
}

static void on_linger_end(struct tg_srv_timer *t, tg_ns now_ns)
{
    (void)now_ns;
    tg_srv_conn__close(TG_SRV_CONN_OF(t, timer));
}

/* Flushes, then half-closes and lingers so the peer reads the response, not a reset. */
static enum tg_srv_conn_step step_closing(struct tg_srv_conn *c)
{
    if (!tg_srv_conn__flush(c)) {
        return TG_SRV_CONN_CLOSED;
    }
    if (c->out_r < c->out_w) {
        return TG_SRV_CONN_STOP;
    }
    if (c->peer_eof) {
        tg_srv_conn__close(c);
        return TG_SRV_CONN_CLOSED;
    }
    shutdown(c->fd, SHUT_WR);
    c->state = TG_SRV_CONN_LINGER;
    c->in_r = c->in_w;
    tg_srv_timer_stop(&c->srv->timers, &c->timer); /* a dropped subscriber's deadline */
    tg_srv_timer_start(&c->srv->timers, &c->timer, tg_clock_now() + LINGER_NS, on_linger_end);
    return TG_SRV_CONN_STOP;
}

void tg_srv_conn__pump(struct tg_srv_conn *c)
{
    enum tg_srv_conn_step r = TG_SRV_CONN_CONTINUE;
    while (r == TG_SRV_CONN_CONTINUE) {
        switch (c->state) {
        case TG_SRV_CONN_HEAD:
            r = tg_srv_request__step_head(c);
            break;
        case TG_SRV_CONN_BODY:
            r = tg_srv_request__step_body(c);
            break;
        case TG_SRV_CONN_RESPOND:
            r = tg_srv_reply__step(c);
            break;
        case TG_SRV_CONN_CLOSING:
            r = step_closing(c);
            break;
        case TG_SRV_CONN_WS:
            r = tg_srv_ws__step(c);
            break;
        case TG_SRV_CONN_SSE:
            r = tg_srv_stream__step_sse(c);
            break;
        default: /* WAIT, LINGER: a callback resumes */
            r = TG_SRV_CONN_STOP;
            break;
        }
    }
    if (r == TG_SRV_CONN_CLOSED || !tg_srv_conn__flush(c)) {
        return;
    }
    tg_srv_conn__settle(c);
}

/* Reads what the socket has. false: the connection is gone or nothing new arrived. */
static bool read_input(struct tg_srv_conn *c)
{
    if (!c->in && !(c->in = tg_srv_bufpool_get(&c->srv->bufs))) {
        tg_srv_conn__close(c);
        return false;
    }
    if (c->in_r == c->in_w) {
        c->in_r = c->in_w = 0;
    } else if (c->in_r > 0 && TG_SRV_BUF_SIZE - c->in_w < COMPACT_BELOW) {
        memmove(c->in, c->in + c->in_r, c->in_w - c->in_r);
        c->in_w -= c->in_r;
        c->in_r = 0;
    }
    assert(c->in_w < TG_SRV_BUF_SIZE); /* reading states leave at most HEAD_MAX unread */
    ssize_t n = recv(c->fd, c->in + c->in_w, TG_SRV_BUF_SIZE - c->in_w, 0);
    if (n > 0) {
        c->in_w += (uint32_t)n;
    } else if (n == 0) {
        c->peer_eof = true;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
        tg_srv_conn__settle(c);
        return false;
    } else {
        tg_srv_conn__close(c);
        return false;
    }
    return true;
}

static void on_read(struct ev_loop *loop, ev_io *w, int revents)
{
    (void)loop;
    (void)revents;
    struct tg_srv_conn *c = w->data;
    if (!read_input(c)) {
        return;
    }
    if (c->state == TG_SRV_CONN_LINGER) {
        c->in_r = c->in_w;
        if (c->peer_eof) {
            tg_srv_conn__close(c);
        } else {
            tg_srv_conn__settle(c);
        }
        return;
    }
    tg_srv_conn__pump(c);
}

static void on_write(struct ev_loop *loop, ev_io *w, int revents)
{
    (void)loop;
    (void)revents;
    struct tg_srv_conn *c = w->data;
    if (tg_srv_conn__flush(c)) {
        tg_srv_conn__pump(c);
    }
}

/* A recycled or new connection object; NULL when out of memory. */
static struct tg_srv_conn *conn_get(struct tg_serve *srv)
{
    struct tg_srv_conn *c = srv->free_conns;
    if (c) {
        srv->free_conns = c->next_free;
        return c;
    }
    /* Two timers per connection (slot, delay/linger), the stall window's, the ticker's and
     * the degradation's. */
    if (tg_srv_timer_reserve(&srv->timers, 2 * (srv->nconns + 1) + 3) < 0) {
        return NULL;
    }
    c = tg_calloc(1, sizeof(*c));
    if (!c) {
        return NULL;
    }
    c->next_all = srv->all_conns;
    srv->all_conns = c;
    srv->nconns++;
    return c;
}

int tg_srv_conn_open(struct tg_serve *srv, int fd)
{
    struct tg_srv_conn *c = conn_get(srv);
    if (!c) {
        close(fd);
        return TG_ENOMEM;
    }
    struct tg_srv_conn *next_all = c->next_all;
    memset(c, 0, sizeof(*c));
    c->next_all = next_all;
    c->srv = srv;
    c->fd = fd;
    c->state = TG_SRV_CONN_HEAD;
    tg_capacity_waiter_init(&c->slot);
    tg_srv_stall_waiter_init(&c->hold);
    ev_io_init(&c->rio, on_read, fd, EV_READ);
    ev_io_init(&c->wio, on_write, fd, EV_WRITE);
    c->rio.data = c->wio.data = c;
    ev_io_start(srv->loop, &c->rio);
    srv->connections_open++;
    srv->stats.connections_accepted++;
    return 0;
}

void tg_srv_conn_close_all(struct tg_serve *srv)
{
    for (struct tg_srv_conn *c = srv->all_conns; c; c = c->next_all) {
        if (c->fd >= 0) {
            tg_srv_conn__close(c);
        }
    }
}

void tg_srv_conn_free_all(struct tg_serve *srv)
{
    struct tg_srv_conn *c = srv->all_conns;
    while (c) {
        struct tg_srv_conn *next = c->next_all;
        tg_free(c);
        c = next;
    }
    srv->all_conns = srv->free_conns = NULL;
    srv->nconns = 0;
}

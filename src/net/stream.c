/*
 * stream — a long-lived client connection; see stream.h.
 *
 * The io watcher is the only place callbacks come from. Failures found in
 * the owner's own calls (a write the kernel refuses) are parked in s->err
 * and the watcher is fed an event, so on_error still comes from the watcher;
 * closing clears such a pending event, so a closed stream is never called
 * back.
 */
#include "net/stream.h"

#include "core/alloc.h"
#include "core/clock.h"
#include "net/errcode.h"
#include "net/tls.h"

#include <openssl/err.h>

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void io_cb(struct ev_loop *loop, ev_io *w, int revents);

void tg_stream_init(struct tg_stream *s, struct ev_loop *loop, const struct tg_stream_ops *ops,
                    void *ctx, size_t out_max)
{
    memset(s, 0, sizeof(*s));
    s->loop = loop;
    s->ops = ops;
    s->ctx = ctx;
    s->fd = -1;
    s->out_max = out_max;
    s->state = TG_STREAM_CLOSED;
    ev_io_init(&s->io, io_cb, -1, EV_READ);
    s->io.data = s;
}

/* The events the watcher waits for now: writable while connecting or owing bytes. */
static void arm(struct tg_stream *s)
{
    int ev = 0;
    if (s->state == TG_STREAM_CONNECTING || s->out_off < s->out_len) {
        ev |= EV_WRITE;
    }
    if (s->state == TG_STREAM_HANDSHAKE || (s->state == TG_STREAM_OPEN && s->reading)) {
        ev |= EV_READ;
    }
    if (ev_is_active(&s->io) && (s->io.events & (EV_READ | EV_WRITE)) == ev) {
        return;
    }
    ev_io_stop(s->loop, &s->io);
    if (ev) {
        ev_io_set(&s->io, s->fd, ev);
        ev_io_start(s->loop, &s->io);
    }
}

void tg_stream_close(struct tg_stream *s)
{
    ev_io_stop(s->loop, &s->io);
    ev_clear_pending(s->loop, &s->io);
    if (s->ssl) {
        SSL_free(s->ssl);
        s->ssl = NULL;
    }
    if (s->fd >= 0) {
        close(s->fd);
        s->fd = -1;
    }
    tg_free(s->out);
    s->out = NULL;
    s->out_off = s->out_len = s->out_cap = 0;
    s->state = TG_STREAM_CLOSED;
    s->reading = false;
    s->err = 0;
}

/* Closes s and tells the owner: the last thing the watcher does. */
static void fail(struct tg_stream *s, int code)
{
    tg_stream_close(s);
    s->ops->on_error(s, code);
}

static int connect_errcode(int err)
{
    switch (err) {
    case ECONNREFUSED:
        return TG_ERR_TCP_DIAL_REFUSED;
    case ETIMEDOUT:
        return TG_ERR_TCP_DIAL_TIMEOUT;
    case ECONNRESET:
        return TG_ERR_TCP_RESET;
    case ENETUNREACH:
    case EHOSTUNREACH:
    case EADDRNOTAVAIL:
    case EMFILE:
    case ENFILE:
        return TG_ERR_TCP_DIAL;
    default:
        return TG_ERR_TCP_DIAL_UNKNOWN;
    }
}

static bool retryable(int err)
{
    return err == ECONNREFUSED || err == ENETUNREACH || err == EHOSTUNREACH ||
           err == EADDRNOTAVAIL || err == EAFNOSUPPORT;
}

/* Opens a socket to the current address and starts connecting. 0 or an errno. */
static int dial(struct tg_stream *s)
{
    const struct tg_addr *a = &s->target->addrs[s->addr_idx];
    s->fd = socket(a->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s->fd < 0) {
        return errno;
    }
    int one = 1;
    (void)setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (connect(s->fd, (const struct sockaddr *)&a->sa, a->len) < 0 && errno != EINPROGRESS) {
        int err = errno;
        close(s->fd);
        s->fd = -1;
        return err;
    }
    s->state = TG_STREAM_CONNECTING; /* established or not, the watcher finds out */
    arm(s);
    return 0;
}

/* Dials the current address, then the others while they refuse. 0 or an errno. */
static int dial_any(struct tg_stream *s)
{
    for (;;) {
        int err = dial(s);
        if (err == 0 || !retryable(err) || s->addr_tries + 1 >= s->target->n_addrs) {
            return err;
        }
        s->addr_tries++;
        s->addr_idx = (s->addr_idx + 1) % s->target->n_addrs;
    }
}

int tg_stream_connect(struct tg_stream *s, struct tg_conn_target *target, tg_ns now)
{
    tg_stream_close(s);
    s->target = target;
    s->t_conn_start = now;
    s->t_connected = s->t_open = 0;
    s->bytes_sent = s->bytes_received = 0;
    if (target->n_addrs == 0) {
        return target->resolve_error ? target->resolve_error : TG_ERR_DNS;
    }
    s->addr_idx = target->addr_pref;
    s->addr_tries = 0;
    int err = dial_any(s);
    return err ? connect_errcode(err) : 0;
}

static void handshake(struct tg_stream *s)
{
    ERR_clear_error();
    int r = SSL_do_handshake(s->ssl);
    if (r == 1) {
        s->t_open = tg_clock_now();
        s->state = TG_STREAM_OPEN;
        arm(s);
        s->ops->on_open(s);
        return;
    }
    switch (SSL_get_error(s->ssl, r)) {
    case SSL_ERROR_WANT_READ:
        ev_io_stop(s->loop, &s->io);
        ev_io_set(&s->io, s->fd, EV_READ);
        ev_io_start(s->loop, &s->io);
        return;
    case SSL_ERROR_WANT_WRITE:
        ev_io_stop(s->loop, &s->io);
        ev_io_set(&s->io, s->fd, EV_READ | EV_WRITE);
        ev_io_start(s->loop, &s->io);
        return;
    default:
        fail(s, tg_tls_error_code(s->ssl));
        return;
    }
}

/* The socket became writable while connecting: established, refused, or the next address. */
static void finish_connect(struct tg_stream *s)
{
    int err = 0;
    socklen_t len = sizeof(err);
    if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) {
        err = errno;
    }
    if (err && retryable(err) && s->addr_tries + 1 < s->target->n_addrs) {
        ev_io_stop(s->loop, &s->io);
        close(s->fd);
        s->fd = -1;
        s->addr_tries++;
        s->addr_idx = (s->addr_idx + 1) % s->target->n_addrs;
        err = dial_any(s);
        if (err) {
            fail(s, connect_errcode(err));
        }
        return;
    }
    if (err) {
        fail(s, connect_errcode(err));
        return;
    }
    s->t_connected = tg_clock_now();
    s->target->addr_pref = s->addr_idx;
    if (!s->target->tls) {
        s->t_open = s->t_connected;
        s->state = TG_STREAM_OPEN;
        arm(s);
        s->ops->on_open(s);
        return;
    }
    s->ssl = tg_tls_new(s->target->tls, s->fd, s->target->host, s->target->tls_verify);
    if (!s->ssl) {
        fail(s, TG_ERR_TLS);
        return;
    }
    SSL_set_mode(s->ssl, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER); /* out may move between tries */
    s->state = TG_STREAM_HANDSHAKE;
    handshake(s);
}

/* Sends from p; returns bytes taken (>= 0) or -1 with *err an errno (EAGAIN: nothing now). */
static ssize_t send_some(struct tg_stream *s, const char *p, size_t n, int *err)
{
    *err = 0;
    if (!s->ssl) {
        ssize_t k = send(s->fd, p, n, MSG_NOSIGNAL);
        if (k < 0) {
            *err = errno == EWOULDBLOCK || errno == EINTR ? EAGAIN : errno;
        }
        return k;
    }
    ERR_clear_error();
    int r = SSL_write(s->ssl, p, (int)TG_MIN(n, (size_t)INT32_MAX));
    if (r > 0) {
        return r;
    }
    int e = SSL_get_error(s->ssl, r);
    *err = e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ ? EAGAIN
           : e == SSL_ERROR_SYSCALL && errno                     ? errno
                                                                 : EPIPE;
    return -1;
}

static int write_errcode(int err)
{
    return err == EPIPE        ? TG_ERR_TCP_BROKEN_PIPE
           : err == ECONNRESET ? TG_ERR_TCP_RESET
                               : TG_ERR_TCP;
}

/* Sends what waits in out. 0, or an error code (the caller fails the stream). */
static int flush(struct tg_stream *s)
{
    while (s->out_off < s->out_len) {
        int err;
        ssize_t k = send_some(s, s->out + s->out_off, s->out_len - s->out_off, &err);
        if (k < 0) {
            return err == EAGAIN ? 0 : write_errcode(err);
        }
        s->out_off += (size_t)k;
        s->bytes_sent += (uint64_t)k;
    }
    s->out_off = s->out_len = 0;
    return 0;
}

/* Keeps p[0..n) behind the unsent bytes. 0, TG_E2BIG or TG_ENOMEM. */
static int keep(struct tg_stream *s, const char *p, size_t n)
{
    size_t waiting = s->out_len - s->out_off;
    if (n > s->out_max - waiting) {
        return TG_E2BIG;
    }
    if (s->out_off > 0) { /* slide the unsent bytes to the front */
        memmove(s->out, s->out + s->out_off, waiting);
        s->out_off = 0;
        s->out_len = waiting;
    }
    if (waiting + n > s->out_cap) {
        size_t cap = s->out_cap ? s->out_cap : 4096;
        while (cap < waiting + n) {
            cap *= 2;
        }
        cap = TG_MIN(cap, s->out_max);
        char *q = tg_realloc(s->out, cap, 1);
        if (!q) {
            return TG_ENOMEM;
        }
        s->out = q;
        s->out_cap = cap;
    }
    memcpy(s->out + s->out_len, p, n);
    s->out_len += n;
    return 0;
}

/* A failure in the owner's call: parked, and reported from the watcher. */
static void park(struct tg_stream *s, int code)
{
    s->err = code;
    ev_io_stop(s->loop, &s->io);
    ev_feed_event(s->loop, &s->io, EV_WRITE);
}

int tg_stream_write(struct tg_stream *s, const char *p, size_t n)
{
    if (s->state != TG_STREAM_OPEN || s->err) {
        return TG_ECLOSED;
    }
    if (s->out_off < s->out_len) { /* bytes are waiting: these go behind them */
        int rc = keep(s, p, n);
        if (rc == 0) {
            arm(s);
        }
        return rc;
    }
    size_t off = 0;
    while (off < n) {
        int err;
        ssize_t k = send_some(s, p + off, n - off, &err);
        if (k < 0) {
            if (err != EAGAIN) {
                park(s, write_errcode(err));
                return 0; /* the bytes are lost with the connection, which the owner hears of */
            }
            break;
        }
        off += (size_t)k;
        s->bytes_sent += (uint64_t)k;
    }
    if (off == n) {
        return 0;
    }
    int rc = keep(s, p + off, n - off);
    if (rc < 0 && off > 0) { /* part of it left: the stream is unusable now */
        park(s, TG_ERR_TCP);
        return 0;
    }
    if (rc == 0) {
        arm(s);
    }
    return rc;
}

size_t tg_stream_unsent(const struct tg_stream *s)
{
    return s->out_len - s->out_off;
}

void tg_stream_want_read(struct tg_stream *s, bool on)
{
    if (s->reading == on || s->state != TG_STREAM_OPEN || s->err) {
        s->reading = on;
        return;
    }
    s->reading = on;
    arm(s);
    if (on) {
        ev_feed_event(s->loop, &s->io,
                      EV_READ); /* TLS may hold bytes the kernel no longer signals */
    }
}

void tg_stream_drain(struct tg_stream *s, char *buf, size_t cap, size_t max)
{
    size_t total = 0;
    while (s->state == TG_STREAM_OPEN && total < max) {
        int code;
        int n = tg_stream_read(s, buf, TG_MIN(cap, max - total), &code);
        if (n <= 0) {
            return;
        }
        total += (size_t)n;
    }
}

void tg_stream_read_later(struct tg_stream *s)
{
    if (s->state == TG_STREAM_OPEN && s->reading && !s->err) {
        ev_feed_event(s->loop, &s->io, EV_READ);
    }
}

int tg_stream_read(struct tg_stream *s, char *buf, size_t cap, int *code)
{
    *code = 0;
    if (!s->ssl) {
        ssize_t n = recv(s->fd, buf, cap, 0);
        if (n >= 0) {
            s->bytes_received += (uint64_t)n;
            return (int)n;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
            return TG_EAGAIN;
        }
        *code = errno == ECONNRESET ? TG_ERR_TCP_RESET : TG_ERR_TCP;
        return TG_EIO;
    }
    ERR_clear_error();
    int r = SSL_read(s->ssl, buf, (int)TG_MIN(cap, (size_t)INT32_MAX));
    if (r > 0) {
        s->bytes_received += (uint64_t)r;
        return r;
    }
    switch (SSL_get_error(s->ssl, r)) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
        return TG_EAGAIN;
    case SSL_ERROR_ZERO_RETURN:
        return 0;
    case SSL_ERROR_SYSCALL:
        if (errno == 0) {
            return 0; /* closed without close_notify: an end all the same */
        }
        *code = errno == ECONNRESET ? TG_ERR_TCP_RESET : TG_ERR_TCP;
        return TG_EIO;
    default:
        *code = TG_ERR_TLS;
        return TG_EIO;
    }
}

static void io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    (void)loop;
    struct tg_stream *s = w->data;
    if (s->err) {
        fail(s, s->err);
        return;
    }
    switch (s->state) {
    case TG_STREAM_CONNECTING:
        finish_connect(s);
        return;
    case TG_STREAM_HANDSHAKE:
        handshake(s);
        return;
    case TG_STREAM_OPEN:
        break;
    default:
        ev_io_stop(s->loop, w);
        return;
    }
    if (revents & EV_WRITE) {
        int code = flush(s);
        if (code) {
            fail(s, code);
            return;
        }
        arm(s);
    }
    if ((revents & EV_READ) && s->reading) {
        s->ops->on_readable(s);
    }
}

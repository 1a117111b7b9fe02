/*
 * conn — the client connection state machine; see conn.h.
 */
#include "net/conn.h"

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
static void try_write(struct tg_conn *c);
static void do_read(struct tg_conn *c);

int tg_conn_env_init(struct tg_conn_env *env, struct ev_loop *loop, size_t max_head,
                     uint64_t max_body)
{
    memset(env, 0, sizeof(*env));
    env->loop = loop;
    env->max_head = max_head;
    env->max_body = max_body;
    env->scratch_len = max_head + 64 * 1024;
    env->scratch = tg_alloc(env->scratch_len);
    env->resp = tg_alloc(sizeof(*env->resp));
    env->head_pool_cap = 256;
    env->head_pool = tg_calloc(env->head_pool_cap, sizeof(char *));
    if (!env->scratch || !env->resp || !env->head_pool) {
        tg_conn_env_fini(env);
        return TG_ENOMEM;
    }
    return 0;
}

void tg_conn_env_fini(struct tg_conn_env *env)
{
    for (size_t i = 0; i < env->head_pool_n; i++) {
        tg_free(env->head_pool[i]);
    }
    tg_free(env->head_pool);
    tg_free(env->scratch);
    tg_free(env->resp);
    memset(env, 0, sizeof(*env));
}

void tg_conn_init(struct tg_conn *c, struct tg_conn_env *env, tg_conn_cb cb, void *ctx)
{
    memset(c, 0, sizeof(*c));
    c->env = env;
    c->fd = -1;
    c->cb = cb;
    c->ctx = ctx;
    c->state = TG_CONN_CLOSED;
    ev_io_init(&c->io, io_cb, -1, EV_READ);
    c->io.data = c;
}

bool tg_conn_busy(const struct tg_conn *c)
{
    return c->req != NULL;
}

static void set_events(struct tg_conn *c, int events)
{
    if (ev_is_active(&c->io) && (c->io.events & (EV_READ | EV_WRITE)) == events) {
        return;
    }
    ev_io_stop(c->env->loop, &c->io);
    ev_io_set(&c->io, c->fd, events);
    ev_io_start(c->env->loop, &c->io);
}

static void release_head(struct tg_conn *c)
{
    if (!c->head_buf) {
        return;
    }
    struct tg_conn_env *env = c->env;
    if (env->head_pool_n < env->head_pool_cap) {
        env->head_pool[env->head_pool_n++] = c->head_buf;
    } else {
        tg_free(c->head_buf);
    }
    c->head_buf = NULL;
    c->head_len = 0;
}

void tg_conn_close(struct tg_conn *c)
{
    if (c->fd >= 0) {
        ev_io_stop(c->env->loop, &c->io);
        if (c->ssl) {
            SSL_free(c->ssl);
            c->ssl = NULL;
        }
        close(c->fd);
        c->fd = -1;
    }
    release_head(c);
    c->state = TG_CONN_CLOSED;
    c->in_body = false;
}

/*
 * Ends the exchange and reports it; the conn must not be touched afterwards.
 * A response completed by the read that just returned is done at that read's
 * time stamp (t_read), which saves a clock read per request.
 */
static void finish(struct tg_conn *c)
{
    c->res.t_done = c->t_read ? c->t_read : tg_clock_now();
    c->t_read = 0;
    if (c->req_off < c->req_len) {
        c->keep_alive = false; /* answered before we finished sending: unusable */
    }
    c->req = NULL;
    c->creq = NULL;
    c->in_body = false;
    release_head(c);
    if (c->state != TG_CONN_CLOSED) {
        if (c->keep_alive) {
            c->state = TG_CONN_IDLE;
        } else {
            tg_conn_close(c);
        }
    }
    c->cb(c, c->ctx);
}

void tg_conn_fail(struct tg_conn *c, int code)
{
    c->res.error_code = code;
    tg_conn_close(c);
    if (c->req) {
        finish(c);
    }
}

void tg_conn_check_deadlines(struct tg_conn *c, tg_ns now)
{
    if (!tg_conn_busy(c)) {
        return;
    }
    bool connecting = c->state == TG_CONN_CONNECTING || c->state == TG_CONN_HANDSHAKE;
    if (connecting && c->connect_deadline && now >= c->connect_deadline) {
        tg_conn_fail(c, TG_ERR_TCP_DIAL_TIMEOUT);
    } else if (c->deadline && now >= c->deadline) {
        tg_conn_fail(c, TG_ERR_REQUEST_TIMEOUT);
    }
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

static void on_established(struct tg_conn *c);

static void do_connect(struct tg_conn *c);

/*
 * A connect failed with err. When the name resolved to several addresses
 * (e.g. ::1 and 127.0.0.1 for localhost) the next one is tried before the
 * exchange fails; the address that works becomes the preferred one.
 */
static void connect_failed(struct tg_conn *c, int err)
{
    bool retryable = err == ECONNREFUSED || err == ENETUNREACH || err == EHOSTUNREACH ||
                     err == EADDRNOTAVAIL || err == EAFNOSUPPORT;
    const struct tg_conn_target *t = c->target;
    if (retryable && c->addr_tries + 1 < t->n_addrs) {
        tg_conn_close(c);
        c->addr_tries++;
        c->addr_idx = (c->addr_idx + 1) % t->n_addrs;
        do_connect(c);
        return;
    }
    tg_conn_fail(c, connect_errcode(err));
}

static void do_connect(struct tg_conn *c)
{
    const struct tg_addr *a = &c->target->addrs[c->addr_idx];
    if (c->res.t_conn_start == 0) {
        c->res.t_conn_start = tg_clock_now();
    }
    c->fd = socket(a->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) {
        connect_failed(c, errno);
        return;
    }
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    c->env->conns_opened++;
    c->keep_alive = true;
    if (connect(c->fd, (const struct sockaddr *)&a->sa, a->len) == 0) {
        on_established(c);
        return;
    }
    if (errno != EINPROGRESS) {
        connect_failed(c, errno);
        return;
    }
    c->state = TG_CONN_CONNECTING;
    set_events(c, EV_WRITE);
}

static void finish_connect(struct tg_conn *c)
{
    int err = 0;
    socklen_t len = sizeof(err);
    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) {
        err = errno;
    }
    if (err) {
        connect_failed(c, err);
        return;
    }
    on_established(c);
}

static void handshake(struct tg_conn *c)
{
    ERR_clear_error();
    int r = SSL_do_handshake(c->ssl);
    if (r == 1) {
        c->res.t_tls_done = tg_clock_now();
        c->state = TG_CONN_SENDING;
        set_events(c, EV_READ);
        try_write(c);
        return;
    }
    switch (SSL_get_error(c->ssl, r)) {
    case SSL_ERROR_WANT_READ:
        set_events(c, EV_READ);
        return;
    case SSL_ERROR_WANT_WRITE:
        set_events(c, EV_WRITE);
        return;
    default:
        tg_conn_fail(c, tg_tls_error_code(c->ssl));
        return;
    }
}

static void on_established(struct tg_conn *c)
{
    c->res.t_connected = tg_clock_now();
    c->target->addr_pref = c->addr_idx;
    if (c->target->tls) {
        c->ssl = tg_tls_new(c->target->tls, c->fd, c->target->host, c->target->tls_verify);
        if (!c->ssl) {
            tg_conn_fail(c, TG_ERR_TLS);
            return;
        }
        c->state = TG_CONN_HANDSHAKE;
        handshake(c);
        return;
    }
    c->res.t_tls_done = c->res.t_connected;
    c->state = TG_CONN_SENDING;
    set_events(c, EV_READ);
    try_write(c);
}

void tg_conn_send(struct tg_conn *c, struct tg_conn_target *target, const struct tg_conn_req *req,
                  tg_ns now)
{
    memset(&c->res, 0, sizeof(c->res));
    if (c->target != target && c->state != TG_CONN_CLOSED) {
        tg_conn_close(c); /* another origin: this connection cannot carry it */
    }
    c->target = target;
    c->creq = req;
    c->req = req->bytes;
    c->req_len = req->len;
    c->req_off = 0;
    c->head_request = req->head_request;
    c->retried = false;
    c->in_body = false;
    c->body_len = 0;
    if (req->keep) {
        req->keep->head_len = 0;
        req->keep->body_len = 0;
    }
    c->deadline = req->timeout_ns ? now + req->timeout_ns : 0;
    c->addr_idx = target->addr_pref;
    c->addr_tries = 0;
    c->connect_deadline = req->connect_timeout_ns ? now + req->connect_timeout_ns : 0;
    if (target->n_addrs == 0) {
        c->res.error_code = target->resolve_error;
        finish(c);
        return;
    }
    if (c->state == TG_CONN_IDLE) {
        c->res.reused = true;
        c->res.t_send_start = now; /* the caller's clock: no second read of it */
        c->state = TG_CONN_SENDING;
        try_write(c);
        return;
    }
    do_connect(c);
}

/* A reused connection the server had already closed: reconnect once, silently. */
static bool retry_stale(struct tg_conn *c)
{
    if (!c->res.reused || c->retried || c->res.bytes_received > 0) {
        return false;
    }
    tg_conn_close(c);
    c->retried = true;
    c->res.reused = false;
    c->res.bytes_sent = 0;
    c->res.t_send_start = 0;
    c->req_off = 0;
    do_connect(c);
    return true;
}

static void try_write(struct tg_conn *c)
{
    if (c->req_off == 0 && c->res.t_send_start == 0) {
        c->res.t_send_start = tg_clock_now();
    }
    const char *p = c->req + c->req_off;
    size_t left = c->req_len - c->req_off;
    ssize_t n;
    int err = 0;
    if (c->ssl) {
        ERR_clear_error();
        int r = SSL_write(c->ssl, p, (int)left);
        n = r;
        if (r <= 0) {
            int e = SSL_get_error(c->ssl, r);
            err = (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) ? EAGAIN
                  : (e == SSL_ERROR_SYSCALL && errno)                     ? errno
                                                                          : EPIPE;
        }
    } else {
        n = send(c->fd, p, left, MSG_NOSIGNAL);
        err = n < 0 ? errno : 0;
    }
    if (n > 0) {
        c->req_off += (size_t)n;
        c->res.bytes_sent += (uint64_t)n;
        if (c->req_off == c->req_len) {
            c->res.t_send_end = tg_clock_now();
            c->state = TG_CONN_READING;
            set_events(c, EV_READ);
            return;
        }
        err = EAGAIN;
    }
    if (err == EAGAIN || err == EWOULDBLOCK || err == EINTR) {
        set_events(c, EV_READ | EV_WRITE);
        return;
    }
    if ((err == EPIPE || err == ECONNRESET) && retry_stale(c)) {
        return;
    }
    tg_conn_fail(c, err == EPIPE ? TG_ERR_TCP_BROKEN_PIPE : TG_ERR_TCP_RESET);
}

static int begin_body(struct tg_conn *c, const struct tg_h1_resp *r)
{
    c->res.status = r->status;
    c->keep_alive = !r->conn_close;
    c->framing = tg_h1_body_framing(r, c->head_request);
    c->in_body = true;
    c->body_len = 0;
    switch (c->framing) {
    case TG_H1_BODY_LENGTH:
        if ((uint64_t)r->content_length > c->env->max_body) {
            return TG_ERR_HTTP_BODY_TOO_LARGE;
        }
        c->body_left = (uint64_t)r->content_length;
        break;
    case TG_H1_BODY_CHUNKED:
        tg_chunked_init(&c->chunked);
        break;
    case TG_H1_BODY_CLOSE:
        c->keep_alive = false;
        break;
    case TG_H1_BODY_NONE:
        break;
    }
    return 0;
}

/* Parses a head from buf; returns bytes consumed (> 0), 0 when carried over, or < 0 error code. */
/* Appends data to a keep buffer, growing it (doubling) up to cap bytes. */
static int keep_append(char **buf, size_t *len, size_t *cap_now, size_t cap, const char *data,
                       size_t n)
{
    if (*len + n > cap) {
        return TG_E2BIG;
    }
    if (*len + n > *cap_now) {
        size_t want = *cap_now ? *cap_now : 512;
        while (want < *len + n) {
            want *= 2;
        }
        want = want < cap ? want : cap;
        char *p = tg_realloc(*buf, want, 1);
        if (!p) {
            return TG_ENOMEM;
        }
        *buf = p;
        *cap_now = want;
    }
    memcpy(*buf + *len, data, n);
    *len += n;
    return 0;
}

/* Keeps body bytes when the caller asked for them. */
static int keep_body(struct tg_conn *c, const char *data, size_t n)
{
    struct tg_conn_keep *k = c->creq ? c->creq->keep : NULL;
    if (!k || n == 0) {
        return 0;
    }
    int rc = keep_append(&k->body, &k->body_len, &k->body_cap, c->env->max_body, data, n);
    return rc == 0 ? 0 : (rc == TG_E2BIG ? TG_ERR_HTTP_BODY_TOO_LARGE : TG_ERR_GENERIC);
}

/* Points r's spans, which point into [from, from + n), into the same bytes at to. */
static void rebase(struct tg_h1_resp *r, const char *from, const char *to)
{
    r->reason.ptr = to + (r->reason.ptr - from);
    for (size_t i = 0; i < r->num_headers; i++) {
        r->headers[i].name.ptr = to + (r->headers[i].name.ptr - from);
        r->headers[i].value.ptr = to + (r->headers[i].value.ptr - from);
    }
}

static int take_head(struct tg_conn *c, const char *buf, size_t len)
{
    struct tg_h1_resp *r = c->env->resp;
    c->env->resp_owner = NULL; /* r is about to change */
    for (size_t off = 0;;) {
        int n = tg_h1_parse_head(buf + off, len - off, r);
        if (n == TG_EAGAIN) {
            size_t rest = len - off;
            if (rest >= c->env->max_head) {
                return -TG_ERR_HTTP_HEADER_TOO_LARGE;
            }
            if (!c->head_buf) {
                struct tg_conn_env *env = c->env;
                c->head_buf =
                    env->head_pool_n ? env->head_pool[--env->head_pool_n] : tg_alloc(env->max_head);
                if (!c->head_buf) {
                    return -TG_ERR_GENERIC;
                }
            }
            memmove(c->head_buf, buf + off, rest);
            c->head_len = rest;
            return 0;
        }
        if (n == TG_E2BIG) {
            return -TG_ERR_HTTP_HEADER_TOO_LARGE;
        }
        if (n < 0) {
            return -TG_ERR_HTTP_MALFORMED;
        }
        if ((size_t)n > c->env->max_head) {
            return -TG_ERR_HTTP_HEADER_TOO_LARGE;
        }
        size_t start = off;
        off += (size_t)n;
        if (r->status >= 100 && r->status < 200 && r->status != 101) {
            continue; /* interim response: the real one follows */
        }
        struct tg_conn_keep *k = c->creq ? c->creq->keep : NULL;
        if (k && keep_append(&k->head, &k->head_len, &k->head_cap, c->env->max_head, buf + start,
                             (size_t)n) < 0) {
            return -TG_ERR_GENERIC;
        }
        if (k && k->head_len == (size_t)n) { /* the kept copy is exactly this head */
            rebase(r, buf + start, k->head);
            c->env->resp_owner = k;
        }
        release_head(c);
        int err = begin_body(c, r);
        return err ? -err : (int)off;
    }
}

/* Consumes body bytes; true when the response is complete. *err set on failure. */
static bool take_body(struct tg_conn *c, char *buf, size_t len, int *err)
{
    switch (c->framing) {
    case TG_H1_BODY_NONE:
        if (len) {
            c->keep_alive = false; /* bytes we did not ask for */
        }
        return true;
    case TG_H1_BODY_LENGTH: {
        uint64_t take = len < c->body_left ? len : c->body_left;
        c->body_left -= take;
        c->body_len += take;
        if ((*err = keep_body(c, buf, (size_t)take)) != 0) {
            return false;
        }
        if (c->body_left > 0) {
            return false;
        }
        if (len > take) {
            c->keep_alive = false;
        }
        return true;
    }
    case TG_H1_BODY_CHUNKED: {
        size_t data = 0;
        int n = tg_chunked_decode(&c->chunked, buf, len, &data);
        if (n < 0) {
            *err = TG_ERR_HTTP_BAD_CHUNK;
            return false;
        }
        c->body_len += data;
        if (c->body_len > c->env->max_body) {
            *err = TG_ERR_HTTP_BODY_TOO_LARGE;
            return false;
        }
        if ((*err = keep_body(c, buf, data)) != 0) {
            return false;
        }
        if (!tg_chunked_done(&c->chunked)) {
            return false;
        }
        if ((size_t)n < len) {
            c->keep_alive = false;
        }
        return true;
    }
    case TG_H1_BODY_CLOSE:
        c->body_len += len;
        if (c->body_len > c->env->max_body) {
            *err = TG_ERR_HTTP_BODY_TOO_LARGE;
            return false;
        }
        *err = keep_body(c, buf, len);
        return false;
    }
    return false;
}

static void process(struct tg_conn *c, char *buf, size_t len)
{
    if (!c->in_body) {
        int n = take_head(c, buf, len);
        if (n < 0) {
            tg_conn_fail(c, -n);
            return;
        }
        if (n == 0) {
            return;
        }
        buf += n;
        len -= (size_t)n;
    }
    int err = 0;
    bool done = take_body(c, buf, len, &err);
    if (err) {
        tg_conn_fail(c, err);
    } else if (done) {
        finish(c);
    }
}

static void on_eof(struct tg_conn *c, int err)
{
    if (c->in_body && c->framing == TG_H1_BODY_CLOSE && err == 0) {
        tg_conn_close(c);
        finish(c);
        return;
    }
    if (retry_stale(c)) {
        return;
    }
    tg_conn_fail(c, err == ECONNRESET ? TG_ERR_TCP_RESET
                    : err             ? TG_ERR_TCP
                                      : TG_ERR_HTTP_UNEXPECTED_EOF);
}

/* Reads once; returns bytes read (> 0), 0 on EOF, -1 would block, or -errno-ish via *err. */
static ssize_t read_some(struct tg_conn *c, char *buf, size_t cap, int *err)
{
    *err = 0;
    if (!c->ssl) {
        ssize_t n = recv(c->fd, buf, cap, 0);
        if (n < 0) {
            *err = errno;
            return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? -1 : 0;
        }
        return n;
    }
    ERR_clear_error();
    int r = SSL_read(c->ssl, buf, (int)cap);
    if (r > 0) {
        return r;
    }
    switch (SSL_get_error(c->ssl, r)) {
    case SSL_ERROR_WANT_READ:
        return -1;
    case SSL_ERROR_WANT_WRITE:
        set_events(c, EV_READ | EV_WRITE);
        return -1;
    case SSL_ERROR_ZERO_RETURN:
        return 0;
    case SSL_ERROR_SYSCALL:
        *err = errno ? errno : 0;
        return 0;
    default:
        *err = EPROTO;
        return 0;
    }
}

static void do_read(struct tg_conn *c)
{
    struct tg_conn_env *env = c->env;
    char *buf = env->scratch;
    size_t off = 0;
    if (c->head_len) {
        memcpy(buf, c->head_buf, c->head_len);
        off = c->head_len;
    }
    int err;
    ssize_t n = read_some(c, buf + off, env->scratch_len - off, &err);
    if (n < 0) {
        return;
    }
    if (n == 0) {
        if (err == EPROTO) {
            tg_conn_fail(c, TG_ERR_TLS);
            return;
        }
        on_eof(c, err);
        return;
    }
    c->t_read = tg_clock_now();
    if (c->res.t_first_byte == 0) {
        c->res.t_first_byte = c->t_read;
    }
    c->res.bytes_received += (uint64_t)n;
    process(c, buf, off + (size_t)n);
    if (c->req) {
        c->t_read = 0; /* incomplete: a later read or failure ends the exchange */
    }
}

/* TLS may hold decrypted bytes the kernel no longer signals: drain them too. */
static void do_read_all(struct tg_conn *c)
{
    do_read(c);
    while (c->ssl && c->state == TG_CONN_READING && SSL_pending(c->ssl) > 0) {
        do_read(c);
    }
}

/* Readable while no exchange is in progress: the server closed (or misbehaved). */
static void idle_read(struct tg_conn *c)
{
    char tmp[512];
    int err;
    ssize_t n = read_some(c, tmp, sizeof(tmp), &err);
    if (n != -1) {
        tg_conn_close(c);
    }
}

static void io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    (void)loop;
    struct tg_conn *c = w->data;
    switch (c->state) {
    case TG_CONN_CONNECTING:
        finish_connect(c);
        break;
    case TG_CONN_HANDSHAKE:
        handshake(c);
        break;
    case TG_CONN_SENDING:
        if (revents & EV_WRITE) {
            try_write(c);
        } else {
            do_read(c);
        }
        break;
    case TG_CONN_READING:
        if (revents & EV_WRITE) {
            set_events(c, EV_READ);
        }
        do_read_all(c);
        break;
    case TG_CONN_IDLE:
        idle_read(c);
        break;
    case TG_CONN_CLOSED:
        ev_io_stop(loop, w);
        break;
    }
}

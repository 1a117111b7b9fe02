/*
 * srv_request — reading one request on a serve connection: parse the head
 * (serve/req_parse), route it (serve/srv_route), decide keep-alive, check the
 * framing and the limits, discard the body (Content-Length or chunked via
 * serve/req_chunked), then hand over to srv_reply. Part of the connection
 * object described in serve/internal.h and srv_conn.h.
 *
 * Rules: a head over TG_SRV_CONN_HEAD_MAX → 431; a body over
 * TG_SRV_CONN_BODY_MAX → 413 (at once for Content-Length, as soon as the
 * count passes it for chunked); a malformed head or chunked body, an
 * HTTP/1.1 request without Host, or chunked HTTP/1.0 → 400; all of these
 * close the connection. HTTP/1.1 keeps the connection unless
 * "Connection: close"; HTTP/1.0 closes unless "Connection: keep-alive".
 *
 * Hot file: one parse per request, no allocation; the body is never copied.
 */
#include "serve/internal.h"
#include "serve/req_parse.h"

#include <string.h>

/* Discards body bytes; dispatches once the body is complete. */
enum tg_srv_conn_step tg_srv_request__step_body(struct tg_srv_conn *c)
{
    uint32_t avail = c->in_w - c->in_r;
    if (c->chunked_body) {
        bool done = false;
        int rc = tg_req_chunked_feed(&c->chunk, c->in + c->in_r, avail, &c->body_len, &done);
        if (rc < 0) {
            return tg_srv_reply__fail(c, TG_SRV_CANNED_BAD_REQUEST, "malformed chunked body");
        }
        c->in_r += (uint32_t)rc;
        if (c->body_len > TG_SRV_CONN_BODY_MAX) {
            return tg_srv_reply__fail(c, TG_SRV_CANNED_TOO_LARGE, NULL);
        }
        if (!done) {
            goto need_more;
        }
    } else {
        uint32_t n = (uint32_t)TG_MIN(c->body_left, (uint64_t)avail);
        c->in_r += n;
        c->body_left -= n;
        c->body_len += n;
        if (c->body_left > 0) {
            goto need_more;
        }
    }
    return tg_srv_reply__dispatch(c);
need_more:
    if (c->peer_eof) {
        tg_srv_conn__close(c);
        return TG_SRV_CONN_CLOSED;
    }
    return TG_SRV_CONN_STOP;
}

/* Sends "100 Continue" when the client waits for it (best effort: skipped if no room). */
static enum tg_srv_conn_step send_continue(struct tg_srv_conn *c)
{
    static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
    int room = tg_srv_conn__make_room(c, sizeof(cont));
    if (room < 0) {
        return TG_SRV_CONN_CLOSED;
    }
    if (room > 0) {
        memcpy(c->out + c->out_w, cont, sizeof(cont) - 1);
        c->out_w += sizeof(cont) - 1;
    }
    return TG_SRV_CONN_CONTINUE;
}

/* Builds the answer of the routes made from the request while its head is still in. */
static void build_aux(struct tg_srv_conn *c, const struct tg_req_head *h, uint64_t n)
{
    c->aux = tg_srv_bufpool_get(&c->srv->bufs);
    if (!c->aux) {
        c->error = "out of memory";
        return;
    }
    struct tg_span head = { h->method.ptr, (size_t)(c->in + c->in_r - h->method.ptr) };
    struct tg_srv_echo e;
    tg_srv_echo_build((enum tg_srv_route)c->route, n, h->method, h->target, head, c->aux,
                      TG_SRV_BUF_SIZE - TG_SRV_RESP_HEAD_MAX - 64, &e);
    c->error = e.error;
    c->aux_hdr = e.hdr_len;
    c->aux_body = e.body_len;
    c->aux_status = e.status;
    c->aux_echo = e.echo;
    c->aux_ctype = e.ctype;
}

/* Records the route and counts the request. */
static void route_request(struct tg_srv_conn *c, const struct tg_req_head *h)
{
    struct tg_srv_route_match m;
    tg_srv_route_match(h->method, h->target, &m);
    c->route = (uint8_t)m.route;
    c->head_only = m.head_only;
    c->n = m.n;
    c->error = m.error;
    c->minor = h->minor;
    c->reply_started = c->stall_checked = false;
    c->id_len = (uint8_t)TG_MIN(m.id.len, sizeof(c->id));
    if (c->id_len) {
        memcpy(c->id, m.id.ptr, c->id_len);
    }
    if (tg_srv_conn__counted(c)) {
        c->srv->stats.requests++;
        c->srv->stats.by_route[c->route]++;
    }
    bool built = m.route == TG_SRV_ROUTE_REDIRECT || m.route == TG_SRV_ROUTE_REDIRECT_TO ||
                 m.route == TG_SRV_ROUTE_ECHO || m.route == TG_SRV_ROUTE_COOKIES;
    if (built && !m.error) {
        build_aux(c, h, m.n);
    }
}

/* Sets up the request whose head h was just parsed. */
static enum tg_srv_conn_step start_request(struct tg_srv_conn *c, const struct tg_req_head *h)
{
    route_request(c, h);
    bool keep = h->minor > 0 ? !h->conn_close : h->conn_keep_alive && !h->conn_close;
    c->mode = !keep ? TG_SRV_MODE_CLOSE : h->minor > 0 ? TG_SRV_MODE_KEEP : TG_SRV_MODE_KEEP10;
    c->close_after = !keep;
    if (h->minor > 0 && !h->has_host) {
        return tg_srv_reply__fail(c, TG_SRV_CANNED_BAD_REQUEST, "missing Host header");
    }
    if (h->chunked && h->minor == 0) {
        return tg_srv_reply__fail(c, TG_SRV_CANNED_BAD_REQUEST, "chunked body in HTTP/1.0");
    }
    if (h->content_length > (int64_t)TG_SRV_CONN_BODY_MAX) {
        return tg_srv_reply__fail(c, TG_SRV_CANNED_TOO_LARGE, NULL);
    }
    c->chunked_body = h->chunked;
    c->body_left = h->content_length > 0 ? (uint64_t)h->content_length : 0;
    c->body_len = 0;
    if (!h->chunked && c->body_left == 0) {
        return tg_srv_reply__dispatch(c);
    }
    if (h->chunked) {
        tg_req_chunked_init(&c->chunk);
    }
    c->state = TG_SRV_CONN_BODY;
    return h->expect_continue && h->minor > 0 ? send_continue(c) : TG_SRV_CONN_CONTINUE;
}

/* A request too malformed to route: counted under "invalid", answered, closed. */
static enum tg_srv_conn_step reject(struct tg_srv_conn *c, enum tg_srv_canned which)
{
    c->route = TG_SRV_ROUTE_INVALID;
    c->srv->stats.requests++;
    c->srv->stats.by_route[TG_SRV_ROUTE_INVALID]++;
    c->reply_started = c->stall_checked = false;
    return tg_srv_reply__fail(c, which, NULL);
}

enum tg_srv_conn_step tg_srv_request__step_head(struct tg_srv_conn *c)
{
    uint32_t avail = c->in_w - c->in_r;
    struct tg_req_head h;
    int rc = avail ? tg_req_parse_head(c->in + c->in_r, avail, &h) : TG_EAGAIN;
    if (rc == TG_EAGAIN) {
        if (avail > TG_SRV_CONN_HEAD_MAX) {
            return reject(c, TG_SRV_CANNED_HEAD_LARGE);
        }
        if (c->peer_eof) {
            c->state = TG_SRV_CONN_CLOSING;
            return TG_SRV_CONN_CONTINUE;
        }
        return TG_SRV_CONN_STOP;
    }
    if (rc < 0) {
        return reject(c, TG_SRV_CANNED_BAD_REQUEST);
    }
    if (rc > TG_SRV_CONN_HEAD_MAX) {
        return reject(c, TG_SRV_CANNED_HEAD_LARGE);
    }
    c->in_r += (uint32_t)rc; /* h's spans stay valid: nothing reads into in during this step */
    return start_request(c, &h);
}

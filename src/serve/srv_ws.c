/*
 * srv_ws — what a WebSocket session on /ws/ticks does with its client's
 * input (the ticks going out are srv_stream's): frames are decoded by
 * ws/ws_msg; text and binary messages (up to TG_SRV_WS_MSG_MAX bytes) are
 * echoed back as one frame of the same type; pings are answered with pongs
 * carrying the same payload; pongs are ignored; a close frame is answered
 * with a close frame carrying the same code and reason (none when it had
 * none), after which the connection half-closes and lingers like any other
 * closing connection. A client that breaks the protocol gets a close frame
 * with the decoder's code — 1002 protocol error (malformed or unmasked
 * frames), 1007 invalid UTF-8, 1009 message too big — and each is counted.
 * Part of the connection object described in serve/internal.h.
 *
 * Back-pressure: input is decoded only while the output buffer has room for
 * the largest answer (an echo of TG_SRV_WS_MSG_MAX bytes); otherwise the
 * read watcher is off until the client reads what it is owed.
 *
 * Buffers: the message buffer is taken from the pool when a data message
 * starts and given back as soon as it has been echoed, so idle sessions
 * hold none.
 */
#include "serve/internal.h"
#include "ws/ws_close.h"
#include "ws/ws_frame.h"

#include <string.h>

#define ANSWER_ROOM (TG_SRV_WS_MSG_MAX + TG_WS_FRAME_HEAD_MAX)

/* Appends a server frame (room already made). */
static void put_frame(struct tg_srv_conn *c, enum tg_ws_opcode op, struct tg_span payload)
{
    char *dst = c->out + c->out_w;
    size_t h = tg_ws_frame_head(dst, true, op, payload.len, NULL);
    if (payload.len) {
        memcpy(dst + h, payload.ptr, payload.len);
    }
    c->out_w += (uint32_t)(h + payload.len);
}

void tg_srv_ws__close(struct tg_srv_conn *c, unsigned code, const char *reason, size_t reason_len)
{
    char payload[TG_WS_CONTROL_MAX];
    int n = tg_ws_close_payload(payload, code, reason, reason_len);
    if (n < 0) {
        n = 0; /* a peer's reason we could not repeat: close without one */
    }
    size_t need = 2 + (size_t)n;
    if (!c->out) {
        c->out = tg_srv_bufpool_get(&c->srv->bufs);
        c->out_r = c->out_w = 0;
    }
    if (c->out && TG_SRV_BUF_SIZE - c->out_w < need && c->out_r > 0) {
        memmove(c->out, c->out + c->out_r, c->out_w - c->out_r);
        c->out_w -= c->out_r;
        c->out_r = 0;
    }
    if (c->out && TG_SRV_BUF_SIZE - c->out_w >= need) {
        put_frame(c, TG_WS_OP_CLOSE, (struct tg_span){ payload, (size_t)n });
    }
    tg_srv_stream__leave(c);
    c->in_r = c->in_w; /* nothing after a close is read as frames; the linger drains it */
    c->state = TG_SRV_CONN_CLOSING;
}

/* The decoder failed: close with its code, counted. */
static enum tg_srv_conn_step fail(struct tg_srv_conn *c)
{
    struct tg_srv_stats *st = &c->srv->stats;
    uint16_t code = c->ws.close_code;
    const char *why = "protocol error";
    if (code == TG_WS_CLOSE_INVALID_DATA) {
        st->ws_invalid_utf8++;
        why = "invalid UTF-8";
    } else if (code == TG_WS_CLOSE_TOO_BIG) {
        st->ws_too_big++;
        why = "message too big";
    } else {
        st->ws_protocol_errors++;
    }
    tg_srv_ws__close(c, code, why, strlen(why));
    return TG_SRV_CONN_CONTINUE;
}

/* Acts on one event. CONTINUE: decode on; anything else ends the step. */
static enum tg_srv_conn_step on_event(struct tg_srv_conn *c, const struct tg_ws_event *ev)
{
    struct tg_serve *srv = c->srv;
    switch (ev->type) {
    case TG_WS_EV_NEED_ROOM: /* a data message starts: lend it a pool buffer */
        if (!(c->ws.buf = tg_srv_bufpool_get(&srv->bufs))) {
            tg_srv_conn__close(c);
            return TG_SRV_CONN_CLOSED;
        }
        c->ws.cap = TG_SRV_WS_MSG_MAX; /* == the decoder's max, so one ask is enough */
        return TG_SRV_CONN_CONTINUE;
    case TG_WS_EV_TEXT:
    case TG_WS_EV_BINARY:
        srv->stats.ws_msgs_received++;
        put_frame(c, ev->type == TG_WS_EV_TEXT ? TG_WS_OP_TEXT : TG_WS_OP_BINARY, ev->data);
        srv->stats.ws_msgs_echoed++;
        tg_srv_bufpool_put(&srv->bufs, c->ws.buf);
        c->ws.buf = NULL;
        c->ws.cap = 0;
        return TG_SRV_CONN_CONTINUE;
    case TG_WS_EV_PING:
        srv->stats.ws_pings_received++;
        put_frame(c, TG_WS_OP_PONG, ev->data);
        return TG_SRV_CONN_CONTINUE;
    case TG_WS_EV_PONG:
        return TG_SRV_CONN_CONTINUE;
    default: /* TG_WS_EV_CLOSE: answer with the same code and reason */
        srv->stats.ws_closes_received++;
        tg_srv_ws__close(c, ev->close_code == TG_WS_CLOSE_NO_STATUS ? 0 : ev->close_code,
                         ev->data.ptr, ev->data.len);
        return TG_SRV_CONN_CONTINUE;
    }
}

enum tg_srv_conn_step tg_srv_ws__step(struct tg_srv_conn *c)
{
    for (;;) {
        int room = tg_srv_conn__make_room(c, ANSWER_ROOM);
        if (room < 0) {
            return TG_SRV_CONN_CLOSED;
        }
        c->ws_paused = room == 0;
        if (c->ws_paused) {
            return TG_SRV_CONN_STOP; /* the write watcher resumes us */
        }
        uint32_t avail = c->in_w - c->in_r;
        struct tg_ws_event ev;
        int rc = tg_ws_msg_feed(&c->ws, avail ? c->in + c->in_r : "", avail, &ev);
        if (rc < 0) {
            return fail(c);
        }
        c->in_r += (uint32_t)rc;
        if (ev.type == TG_WS_EV_NONE) {
            if (c->peer_eof) { /* gone without a close frame */
                tg_srv_conn__close(c);
                return TG_SRV_CONN_CLOSED;
            }
            return TG_SRV_CONN_STOP;
        }
        enum tg_srv_conn_step r = on_event(c, &ev);
        if (r != TG_SRV_CONN_CONTINUE || c->state != TG_SRV_CONN_WS) {
            return r;
        }
    }
}

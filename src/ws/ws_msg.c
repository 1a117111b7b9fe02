/*
 * ws_msg — the session receive decoder; rules, events and the buffer
 * contract in ws_msg.h.
 *
 * Two states alternate: HEAD copies header bytes into hdr until ws_frame
 * parses them (so a header split across reads costs a 14-byte copy, not a
 * second code path), then checks the frame against the message in progress;
 * PAYLOAD copies and unmasks payload bytes into ctl (control frames) or buf
 * (data), validating text as it goes, and finishes the frame when its last
 * byte is in. A frame with an empty payload finishes at once.
 */
#include "ws/ws_msg.h"

#include "ws/ws_close.h"

#include <string.h>

enum state {
    ST_HEAD,
    ST_PAYLOAD,
    ST_CLOSED, /* the close frame was delivered */
    ST_FAILED,
};

void tg_ws_msg_init(struct tg_ws_msg *m, bool from_client, uint64_t max)
{
    memset(m, 0, sizeof(*m));
    m->from_client = from_client;
    m->max = max;
    m->state = ST_HEAD;
}

static int fail(struct tg_ws_msg *m, int err, uint16_t code)
{
    m->state = ST_FAILED;
    m->err = err;
    m->close_code = code;
    return err;
}

/* Checks the parsed header m->frame against the message in progress. 0 or fail(). */
static int start_frame(struct tg_ws_msg *m)
{
    const struct tg_ws_frame *f = &m->frame;
    m->frame_done = 0;
    m->state = ST_PAYLOAD;
    if (tg_ws_frame_is_control(f->opcode)) {
        m->ctl_len = 0;
        return 0;
    }
    if (f->opcode == TG_WS_OP_CONT) {
        if (m->msg_op == 0) {
            return fail(m, TG_EPROTO, TG_WS_CLOSE_PROTOCOL); /* nothing to continue */
        }
    } else {
        if (m->msg_op != 0) {
            return fail(m, TG_EPROTO, TG_WS_CLOSE_PROTOCOL); /* previous message unfinished */
        }
        m->msg_op = f->opcode;
        m->len = 0;
        tg_ws_utf8_init(&m->utf8);
    }
    if (f->payload_len > m->max - m->len) {
        return fail(m, TG_E2BIG, TG_WS_CLOSE_TOO_BIG);
    }
    return 0;
}

/* Reads header bytes from in[0..len). Returns bytes consumed, or an error. */
static int read_head(struct tg_ws_msg *m, const char *in, size_t len)
{
    size_t old = m->hdr_len;
    size_t take = TG_MIN(sizeof(m->hdr) - old, len);
    memcpy(m->hdr + old, in, take);
    int rc = tg_ws_frame_parse(m->hdr, old + take, m->from_client, &m->frame);
    if (rc == TG_EAGAIN) {
        m->hdr_len = (uint8_t)(old + take); /* take == len: a full hdr always parses */
        return (int)take;
    }
    if (rc < 0) {
        return fail(m, TG_EPROTO, TG_WS_CLOSE_PROTOCOL);
    }
    m->hdr_len = 0;
    int err = start_frame(m);
    return err < 0 ? err : rc - (int)old;
}

/* Copies n payload bytes from src to dst, unmasking when the frame is masked. */
static void copy_payload(struct tg_ws_msg *m, char *dst, const char *src, size_t n)
{
    if (m->frame.masked) {
        tg_ws_mask(dst, src, n, m->frame.mask, m->frame_done);
    } else {
        memcpy(dst, src, n);
    }
    m->frame_done += n;
}

/* The last payload byte of a control frame is in: the event, or an error. */
static int finish_control(struct tg_ws_msg *m, struct tg_ws_event *ev)
{
    ev->data = (struct tg_span){ m->ctl, m->ctl_len };
    switch (m->frame.opcode) {
    case TG_WS_OP_PING:
        ev->type = TG_WS_EV_PING;
        return 0;
    case TG_WS_OP_PONG:
        ev->type = TG_WS_EV_PONG;
        return 0;
    default: { /* TG_WS_OP_CLOSE */
        uint16_t fail_code = 0;
        if (tg_ws_close_parse(m->ctl, m->ctl_len, &ev->close_code, &ev->data, &fail_code) < 0) {
            return fail(m, TG_EPROTO, fail_code);
        }
        ev->type = TG_WS_EV_CLOSE;
        m->state = ST_CLOSED;
        return 0;
    }
    }
}

/* The last payload byte of a data frame is in: the message when it was the final frame. */
static int finish_data(struct tg_ws_msg *m, struct tg_ws_event *ev)
{
    if (!m->frame.fin) {
        return 0;
    }
    if (m->msg_op == TG_WS_OP_TEXT && !tg_ws_utf8_complete(&m->utf8)) {
        return fail(m, TG_EPROTO, TG_WS_CLOSE_INVALID_DATA); /* ends inside a character */
    }
    ev->type = m->msg_op == TG_WS_OP_TEXT ? TG_WS_EV_TEXT : TG_WS_EV_BINARY;
    ev->data = (struct tg_span){ m->buf ? m->buf : "", (size_t)m->len };
    m->msg_op = 0;
    m->len = 0;
    return 0;
}

/* Reads payload bytes from in[0..len). Returns bytes consumed, or an error; may set *ev. */
static int read_payload(struct tg_ws_msg *m, const char *in, size_t len, struct tg_ws_event *ev)
{
    uint64_t left = m->frame.payload_len - m->frame_done;
    size_t n = (size_t)TG_MIN(left, (uint64_t)len);
    if (tg_ws_frame_is_control(m->frame.opcode)) {
        copy_payload(m, m->ctl + m->ctl_len, in, n);
        m->ctl_len = (uint8_t)(m->ctl_len + n);
    } else {
        if (m->len + left > m->cap) {
            ev->type = TG_WS_EV_NEED_ROOM;
            ev->need = m->len + left;
            return 0;
        }
        if (n > 0) { /* buf may still be NULL for an empty message */
            char *dst = m->buf + m->len;
            copy_payload(m, dst, in, n);
            m->len += n;
            if (m->msg_op == TG_WS_OP_TEXT && !tg_ws_utf8_feed(&m->utf8, dst, n)) {
                return fail(m, TG_EPROTO, TG_WS_CLOSE_INVALID_DATA);
            }
        }
    }
    if (m->frame_done < m->frame.payload_len) {
        return (int)n;
    }
    m->state = ST_HEAD;
    int rc = tg_ws_frame_is_control(m->frame.opcode) ? finish_control(m, ev) : finish_data(m, ev);
    return rc < 0 ? rc : (int)n;
}

int tg_ws_msg_feed(struct tg_ws_msg *m, const char *in, size_t len, struct tg_ws_event *ev)
{
    *ev = (struct tg_ws_event){ .type = TG_WS_EV_NONE }; /* no stale fields in any event */
    len = TG_MIN(len, (size_t)INT32_MAX);
    if (m->state == ST_FAILED) {
        return m->err;
    }
    if (m->state == ST_CLOSED) {
        return (int)len;
    }
    size_t used = 0;
    for (;;) {
        int rc;
        if (m->state == ST_HEAD) {
            if (used == len) {
                break;
            }
            rc = read_head(m, in + used, len - used);
        } else { /* ST_PAYLOAD; runs with no input too, to finish an empty payload */
            if (used == len && m->frame_done < m->frame.payload_len) {
                break;
            }
            rc = read_payload(m, in + used, len - used, ev);
        }
        if (rc < 0) {
            return rc;
        }
        used += (size_t)rc;
        if (ev->type != TG_WS_EV_NONE) {
            break;
        }
    }
    return (int)used;
}

/*
 * ws_msg — the receive side of a WebSocket session (RFC 6455 §5.4-5.5,
 * §6.2): turns the byte stream from the peer into whole events — text and
 * binary messages reassembled from their fragments, pings, pongs and the
 * close frame — validating everything on the way. Used by serve's WebSocket
 * sessions (from_client = true) and by the script runtime's client
 * (from_client = false), both on non-blocking sockets driven by libev: feed
 * whatever the socket gave, act on the event, feed the rest.
 *
 * Incremental: input may be split anywhere (inside a header, a masking key,
 * a payload, a UTF-8 character); the decoder copies what it needs out of the
 * input, so the caller's read buffer is free again once a feed has consumed
 * it and nothing points into it between calls.
 *
 * Rules enforced, with the close code the caller should send (the decoder
 * stores it in m->close_code when a feed fails):
 *   1002 TG_EPROTO  a frame header that ws/ws_frame rejects (RSV bits,
 *                   reserved opcode, fragmented or oversized control frame,
 *                   wrong masking for the direction, 64-bit length with the
 *                   top bit); a continuation frame with no message in
 *                   progress; a new text/binary frame while one is in
 *                   progress; a close payload of 1 byte or with an invalid
 *                   code (ws/ws_close)
 *   1007 TG_EPROTO  a text message, or a close reason, that is not UTF-8;
 *                   checked piece by piece as bytes arrive (fail fast), and
 *                   at the end of the message for a truncated character
 *   1009 TG_E2BIG   a message longer than m->max; decided from the frame
 *                   header, before any of its payload is read or stored
 * Control frames may arrive between the fragments of a message and are
 * delivered at once; the message's bytes so far stay in buf.
 *
 * The message buffer belongs to the caller, who may lend one only while a
 * message is being assembled: the decoder asks for room with
 * TG_WS_EV_NEED_ROOM before it stores a data frame's payload (the whole
 * frame's worth, never more than m->max in total), and the caller then
 * points buf/cap at a buffer that large holding the same first len bytes
 * (a realloc does) and feeds again. A caller with a fixed buffer of m->max
 * bytes set at init never sees NEED_ROOM. Control payloads (at most 125
 * bytes) are kept inside the decoder.
 *
 * Invariants: never allocates, never reads in[len] or beyond, no stdio;
 * after TG_EPROTO or TG_E2BIG it stays failed; after the close event it
 * discards further input. One decoder per session, on one thread. Cost: a
 * header copy of at most 14 bytes per frame, one pass over the payload
 * (copy and unmask fused, 8 bytes per step) and one over text for UTF-8.
 */
#ifndef TG_WS_WS_MSG_H
#define TG_WS_WS_MSG_H

#include "tg.h"
#include "ws/ws_frame.h"
#include "ws/ws_utf8.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum tg_ws_event_type {
    TG_WS_EV_NONE,      /* every input byte consumed, nothing complete yet: feed more */
    TG_WS_EV_NEED_ROOM, /* grow buf to ev->need bytes (keeping its first len), feed again */
    TG_WS_EV_TEXT,      /* a whole text message (valid UTF-8) */
    TG_WS_EV_BINARY,    /* a whole binary message */
    TG_WS_EV_PING,      /* answer with a pong carrying the same payload */
    TG_WS_EV_PONG,
    TG_WS_EV_CLOSE, /* the peer's close frame; the decoder discards what follows */
};

struct tg_ws_event {
    enum tg_ws_event_type type;
    struct tg_span data; /* TEXT/BINARY: the message (view into m->buf); PING/PONG: the
                            payload; CLOSE: the reason (views into m); valid until the
                            next feed or a change of m->buf */
    uint16_t close_code; /* CLOSE: the peer's code, TG_WS_CLOSE_NO_STATUS (1005) if none;
                            0 for other events */
    uint64_t need;       /* NEED_ROOM: bytes buf must hold, > cap and <= m->max; else 0 */
};

struct tg_ws_msg {
    char *buf;           /* the caller's message buffer (borrowed); NULL while cap is 0 */
    size_t cap;          /* bytes at buf */
    uint64_t max;        /* message size limit in bytes (fixed at init) */
    bool from_client;    /* frames come from a client and must be masked (fixed at init) */
    uint16_t close_code; /* after a failed feed: the code to close the session with */

    /* Private to ws_msg.c. */
    uint8_t state;                  /* reading a header, a payload, closed, failed */
    uint8_t hdr_len;                /* bytes of an unfinished header in hdr */
    uint8_t msg_op;                 /* TEXT or BINARY while a message is in progress, else 0 */
    uint8_t ctl_len;                /* control payload bytes in ctl */
    int err;                        /* TG_EPROTO or TG_E2BIG once failed */
    char hdr[TG_WS_FRAME_HEAD_MAX]; /* an unfinished header, carried across feeds */
    struct tg_ws_frame frame;       /* the frame whose payload is being read */
    uint64_t frame_done;            /* payload bytes of it read so far */
    uint64_t len;                   /* bytes of the message in progress, in buf */
    struct tg_ws_utf8 utf8;         /* text message validation state */
    char ctl[TG_WS_CONTROL_MAX];    /* the control frame's payload */
};

/*
 * Prepares m (caller's storage) for a new session: from_client as above,
 * messages of at most max bytes, no buffer (buf NULL, cap 0; set them now
 * to avoid NEED_ROOM).
 */
void tg_ws_msg_init(struct tg_ws_msg *m, bool from_client, uint64_t max);

/*
 * Consumes bytes of in[0..len) (borrowed, read only) up to the end of the
 * first complete event, which is stored in *ev (caller's storage). Returns
 * the number of bytes consumed (>= 0; at most INT32_MAX per call): with
 * TG_WS_EV_NONE all of them; with an event the bytes after it are left for
 * the next call. Returns TG_EPROTO or TG_E2BIG when the peer broke a rule
 * (m->close_code says which code to close with); later calls fail the same
 * way. After TG_WS_EV_CLOSE every call consumes all its input and reports
 * TG_WS_EV_NONE. Same thread as the session.
 */
int tg_ws_msg_feed(struct tg_ws_msg *m, const char *in, size_t len, struct tg_ws_event *ev);

/* Whether a data message is half assembled: buf holds len of its bytes and must stay. */
static inline bool tg_ws_msg_busy(const struct tg_ws_msg *m)
{
    return m->msg_op != 0;
}

#endif

/*
 * lua_stream — a script's long-lived sessions: tailgate.ws's WebSocket
 * sessions (script/lua_ws.c) and tailgate.sse's event streams
 * (script/lua_sse.c). This header holds what the three files share: the
 * session object and the protocol hooks; lua_stream.c runs the part every
 * session has in common.
 *
 * A session is a Lua userdata (the struct below, its protocol's part at its
 * end) that its VU lists and anchors while the iteration that opened it
 * runs. Opening resolves the origin (shared with tailgate.http, so the
 * --allow-host rail and the name cache apply), connects (net/stream, TLS
 * for wss:// and https://), writes the protocol's request and reads the
 * answer's head; then the protocol takes the bytes. What arrives goes into
 * a bounded queue (core/fifo) until the script asks for it; when the queue
 * is full, reading stops (the server sees a slow reader) and the bytes
 * already read wait in a carry buffer.
 *
 * The VU waits on at most one session at a time (an open, a receive, a
 * close): the session's callbacks change its state and end with settle(),
 * which resumes the VU when what it waits for happened — always the last
 * thing a callback does, so the script may close or drop the session.
 * When the iteration ends or the VU is aborted, every session it opened is
 * closed, its timer stopped and its buffers freed; a closed session object
 * stays valid for the script (closed = true) until Lua collects it.
 *
 * What an open needs (URL, headers, tags, timeout) is kept in the session,
 * so the same open can run again on the same object (a reconnect).
 *
 * Memory per session, whatever the server sends: the message or event
 * being assembled (at most TG_LUA_STREAM_MSG_MAX), the queue (at most
 * TG_LUA_STREAM_QUEUE_MAX), the bytes of one read held back (at most
 * TG_LUA_STREAM_READ, or what followed the head in its reads: the head
 * buffer is at most --max-header-size + TG_LUA_STREAM_READ, while the
 * handshake lasts) and the unsent bytes (at most TG_LUA_STREAM_SEND_MAX);
 * an idle session holds a few KiB.
 *
 * Threading: everything here belongs to one worker thread.
 */
#ifndef TG_SCRIPT_LUA_STREAM_H
#define TG_SCRIPT_LUA_STREAM_H

#include "core/fifo.h"
#include "http/chunked.h"
#include "metrics/tags.h"
#include "net/stream.h"
#include "script/internal.h"
#include "sse/sse_parse.h"
#include "ws/ws_close.h"
#include "ws/ws_handshake.h"
#include "ws/ws_msg.h"

#include <ev.h>
#include <lua.h>
#include <stdbool.h>
#include <stdint.h>

#define TG_LUA_STREAM_MSG_MAX   (1u << 20) /* a WebSocket message, an SSE event's data */
#define TG_LUA_STREAM_QUEUE_MAX (TG_LUA_STREAM_MSG_MAX + 65536u)
#define TG_LUA_STREAM_SEND_MAX  (4u << 20)        /* unsent bytes of a session */
#define TG_LUA_STREAM_READ      65536u            /* bytes read at once */
#define TG_LUA_STREAM_PER_VU    256               /* sessions a VU has open at once */
#define TG_LUA_STREAM_HDRS      32                /* params.headers, at most */
#define TG_LUA_STREAM_TAGS      16                /* params.tags, at most */
#define TG_LUA_STREAM_CLOSE_NS  (2 * TG_NS_PER_S) /* ws: waiting for the server's close */

enum tg_lua_stream_phase {
    TG_LUA_STREAM_IDLE,       /* not opened yet */
    TG_LUA_STREAM_RESOLVING,  /* waiting for the origin's name lookup */
    TG_LUA_STREAM_CONNECTING, /* TCP, TLS */
    TG_LUA_STREAM_HANDSHAKE,  /* the request is out; the answer's head is awaited */
    TG_LUA_STREAM_OPEN,
    TG_LUA_STREAM_CLOSING, /* ws: our close frame is out, the server's is awaited */
    TG_LUA_STREAM_CLOSED,
};

enum tg_lua_stream_wait {
    TG_LUA_STREAM_WAIT_NONE,
    TG_LUA_STREAM_WAIT_OPEN,  /* connect: until open or failed */
    TG_LUA_STREAM_WAIT_RECV,  /* receive: until something is queued, closed or timed out */
    TG_LUA_STREAM_WAIT_CLOSE, /* close: until the connection is over */
};

/* The metrics of a kind of session (names in its proto; NULL: none). */
enum {
    TG_LUA_STREAM_M_SESSIONS,   /* counter: opened */
    TG_LUA_STREAM_M_CONNECTING, /* trend (ms): the open's duration */
    TG_LUA_STREAM_M_DURATION,   /* trend (ms): from the open's start to the end */
    TG_LUA_STREAM_M_SENT,       /* counter: messages sent */
    TG_LUA_STREAM_M_RECEIVED,   /* counter: messages or events received */
    TG_LUA_STREAM_M_PING,       /* trend (ms): ping round trips */
    TG_LUA_STREAM_M_ERRORS,     /* counter: failures, by error_code */
    TG_LUA_STREAM_M_COUNT,
};

struct tg_lua_stream;

/* What a protocol adds to the common session. */
struct tg_lua_stream_proto {
    int kind;                                   /* 0: ws, 1: sse (the runtime's metric table) */
    const char *what;                           /* "tailgate.ws", "tailgate.sse" (errors) */
    const char *mt;                             /* its userdata's metatable name */
    const char *metrics[TG_LUA_STREAM_M_COUNT]; /* metric names; NULL: not recorded */
    /* Writes the request of an open into dst[0..cap): its length, or < 0 (no room). */
    int (*request)(struct tg_lua_stream *s, char *dst, size_t cap);
    /* Checks the answer's head r: 0 when the session is open, else its error code. */
    int (*head)(struct tg_lua_stream *s, const struct tg_h1_resp *r);
    /*
     * Takes bytes of the open connection. p[0..*n) is writable; carried says
     * they were read before and came back from the carry buffer (already
     * decoded). Returns the bytes taken; when fewer than *n, the queue is
     * full and p[taken..*n) (as *n says now) waits in the carry buffer.
     * May end the connection (tg_lua_stream__end_conn).
     */
    size_t (*feed)(struct tg_lua_stream *s, char *p, size_t *n, bool carried);
    /* The connection ended (code 0: the server closed it; else its error code). */
    void (*lost)(struct tg_lua_stream *s, int code);
    /* The iteration ends with the session open: a last word to the server (best effort). */
    void (*goodbye)(struct tg_lua_stream *s);
    /* Pushes the record r (a queued message or event) as receive's results; their number. */
    int (*push)(lua_State *L, struct tg_lua_stream *s, const struct tg_fifo_rec *r);
    /* Frees what the protocol allocated for the connection. */
    void (*release)(struct tg_lua_stream *s);
};

/* tailgate.ws's part of a session. */
struct tg_lua_ws {
    char key[TG_WS_KEY_LEN + 1]; /* this open's Sec-WebSocket-Key */
    struct tg_ws_msg m;          /* the decoder; m.buf is owned */
    bool held;                   /* the decoder's last message waits for room in the queue */
    uint8_t held_kind;
    struct tg_span held_msg; /* that message (a view into m.buf) */
    uint16_t close_code;     /* 0 while no close frame went either way */
    uint8_t close_reason_len;
    char close_reason[TG_WS_CLOSE_REASON_MAX + 1];
    uint64_t ping_seq; /* pings sent */
    struct {
        uint64_t seq;
        tg_ns t;
    } pings[8]; /* the last pings sent, for their pongs' round trips */
};

/* tailgate.sse's part of a session. */
struct tg_lua_sse {
    struct tg_sse p;         /* the parser; p.buf is owned */
    enum tg_h1_body framing; /* of the response body */
    struct tg_chunked ch;
    uint64_t body_left; /* TG_H1_BODY_LENGTH: bytes to come */
    bool body_done;     /* the body's end came (chunked end, length reached) */
    bool held;          /* the parser's last event waits for room in the queue */
    struct tg_sse_event held_ev;
};

struct tg_lua_stream {
    const struct tg_lua_stream_proto *proto;
    struct tg_rt *rt;
    struct tg_vu *vu;           /* the VU that opened it; NULL once closed for good */
    struct tg_lua_stream *prev; /* the VU's list */
    struct tg_lua_stream *next;
    int ref; /* registry ref of the userdata while listed */
    /* what an open does: kept, so the open can run again */
    struct tg_origin *origin;                /* borrowed: the runtime's */
    char *spec;                              /* owned: the strings below */
    const char *url;                         /* the url tag */
    const char *name;                        /* the name tag (params.tags.name or the URL) */
    const char *group;                       /* the group tag when it was opened */
    const char *host;                        /* the Host value */
    const char *target;                      /* the request target */
    const char *hdr[TG_LUA_STREAM_HDRS + 1]; /* "Name: value" lines (the rail's included) */
    size_t n_hdr;
    struct tg_tag tags[TG_LUA_STREAM_TAGS]; /* params.tags */
    size_t n_tags;
    tg_ns timeout_ns; /* an open's bound */
    /* the open in progress or done */
    enum tg_lua_stream_phase phase;
    enum tg_lua_stream_wait wait;
    bool timed_out; /* a receive's timer fired */
    bool was_open;  /* the handshake completed (duration and bytes are recorded at the end) */
    bool paused;    /* the queue is full: reading is off */
    struct tg_stream conn;
    struct tg_origin_wait ow;
    ev_timer timer;    /* the wait's bound; at 0 s, a wake-up from a lookup's callback */
    tg_ns t_start;     /* the open began */
    tg_ns t_open;      /* the handshake completed */
    int64_t t_read_us; /* wall clock (µs since the epoch) of the last read: what it held arrived */
    char *head;        /* the answer's head while it arrives; owned */
    size_t head_len;
    size_t head_cap;
    int status;     /* of the answer; 0 when none came */
    int error_code; /* the first failure; 0 when none */
    int tagset;     /* its samples' tags once open (< 0: none) */
    int sid_sent;   /* series of the sent and received counters */
    int sid_recv;
    struct tg_fifo q; /* received, not taken yet */
    char *carry;      /* bytes read while the queue was full; owned */
    size_t carry_off;
    size_t carry_len;
    union {
        struct tg_lua_ws ws;
        struct tg_lua_sse sse;
    } u; /* the protocol's part; the userdata holds only its own member */
};

/* The runtime's share (struct tg_rt.streams); owned by the runtime. */
struct tg_lua_stream_rt {
    int metric[2][TG_LUA_STREAM_M_COUNT]; /* ids by proto kind; -1 until its module is required */
    uint64_t rng;                         /* masking keys and ping payloads */
    char *wbuf;                           /* scratch for a frame being built; owned */
    size_t wcap;
};

#endif

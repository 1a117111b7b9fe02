/*
 * serve/internal.h — what the files of serve/ share and nobody else sees:
 * the server context (serve.c: process, listen, accept, signals) and the
 * connection object, whose life is split across three files:
 *   srv_conn.c     lifecycle, socket I/O, buffers, the state-machine driver
 *   srv_request.c  reading a request: head, framing, body
 *   srv_reply.c    choosing the response, waiting for the model, writing it
 *   srv_stream.c   stream sessions: handshake, subscription, tick fan-out, SSE
 *   srv_ws.c       a WebSocket session's input: echo, ping, close
 * Everything here belongs to one server and is touched only by its loop
 * thread.
 */
#ifndef TG_SERVE_INTERNAL_H
#define TG_SERVE_INTERNAL_H

#include "serve/capacity.h"
#include "serve/req_chunked.h"
#include "serve/req_parse.h"
#include "serve/serve.h"
#include "serve/srv_body.h"
#include "serve/srv_bufpool.h"
#include "serve/srv_burn.h"
#include "serve/srv_degrade.h"
#include "serve/srv_echo.h"
#include "serve/srv_resp.h"
#include "serve/srv_rng.h"
#include "serve/srv_route.h"
#include "serve/srv_stall.h"
#include "serve/srv_stats.h"
#include "serve/srv_ticker.h"
#include "serve/srv_timer.h"
#include "ws/ws_handshake.h"
#include "ws/ws_msg.h"

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tg_srv_conn;

struct tg_serve {
    struct ev_loop *loop;              /* owned */
    const struct tg_serve_config *cfg; /* borrowed */
    struct tg_srv_timer_heap timers;   /* precise timers (service, delay, stall, linger) */
    struct tg_capacity cap;            /* worker slots and queue */
    struct tg_srv_stall stall;         /* --stall windows */
    struct tg_srv_degrade degrade;     /* --degrade-after */
    double error_rate;                 /* share answered 500 now: cfg's, then the degraded one */
    struct tg_srv_stats stats;         /* /__stats counters */
    uint64_t connections_open;         /* gauge */
    struct tg_srv_rng rng;             /* seeded by cfg->seed */
    struct tg_srv_bufpool bufs;        /* connection buffers */
    struct tg_srv_canned_set canned;   /* pre-serialised responses */
    struct tg_srv_conn *free_conns;    /* closed connection objects, ready for reuse */
    struct tg_srv_conn *all_conns;     /* every connection object, open or free */
    uint32_t nconns;                   /* connection objects allocated */
    uint64_t next_post_id;             /* id of the next created post */

    /* Stream endpoints (srv_stream.c). */
    struct tg_srv_ticker ticker;    /* the tick feed */
    struct tg_srv_timer tick_timer; /* armed while anyone is subscribed */
    uint64_t tick_next;             /* seq of the next tick to make */
    struct tg_srv_burn burn;        /* --handshake-cost work */
    struct tg_srv_conn *subs_head;  /* subscribers, oldest first (ticks go out in this order) */
    struct tg_srv_conn *subs_tail;
    uint64_t ws_open;  /* gauge: subscribed WebSocket sessions */
    uint64_t sse_open; /* gauge: subscribed SSE streams */
};

/* Writes the /__stats JSON of srv into dst (room for TG_SRV_STATS_JSON_MAX bytes); its length. */
size_t tg_serve__stats_json(const struct tg_serve *srv, char *dst);

/* ---- connections ---- */

#define TG_SRV_CONN_HEAD_MAX 16384               /* request head limit (431 beyond) */
#define TG_SRV_CONN_BODY_MAX (UINT64_C(1) << 20) /* request body limit (413 beyond) */
#define TG_SRV_WS_MSG_MAX    8192 /* a client's WebSocket message, at most (1009 beyond) */
#define TG_SRV_STREAM_BACKLOG_MAX \
    16384 /* unsent bytes a subscriber may owe; a tick past it drops */

#define TG_SRV_CONN_OF(ptr, field) \
    ((struct tg_srv_conn *)(void *)((char *)(ptr)-offsetof(struct tg_srv_conn, field)))

enum tg_srv_conn_state {
    TG_SRV_CONN_HEAD,    /* reading / parsing a request head */
    TG_SRV_CONN_BODY,    /* discarding the request body */
    TG_SRV_CONN_WAIT,    /* waiting for a slot and its service time, a /delay, or a stall */
    TG_SRV_CONN_RESPOND, /* writing the response into the output buffer */
    TG_SRV_CONN_CLOSING, /* last response queued: flush, then half-close */
    TG_SRV_CONN_LINGER,  /* write side shut: drain input until EOF or a timeout */
    TG_SRV_CONN_WS,      /* a subscribed WebSocket session (srv_ws.c) */
    TG_SRV_CONN_SSE,     /* a subscribed SSE stream (srv_stream.c) */
};

enum tg_srv_stream_kind {
    TG_SRV_STREAM_NONE, /* not subscribed */
    TG_SRV_STREAM_WS,
    TG_SRV_STREAM_SSE,
};

/* What a state step tells the driver. */
enum tg_srv_conn_step {
    TG_SRV_CONN_CONTINUE, /* run the next state's step now */
    TG_SRV_CONN_STOP,     /* wait for I/O readiness or a wait callback */
    TG_SRV_CONN_CLOSED,   /* the connection is closed: do not touch it again */
};

enum tg_srv_reply_kind {
    TG_SRV_REPLY_CANNED,  /* pre-serialised bytes */
    TG_SRV_REPLY_TEXT,    /* status with a one-line text body (400 reasons) */
    TG_SRV_REPLY_STATUS,  /* /status/NNN */
    TG_SRV_REPLY_CREATED, /* 201 for a created post */
    TG_SRV_REPLY_STATS,   /* /__stats JSON */
    TG_SRV_REPLY_STREAM,  /* head, then a streamed srv_body */
    TG_SRV_REPLY_AUX,     /* built from the request into aux (serve/srv_echo) */
    /* the stream replies last: srv_reply tests reply >= TG_SRV_REPLY_WS_ACCEPT */
    TG_SRV_REPLY_WS_ACCEPT,        /* 101 to /ws/ticks, then a WebSocket session */
    TG_SRV_REPLY_SSE_OPEN,         /* 200 text/event-stream, then an SSE stream */
    TG_SRV_REPLY_UPGRADE_REQUIRED, /* 426 to /ws/ticks without a usable upgrade */
};

struct tg_srv_conn {
    struct tg_serve *srv; /* borrowed */
    ev_io rio;            /* read readiness; active while input is wanted */
    ev_io wio;            /* write readiness; active while output is pending */
    int fd;               /* owned; -1 while on the free list */
    uint8_t state;        /* enum tg_srv_conn_state */
    bool peer_eof;        /* the peer shut its write side */
    bool close_after;     /* close once the current response is out */
    char *in;             /* input buffer from the pool, or NULL */
    uint32_t in_r;        /* unread input is in[in_r..in_w) */
    uint32_t in_w;
    char *out;      /* output buffer from the pool, or NULL */
    uint32_t out_r; /* unsent output is out[out_r..out_w) */
    uint32_t out_w;

    /* The request in progress (srv_request.c). */
    uint8_t route;                /* enum tg_srv_route */
    uint8_t mode;                 /* enum tg_srv_conn_mode of the response */
    uint8_t minor;                /* HTTP/1.<minor> */
    bool head_only;               /* HEAD request */
    bool chunked_body;            /* body framed by chunked coding */
    uint64_t body_left;           /* Content-Length bytes still to discard */
    uint64_t body_len;            /* body bytes seen */
    struct tg_req_chunked chunk;  /* chunked-body framing state */
    uint64_t n;                   /* route parameter (srv_route.h); the post id once created */
    const char *error;            /* answered 400 with this static text when set */
    char id[TG_SRV_ROUTE_ID_MAX]; /* community id, copied out of the input buffer */
    uint8_t id_len;
    char *aux;             /* REPLY_AUX: header lines then body (srv_echo), from the pool */
    uint32_t aux_hdr;      /* bytes of header lines at aux[0..aux_hdr) */
    uint32_t aux_body;     /* body bytes after them */
    uint16_t aux_status;   /* the answer's status */
    bool aux_echo;         /* the body ends with tg_srv_echo_finish(body_len) */
    const char *aux_ctype; /* static */

    /* The response in progress (srv_reply.c). */
    uint8_t reply;           /* enum tg_srv_reply_kind */
    bool reply_started;      /* its first byte is in the output buffer */
    bool stall_checked;      /* the stall gate has been passed */
    uint16_t status;         /* 200..599 */
    const char *ctype;       /* REPLY_STREAM content type (static) */
    struct tg_span canned;   /* REPLY_CANNED bytes (view into srv->canned) */
    struct tg_srv_body body; /* REPLY_STREAM generator */

    /* Waits; each embeds the links its owner module needs. */
    struct tg_capacity_waiter slot;  /* capacity model */
    struct tg_srv_timer timer;       /* /delay, then linger */
    struct tg_srv_stall_waiter hold; /* stall window */

    /* A stream endpoint's request and session (srv_stream.c, srv_ws.c). */
    uint8_t stream;                       /* enum tg_srv_stream_kind */
    bool ws_paused;                       /* WS: input waits until the output has room */
    bool resume;                          /* SSE: Last-Event-ID was given; its seq is in n */
    const char *upgrade_why;              /* /ws/ticks: answer 426 with this static reason */
    char ws_accept[TG_WS_ACCEPT_LEN + 1]; /* /ws/ticks: the Sec-WebSocket-Accept value */
    struct tg_ws_msg ws;                  /* WS: the receive decoder (its buffer from bufs) */
    struct tg_srv_conn *sub_prev;         /* srv->subs links while subscribed */
    struct tg_srv_conn *sub_next;

    struct tg_srv_conn *next_free; /* srv->free_conns link */
    struct tg_srv_conn *next_all;  /* srv->all_conns link */
};

/* Whether the request counts in /__stats (everything but /__stats itself). */
static inline bool tg_srv_conn__counted(const struct tg_srv_conn *c)
{
    return c->route < TG_SRV_ROUTE_COUNT;
}

/* srv_conn.c: closes c and puts it on the free list. */
void tg_srv_conn__close(struct tg_srv_conn *c);
/* srv_conn.c: sends pending output until done or the socket is full. false: failed, closed. */
bool tg_srv_conn__flush(struct tg_srv_conn *c);
/* srv_conn.c: ensures need bytes of output room. 1 room; 0 not until the socket drains; -1 closed.
 */
int tg_srv_conn__make_room(struct tg_srv_conn *c, size_t need);
/* srv_conn.c: runs c's state machine until it must wait (resumes c after a wait callback). */
void tg_srv_conn__pump(struct tg_srv_conn *c);
/* srv_conn.c: sets c's watchers to what its state wants and returns idle buffers. */
void tg_srv_conn__settle(struct tg_srv_conn *c);

/* srv_request.c: the HEAD state step (parse the next head, set up the request). */
enum tg_srv_conn_step tg_srv_request__step_head(struct tg_srv_conn *c);
/* srv_request.c: the BODY state step (discard body bytes, then dispatch). */
enum tg_srv_conn_step tg_srv_request__step_body(struct tg_srv_conn *c);

/* srv_reply.c: chooses the response for the complete request; enters WAIT or RESPOND. */
enum tg_srv_conn_step tg_srv_reply__dispatch(struct tg_srv_conn *c);
/*
 * srv_reply.c: answers a request that cannot be framed, then closes: with
 * 400 and text when text is set, else with canned response which.
 */
enum tg_srv_conn_step tg_srv_reply__fail(struct tg_srv_conn *c, enum tg_srv_canned which,
                                         const char *text);
/* srv_reply.c: the RESPOND state step (stall gate, head, streamed body). */
enum tg_srv_conn_step tg_srv_reply__step(struct tg_srv_conn *c);

/* srv_stream.c: sets up the stream state (or the tick feed) of a new server. 0 or TG_ENOMEM. */
int tg_srv_stream__init(struct tg_serve *srv);
/* srv_stream.c: releases what init set up (after every connection is closed). */
void tg_srv_stream__fini(struct tg_serve *srv);
/*
 * srv_stream.c: checks the head h of a request to a stream route and keeps
 * what the answer needs (accept value, resume point); a bad request sets
 * c->error (400) or c->upgrade_why (426). h is valid only during the call.
 */
void tg_srv_stream__check(struct tg_srv_conn *c, const struct tg_req_head *h);
/* srv_stream.c: plans the answer of a valid stream request, charging the handshake cost. */
void tg_srv_stream__plan(struct tg_srv_conn *c);
/* srv_stream.c: writes the head of a stream reply kind into dst (room: 512 bytes); its length. */
size_t tg_srv_stream__head(const struct tg_srv_conn *c, char *dst);
/* srv_stream.c: the handshake answer is out: subscribes c and enters the WS or SSE state. */
enum tg_srv_conn_step tg_srv_stream__start(struct tg_srv_conn *c);
/* srv_stream.c: unsubscribes c (no-op when not subscribed) and returns its WS buffer. */
void tg_srv_stream__leave(struct tg_srv_conn *c);
/* srv_stream.c: the SSE state step (input is ignored; EOF closes). */
enum tg_srv_conn_step tg_srv_stream__step_sse(struct tg_srv_conn *c);

/* srv_ws.c: the WS state step (decode input, echo, pong, close handshake). */
enum tg_srv_conn_step tg_srv_ws__step(struct tg_srv_conn *c);
/*
 * srv_ws.c: queues a close frame with code (0: none) and reason (static)
 * when the output has room, unsubscribes and enters CLOSING. Does not send.
 */
void tg_srv_ws__close(struct tg_srv_conn *c, unsigned code, const char *reason, size_t reason_len);

#endif

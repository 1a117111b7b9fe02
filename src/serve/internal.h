/*
 * serve/internal.h — what the files of serve/ share and nobody else sees:
 * the server context (serve.c: process, listen, accept, signals) and the
 * connection object, whose life is split across three files:
 *   srv_conn.c     lifecycle, socket I/O, buffers, the state-machine driver
 *   srv_request.c  reading a request: head, framing, body
 *   srv_reply.c    choosing the response, waiting for the model, writing it
 * Everything here belongs to one server and is touched only by its loop
 * thread.
 */
#ifndef TG_SERVE_INTERNAL_H
#define TG_SERVE_INTERNAL_H

#include "serve/capacity.h"
#include "serve/req_chunked.h"
#include "serve/serve.h"
#include "serve/srv_body.h"
#include "serve/srv_bufpool.h"
#include "serve/srv_degrade.h"
#include "serve/srv_echo.h"
#include "serve/srv_resp.h"
#include "serve/srv_rng.h"
#include "serve/srv_route.h"
#include "serve/srv_stall.h"
#include "serve/srv_stats.h"
#include "serve/srv_timer.h"

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
};

/* Writes the /__stats JSON of srv into dst (room for TG_SRV_STATS_JSON_MAX bytes); its length. */
size_t tg_serve__stats_json(const struct tg_serve *srv, char *dst);

/* ---- connections ---- */

#define TG_SRV_CONN_HEAD_MAX 16384               /* request head limit (431 beyond) */
#define TG_SRV_CONN_BODY_MAX (UINT64_C(1) << 20) /* request body limit (413 beyond) */

#define TG_SRV_CONN_OF(ptr, field) \
    ((struct tg_srv_conn *)(void *)((char *)(ptr)-offsetof(struct tg_srv_conn, field)))

enum tg_srv_conn_state {
    TG_SRV_CONN_HEAD,    /* reading / parsing a request head */
    TG_SRV_CONN_BODY,    /* discarding the request body */
    TG_SRV_CONN_WAIT,    /* waiting for a slot and its service time, a /delay, or a stall */
    TG_SRV_CONN_RESPOND, /* writing the response into the output buffer */
    TG_SRV_CONN_CLOSING, /* last response queued: flush, then half-close */
    TG_SRV_CONN_LINGER,  /* write side shut: drain input until EOF or a timeout */
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

#endif

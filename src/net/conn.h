/*
 * conn — one client connection (TCP, optionally TLS) carrying one HTTP/1.1
 * exchange at a time: connect, handshake, write the prepared request, read
 * and frame the response, then report a result and stay open for reuse when
 * the server allows it. Every failure of the target becomes an error code
 * in the result (net/errcode.h); nothing here prints or aborts.
 *
 * Hot path. Per request: one write, usually one read, no allocation, no
 * epoll_ctl (the read watcher stays armed; writes are tried directly and
 * only a short write arms the write watcher). Response bytes are read into
 * the worker's shared scratch buffer; only an incomplete response head is
 * carried over, in a buffer borrowed from the environment's pool and given
 * back when the head is complete. Bodies are counted (and decoded when
 * chunked) but not kept.
 *
 * Timing stamps follow k6's metric meanings; see struct tg_conn_result.
 * Threading: a conn and its env belong to one worker thread.
 */
#ifndef TG_NET_CONN_H
#define TG_NET_CONN_H

#include "http/chunked.h"
#include "http/h1_parse.h"
#include "net/addr.h"
#include "tg.h"

#include <ev.h>
#include <openssl/ssl.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * Where exchanges go: one origin (scheme, host, port) with its resolved
 * addresses. Owned by the worker (the command line has one; a script one per
 * origin it talks to); connections borrow it.
 */
struct tg_conn_target {
    const struct tg_addr *addrs; /* resolved addresses, in preference order */
    int n_addrs;                 /* 0 when resolution failed */
    int addr_pref;               /* index of the address that last connected */
    int resolve_error;           /* error code to report when n_addrs is 0 */
    const char *host;            /* for SNI and certificate checks */
    SSL_CTX *tls;                /* NULL for plain HTTP; borrowed */
    bool tls_verify;
};

/*
 * Where a response is kept when the caller wants it (scripts): the head as
 * received and the decoded body, in buffers that grow up to the env's limits
 * and are reused across exchanges. Owned by the caller (one per VU).
 */
struct tg_conn_keep {
    char *head; /* response head bytes, head_len of them */
    size_t head_len;
    size_t head_cap;
    char *body; /* response body (chunked coding removed), body_len bytes */
    size_t body_len;
    size_t body_cap;
};

/* One exchange to run; borrowed until the completion callback. */
struct tg_conn_req {
    const char *bytes; /* the serialised request */
    size_t len;
    bool head_request; /* HEAD: the response has no body */
    tg_ns timeout_ns;  /* whole exchange; 0 = none */
    tg_ns connect_timeout_ns;
    struct tg_conn_keep *keep; /* NULL: the body is counted and discarded */
};

/* Shared by all connections of a worker; owned by the worker. */
struct tg_conn_env {
    struct ev_loop *loop;
    size_t max_head;   /* bytes; a larger response head is TG_ERR_HTTP_HEADER_TOO_LARGE */
    uint64_t max_body; /* bytes; a larger body is TG_ERR_HTTP_BODY_TOO_LARGE */
    char *scratch;     /* read buffer, scratch_len bytes (>= max_head + 16 KiB) */
    size_t scratch_len;
    struct tg_h1_resp *resp; /* parse result of the head being read (one at a time) */
    /*
     * Whose kept head env->resp describes, its spans pointing into that keep's
     * head buffer (NULL: nobody's). Valid until the next head is parsed, so the
     * owner can read its headers without parsing them again.
     */
    const struct tg_conn_keep *resp_owner;
    char **head_pool; /* free head-carry buffers of max_head bytes */
    size_t head_pool_n;
    size_t head_pool_cap;
    uint64_t conns_opened; /* statistics */
};

struct tg_conn_result {
    int error_code;     /* 0 or an enum tg_errcode value (not the 1000+status form) */
    int status;         /* HTTP status, 0 when none was received */
    bool reused;        /* sent on an already open connection */
    tg_ns t_conn_start; /* connect() called (0 when reused) */
    tg_ns t_connected;  /* TCP established */
    tg_ns t_tls_done;   /* TLS handshake finished */
    tg_ns t_send_start; /* first request byte handed to the kernel */
    tg_ns t_send_end;   /* last request byte handed to the kernel */
    tg_ns t_first_byte; /* first response byte read */
    tg_ns t_done;       /* response complete, or the failure noticed */
    uint64_t bytes_sent;
    uint64_t bytes_received;
};

struct tg_conn;
/* Called once per tg_conn_send with the outcome; the conn is idle again. */
typedef void (*tg_conn_cb)(struct tg_conn *c, void *ctx);

enum tg_conn_state {
    TG_CONN_CLOSED,
    TG_CONN_CONNECTING,
    TG_CONN_HANDSHAKE,
    TG_CONN_IDLE,
    TG_CONN_SENDING,
    TG_CONN_READING,
};

struct tg_conn {
    ev_io io;
    struct tg_conn_env *env;
    struct tg_conn_target *target;  /* of the open connection or the exchange in progress */
    const struct tg_conn_req *creq; /* the exchange in progress */
    int fd;
    SSL *ssl;
    enum tg_conn_state state;
    tg_conn_cb cb;
    void *ctx;
    /* the exchange in progress */
    const char *req;
    size_t req_len;
    size_t req_off;
    bool head_request;
    bool retried;   /* already retried once after a stale keep-alive close */
    int addr_idx;   /* address being connected to */
    int addr_tries; /* other addresses tried for this exchange */
    tg_ns deadline; /* request timeout; 0 = none */
    tg_ns connect_deadline;
    tg_ns t_read;   /* time of the read being processed, 0 outside of it */
    char *head_buf; /* carried-over partial head, from env->head_pool */
    size_t head_len;
    bool in_body;
    enum tg_h1_body framing;
    uint64_t body_left; /* for LENGTH framing */
    uint64_t body_len;  /* data bytes seen */
    bool keep_alive;    /* server lets us reuse the connection */
    struct tg_chunked chunked;
    struct tg_conn_result res;
};

void tg_conn_init(struct tg_conn *c, struct tg_conn_env *env, tg_conn_cb cb, void *ctx);
/*
 * Starts an exchange of req (borrowed until the callback) with target.
 * Reuses the open connection when it goes to the same target, else closes it
 * and connects. The callback may be called before this returns (immediate
 * failure, e.g. the target's name did not resolve).
 */
void tg_conn_send(struct tg_conn *c, struct tg_conn_target *target, const struct tg_conn_req *req,
                  tg_ns now);
/* Fails the exchange in progress with code (e.g. on timeout), closing the connection. */
void tg_conn_fail(struct tg_conn *c, int code);
/*
 * Fails the exchange in progress when a deadline passed: the connect and
 * handshake one (TG_ERR_TCP_DIAL_TIMEOUT) or the whole exchange's
 * (TG_ERR_REQUEST_TIMEOUT). Owners call it from a periodic sweep.
 */
void tg_conn_check_deadlines(struct tg_conn *c, tg_ns now);
/* Closes the connection without reporting (shutdown). */
void tg_conn_close(struct tg_conn *c);
/* Whether an exchange is in progress. */
bool tg_conn_busy(const struct tg_conn *c);

/* Environment helpers. */
int tg_conn_env_init(struct tg_conn_env *env, struct ev_loop *loop, size_t max_head,
                     uint64_t max_body);
void tg_conn_env_fini(struct tg_conn_env *env);

#endif

/*
 * http_xchg — a script VU's HTTP exchanges and connections.
 *
 * An exchange is one request a script made: its bytes, where its pieces are
 * (for the next hop of a redirect), its tags and expected statuses, and the
 * response kept for the script. A connection is a keep-alive tg_conn of the
 * VU. They are apart because a redirect may take an exchange to another
 * origin, where the VU may already hold an open connection.
 *
 * Every VU has one exchange and one connection built in: http.get and the
 * other single calls use them, so a script that talks to one origin costs no
 * more than it did before exchanges existed, and allocates nothing per
 * request. More exchanges (http.batch) and connections (a batch, a second
 * origin) are allocated the first time they are needed and kept for the
 * VU's life, at most TG_HTTP_XCHG_MAX of each. The cookie jar is allocated
 * with the first cookie. A request with a retry policy (http_retry.h) is
 * sent again by its exchange, after a backoff, when an attempt fails.
 *
 * Threading: everything here belongs to one worker thread.
 */
#ifndef TG_SCRIPT_HTTP_XCHG_H
#define TG_SCRIPT_HTTP_XCHG_H

#include "http/h1_parse.h"
#include "metrics/tags.h"
#include "net/conn.h"
#include "net/retry_budget.h"
#include "script/http_retry.h"
#include "tg.h"

#include <stdbool.h>
#include <stdint.h>

/* Exchanges (and connections) per VU: http.batch's bound. */
#define TG_HTTP_XCHG_MAX 20
/* A batch's requests in flight at once per origin (k6's batchPerHost). */
#define TG_HTTP_XCHG_PER_ORIGIN 6
/* Status ranges in an expected-statuses object. */
#define TG_HTTP_EXPECT_MAX 16
/* Redirects followed by default (k6's maxRedirects), and the most params.redirects may ask. */
#define TG_HTTP_REDIRECTS_DEFAULT 10
#define TG_HTTP_REDIRECTS_MAX     1000
/* Bytes of an absolute URL a redirect may lead to (tg_url's target and a host). */
#define TG_HTTP_URL_MAX 8448

struct tg_vu;
struct tg_origin;
struct tg_http_xchg;
struct tg_cookie_jar;

/* One of a VU's connections. */
struct tg_http_xchg_conn {
    struct tg_conn conn;    /* its callback's ctx is this struct */
    struct tg_http_xchg *x; /* the exchange it carries; NULL when free */
    uint64_t last_used;     /* the VU's use counter when it last finished */
};

/* Expected statuses (k6's http.expectedStatuses): they decide http_req_failed. */
struct tg_http_expect {
    bool off; /* http.set_expected(nil): no http_req_failed sample, no expected_response tag */
    uint8_t n;
    struct {
        uint16_t lo;
        uint16_t hi;
    } r[TG_HTTP_EXPECT_MAX]; /* inclusive ranges */
};

enum tg_http_xchg_state {
    TG_HTTP_XCHG_IDLE,
    TG_HTTP_XCHG_QUEUED,    /* a batch's request waiting for room at its origin */
    TG_HTTP_XCHG_RESOLVING, /* waiting for its origin's name lookup */
    TG_HTTP_XCHG_SENDING,   /* on a connection */
    TG_HTTP_XCHG_CAPPED,    /* waiting for its --max-rps permit (cap_t) */
    TG_HTTP_XCHG_BACKOFF,   /* waiting to retry (retry_t) */
};

/* Flags of an exchange's request (struct tg_http_xchg.flags). */
enum {
    TG_HTTP_F_HOST = 1u << 0, /* the script set Host */
    TG_HTTP_F_UA = 1u << 1,   /* ... User-Agent */
    TG_HTTP_F_CT = 1u << 2,   /* ... Content-Type */
    TG_HTTP_F_CL = 1u << 3,   /* ... Content-Length */
    TG_HTTP_F_JSON = 1u << 4, /* the body is a table sent as JSON */
    TG_HTTP_F_PRIVATE =
        1u << 5, /* Authorization and the script's cookies were dropped (another host) */
};

#define TG_HTTP_REC_SAMPLES 11 /* the samples each hop records */
#define TG_HTTP_RESP_KEYS   8  /* the field names of a response */
#define TG_HTTP_TIMINGS     7  /* the timings of a response */

struct tg_http_xchg {
    struct tg_vu *vu;
    enum tg_http_xchg_state state;
    struct tg_http_xchg_conn *xc;   /* while SENDING */
    struct tg_http_xchg *wait_prev; /* while RESOLVING: its origin's list of waiters */
    struct tg_http_xchg *wait_next;
    struct tg_origin *origin; /* of the hop in flight */
    struct tg_conn_keep keep; /* the response's head and body; owned */
    struct tg_conn_req creq;
    struct tg_conn_result res; /* the last hop's outcome */
    char *req;                 /* the request bytes; owned, reused */
    size_t req_len;
    size_t req_cap;
    /* where the request's pieces are in req, for the next hop of a redirect */
    uint32_t hdr_off; /* the script's header lines (params.headers, a client's headers) */
    uint32_t hdr_len;
    uint32_t ck_off; /* the script's cookies, "a=1; b=2", inside the Cookie line */
    uint32_t ck_len;
    size_t body_len;    /* the body is the last body_len bytes of req */
    uint8_t flags;      /* TG_HTTP_F_* */
    int redirects_max;  /* params.redirects: 0 = redirects are not followed */
    int redirects_left; /* redirects this exchange may still follow */
    int error_code;     /* tailgate's own for the last hop (too many redirects, bad Location) */
    int batch_key;      /* a batch's result slot; -1 outside a batch */
    tg_ns timeout_ns;
    struct tg_http_expect expect; /* copied from params.expected or the default */
    ev_timer cap_t;               /* --max-rps: the permit's release */
    struct tg_http_retry retry;   /* copied from params.retry or the client's; max 0: none */
    struct tg_backoff backoff;    /* the delays of this request's retries so far */
    ev_timer retry_t;             /* the wait before a retry */
    uint8_t attempt;              /* 1 for the first attempt, + 1 for each retry */
    int16_t retry_why;            /* why the retry waiting goes: a status, or -TG_HTTP_RETRY_* */
    bool plain; /* the request in req came from a plain call: method and URL only (http_build) */
    bool req_key_valid; /* req_key describes the request in flight (cleared by set_url) */
    uint64_t req_key;   /* its method, URL, tags... hashed (lua_http_resp) */
    uint64_t rec_key;   /* what decided the last hop's series (lua_http_resp) */
    bool rec_valid;     /* rec_sid holds them */
    int32_t rec_sid[TG_HTTP_REC_SAMPLES];
    char method[16];
    struct tg_tag req_tags[16]; /* params.tags (into req_tag_buf) */
    size_t n_req_tags;
    char req_tag_buf[1024];
    char url[2048]; /* of the hop in flight; the response's url */
};

/* Exchanges and connections beyond the built-in ones; allocated on first need. */
struct tg_http_xchg_more {
    struct tg_http_xchg *x[TG_HTTP_XCHG_MAX - 1];
    struct tg_http_xchg_conn *c[TG_HTTP_XCHG_MAX - 1];
    int n_x;
    int n_c;
};

/* The runtime's share (struct tg_rt.http); owned by the runtime. */
struct tg_http_rt {
    struct tg_h1_resp resp;       /* scratch: the response head being looked at */
    struct tg_http_expect expect; /* the default, set by http.set_expected */
    char *buf; /* scratch: a request being composed, swapped with an exchange's */
    size_t buf_cap;
    char *hdrs; /* scratch: the script's header lines being collected */
    size_t hdrs_len;
    size_t hdrs_cap;
    char *cks; /* scratch: the script's cookies being collected */
    size_t cks_len;
    size_t cks_cap;
    int keys[TG_HTTP_RESP_KEYS]; /* registry refs of the response's field names (lua_http_resp) */
    int resp_mt;                 /* registry ref of the response metatable; LUA_NOREF until made */
    int timings_mt;              /* ... and of the timings' */
    struct tg_backoff_rng rng;   /* the jitter of retries (http_retry) */
    struct tg_retry_budget budget; /* this worker's retry budget, for policies with one */
    int m_retries;                 /* the retry metrics' ids (http_retry); -1: not recorded */
    int m_exhausted;
    int m_attempts;
};

/* A VU's share: embedded in struct tg_vu. */
struct tg_http_xchg_set {
    struct tg_http_xchg_conn conn0;
    struct tg_http_xchg x0;
    struct tg_http_xchg_more *more; /* owned; NULL until needed */
    struct tg_cookie_jar *jar;      /* owned; NULL until the first cookie */
    uint64_t uses;                  /* connections finished so far (their last_used clock) */
    bool answered;                  /* x0 completed before its call could yield */
    int batch_ref;                  /* the batch's result table (registry), or LUA_NOREF */
    int batch_pending;              /* its requests not finished yet */
};

#endif

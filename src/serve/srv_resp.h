/*
 * srv_resp — serialising response heads, and serve's canned responses: the
 * complete bytes (head + body) of every fixed answer, built once at start in
 * each connection mode so the request path only copies them.
 *
 * Head layout (no Date: serve is a test target, and a clock read plus
 * formatting per response would cost more than the rest of the head):
 *   HTTP/1.1 SP status SP reason CRLF
 *   Server: tailgate CRLF
 *   Content-Type: type CRLF
 *   ( Content-Length: n CRLF | Transfer-Encoding: chunked CRLF | nothing )
 *   [ Connection: close CRLF | Connection: keep-alive CRLF ]
 *   CRLF
 *
 * Users: serve/srv_conn. Cost: canned responses are a memcpy; a formatted
 * head is ~150 bytes of appends, no stdio.
 */
#ifndef TG_SERVE_SRV_RESP_H
#define TG_SERVE_SRV_RESP_H

#include "tg.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TG_SRV_RESP_HEAD_MAX 256 /* bound on a head written by tg_srv_resp_head */

#define TG_SRV_RESP_CHUNKED INT64_C(-1) /* content_length: Transfer-Encoding: chunked */
#define TG_SRV_RESP_NO_LEN \
    INT64_C(-2) /* content_length: no framing field (204, 304, close-delimited) */

/* How the connection continues after this response. */
enum tg_srv_conn_mode {
    TG_SRV_MODE_KEEP,   /* HTTP/1.1 persistent: no Connection field */
    TG_SRV_MODE_KEEP10, /* HTTP/1.0 asked for keep-alive: "Connection: keep-alive" */
    TG_SRV_MODE_CLOSE,  /* "Connection: close"; the server closes after it */
    TG_SRV_MODE_COUNT,
};

/* Fixed answers. */
enum tg_srv_canned {
    TG_SRV_CANNED_ROOT,        /* 200 text "ok\n" (also /delay) */
    TG_SRV_CANNED_HEALTH,      /* 200 json {"status":"ok"} */
    TG_SRV_CANNED_NOT_FOUND,   /* 404 */
    TG_SRV_CANNED_INJECTED,    /* 500 from --error-rate */
    TG_SRV_CANNED_RESET,       /* 200 json {"reset":true} */
    TG_SRV_CANNED_BAD_REQUEST, /* 400 for a malformed request */
    TG_SRV_CANNED_TOO_LARGE,   /* 413 body over the limit */
    TG_SRV_CANNED_HEAD_LARGE,  /* 431 head over the limit */
    TG_SRV_CANNED_COUNT,
};

struct tg_srv_canned_entry {
    uint16_t off;      /* start in tg_srv_canned_set.buf */
    uint16_t len;      /* head + body */
    uint16_t head_len; /* head only (answers HEAD requests) */
};

struct tg_srv_canned_set {
    char buf[8192]; /* all canned bytes */
    struct tg_srv_canned_entry entry[TG_SRV_CANNED_COUNT][TG_SRV_MODE_COUNT];
    uint16_t status[TG_SRV_CANNED_COUNT]; /* each one's status */
};

/* Builds every canned response into cs (caller's storage). Never fails. */
void tg_srv_resp_canned_init(struct tg_srv_canned_set *cs);

/* The bytes of canned response c in mode m (a view into cs), head only when head_only. */
struct tg_span tg_srv_resp_canned(const struct tg_srv_canned_set *cs, enum tg_srv_canned c,
                                  enum tg_srv_conn_mode m, bool head_only);

/*
 * Writes a head into dst (room for TG_SRV_RESP_HEAD_MAX bytes): status
 * (100..999), content_type (a short static string), content_length (>= 0,
 * TG_SRV_RESP_CHUNKED or TG_SRV_RESP_NO_LEN) and mode. Returns its length.
 */
size_t tg_srv_resp_head(char *dst, unsigned status, const char *content_type,
                        int64_t content_length, enum tg_srv_conn_mode mode);

/* The reason phrase of status ("Not Found"); "Status" for codes without one. */
const char *tg_srv_resp_reason(unsigned status);

#endif

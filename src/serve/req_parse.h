/*
 * req_parse — serve's HTTP/1.x request-head parser. Hot path: every request
 * the built-in target answers goes through it once. (The client's response
 * parser, http/h1_parse, is a different concept and is not shared.)
 *
 * Grammar (RFC 9112, the subset a test target needs):
 *   head         = *eol request-line *( field-line ) eol
 *   request-line = method SP target SP "HTTP/1." DIGIT eol
 *   method       = 1*tchar
 *   target       = 1*( %x21-7E )
 *   field-line   = field-name ":" OWS field-value OWS eol
 *   field-name   = 1*tchar
 *   field-value  = *( %x21-7E / %x80-FF / SP / HTAB )
 *   eol          = CRLF / LF
 *   OWS          = *( SP / HTAB )
 * Obsolete line folding (a field line starting with SP or HTAB) is rejected.
 *
 * Interpreted fields (names case-insensitive):
 *   Content-Length     1*18DIGIT; repeated with the same value is accepted
 *   Transfer-Encoding  must be exactly "chunked" (case-insensitive)
 *   Connection         comma list; "close" and "keep-alive" tokens recorded
 *   Expect             "100-continue" recorded
 *   Host               presence recorded; a second Host is malformed
 *   Connection         also records an "upgrade" token
 *   Upgrade            comma list; a "websocket" token recorded
 *   Sec-WebSocket-Key  value kept (a span); a second one is malformed
 *   Sec-WebSocket-Version  value kept (the first one)
 *   Last-Event-ID      value kept (the last one); SSE resume
 * Malformed: anything off the grammar, a Content-Length that is not digits or
 * disagrees with an earlier one, any other transfer coding, and
 * Transfer-Encoding together with Content-Length (a request-smuggling shape).
 *
 * Invariants: stateless (each call parses from buf[0]); never reads past
 * len; never allocates; spans in the result point into buf. Garbage is
 * reported as TG_EPROTO as soon as the offending byte is seen, not after the
 * head-size limit. Cost: one pass over the head, a table lookup per byte.
 */
#ifndef TG_SERVE_REQ_PARSE_H
#define TG_SERVE_REQ_PARSE_H

#include "tg.h"

#include <stdbool.h>
#include <stdint.h>

struct tg_req_head {
    struct tg_span method;        /* view into buf */
    struct tg_span target;        /* view into buf; request-target as sent */
    int64_t content_length;       /* -1 when absent, else >= 0 */
    uint8_t minor;                /* HTTP/1.<minor> */
    bool chunked;                 /* Transfer-Encoding: chunked */
    bool conn_close;              /* Connection has a "close" token */
    bool conn_keep_alive;         /* Connection has a "keep-alive" token */
    bool expect_continue;         /* Expect: 100-continue */
    bool has_host;                /* a Host field was present */
    bool conn_upgrade;            /* Connection has an "upgrade" token */
    bool upgrade_websocket;       /* Upgrade has a "websocket" token */
    struct tg_span ws_key;        /* Sec-WebSocket-Key value (view into buf); len 0 when absent */
    struct tg_span ws_version;    /* Sec-WebSocket-Version value; len 0 when absent */
    struct tg_span last_event_id; /* Last-Event-ID value; len 0 when absent or empty */
};

/*
 * Parses one request head at the start of buf[0..len) (borrowed) into *h
 * (caller's storage; its spans borrow buf). Returns the head's length in
 * bytes, final empty line included (> 0); TG_EAGAIN when the head is
 * incomplete so far (h unspecified); TG_EPROTO when malformed. The caller
 * enforces its own head-size limit. Any thread.
 */
int tg_req_parse_head(const char *buf, size_t len, struct tg_req_head *h);

#endif

/*
 * h1_parse — the client's HTTP/1.1 response-head parser (RFC 9112): status
 * line, header fields and the empty line, plus the framing decision for the
 * body that follows. Used by net/conn on every response; hot path.
 *
 * Stateless and incremental the picohttpparser way: the caller re-parses its
 * read buffer from the start after every read until the head is complete.
 * Malformed input is reported as soon as the offending byte is in the buffer,
 * so a prefix either parses to TG_EAGAIN or to the same result as any longer
 * input. Allocation-free, no stdio, never reads buf[len] or beyond.
 *
 * Cost model: one pass over the head per call, O(len); a caller that reads a
 * head in k pieces pays O(k * len), bounded by its fixed read buffer.
 *
 * Invariants of a parsed struct tg_h1_resp: every span points into the
 * caller's buffer (and dies with it); header names are non-empty tokens;
 * values carry no leading or trailing OWS; content_length is -1 or in
 * [0, 2^62].
 */
#ifndef TG_HTTP_H1_PARSE_H
#define TG_HTTP_H1_PARSE_H

#include "tg.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TG_H1_MAX_HEADERS 64

struct tg_h1_header {
    struct tg_span name;  /* a token, as received (case kept) */
    struct tg_span value; /* field value without leading/trailing SP and HTAB; may be empty */
};

struct tg_h1_resp {
    int minor_version;     /* 0 or 1 (HTTP/1.x) */
    int status;            /* 100..599 */
    struct tg_span reason; /* reason phrase as received; may be empty */
    size_t num_headers;    /* headers[0..num_headers) are valid, <= TG_H1_MAX_HEADERS */
    struct tg_h1_header headers[TG_H1_MAX_HEADERS]; /* in received order */
    int64_t content_length; /* bytes; -1 when absent or overridden by Transfer-Encoding */
    bool transfer_encoding; /* a Transfer-Encoding header was present */
    bool chunked;           /* Transfer-Encoding's final coding is chunked */
    bool conn_close;        /* the server closes after this response: "Connection: close", HTTP/1.0
                               without keep-alive, or Transfer-Encoding together with Content-Length */
};

/*
 * Parses a response head (status line + header fields + empty line) from
 * buf[0..len). buf is borrowed; out is written (its spans point into buf).
 * Returns the head's length in bytes (> 0) when complete, TG_EAGAIN when
 * more bytes are needed, TG_EPROTO when malformed, TG_E2BIG when there are
 * more than TG_H1_MAX_HEADERS header fields. On errors *out is unspecified.
 * The caller bounds len (it owns a fixed-size read buffer: a head that does
 * not fit is its "header too large" error); a head longer than INT_MAX
 * bytes is TG_E2BIG. Any thread; reentrant.
 *
 * Grammar (RFC 9112 §2-5, with the leniencies and strictness noted):
 *   head          = status-line *( field-line EOL ) EOL
 *   status-line   = "HTTP/1." ("0" / "1") SP 3DIGIT [ SP reason ] EOL
 *                   ; status 100..599; "HTTP/1.1 200" EOL (no reason) is valid
 *   reason        = *( HTAB / SP / VCHAR / obs-text )
 *   field-line    = token ":" OWS field-value OWS
 *                   ; no whitespace before ":", no obs-fold (a line
 *                   ; starting with SP/HTAB is TG_EPROTO)
 *   field-value   = *( HTAB / SP / VCHAR / obs-text )
 *   EOL           = CRLF / LF          ; a bare CR is TG_EPROTO
 * Header semantics (names case-insensitive):
 *   Content-Length    = 1*DIGIT *( OWS "," OWS 1*DIGIT ), every value equal,
 *                       also across repeated headers; <= 2^62
 *   Transfer-Encoding = #( token *( OWS ";" param ) ); chunked when the last
 *                       coding of the last non-empty list is "chunked".
 *                       With Content-Length also present, Transfer-Encoding
 *                       wins and conn_close is set (request-smuggling defence);
 *                       in an HTTP/1.0 response it also sets conn_close.
 *   Connection        = #token; "close" and "keep-alive" are recognised
 *                       (case-insensitive); HTTP/1.0 closes unless keep-alive.
 */
int tg_h1_parse_head(const char *buf, size_t len, struct tg_h1_resp *out);

enum tg_h1_body {
    TG_H1_BODY_NONE,    /* no body: HEAD request, 1xx, 204, 304 */
    TG_H1_BODY_LENGTH,  /* exactly content_length bytes */
    TG_H1_BODY_CHUNKED, /* chunked coding: feed it to tg_chunked_decode */
    TG_H1_BODY_CLOSE,   /* everything until the server closes the connection */
};

/*
 * How the body of the response r (as parsed by tg_h1_parse_head) is framed,
 * RFC 9112 §6.3: NONE when head_request (r answers a HEAD request) or the
 * status is 1xx, 204 or 304; CHUNKED when chunked; CLOSE when another
 * Transfer-Encoding is present; LENGTH when content_length >= 0; otherwise
 * CLOSE. r is borrowed.
 */
enum tg_h1_body tg_h1_body_framing(const struct tg_h1_resp *r, bool head_request);

/*
 * The value of r's first header named name (NUL-terminated, compared
 * ASCII case-insensitively), or NULL when absent. The result points into r.
 */
const struct tg_span *tg_h1_header_get(const struct tg_h1_resp *r, const char *name);

#endif

/*
 * req_chunked — serve's decoder for chunked request bodies (RFC 9112 §7.1).
 * serve never keeps a request body, so the decoder only validates the
 * framing and counts data bytes; it neither copies nor moves them. (The
 * client's http/chunked decodes response bodies in place; a different job.)
 *
 * Grammar:
 *   chunked-body = *chunk last-chunk trailers eol
 *   chunk        = chunk-size [ ext ] eol chunk-data eol
 *   chunk-size   = 1*HEXDIG   (at most 16 significant digits; leading zeros are free)
 *   last-chunk   = 1*"0" [ ext ] eol
 *   ext          = ( ";" / SP / HTAB ) *( any byte but LF )     skipped
 *   trailers     = *( field-line )                             skipped
 *   eol          = CRLF / LF
 * Limits (exceeded → TG_EPROTO): a size line or trailer line longer than
 * TG_REQ_CHUNKED_MAX_LINE bytes; trailers longer than
 * TG_REQ_CHUNKED_MAX_TRAILER bytes in all. The body-size limit is the
 * caller's (it sees the running data count after each call).
 *
 * Invariants: accepts any split of its input; never reads past len; never
 * allocates; keeps no pointer into the input. Cost: a switch per framing
 * byte, O(1) per run of chunk data.
 */
#ifndef TG_SERVE_REQ_CHUNKED_H
#define TG_SERVE_REQ_CHUNKED_H

#include "tg.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TG_REQ_CHUNKED_MAX_LINE    4096
#define TG_REQ_CHUNKED_MAX_TRAILER 16384

struct tg_req_chunked {
    uint64_t left;        /* data bytes left in the current chunk, or the size being read */
    uint32_t line_len;    /* bytes of the current size or trailer line */
    uint32_t trailer_len; /* bytes of trailers so far */
    uint8_t digits;       /* hex digits read in the current size */
    uint8_t state;        /* private to req_chunked.c */
};

/* Prepares d (caller's storage) for a new body. */
void tg_req_chunked_init(struct tg_req_chunked *d);

/*
 * Consumes framing and data from buf[0..len) (borrowed, read only) and adds
 * the number of data bytes seen to *data_len. Returns the bytes consumed:
 * all of len unless the body ended inside buf, in which case the rest (the
 * next request) is left and *done is set. Returns TG_EPROTO when malformed.
 * Any thread, one decoder per body.
 */
int tg_req_chunked_feed(struct tg_req_chunked *d, const char *buf, size_t len, uint64_t *data_len,
                        bool *done);

#endif

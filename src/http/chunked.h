/*
 * chunked — an incremental, in-place decoder for the chunked transfer coding
 * (RFC 9112 §7.1), used by net/conn for response bodies whose framing is
 * TG_H1_BODY_CHUNKED. Hot path.
 *
 * The decoder is a byte-level state machine over the framing and a bulk
 * memmove over chunk data, so it accepts any split of its input, one byte at
 * a time included, and keeps no pointer into the caller's buffer between
 * calls. Data bytes are compacted to the front of the buffer the caller
 * passed, overwriting framing bytes already consumed.
 *
 * Invariants: the decoder never reads buf[len] or beyond, never allocates,
 * never writes outside buf[0..len); once it reports an error it stays failed.
 * Limits (each exceeded → TG_EPROTO): a chunk-size line, extensions
 * included, of more than TG_CHUNKED_MAX_LINE bytes before its line end; a
 * trailer section of more than TG_CHUNKED_MAX_TRAILER bytes; a chunk size
 * over TG_CHUNKED_MAX_SIZE.
 *
 * Cost model: O(len) per call; one memmove per chunk piece, a switch per
 * framing byte.
 */
#ifndef TG_HTTP_CHUNKED_H
#define TG_HTTP_CHUNKED_H

#include "tg.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TG_CHUNKED_MAX_LINE    4096
#define TG_CHUNKED_MAX_TRAILER 8192
#define TG_CHUNKED_MAX_SIZE    (UINT64_C(1) << 60)

struct tg_chunked {
    uint64_t size;        /* chunk size read so far (size line), or data bytes left (data);
                             <= TG_CHUNKED_MAX_SIZE */
    uint32_t line_len;    /* bytes of the current chunk-size line, <= TG_CHUNKED_MAX_LINE */
    uint32_t trailer_len; /* bytes of trailer field lines so far, <= TG_CHUNKED_MAX_TRAILER */
    unsigned char state;  /* private to chunked.c */
};

/* Prepares c (caller's storage) to decode a new body. Never fails. */
void tg_chunked_init(struct tg_chunked *c);

/*
 * Decodes buf[0..len) in place: the body's data bytes found there are moved
 * to the front of buf and their number stored in *data_len. buf is borrowed
 * (read and written); c is updated.
 *
 * Returns the number of input bytes consumed (>= 0): all of len, unless the
 * end of the message was reached, in which case the bytes after it (the next
 * response) are not consumed and stay at buf[consumed..len) untouched.
 * Returns TG_EPROTO when the input is malformed or over a limit; then buf
 * and *data_len are unspecified and every later call returns TG_EPROTO.
 * After tg_chunked_done(c), returns 0 with *data_len = 0.
 *
 * At most INT_MAX bytes are consumed per call (callers pass buffers of at
 * most 1 MiB, so this never truncates in practice; a caller that passes more
 * calls again with the rest). Any thread, one decoder per thread.
 *
 * Grammar (RFC 9112 §7.1; EOL = CRLF / LF, as in h1_parse):
 *   chunked-body = *chunk last-chunk trailer-section EOL
 *   chunk        = chunk-size [ chunk-ext ] EOL chunk-data EOL
 *   last-chunk   = 1*"0" [ chunk-ext ] EOL
 *   chunk-size   = 1*HEXDIG                 ; <= 2^60, any case, leading zeros ok
 *   chunk-ext    = *( SP / HTAB ) [ ";" *( HTAB / SP / VCHAR / obs-text ) ]
 *                  ; extensions are skipped, not interpreted
 *   trailer-section = *( token ":" *( HTAB / SP / VCHAR / obs-text ) EOL )
 */
int tg_chunked_decode(struct tg_chunked *c, char *buf, size_t len, size_t *data_len);

/* True once the last chunk, the trailer section and the final EOL have been consumed. */
bool tg_chunked_done(const struct tg_chunked *c);

#endif

/*
 * srv_body — generators for serve's streamed response bodies, written piece
 * by piece into a connection's output buffer as it drains, so that no body
 * is ever held whole in memory:
 *   BYTES   GET /bytes/N: N bytes, byte k = 'a' + k mod 26
 *   CHUNKS  GET /chunked/N: N chunks "chunk <i>\n" (i from 0), then the last
 *           chunk; framed with chunked coding for HTTP/1.1, raw bytes of a
 *           close-delimited body for HTTP/1.0
 *   FEED    GET /communities/:id/posts (serve/srv_feed)
 *
 * Users: serve/srv_conn. Cost: BYTES is a memcpy from a 3.9 kB pattern per
 * 3.9 kB; CHUNKS is ~20 bytes of appends per chunk; FEED see srv_feed.h.
 */
#ifndef TG_SERVE_SRV_BODY_H
#define TG_SERVE_SRV_BODY_H

#include "serve/srv_feed.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TG_SRV_BODY_MIN_ROOM TG_SRV_FEED_PIECE_MAX /* fill makes progress given this much room */

enum tg_srv_body_kind {
    TG_SRV_BODY_BYTES,
    TG_SRV_BODY_CHUNKS,
    TG_SRV_BODY_FEED,
};

struct tg_srv_body {
    enum tg_srv_body_kind kind;
    bool framed;             /* CHUNKS: chunked coding (else raw, close-delimited) */
    uint64_t next;           /* BYTES: bytes written; CHUNKS: chunks written */
    uint64_t total;          /* BYTES: body length; CHUNKS: number of data chunks */
    struct tg_srv_feed feed; /* FEED state */
};

/* Prepares b (caller's storage) for N pattern bytes. */
void tg_srv_body_init_bytes(struct tg_srv_body *b, uint64_t n);
/* Prepares b for n chunks, framed (HTTP/1.1) or raw (HTTP/1.0). */
void tg_srv_body_init_chunks(struct tg_srv_body *b, uint64_t n, bool framed);
/* Prepares b for the feed of community id (borrowed until the body is done) with count posts. */
void tg_srv_body_init_feed(struct tg_srv_body *b, const char *id, size_t id_len, uint32_t count);

/* The Content-Length to announce: >= 0, or -1 when the body is chunked or close-delimited. */
int64_t tg_srv_body_length(const struct tg_srv_body *b);

/*
 * Writes the next part of the body into dst[0..cap) (borrowed). Returns the
 * bytes written (0 when cap < TG_SRV_BODY_MIN_ROOM and a piece would not
 * fit) and sets *done once everything has been written.
 */
size_t tg_srv_body_fill(struct tg_srv_body *b, char *dst, size_t cap, bool *done);

#endif

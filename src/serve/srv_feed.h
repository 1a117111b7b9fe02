/*
 * srv_feed — the deterministic JSON feed of GET /communities/:id/posts:
 *   {"community":"<id>","posts":[{"id":..,"title":"..","body":"..","score":..},...]}
 * Post i of community C is a pure function of (C, i): the same request always
 * gets the same bytes, whatever the seed, so clients can check content.
 *
 * The body is streamed: the connection asks for the next piece whenever its
 * output buffer has room, so a 1000-post feed (~200 kB) never needs a buffer
 * of its size. Its total length is computed first, for Content-Length.
 *
 * Users: serve/srv_body. The community id is borrowed from the connection
 * for the life of the response; ids contain no character JSON must escape
 * (srv_route validates them).
 *
 * Cost: each post is serialised twice (once to measure, once to send) with
 * hand-written integer formatting; about a microsecond per post.
 */
#ifndef TG_SERVE_SRV_FEED_H
#define TG_SERVE_SRV_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TG_SRV_FEED_PIECE_MAX \
    512 /* the most bytes one fill step writes; callers offer at least this */

struct tg_srv_feed {
    const char *id; /* community id, borrowed; no JSON escaping needed */
    size_t id_len;  /* 1..64 */
    uint64_t hash;  /* FNV-1a of the id: the seed of its posts' content */
    uint32_t count; /* posts in the feed */
    uint32_t next;  /* next post to write */
    uint8_t phase;  /* private: prefix, posts, suffix, done */
};

/* Prepares f (caller's storage) for a feed of count posts of community id (borrowed). */
void tg_srv_feed_init(struct tg_srv_feed *f, const char *id, size_t id_len, uint32_t count);

/* The body's total length in bytes. */
uint64_t tg_srv_feed_len(const struct tg_srv_feed *f);

/*
 * Writes the next pieces of the body into dst[0..cap) (borrowed) while at
 * least TG_SRV_FEED_PIECE_MAX bytes are free. Returns the bytes written and
 * sets *done once the whole body has been written.
 */
size_t tg_srv_feed_fill(struct tg_srv_feed *f, char *dst, size_t cap, bool *done);

#endif

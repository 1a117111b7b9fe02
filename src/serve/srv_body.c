/*
 * srv_body — streamed body generators; formats and contracts in srv_body.h.
 */
#include "serve/srv_body.h"

#include "serve/srv_fmt.h"
#include "tg.h"

#include <string.h>

#define CHUNK_MAX 48 /* framing + data of one chunk */

/* 'a'..'z' repeated 150 times (3900 bytes, under ISO C's 4095-byte literal limit). */
#define AZ1   "abcdefghijklmnopqrstuvwxyz"
#define AZ4   AZ1 AZ1 AZ1 AZ1
#define AZ16  AZ4 AZ4 AZ4 AZ4
#define AZ64  AZ16 AZ16 AZ16 AZ16
#define AZ150 AZ64 AZ64 AZ16 AZ4 AZ1 AZ1
static const char pattern[] = AZ150;

#define PATTERN_PERIOD 26
#define PATTERN_LEN    (sizeof(pattern) - 1)
_Static_assert(PATTERN_LEN == (size_t)PATTERN_PERIOD * 150, "pattern is whole periods");

void tg_srv_body_init_bytes(struct tg_srv_body *b, uint64_t n)
{
    *b = (struct tg_srv_body){ .kind = TG_SRV_BODY_BYTES, .total = n };
}

void tg_srv_body_init_chunks(struct tg_srv_body *b, uint64_t n, bool framed)
{
    *b = (struct tg_srv_body){ .kind = TG_SRV_BODY_CHUNKS, .total = n, .framed = framed };
}

void tg_srv_body_init_feed(struct tg_srv_body *b, const char *id, size_t id_len, uint32_t count)
{
    *b = (struct tg_srv_body){ .kind = TG_SRV_BODY_FEED };
    tg_srv_feed_init(&b->feed, id, id_len, count);
}

int64_t tg_srv_body_length(const struct tg_srv_body *b)
{
    switch (b->kind) {
    case TG_SRV_BODY_BYTES:
        return (int64_t)b->total;
    case TG_SRV_BODY_FEED:
        return (int64_t)tg_srv_feed_len(&b->feed);
    default:
        return -1;
    }
}

static size_t fill_bytes(struct tg_srv_body *b, char *dst, size_t cap, bool *done)
{
    size_t w = 0;
    while (b->next < b->total && w < cap) {
        size_t start = (size_t)(b->next % PATTERN_PERIOD);
        size_t n = TG_MIN(cap - w, PATTERN_LEN - start);
        n = (size_t)TG_MIN((uint64_t)n, b->total - b->next);
        memcpy(dst + w, pattern + start, n);
        w += n;
        b->next += n;
    }
    *done = b->next == b->total;
    return w;
}

/* One chunk "chunk <i>\n" (framed or raw); the last (i == total) is "0\r\n\r\n" or nothing. */
static size_t write_chunk(const struct tg_srv_body *b, uint64_t i, char *dst)
{
    char data[40];
    size_t n = 0;
    if (i < b->total) {
        n += tg_srv_fmt_str(data, "chunk ");
        n += tg_srv_fmt_u64(data + n, i);
        data[n++] = '\n';
    }
    if (!b->framed) {
        memcpy(dst, data, n);
        return n;
    }
    char *p = dst;
    p += tg_srv_fmt_hex(p, n);
    p += tg_srv_fmt_str(p, "\r\n");
    memcpy(p, data, n);
    p += n;
    p += tg_srv_fmt_str(p, "\r\n");
    return (size_t)(p - dst);
}

static size_t fill_chunks(struct tg_srv_body *b, char *dst, size_t cap, bool *done)
{
    size_t w = 0;
    while (b->next <= b->total && cap - w >= CHUNK_MAX) {
        w += write_chunk(b, b->next, dst + w);
        b->next++;
    }
    *done = b->next > b->total;
    return w;
}

size_t tg_srv_body_fill(struct tg_srv_body *b, char *dst, size_t cap, bool *done)
{
    switch (b->kind) {
    case TG_SRV_BODY_BYTES:
        return fill_bytes(b, dst, cap, done);
    case TG_SRV_BODY_CHUNKS:
        return fill_chunks(b, dst, cap, done);
    default:
        return tg_srv_feed_fill(&b->feed, dst, cap, done);
    }
}

/*
 * fuzz_sse — libFuzzer target for the server-sent events parser
 * (sse/sse_parse). Seeds: tests/fuzz/corpus/sse (the inputs of the
 * tests/data/sse cases behind their two control bytes).
 *
 * Input layout: byte 0 picks the buffer policy (bit 0: a fixed buffer of
 * max bytes, else one grown on NEED_ROOM); byte 1 picks the data limit
 * (0..254 bytes, or 1 MiB when it is 255); the rest is the stream.
 *
 * The stream is parsed whole and again in pieces whose sizes come from the
 * stream's own bytes, each piece from an exact-size heap copy (ASan catches
 * a read past len); both runs must give the same events, the same outcome,
 * the same last event ID and retry. Invariants checked: results are bytes
 * consumed or TG_E2BIG (then sticky); consumed <= len and NONE consumes
 * everything; NEED_ROOM asks for more than cap and no more than max; an
 * event's data is shorter than max and holds no CR, its type and ID no CR
 * or LF, its ID no NUL; the ID and type fit their limits.
 */
#include "sse/sse_parse.h"

#include "fuzz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct outcome {
    uint64_t digest; /* FNV-1a over the events */
    int err;
    int64_t retry;
    uint64_t id_digest;
};

static void mix(uint64_t *h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        *h = (*h ^ b[i]) * UINT64_C(0x100000001b3);
    }
    *h = (*h ^ n) * UINT64_C(0x100000001b3);
}

static void check_event(const struct tg_sse *p, const struct tg_sse_event *ev)
{
    CHECK(ev->data.len < p->max);
    CHECK(memchr(ev->data.ptr, '\r', ev->data.len) == NULL);
    CHECK(ev->name.len > 0 && ev->name.len <= TG_SSE_TYPE_MAX);
    CHECK(memchr(ev->name.ptr, '\r', ev->name.len) == NULL);
    CHECK(memchr(ev->name.ptr, '\n', ev->name.len) == NULL);
    CHECK(ev->id.len <= TG_SSE_ID_MAX);
    CHECK(memchr(ev->id.ptr, '\0', ev->id.len) == NULL);
    CHECK(memchr(ev->id.ptr, '\n', ev->id.len) == NULL);
    CHECK(memchr(ev->id.ptr, '\r', ev->id.len) == NULL);
}

/* Feeds one piece from an exact-size copy. false: the parser failed. */
static bool feed(struct tg_sse *p, bool fixed, const uint8_t *piece, size_t k, struct outcome *o)
{
    char *w = malloc(k ? k : 1);
    CHECK(w != NULL);
    memcpy(w, piece, k);
    size_t off = 0;
    for (;;) {
        struct tg_sse_event ev;
        int rc = tg_sse_feed(p, w + off, k - off, &ev);
        if (rc < 0) {
            CHECK(rc == TG_E2BIG);
            CHECK(tg_sse_feed(p, w, k, &ev) == TG_E2BIG);
            o->err = rc;
            free(w);
            return false;
        }
        CHECK((size_t)rc <= k - off);
        off += (size_t)rc;
        if (ev.type == TG_SSE_EV_NONE) {
            CHECK(off == k);
            free(w);
            return true;
        }
        if (ev.type == TG_SSE_EV_NEED_ROOM) {
            CHECK(!fixed);
            CHECK(ev.need > p->cap && ev.need <= p->max);
            p->buf = realloc(p->buf, ev.need);
            CHECK(p->buf != NULL);
            p->cap = ev.need;
            continue;
        }
        CHECK(ev.type == TG_SSE_EV_EVENT);
        check_event(p, &ev);
        mix(&o->digest, ev.name.ptr, ev.name.len);
        mix(&o->digest, ev.id.ptr, ev.id.len);
        mix(&o->digest, ev.data.ptr, ev.data.len);
    }
}

static void run(const uint8_t *in, size_t n, size_t max, bool fixed, bool pieces, struct outcome *o)
{
    struct tg_sse p;
    tg_sse_init(&p, max);
    if (fixed) {
        p.buf = malloc(max ? max : 1);
        CHECK(p.buf != NULL);
        p.cap = max;
    }
    *o = (struct outcome){ UINT64_C(0xcbf29ce484222325), 0, 0, UINT64_C(0xcbf29ce484222325) };
    size_t off = 0;
    while (off < n || off == 0) {
        size_t k = n - off;
        if (pieces && k > 0) {
            k = 1 + in[off] % (k < 64 ? k : 64);
        }
        if (!feed(&p, fixed, in + off, k, o)) {
            break;
        }
        off += k;
        if (n == 0) {
            break;
        }
    }
    o->retry = p.retry_ms;
    CHECK(p.id_len <= TG_SSE_ID_MAX);
    mix(&o->id_digest, p.id, p.id_len);
    free(p.buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) {
        return 0;
    }
    bool fixed = (data[0] & 1) != 0;
    size_t max = data[1] == 255 ? (size_t)1 << 20 : data[1];
    struct outcome whole;
    struct outcome split;
    run(data + 2, size - 2, max, fixed, false, &whole);
    run(data + 2, size - 2, max, fixed, true, &split);
    CHECK(whole.err == split.err);
    CHECK(whole.digest == split.digest); /* a failure comes at the same byte either way */
    if (whole.err == 0) {
        CHECK(whole.retry == split.retry);
        CHECK(whole.id_digest == split.id_digest);
    }
    return 0;
}

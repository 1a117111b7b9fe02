/*
 * fuzz_h1 — libFuzzer target for the response-head parser (http/h1_parse)
 * and the chunked decoder (http/chunked). Seeds: tests/fuzz/corpus/h1 (the
 * tests/data/h1 cases).
 *
 * The head is parsed from an exact-size heap copy (ASan catches a read past
 * len). If it is complete, the rest is decoded as a chunked body; otherwise
 * the whole input is, so the decoder is fuzzed without needing a valid head.
 * The body is decoded whole and again in two pieces split at a point derived
 * from the input; both runs must agree. Invariants checked: results are in
 * their documented sets, consumed <= len, data_len <= consumed, spans stay
 * inside the head, and a complete head reparses to the same length from
 * exactly its own bytes while one byte less is TG_EAGAIN.
 */
#include "http/chunked.h"
#include "http/h1_parse.h"

#include "fuzz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct decoded {
    int rc;          /* TG_EPROTO, or the total consumed */
    bool done;       /* tg_chunked_done at the end */
    size_t data_len; /* decoded bytes, at the front of out */
};

/* Feeds one piece from an exact-size copy; appends its data to out. Returns consumed or error. */
static int feed(struct tg_chunked *c, const char *piece, size_t k, char *out, size_t *out_len)
{
    char *w = malloc(k ? k : 1);
    CHECK(w != NULL);
    memcpy(w, piece, k);
    size_t dl = SIZE_MAX;
    int rc = tg_chunked_decode(c, w, k, &dl);
    if (rc >= 0) {
        CHECK((size_t)rc <= k);
        CHECK(dl <= (size_t)rc);
        CHECK((size_t)rc == k || tg_chunked_done(c));
        memcpy(out + *out_len, w, dl);
        *out_len += dl;
    } else {
        CHECK(rc == TG_EPROTO);
        CHECK(tg_chunked_decode(c, w, k, &dl) == TG_EPROTO);
    }
    free(w);
    return rc;
}

/* Decodes in[0..n) as two pieces [0, split) and [split, n). */
static struct decoded decode(const char *in, size_t n, size_t split, char *out)
{
    struct tg_chunked c;
    tg_chunked_init(&c);
    struct decoded d = { 0, false, 0 };
    int rc = feed(&c, in, split, out, &d.data_len);
    if (rc >= 0 && !tg_chunked_done(&c)) {
        int rc2 = feed(&c, in + split, n - split, out, &d.data_len);
        rc = rc2 < 0 ? rc2 : rc + rc2;
    }
    d.rc = rc;
    d.done = tg_chunked_done(&c);
    return d;
}

static void fuzz_body(const char *b, size_t n, size_t split_seed)
{
    char *whole_out = malloc(n + 1);
    char *split_out = malloc(n + 1);
    CHECK(whole_out != NULL && split_out != NULL);
    struct decoded whole = decode(b, n, n, whole_out);
    struct decoded split = decode(b, n, split_seed % (n + 1), split_out);
    CHECK((whole.rc < 0) == (split.rc < 0));
    if (whole.rc >= 0) {
        CHECK(whole.rc == split.rc && whole.done == split.done);
        CHECK(whole.data_len == split.data_len);
        CHECK(memcmp(whole_out, split_out, whole.data_len) == 0);
    }
    free(whole_out);
    free(split_out);
}

/* Invariants of a complete head r parsed from in[0..head). */
static void check_resp(const char *in, int head, const struct tg_h1_resp *r)
{
    CHECK(r->minor_version == 0 || r->minor_version == 1);
    CHECK(r->status >= 100 && r->status <= 599);
    CHECK(r->num_headers <= TG_H1_MAX_HEADERS);
    CHECK(r->content_length >= -1 && r->content_length <= (INT64_C(1) << 62));
    CHECK(!r->chunked || r->transfer_encoding);
    for (size_t i = 0; i < r->num_headers; i++) {
        CHECK(r->headers[i].name.len > 0);
        CHECK(r->headers[i].name.ptr >= in && r->headers[i].value.ptr >= in);
        CHECK(r->headers[i].value.ptr + r->headers[i].value.len <= in + head);
    }
}

/* Parses the head; returns its length, or 0 when it is not complete and valid. */
static size_t fuzz_head(const char *in, size_t size)
{
    struct tg_h1_resp r;
    int rc = tg_h1_parse_head(in, size, &r);
    CHECK(rc > 0 || rc == TG_EAGAIN || rc == TG_EPROTO || rc == TG_E2BIG);
    if (rc <= 0) {
        return 0;
    }
    CHECK((size_t)rc <= size);
    check_resp(in, rc, &r);
    /* The head alone parses to the same length; one byte less is not enough. */
    struct tg_h1_resp again;
    CHECK(tg_h1_parse_head(in, (size_t)rc, &again) == rc);
    CHECK(again.status == r.status && again.num_headers == r.num_headers);
    CHECK(tg_h1_parse_head(in, (size_t)rc - 1, &again) == TG_EAGAIN);
    (void)tg_h1_body_framing(&r, false);
    (void)tg_h1_header_get(&r, "content-length");
    return (size_t)rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = malloc(size ? size : 1);
    CHECK(in != NULL);
    memcpy(in, data, size);
    size_t head = fuzz_head(in, size);
    size_t seed = size > 0 ? (size_t)data[size - 1] * 131u + (size_t)data[0] : 0;
    fuzz_body(in + head, size - head, seed);
    free(in);
    return 0;
}

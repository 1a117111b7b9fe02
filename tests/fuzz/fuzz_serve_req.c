/*
 * fuzz_serve_req — libFuzzer target for serve's request-head parser
 * (serve/req_parse) and chunked request-body validator (serve/req_chunked).
 * Seeds: tests/fuzz/corpus/serve_req.
 *
 * The head is parsed from an exact-size heap copy (ASan catches a read past
 * len). If it is complete, the rest of the input is fed to the chunked
 * decoder; otherwise the whole input is, so the decoder is fuzzed without
 * needing a valid head.
 *
 * Invariants, head: the result is in its documented set; a head's length is
 * <= the input; method and target are non-empty spans inside the head;
 * minor is a digit; content_length is -1 or a 1*18DIGIT value; never
 * chunked with a Content-Length; the head alone reparses to the same result
 * and one byte less is TG_EAGAIN; a prefix cut at a point taken from the
 * input gives TG_EAGAIN or the same result (splitting the input changes
 * nothing). The result also equals that of a naive line-by-line reference
 * parser written from the grammar in req_parse.h.
 *
 * Invariants, body: consumed <= len per call, all of len unless the body
 * ended; the data count grows by at most what was consumed; feeding whole,
 * in two pieces split at a point taken from the input, and byte by byte
 * gives the same error, end, consumed and count; and all equal a naive
 * reference decoder written from the grammar and limits in req_chunked.h.
 */
#include "serve/req_chunked.h"
#include "serve/req_parse.h"

#include "fuzz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- reference head parser ----------------------------------------------- */

enum { REF_MORE = -1, REF_BAD = -2 }; /* the reference's TG_EAGAIN / TG_EPROTO */

static bool ref_tchar(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static bool ref_ieq(const char *p, size_t n, const char *lower)
{
    if (strlen(lower) != n) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c >= 'A' && c <= 'Z') {
            c = (unsigned char)(c - 'A' + 'a');
        }
        if (c != (unsigned char)lower[i]) {
            return false;
        }
    }
    return true;
}

/* The line at b[*pos..): its content (one trailing CR dropped); *pos moves past the LF. */
static bool ref_line(const char *b, size_t n, size_t *pos, const char **line, size_t *len)
{
    const char *lf = memchr(b + *pos, '\n', n - *pos);
    if (lf == NULL) {
        return false;
    }
    *line = b + *pos;
    *len = (size_t)(lf - *line);
    if (*len > 0 && (*line)[*len - 1] == '\r') {
        (*len)--;
    }
    *pos = (size_t)(lf - b) + 1;
    return true;
}

static bool ref_request_line(const char *l, size_t n, struct tg_req_head *h)
{
    size_t i = 0;
    while (i < n && ref_tchar((unsigned char)l[i])) {
        i++;
    }
    if (i == 0 || i == n || l[i] != ' ') {
        return false;
    }
    h->method = (struct tg_span){ l, i };
    size_t t = ++i;
    while (i < n && (unsigned char)l[i] > 0x20 && (unsigned char)l[i] < 0x7f) {
        i++;
    }
    if (i == t || i == n || l[i] != ' ') {
        return false;
    }
    h->target = (struct tg_span){ l + t, i - t };
    i++;
    if (n - i != 8 || memcmp(l + i, "HTTP/1.", 7) != 0 || l[i + 7] < '0' || l[i + 7] > '9') {
        return false;
    }
    h->minor = (uint8_t)(l[i + 7] - '0');
    return true;
}

static bool ref_connection(const char *v, size_t n, struct tg_req_head *h)
{
    size_t i = 0;
    while (i < n) {
        while (i < n && (v[i] == ',' || v[i] == ' ' || v[i] == '\t')) {
            i++;
        }
        size_t s = i;
        while (i < n && v[i] != ',' && v[i] != ' ' && v[i] != '\t') {
            i++;
        }
        h->conn_close |= ref_ieq(v + s, i - s, "close");
        h->conn_keep_alive |= ref_ieq(v + s, i - s, "keep-alive");
    }
    return true;
}

static bool ref_apply(const char *name, size_t nlen, const char *v, size_t vlen,
                      struct tg_req_head *h)
{
    if (ref_ieq(name, nlen, "content-length")) {
        if (vlen == 0 || vlen > 18) {
            return false;
        }
        int64_t x = 0;
        for (size_t i = 0; i < vlen; i++) {
            if (v[i] < '0' || v[i] > '9') {
                return false;
            }
            x = x * 10 + (v[i] - '0');
        }
        if (h->content_length >= 0 && h->content_length != x) {
            return false;
        }
        h->content_length = x;
    } else if (ref_ieq(name, nlen, "transfer-encoding")) {
        if (h->chunked || !ref_ieq(v, vlen, "chunked")) {
            return false;
        }
        h->chunked = true;
    } else if (ref_ieq(name, nlen, "connection")) {
        return ref_connection(v, vlen, h);
    } else if (ref_ieq(name, nlen, "expect")) {
        h->expect_continue = ref_ieq(v, vlen, "100-continue");
    } else if (ref_ieq(name, nlen, "host")) {
        if (h->has_host) {
            return false;
        }
        h->has_host = true;
    }
    return true;
}

static bool ref_field(const char *l, size_t n, struct tg_req_head *h)
{
    size_t i = 0;
    while (i < n && ref_tchar((unsigned char)l[i])) {
        i++;
    }
    if (i == 0 || i == n || l[i] != ':') {
        return false;
    }
    size_t nlen = i++;
    for (size_t k = i; k < n; k++) {
        unsigned char c = (unsigned char)l[k];
        if (c != ' ' && c != '\t' && (c < 0x21 || c == 0x7f)) {
            return false;
        }
    }
    while (i < n && (l[i] == ' ' || l[i] == '\t')) {
        i++;
    }
    size_t e = n;
    while (e > i && (l[e - 1] == ' ' || l[e - 1] == '\t')) {
        e--;
    }
    return ref_apply(l, nlen, l + i, e - i, h);
}

/* Parses b[0..n) line by line: a head length, REF_MORE or REF_BAD. */
static long ref_head(const char *b, size_t n, struct tg_req_head *h)
{
    memset(h, 0, sizeof(*h));
    h->content_length = -1;
    size_t pos = 0;
    /* *( CRLF / LF ) before the request line */
    for (;;) {
        if (pos < n && b[pos] == '\n') {
            pos++;
        } else if (pos + 1 < n && b[pos] == '\r' && b[pos + 1] == '\n') {
            pos += 2;
        } else if (pos + 1 == n && b[pos] == '\r') {
            return REF_MORE;
        } else {
            break;
        }
    }
    const char *l;
    size_t len;
    if (!ref_line(b, n, &pos, &l, &len)) {
        return REF_MORE;
    }
    if (!ref_request_line(l, len, h)) {
        return REF_BAD;
    }
    for (;;) {
        if (!ref_line(b, n, &pos, &l, &len)) {
            return REF_MORE;
        }
        if (len == 0) {
            break;
        }
        if (!ref_field(l, len, h)) {
            return REF_BAD;
        }
    }
    return h->chunked && h->content_length >= 0 ? REF_BAD : (long)pos;
}

/* ---- head checks ---------------------------------------------------------- */

static bool span_in(struct tg_span s, const char *buf, size_t len)
{
    return s.ptr >= buf && s.len <= len && s.ptr + s.len <= buf + len;
}

static bool same_head(const struct tg_req_head *a, const struct tg_req_head *b)
{
    return a->method.len == b->method.len &&
           memcmp(a->method.ptr, b->method.ptr, a->method.len) == 0 &&
           a->target.len == b->target.len &&
           memcmp(a->target.ptr, b->target.ptr, a->target.len) == 0 && a->minor == b->minor &&
           a->content_length == b->content_length && a->chunked == b->chunked &&
           a->conn_close == b->conn_close && a->conn_keep_alive == b->conn_keep_alive &&
           a->expect_continue == b->expect_continue && a->has_host == b->has_host;
}

/* Parses buf[0..k) from an exact-size heap copy. */
static int parse_copy(const char *buf, size_t k, struct tg_req_head *h, char **copy)
{
    *copy = malloc(k ? k : 1);
    CHECK(*copy != NULL);
    memcpy(*copy, buf, k);
    return tg_req_parse_head(*copy, k, h);
}

/* Checks one complete head h of length rc parsed from in. */
static void check_head(const char *in, int rc, const struct tg_req_head *h)
{
    size_t n = (size_t)rc;
    CHECK(h->method.len > 0 && span_in(h->method, in, n));
    CHECK(h->target.len > 0 && span_in(h->target, in, n));
    CHECK(h->method.ptr + h->method.len < h->target.ptr);
    CHECK(h->minor <= 9);
    CHECK(h->content_length >= -1 && h->content_length <= INT64_C(999999999999999999));
    CHECK(!(h->chunked && h->content_length >= 0));
}

/* Parses the head; returns its length, or 0 when it is not complete and valid. */
static size_t fuzz_head(const char *in, size_t size, size_t split_seed)
{
    struct tg_req_head h;
    int rc = tg_req_parse_head(in, size, &h);
    CHECK(rc > 0 || rc == TG_EAGAIN || rc == TG_EPROTO);

    struct tg_req_head ref;
    long want = ref_head(in, size, &ref);
    if (want >= 0) {
        CHECK(rc == want && same_head(&h, &ref));
    } else if (want == REF_BAD) {
        CHECK(rc == TG_EPROTO);
    } else {
        CHECK(rc == TG_EAGAIN || rc == TG_EPROTO); /* early rejection is allowed */
    }

    /* Splitting: the prefix [0, k) must say "need more" or the same. */
    size_t k = split_seed % (size + 1);
    struct tg_req_head hp;
    char *copy;
    int rp = parse_copy(in, k, &hp, &copy);
    CHECK(rp == TG_EAGAIN || rp == rc);
    if (rp > 0) {
        CHECK(same_head(&hp, &h));
    }
    free(copy);

    if (rc <= 0) {
        return 0;
    }
    CHECK((size_t)rc <= size);
    check_head(in, rc, &h);
    struct tg_req_head again;
    CHECK(parse_copy(in, (size_t)rc, &again, &copy) == rc);
    CHECK(same_head(&again, &h));
    free(copy);
    CHECK(parse_copy(in, (size_t)rc - 1, &again, &copy) == TG_EAGAIN);
    free(copy);
    return (size_t)rc;
}

/* ---- reference chunked decoder ------------------------------------------- */

struct decoded {
    int err;           /* 0 or TG_EPROTO */
    bool done;         /* the body ended */
    size_t consumed;   /* bytes consumed (when err == 0) */
    uint64_t data_len; /* data bytes counted (when err == 0) */
};

static int ref_hex(unsigned char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/*
 * Length of the line at b[pos..n) with its LF, or, without an LF, of what
 * there is (then *whole is false).
 */
static size_t ref_line_len(const char *b, size_t n, size_t pos, bool *whole)
{
    const char *lf = memchr(b + pos, '\n', n - pos);
    *whole = lf != NULL;
    return lf ? (size_t)(lf - (b + pos)) + 1 : n - pos;
}

/*
 * Checks a chunk-size line at b[pos..pos+len) (with its LF when whole):
 * 1*HEXDIG with at most 16 significant digits [ ( ";" / SP / HTAB ) *( any byte
 * but LF ) ] eol. Returns 1 if
 * valid and whole, 0 if valid so far, -1 if malformed; *size gets the size.
 */
static int ref_size_line(const char *l, size_t len, bool whole, uint64_t *size)
{
    size_t i = 0;
    size_t significant = 0;
    *size = 0;
    while (i < len && ref_hex((unsigned char)l[i]) >= 0) {
        int v = ref_hex((unsigned char)l[i++]);
        if ((*size != 0 || v != 0) && ++significant > 16) {
            return -1;
        }
        *size = (*size << 4) | (uint64_t)v;
    }
    if (i == len) {
        return 0; /* whole lines end in LF, which is not a digit */
    }
    if (i == 0) {
        return -1;
    }
    char c = l[i];
    if (c == ';' || c == ' ' || c == '\t') {
        return whole ? 1 : 0;
    }
    if (c == '\n') {
        return 1;
    }
    if (c != '\r') {
        return -1;
    }
    if (i + 1 == len) {
        return 0;
    }
    return l[i + 1] == '\n' ? 1 : -1;
}

/* Decodes b[0..n) in one go, straight from the grammar and limits. */
static struct decoded ref_chunked(const char *b, size_t n)
{
    struct decoded d = { 0, false, n, 0 };
    struct decoded bad = { TG_EPROTO, false, 0, 0 };
    size_t pos = 0;
    for (;;) {
        bool whole;
        size_t len = ref_line_len(b, n, pos, &whole);
        uint64_t size;
        int ok = ref_size_line(b + pos, len, whole, &size);
        if (ok < 0 || len > TG_REQ_CHUNKED_MAX_LINE) {
            return bad;
        }
        if (ok == 0) {
            return d;
        }
        pos += len;
        if (size == 0) {
            break;
        }
        uint64_t take = TG_MIN(size, (uint64_t)(n - pos));
        d.data_len += take;
        pos += (size_t)take;
        if (take < size || pos == n) {
            return d;
        }
        if (b[pos] == '\n') {
            pos++;
            continue;
        }
        if (b[pos] != '\r' || (pos + 1 < n && b[pos + 1] != '\n')) {
            return bad;
        }
        if (pos + 1 == n) {
            return d;
        }
        pos += 2;
    }
    size_t trailers = 0;
    for (;;) {
        if (pos == n) {
            return d;
        }
        if (b[pos] == '\n' || b[pos] == '\r') {
            if (b[pos] == '\r' && pos + 1 == n) {
                return d;
            }
            if (b[pos] == '\r' && b[pos + 1] != '\n') {
                return bad;
            }
            d.done = true;
            d.consumed = pos + (b[pos] == '\r' ? 2 : 1);
            return d;
        }
        bool whole;
        size_t len = ref_line_len(b, n, pos, &whole);
        trailers += len;
        if (len > TG_REQ_CHUNKED_MAX_LINE || trailers > TG_REQ_CHUNKED_MAX_TRAILER) {
            return bad;
        }
        if (!whole) {
            return d;
        }
        pos += len;
    }
}

/* ---- body checks ---------------------------------------------------------- */

/*
 * Feeds b[0..n) as pieces of `first` then `step` bytes, each an exact-size
 * heap copy; the `step`-sized pieces share one allocation of exactly that size.
 */
static struct decoded feed(const char *b, size_t n, size_t first, size_t step)
{
    struct tg_req_chunked dec;
    tg_req_chunked_init(&dec);
    struct decoded d = { 0, false, 0, 0 };
    char *step_buf = malloc(step ? step : 1);
    CHECK(step_buf != NULL);
    size_t piece = first;
    while (d.consumed < n) {
        size_t k = TG_MIN(piece, n - d.consumed);
        char *w = k == step ? step_buf : malloc(k ? k : 1);
        CHECK(w != NULL);
        memcpy(w, b + d.consumed, k);
        uint64_t before = d.data_len;
        bool done = false;
        int rc = tg_req_chunked_feed(&dec, w, k, &d.data_len, &done);
        if (w != step_buf) {
            free(w);
        }
        if (rc < 0) {
            CHECK(rc == TG_EPROTO);
            d.err = rc;
            break;
        }
        CHECK((size_t)rc <= k);
        CHECK(d.data_len - before <= (uint64_t)rc);
        CHECK((size_t)rc == k || done);
        d.consumed += (size_t)rc;
        if (done) {
            d.done = true;
            break;
        }
        piece = step;
    }
    free(step_buf);
    return d;
}

static bool same_decoded(const struct decoded *a, const struct decoded *b)
{
    if (a->err != b->err) {
        return false;
    }
    return a->err != 0 ||
           (a->done == b->done && a->consumed == b->consumed && a->data_len == b->data_len);
}

static void fuzz_body(const char *b, size_t n, size_t split_seed)
{
    struct decoded whole = feed(b, n, n, n);
    struct decoded split = feed(b, n, split_seed % (n + 1), n);
    struct decoded bytes = feed(b, n, 1, 1);
    struct decoded ref = ref_chunked(b, n);
    CHECK(same_decoded(&whole, &split));
    CHECK(same_decoded(&whole, &bytes));
    CHECK(same_decoded(&whole, &ref));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = malloc(size ? size : 1);
    CHECK(in != NULL);
    memcpy(in, data, size);
    size_t seed = size > 0 ? (size_t)data[size - 1] * 131u + (size_t)data[0] * 7u + size : 0;
    size_t head = fuzz_head(in, size, seed);
    fuzz_body(in + head, size - head, seed / 3);
    free(in);
    return 0;
}

/*
 * test_req_chunked — serve's chunked request-body validator
 * (serve/req_chunked) against a table of bodies and the limits in
 * req_chunked.h.
 *
 * Every input is fed whole, in two pieces split at every point, and byte by
 * byte; all three must agree on the error, whether the body ended, the bytes
 * consumed and the data count. Each piece is copied so its last byte sits
 * just before a PROT_NONE page, so a read past len faults. Per call the
 * contract is checked too: consumed <= piece, all of the piece consumed
 * unless the body ended in it, the data count grows by at most what was
 * consumed, and after the end further input is left alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "serve/req_chunked.h"
#include "unit/guard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the runner ---------------------------------------------------------- */

struct dec_result {
    int err;           /* 0 or TG_EPROTO */
    bool done;         /* the body ended */
    size_t consumed;   /* input bytes consumed (when err == 0) */
    uint64_t data_len; /* data bytes counted (when err == 0) */
};

/*
 * Feeds b[0..m) as pieces: first `first` bytes, then `step` bytes at a time,
 * each against the guard page, checking the per-call contract.
 */
static struct dec_result feed_pieces(const char *b, size_t m, size_t first, size_t step)
{
    struct tg_req_chunked d;
    tg_req_chunked_init(&d);
    struct dec_result res = { 0, false, 0, 0 };
    size_t piece = first;
    while (res.consumed < m) {
        size_t k = TG_MIN(piece, m - res.consumed);
        uint64_t before = res.data_len;
        bool done = false;
        int rc = tg_req_chunked_feed(&d, guard_put(b + res.consumed, k), k, &res.data_len, &done);
        if (rc < 0) {
            assert_int_equal(rc, TG_EPROTO);
            res.err = rc;
            return res;
        }
        assert_true((size_t)rc <= k);
        assert_true(res.data_len - before <= (uint64_t)rc);
        res.consumed += (size_t)rc;
        if (done) {
            res.done = true;
            break;
        }
        assert_int_equal(rc, k);
        piece = step;
    }
    if (res.done) {
        /* The rest (the next request) is left alone, as is an empty piece. */
        size_t k = m - res.consumed;
        uint64_t before = res.data_len;
        bool done = false;
        assert_int_equal(
            tg_req_chunked_feed(&d, guard_put(b + res.consumed, k), k, &res.data_len, &done), 0);
        assert_true(done);
        assert_true(res.data_len == before);
    }
    return res;
}

static void assert_same(const struct dec_result *want, const struct dec_result *got,
                        const char *how, size_t split)
{
    if (want->err != got->err ||
        (want->err == 0 && (want->done != got->done || want->consumed != got->consumed ||
                            want->data_len != got->data_len))) {
        fail_msg("fed %s (split %zu): err %d/%d done %d/%d consumed %zu/%zu data %llu/%llu", how,
                 split, want->err, got->err, want->done, got->done, want->consumed, got->consumed,
                 (unsigned long long)want->data_len, (unsigned long long)got->data_len);
    }
}

/*
 * Feeds b[0..m) whole, split at every point (every `stride`-th point away
 * from both ends when stride > 1) and byte by byte; returns the common result.
 */
static struct dec_result feed_every_way(const char *b, size_t m, size_t stride)
{
    struct dec_result whole = feed_pieces(b, m, m, m);
    for (size_t s = 0; s <= m; s++) {
        if (stride > 1 && s > 64 && s + 64 < m && s % stride != 0) {
            continue;
        }
        struct dec_result split = feed_pieces(b, m, s, m);
        assert_same(&whole, &split, "in two pieces", s);
    }
    struct dec_result bytes = feed_pieces(b, m, 1, 1);
    assert_same(&whole, &bytes, "byte by byte", 1);
    return whole;
}

/* ---- the cases ----------------------------------------------------------- */

enum { END = 1, MORE = 2, BAD = 3 }; /* body ended / input ended inside it / malformed */

struct chunked_case {
    const char *name;  /* cmocka test name: test_tg_req_chunked_feed_<case> */
    const char *in;    /* the raw input */
    size_t len;        /* bytes of in */
    int want;          /* END, MORE or BAD */
    uint64_t data_len; /* data bytes, with END or MORE */
    size_t tail;       /* with END: bytes after the body, left unconsumed */
};

#define IN(s)   .in = (s), .len = sizeof(s) - 1
#define CASE(s) .name = "test_tg_req_chunked_feed_" s

static const char *want_name(int want)
{
    return want == END ? "END" : want == MORE ? "MORE" : "BAD";
}

static void run_chunked_case(void **state)
{
    const struct chunked_case *c = *state;
    struct dec_result r = feed_every_way(c->in, c->len, 1);
    int got = r.err ? BAD : r.done ? END : MORE;
    if (got != c->want) {
        fail_msg("%s: got %s, want %s", c->name, want_name(got), want_name(c->want));
    }
    if (got == BAD) {
        return;
    }
    assert_int_equal(r.data_len, c->data_len);
    assert_int_equal(r.consumed, c->len - (got == END ? c->tail : 0));
}

static struct chunked_case g_cases[] = {
    /* Plain bodies. */
    { CASE("one_chunk"), IN("5\r\nhello\r\n0\r\n\r\n"), END, 5 },
    { CASE("several_chunks"), IN("5\r\nhello\r\n1\r\n \r\n6\r\nworld!\r\n0\r\n\r\n"), END, 12 },
    { CASE("hex_digits_both_cases"),
      IN("a\r\n0123456789\r\nB\r\n0123456789a\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n"), END, 37 },
    { CASE("empty_body"), IN("0\r\n\r\n"), END, 0 },
    { CASE("leading_zeros"), IN("0003\r\nabc\r\n000\r\n\r\n"), END, 3 },
    { CASE("16_digit_size"), IN("0000000000000003\r\nabc\r\n0000000000000000\r\n\r\n"), END, 3 },
    { CASE("bare_lf"), IN("3\nabc\n0\n\n"), END, 3 },
    { CASE("mixed_line_ends"), IN("3\r\nabc\n2\nxy\r\n0\n\r\n"), END, 5 },
    { CASE("binary_data"), IN("8\r\n\r\n0\r\n\0\xff\r\r\n0\r\n\r\n"), END, 8 },
    { CASE("next_request_left"), IN("3\r\nabc\r\n0\r\n\r\nGET / HTTP/1.1\r\n\r\n"), END, 3, 18 },
    { CASE("next_body_left"), IN("0\r\n\r\n0\r\n\r\n"), END, 0, 5 },

    /* Extensions. */
    { CASE("extension"), IN("5;name=value\r\nhello\r\n0\r\n\r\n"), END, 5 },
    { CASE("extension_quoted"), IN("5;a=\"x;y\\\"z\";b\r\nhello\r\n0\r\n\r\n"), END, 5 },
    { CASE("extension_bws"), IN("5 ;a=1\r\nhello\r\n5\t;b\r\nworld\r\n0\r\n\r\n"), END, 10 },
    { CASE("extension_on_last_chunk"), IN("0;final=yes\r\n\r\n"), END, 0 },
    { CASE("extension_bare_lf"), IN("3;x\nabc\n0;y\n\n"), END, 3 },
    { CASE("extension_any_byte_but_lf"), IN("3;\r\x01\xff\r\nabc\r\n0\r\n\r\n"), END, 3 },

    /* Trailers. */
    { CASE("trailers"), IN("3\r\nabc\r\n0\r\nX-A: 1\r\nX-Checksum: abc\r\n\r\n"), END, 3 },
    { CASE("trailers_bare_lf"), IN("0\nX-A: 1\nX-B: 2\n\n"), END, 0 },
    { CASE("trailers_then_next_request"), IN("0\r\nX-A: 1\r\n\r\nGET"), END, 0, 3 },

    /* Input that ends inside the body. */
    { CASE("nothing_yet"), IN(""), MORE, 0 },
    { CASE("inside_size"), IN("1f"), MORE, 0 },
    { CASE("inside_extension"), IN("3;name=va"), MORE, 0 },
    { CASE("inside_data"), IN("5\r\nhel"), MORE, 3 },
    { CASE("after_data"), IN("5\r\nhello"), MORE, 5 },
    { CASE("after_data_cr"), IN("5\r\nhello\r"), MORE, 5 },
    { CASE("after_last_chunk"), IN("5\r\nhello\r\n0\r\n"), MORE, 5 },
    { CASE("inside_trailer"), IN("0\r\nX-A: 1"), MORE, 0 },
    { CASE("final_cr"), IN("0\r\n\r"), MORE, 0 },
    { CASE("huge_chunk_partial"), IN("ffffffffffffffff\r\nabc"), MORE, 3 },
    { CASE("huge_chunk_reports_count"), IN("7fffffffffffffff\r\n0123456789"), MORE, 10 },

    /* Bad chunk sizes. */
    { CASE("bad_hex"), IN("g\r\nabc\r\n0\r\n\r\n"), BAD },
    { CASE("bad_hex_after_digit"), IN("1g\r\na\r\n0\r\n\r\n"), BAD },
    { CASE("hex_prefix"), IN("0x5\r\nhello\r\n0\r\n\r\n"), BAD },
    { CASE("negative_size"), IN("-1\r\na\r\n0\r\n\r\n"), BAD },
    { CASE("plus_sign"), IN("+1\r\na\r\n0\r\n\r\n"), BAD },
    { CASE("space_before_size"), IN(" 1\r\na\r\n0\r\n\r\n"), BAD },
    { CASE("empty_size_line"), IN("\r\nabc\r\n0\r\n\r\n"), BAD },
    { CASE("extension_without_size"), IN(";x\r\n0\r\n\r\n"), BAD },
    { CASE("oversize_17_digits"), IN("10000000000000000\r\nabc\r\n0\r\n\r\n"), BAD },
    { CASE("oversize_17_significant_digits"), IN("0100000000000000000\r\nabc\r\n0\r\n\r\n"), BAD },
    { CASE("nul_in_size"), IN("1\0\r\na\r\n0\r\n\r\n"), BAD },

    /* Bad line ends. */
    { CASE("size_cr_without_lf"), IN("5\rhello\r\n0\r\n\r\n"), BAD },
    { CASE("size_cr_cr_lf"), IN("5\r\r\nhello\r\n0\r\n\r\n"), BAD },
    { CASE("data_too_long"), IN("3\r\nabcd\r\n0\r\n\r\n"), BAD },
    { CASE("data_missing_crlf"), IN("3\r\nabc0\r\n\r\n"), BAD },
    { CASE("data_cr_without_lf"), IN("3\r\nabc\rX0\r\n\r\n"), BAD },
    { CASE("data_cr_cr"), IN("3\r\nabc\r\r\n0\r\n\r\n"), BAD },
    { CASE("final_cr_without_lf"), IN("0\r\n\rX"), BAD },
    { CASE("good_chunk_then_bad_size"), IN("3\r\nabc\r\nzz\r\n"), BAD },

    /* Leading zeros do not count against the 16 significant digits (last-chunk = 1*"0"). */
    { CASE("last_chunk_17_zeros"), IN("00000000000000000\r\n\r\n"), END, 0 },
    { CASE("size_17_digits_leading_zero"), IN("00000000000000001\r\na\r\n0\r\n\r\n"), END, 1 },
};

/* ---- limits -------------------------------------------------------------- */

/* Appends n copies of c to buf at *at. */
static void fill(char *buf, size_t *at, char c, size_t n)
{
    memset(buf + *at, c, n);
    *at += n;
}

static void put(char *buf, size_t *at, const char *s)
{
    size_t n = strlen(s);
    memcpy(buf + *at, s, n);
    *at += n;
}

/*
 * A size line is counted with its line end: "1;xxx…" + eol of
 * TG_REQ_CHUNKED_MAX_LINE bytes in all is accepted, one byte more is not,
 * for CRLF and for bare LF.
 */
static void test_tg_req_chunked_feed_size_line_limit(void **state)
{
    (void)state;
    static char buf[TG_REQ_CHUNKED_MAX_LINE + 64];
    for (int crlf = 0; crlf <= 1; crlf++) {
        for (int over = 0; over <= 1; over++) {
            const char *eol = crlf ? "\r\n" : "\n";
            size_t line = TG_REQ_CHUNKED_MAX_LINE + (size_t)over;
            size_t n = 0;
            put(buf, &n, "1;");
            fill(buf, &n, 'x', line - 2 - strlen(eol));
            put(buf, &n, eol);
            put(buf, &n, "Z\r\n0\r\n\r\n");
            struct dec_result r = feed_every_way(buf, n, 1);
            if (over) {
                assert_int_equal(r.err, TG_EPROTO);
            } else {
                assert_int_equal(r.err, 0);
                assert_true(r.done);
                assert_int_equal(r.consumed, n);
                assert_int_equal(r.data_len, 1);
            }
        }
    }
}

/* The size-line count starts again at each chunk. */
static void test_tg_req_chunked_feed_size_line_limit_per_chunk(void **state)
{
    (void)state;
    static char buf[4 * TG_REQ_CHUNKED_MAX_LINE];
    size_t n = 0;
    for (int i = 0; i < 3; i++) {
        put(buf, &n, "2;");
        fill(buf, &n, 'e', TG_REQ_CHUNKED_MAX_LINE - 5);
        put(buf, &n, "\r\nab\r\n");
    }
    put(buf, &n, "0\r\n\r\n");
    struct dec_result r = feed_every_way(buf, n, 7);
    assert_int_equal(r.err, 0);
    assert_true(r.done);
    assert_int_equal(r.data_len, 6);
}

/* A trailer line, too, is limited with its line end. */
static void test_tg_req_chunked_feed_trailer_line_limit(void **state)
{
    (void)state;
    static char buf[TG_REQ_CHUNKED_MAX_LINE + 64];
    for (int over = 0; over <= 1; over++) {
        size_t n = 0;
        put(buf, &n, "0\r\nX-T: ");
        fill(buf, &n, 't', TG_REQ_CHUNKED_MAX_LINE + (size_t)over - 7);
        put(buf, &n, "\r\n\r\n");
        struct dec_result r = feed_every_way(buf, n, 1);
        if (over) {
            assert_int_equal(r.err, TG_EPROTO);
        } else {
            assert_int_equal(r.err, 0);
            assert_true(r.done);
            assert_int_equal(r.consumed, n);
        }
    }
}

/*
 * Trailers count with their line ends and without the final empty line:
 * TG_REQ_CHUNKED_MAX_TRAILER bytes of them are accepted, one more is not.
 */
static void test_tg_req_chunked_feed_trailer_total_limit(void **state)
{
    (void)state;
    static char buf[TG_REQ_CHUNKED_MAX_TRAILER + 64];
    size_t line = 4000;
    for (int over = 0; over <= 1; over++) {
        size_t n = 0;
        put(buf, &n, "0\r\n");
        size_t left = TG_REQ_CHUNKED_MAX_TRAILER + (size_t)over;
        while (left > 0) {
            size_t this_line = TG_MIN(line, left);
            assert_true(this_line >= 6);
            put(buf, &n, "X: ");
            fill(buf, &n, 'v', this_line - 5);
            put(buf, &n, "\r\n");
            left -= this_line;
        }
        put(buf, &n, "\r\n");
        struct dec_result r = feed_every_way(buf, n, 61);
        if (over) {
            assert_int_equal(r.err, TG_EPROTO);
        } else {
            assert_int_equal(r.err, 0);
            assert_true(r.done);
            assert_int_equal(r.consumed, n);
        }
    }
}

/* *data_len is added to, not set: the caller keeps a running count. */
static void test_tg_req_chunked_feed_data_len_accumulates(void **state)
{
    (void)state;
    struct tg_req_chunked d;
    tg_req_chunked_init(&d);
    uint64_t data_len = 100;
    bool done = true;
    assert_int_equal(tg_req_chunked_feed(&d, "5\r\nhel", 6, &data_len, &done), 6);
    assert_false(done);
    assert_true(data_len == 103);
    assert_int_equal(tg_req_chunked_feed(&d, "lo\r\n0\r\n\r\nX", 10, &data_len, &done), 9);
    assert_true(done);
    assert_true(data_len == 105);
}

/* A big chunk is skipped in one step and counted exactly. */
static void test_tg_req_chunked_feed_large_chunk(void **state)
{
    (void)state;
    size_t size = 1u << 20;
    size_t cap = size + 64;
    char *buf = malloc(cap);
    assert_non_null(buf);
    size_t n = 0;
    put(buf, &n, "100000;big\r\n");
    fill(buf, &n, 'd', size);
    put(buf, &n, "\r\n0\r\n\r\n");
    for (size_t piece = 4096; piece <= n; piece *= 16) {
        struct dec_result r = feed_pieces(buf, n, piece, piece);
        assert_int_equal(r.err, 0);
        assert_true(r.done);
        assert_int_equal(r.consumed, n);
        assert_true(r.data_len == size);
    }
    struct dec_result whole = feed_pieces(buf, n, n, n);
    assert_true(whole.done && whole.data_len == size);
    free(buf);
}

/* init makes a decoder ready for a new body, whatever it went through. */
static void test_tg_req_chunked_init_resets(void **state)
{
    (void)state;
    struct tg_req_chunked d;
    tg_req_chunked_init(&d);
    uint64_t data_len = 0;
    bool done = false;
    assert_int_equal(tg_req_chunked_feed(&d, "3\r\nabc\r\n0\r\n\r\n", 13, &data_len, &done), 13);
    assert_true(done);
    tg_req_chunked_init(&d);
    done = true;
    assert_int_equal(tg_req_chunked_feed(&d, "2\r\nxy", 5, &data_len, &done), 5);
    assert_false(done);
    assert_true(data_len == 5);
    tg_req_chunked_init(&d);
    assert_int_equal(tg_req_chunked_feed(&d, "zz", 2, &data_len, &done), TG_EPROTO);
    tg_req_chunked_init(&d);
    assert_int_equal(tg_req_chunked_feed(&d, "0\n\n", 3, &data_len, &done), 3);
    assert_true(done);
}

/* ---- main ---------------------------------------------------------------- */

int main(void)
{
    if (guard_init((1u << 20) + 4096) != 0) {
        (void)fprintf(stderr, "test_req_chunked: cannot map the guard page\n");
        return 1;
    }
    const struct CMUnitTest unit[] = {
        cmocka_unit_test(test_tg_req_chunked_feed_size_line_limit),
        cmocka_unit_test(test_tg_req_chunked_feed_size_line_limit_per_chunk),
        cmocka_unit_test(test_tg_req_chunked_feed_trailer_line_limit),
        cmocka_unit_test(test_tg_req_chunked_feed_trailer_total_limit),
        cmocka_unit_test(test_tg_req_chunked_feed_data_len_accumulates),
        cmocka_unit_test(test_tg_req_chunked_feed_large_chunk),
        cmocka_unit_test(test_tg_req_chunked_init_resets),
    };
    int failed = cmocka_run_group_tests_name("req_chunked", unit, NULL, NULL);
    size_t n = TG_ARRAY_LEN(g_cases);
    struct CMUnitTest *cases = calloc(n, sizeof(*cases));
    if (cases == NULL) {
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        cases[i] =
            (struct CMUnitTest){ g_cases[i].name, run_chunked_case, NULL, NULL, &g_cases[i] };
    }
    failed += _cmocka_run_group_tests("req_chunked_cases", cases, n, NULL, NULL);
    free(cases);
    guard_fini();
    return failed != 0;
}

/*
 * test_h1_parse — the response-head parser (http/h1_parse) and the chunked
 * decoder (http/chunked) against the data cases in tests/data/h1, plus plain
 * unit tests of tg_h1_body_framing, tg_h1_header_get and the decoder's
 * edge states.
 *
 * A case is NAME.http (raw response bytes, possibly several pipelined
 * responses) and NAME.events (the expected event log). The runner parses the
 * input one message after another and writes one event per line:
 *   status N | version 1.N | reason R | header NAME: VALUE
 *   content-length N          when not -1
 *   transfer-encoding chunked | transfer-encoding other   when present
 *   conn close | conn keep-alive
 *   framing none | framing length N | framing chunked | framing close
 *   body DATA                 the decoded body ("body" alone when empty)
 *   error proto | error 2big  the head was rejected; the run stops
 *   body-error proto          the chunked decoder rejected the body; stops
 *   incomplete head | incomplete body   the input ended inside the message
 * Bytes left after a message are parsed as the next response. R, VALUE and
 * DATA are escaped: \\ \r \n \t and \xHH for other bytes outside 0x20..0x7e.
 * In .events files, blank lines and lines starting with '#' are ignored, and
 * "@head-request" makes every message in the file answer a HEAD request.
 *
 * Every head is parsed on every prefix of the input, and every chunked body
 * is decoded whole, in two pieces split at every point, and byte by byte;
 * all must agree. Each prefix or piece is copied so its last byte sits just
 * before a PROT_NONE page, so a read past len faults.
 *
 * The data directory is $TG_DATA_DIR/h1, else found from __FILE__, else
 * tests/data/h1 (tests/run.sh runs from the repo root).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "http/chunked.h"
#include "http/h1_parse.h"
#include "unit/guard.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- event log ----------------------------------------------------------- */

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n);
    if (q == NULL) {
        abort();
    }
    return q;
}

struct evlog {
    char *buf; /* lines, each ending in '\n', NUL-terminated */
    size_t len;
    size_t cap;
};

static void ev_raw(struct evlog *l, const char *s, size_t n)
{
    if (l->len + n + 1 > l->cap) {
        l->cap = (l->len + n + 1) * 2;
        l->buf = xrealloc(l->buf, l->cap);
    }
    memcpy(l->buf + l->len, s, n);
    l->len += n;
    l->buf[l->len] = '\0';
}

/* Adds the line "key" (value NULL) or "key value". */
static void ev_add(struct evlog *l, const char *key, const char *value)
{
    ev_raw(l, key, strlen(key));
    if (value != NULL) {
        ev_raw(l, " ", 1);
        ev_raw(l, value, strlen(value));
    }
    ev_raw(l, "\n", 1);
}

static void ev_num(struct evlog *l, const char *key, long long value)
{
    char num[32];
    (void)snprintf(num, sizeof(num), "%lld", value);
    ev_add(l, key, num);
}

static void ev_escaped(struct evlog *l, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        char esc[5];
        switch (c) {
        case '\\':
            ev_raw(l, "\\\\", 2);
            break;
        case '\r':
            ev_raw(l, "\\r", 2);
            break;
        case '\n':
            ev_raw(l, "\\n", 2);
            break;
        case '\t':
            ev_raw(l, "\\t", 2);
            break;
        default:
            if (c >= 0x20 && c <= 0x7e) {
                ev_raw(l, (const char *)&p[i], 1);
            } else {
                (void)snprintf(esc, sizeof(esc), "\\x%02x", c);
                ev_raw(l, esc, 4);
            }
        }
    }
}

/* "key" or "key VALUE" with VALUE escaped. */
static void ev_add_esc(struct evlog *l, const char *key, const char *p, size_t n)
{
    ev_raw(l, key, strlen(key));
    if (n > 0) {
        ev_raw(l, " ", 1);
        ev_escaped(l, p, n);
    }
    ev_raw(l, "\n", 1);
}

static const char *err_name(int rc)
{
    switch (rc) {
    case TG_EPROTO:
        return "proto";
    case TG_E2BIG:
        return "2big";
    case TG_EAGAIN:
        return "again";
    default:
        return "unexpected";
    }
}

/* ---- cases --------------------------------------------------------------- */

struct h1_case {
    char name[256];
    char *http; /* the raw input */
    size_t http_len;
    struct evlog expected; /* the .events file without comments and directives */
    bool head_request;     /* "@head-request" */
};

/*
 * Parses the head on every prefix of p[0..n), each against the guard page:
 * once a prefix gives a result other than TG_EAGAIN, every longer prefix must
 * give the same, and a complete head must end at that prefix's last byte.
 */
static int check_head_prefixes(const char *p, size_t n)
{
    struct tg_h1_resp r;
    int first = TG_EAGAIN;
    size_t at = 0;
    for (size_t k = 0; k <= n; k++) {
        int rc = tg_h1_parse_head(guard_put(p, k), k, &r);
        if (first == TG_EAGAIN) {
            first = rc;
            at = k;
            if (rc > 0) {
                assert_int_equal(rc, k);
            }
            continue;
        }
        assert_int_equal(rc, first);
        if (k > at + 64 && k + 1 < n) {
            k = n - 1; /* spot-check the rest: the whole input is next */
        }
    }
    return first;
}

struct dec_result {
    int err;         /* 0 or the decoder's error */
    bool done;       /* tg_chunked_done at the end */
    size_t consumed; /* input bytes consumed */
    char *data;      /* decoded bytes (malloc'd) */
    size_t data_len;
};

/*
 * Decodes b[0..m) fed as pieces: the first of `first` bytes, then `step`
 * bytes at a time, each piece against the guard page.
 */
static void decode_pieces(const char *b, size_t m, size_t first, size_t step,
                          struct dec_result *res)
{
    struct tg_chunked c;
    tg_chunked_init(&c);
    *res = (struct dec_result){ 0, false, 0, malloc(m + 1), 0 };
    assert_non_null(res->data);
    size_t piece = first;
    while (res->consumed < m) {
        size_t k = TG_MIN(piece, m - res->consumed);
        char *w = guard_put(b + res->consumed, k);
        size_t dl = SIZE_MAX;
        int rc = tg_chunked_decode(&c, w, k, &dl);
        if (rc < 0) {
            assert_int_equal(rc, TG_EPROTO);
            res->err = rc;
            assert_int_equal(tg_chunked_decode(&c, w, k, &dl), TG_EPROTO); /* sticky */
            return;
        }
        assert_true((size_t)rc <= k);
        assert_true(dl <= (size_t)rc);
        memcpy(res->data + res->data_len, w, dl);
        res->data_len += dl;
        res->consumed += (size_t)rc;
        if (tg_chunked_done(&c)) {
            break;
        }
        assert_int_equal(rc, k);
        piece = step;
    }
    res->done = tg_chunked_done(&c);
    if (res->done) {
        size_t k = m - res->consumed;
        size_t dl = SIZE_MAX;
        assert_int_equal(tg_chunked_decode(&c, guard_put(b + res->consumed, k), k, &dl), 0);
        assert_int_equal(dl, 0);
    }
}

static void assert_same_decode(const struct dec_result *want, const struct dec_result *got,
                               const char *how, size_t split)
{
    if (want->err != got->err ||
        (want->err == 0 &&
         (want->done != got->done || want->consumed != got->consumed ||
          want->data_len != got->data_len || memcmp(want->data, got->data, want->data_len) != 0))) {
        fail_msg("chunked decode %s (split %zu) differs from whole: err %d/%d done %d/%d "
                 "consumed %zu/%zu data_len %zu/%zu",
                 how, split, want->err, got->err, want->done, got->done, want->consumed,
                 got->consumed, want->data_len, got->data_len);
    }
}

/* Decodes a chunked body every way, logs the result, returns bytes consumed. */
static size_t run_chunked(const char *b, size_t m, struct evlog *log)
{
    struct dec_result whole;
    decode_pieces(b, m, m, m, &whole);
    for (size_t s = 0; s <= m; s++) {
        struct dec_result split;
        decode_pieces(b, m, s, m, &split);
        assert_same_decode(&whole, &split, "in two pieces", s);
        free(split.data);
    }
    struct dec_result bytes;
    decode_pieces(b, m, 1, 1, &bytes);
    assert_same_decode(&whole, &bytes, "byte by byte", 1);
    free(bytes.data);

    size_t consumed = whole.consumed;
    if (whole.err) {
        ev_add(log, "body-error", err_name(whole.err));
        consumed = m;
    } else {
        ev_add_esc(log, "body", whole.data, whole.data_len);
        if (!whole.done) {
            ev_add(log, "incomplete body", NULL);
        }
    }
    free(whole.data);
    return consumed;
}

static void log_head(struct evlog *log, const struct tg_h1_resp *r)
{
    ev_num(log, "status", r->status);
    ev_add(log, "version", r->minor_version == 0 ? "1.0" : "1.1");
    ev_add_esc(log, "reason", r->reason.ptr, r->reason.len);
    for (size_t i = 0; i < r->num_headers; i++) {
        ev_raw(log, "header ", 7);
        ev_escaped(log, r->headers[i].name.ptr, r->headers[i].name.len);
        ev_raw(log, ":", 1);
        ev_add_esc(log, "", r->headers[i].value.ptr, r->headers[i].value.len);
    }
    if (r->content_length >= 0) {
        ev_num(log, "content-length", (long long)r->content_length);
    }
    if (r->transfer_encoding) {
        ev_add(log, "transfer-encoding", r->chunked ? "chunked" : "other");
    }
    ev_add(log, "conn", r->conn_close ? "close" : "keep-alive");
}

/* Parses and logs one message at p[0..n); returns the bytes it spans (n to stop). */
static size_t run_message(const char *p, size_t n, bool head_request, struct evlog *log)
{
    int rc = check_head_prefixes(p, n);
    struct tg_h1_resp r;
    assert_int_equal(tg_h1_parse_head(p, n, &r), rc);
    if (rc == TG_EAGAIN) {
        ev_add(log, "incomplete head", NULL);
        return n;
    }
    if (rc < 0) {
        ev_add(log, "error", err_name(rc));
        return n;
    }
    log_head(log, &r);
    size_t head = (size_t)rc;
    const char *b = p + head;
    size_t m = n - head;
    switch (tg_h1_body_framing(&r, head_request)) {
    case TG_H1_BODY_NONE:
        ev_add(log, "framing", "none");
        return head;
    case TG_H1_BODY_LENGTH: {
        ev_num(log, "framing length", (long long)r.content_length);
        size_t take = (uint64_t)r.content_length < m ? (size_t)r.content_length : m;
        ev_add_esc(log, "body", b, take);
        if (take < (uint64_t)r.content_length) {
            ev_add(log, "incomplete body", NULL);
        }
        return head + take;
    }
    case TG_H1_BODY_CHUNKED:
        ev_add(log, "framing", "chunked");
        return head + run_chunked(b, m, log);
    case TG_H1_BODY_CLOSE:
    default:
        ev_add(log, "framing", "close");
        ev_add_esc(log, "body", b, m);
        return n;
    }
}

static void test_h1_case(void **state)
{
    const struct h1_case *c = *state;
    struct evlog got = { NULL, 0, 0 };
    ev_raw(&got, "", 0);
    size_t pos = 0;
    while (pos < c->http_len) {
        size_t used = run_message(c->http + pos, c->http_len - pos, c->head_request, &got);
        assert_true(used > 0);
        pos += used;
    }
    bool same = strcmp(got.buf, c->expected.buf) == 0;
    if (!same) {
        print_error("case %s\n--- expected\n%s--- got\n%s", c->name, c->expected.buf, got.buf);
    }
    free(got.buf);
    assert_true(same);
}

/* ---- loading ------------------------------------------------------------- */

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    size_t cap = 4096;
    size_t n = 0;
    char *buf = xrealloc(NULL, cap);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
    }
    (void)fclose(f);
    *len = n;
    return buf;
}

static int load_events(struct h1_case *c, const char *path)
{
    size_t len;
    char *text = read_file(path, &len);
    if (text == NULL) {
        return -1;
    }
    c->expected = (struct evlog){ NULL, 0, 0 };
    ev_raw(&c->expected, "", 0);
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - text) : len;
        size_t n = end - i;
        if (n > 0 && text[i + n - 1] == '\r') {
            n--;
        }
        if (n == 13 && memcmp(text + i, "@head-request", 13) == 0) {
            c->head_request = true;
        } else if (n > 0 && text[i] != '#') {
            ev_raw(&c->expected, text + i, n);
            ev_raw(&c->expected, "\n", 1);
        }
        i = end + 1;
    }
    free(text);
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct h1_case *)a)->name, ((const struct h1_case *)b)->name);
}

static char g_data_dir[4096];

static void find_data_dir(void)
{
    const char *env = getenv("TG_DATA_DIR");
    if (env != NULL && *env != '\0') {
        (void)snprintf(g_data_dir, sizeof(g_data_dir), "%s/h1", env);
        return;
    }
    const char *slash = strrchr(__FILE__, '/');
    int dir_len = slash ? (int)(slash - __FILE__) : 1;
    (void)snprintf(g_data_dir, sizeof(g_data_dir), "%.*s/../../data/h1", dir_len,
                   slash ? __FILE__ : ".");
    DIR *d = opendir(g_data_dir);
    if (d != NULL) {
        closedir(d);
        return;
    }
    (void)snprintf(g_data_dir, sizeof(g_data_dir), "tests/data/h1");
}

/* Loads every NAME.http with its NAME.events; returns the count or -1. */
static int load_cases(struct h1_case **out, size_t *max_len)
{
    DIR *d = opendir(g_data_dir);
    if (d == NULL) {
        (void)fprintf(stderr, "test_h1_parse: cannot open %s (set TG_DATA_DIR)\n", g_data_dir);
        return -1;
    }
    struct h1_case *cases = NULL;
    int n = 0;
    struct dirent *e;
    *max_len = 0;
    while ((e = readdir(d)) != NULL) {
        size_t nl = strlen(e->d_name);
        if (nl < 6 || nl >= 250 || strcmp(e->d_name + nl - 5, ".http") != 0) {
            continue;
        }
        cases = xrealloc(cases, (size_t)(n + 1) * sizeof(*cases));
        struct h1_case *c = &cases[n];
        memset(c, 0, sizeof(*c));
        (void)snprintf(c->name, sizeof(c->name), "%.*s", (int)(nl - 5), e->d_name);
        char path[8192];
        (void)snprintf(path, sizeof(path), "%s/%s.http", g_data_dir, c->name);
        c->http = read_file(path, &c->http_len);
        (void)snprintf(path, sizeof(path), "%s/%s.events", g_data_dir, c->name);
        if (c->http == NULL || load_events(c, path) < 0) {
            (void)fprintf(stderr, "test_h1_parse: cannot read case %s\n", c->name);
            closedir(d);
            return -1;
        }
        *max_len = TG_MAX(*max_len, c->http_len);
        n++;
    }
    closedir(d);
    if (n > 0) {
        qsort(cases, (size_t)n, sizeof(*cases), by_name);
    }
    *out = cases;
    return n;
}

/* ---- plain unit tests ---------------------------------------------------- */

static struct tg_h1_resp resp(int status, int64_t content_length, bool te, bool chunked)
{
    struct tg_h1_resp r;
    memset(&r, 0, sizeof(r));
    r.minor_version = 1;
    r.status = status;
    r.content_length = content_length;
    r.transfer_encoding = te;
    r.chunked = chunked;
    return r;
}

static void test_tg_h1_body_framing_no_body(void **state)
{
    (void)state;
    struct tg_h1_resp r = resp(200, 10, false, false);
    assert_int_equal(tg_h1_body_framing(&r, true), TG_H1_BODY_NONE);
    r = resp(200, -1, true, true);
    assert_int_equal(tg_h1_body_framing(&r, true), TG_H1_BODY_NONE);
    static const int none[] = { 100, 101, 103, 199, 204, 304 };
    for (size_t i = 0; i < TG_ARRAY_LEN(none); i++) {
        r = resp(none[i], 10, false, false);
        assert_int_equal(tg_h1_body_framing(&r, false), TG_H1_BODY_NONE);
        r = resp(none[i], -1, true, true);
        assert_int_equal(tg_h1_body_framing(&r, false), TG_H1_BODY_NONE);
    }
}

static void test_tg_h1_body_framing_with_body(void **state)
{
    (void)state;
    struct tg_h1_resp r = resp(200, -1, true, true);
    assert_int_equal(tg_h1_body_framing(&r, false), TG_H1_BODY_CHUNKED);
    r = resp(200, -1, true, false);
    assert_int_equal(tg_h1_body_framing(&r, false), TG_H1_BODY_CLOSE);
    r = resp(404, 0, false, false);
    assert_int_equal(tg_h1_body_framing(&r, false), TG_H1_BODY_LENGTH);
    r = resp(205, 7, false, false);
    assert_int_equal(tg_h1_body_framing(&r, false), TG_H1_BODY_LENGTH);
    r = resp(500, -1, false, false);
    assert_int_equal(tg_h1_body_framing(&r, false), TG_H1_BODY_CLOSE);
    r = resp(599, -1, false, false);
    assert_int_equal(tg_h1_body_framing(&r, false), TG_H1_BODY_CLOSE);
}

static void test_tg_h1_header_get_lookup(void **state)
{
    (void)state;
    static const char head[] = "HTTP/1.1 200 OK\r\n"
                               "Content-Type: text/plain\r\n"
                               "X-Dup: first\r\n"
                               "x-dup: second\r\n"
                               "X-Empty:\r\n"
                               "\r\n";
    struct tg_h1_resp r;
    assert_int_equal(tg_h1_parse_head(head, sizeof(head) - 1, &r), (int)sizeof(head) - 1);
    const struct tg_span *v = tg_h1_header_get(&r, "content-type");
    assert_non_null(v);
    assert_int_equal(v->len, 10);
    assert_memory_equal(v->ptr, "text/plain", 10);
    v = tg_h1_header_get(&r, "X-DUP");
    assert_non_null(v);
    assert_int_equal(v->len, 5);
    assert_memory_equal(v->ptr, "first", 5);
    v = tg_h1_header_get(&r, "x-empty");
    assert_non_null(v);
    assert_int_equal(v->len, 0);
    assert_null(tg_h1_header_get(&r, "Content"));
    assert_null(tg_h1_header_get(&r, "Content-Type-X"));
    assert_null(tg_h1_header_get(&r, "Content-Length"));
    assert_null(tg_h1_header_get(&r, ""));
}

static void test_tg_h1_parse_head_empty_and_limits(void **state)
{
    (void)state;
    struct tg_h1_resp r;
    assert_int_equal(tg_h1_parse_head(guard_put("", 0), 0, &r), TG_EAGAIN);
    static const char big[] = "HTTP/1.1 200 OK\r\nContent-Length: 4611686018427387904\r\n\r\n";
    assert_int_equal(tg_h1_parse_head(big, sizeof(big) - 1, &r), (int)sizeof(big) - 1);
    assert_true(r.content_length == INT64_C(1) << 62);
    static const char over[] = "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n";
    assert_int_equal(tg_h1_parse_head(over, sizeof(over) - 1, &r), TG_EPROTO);
}

static void test_tg_chunked_decode_after_done(void **state)
{
    (void)state;
    char buf[] = "3\r\nabc\r\n0\r\n\r\nHTTP";
    struct tg_chunked c;
    tg_chunked_init(&c);
    assert_false(tg_chunked_done(&c));
    size_t dl;
    assert_int_equal(tg_chunked_decode(&c, buf, sizeof(buf) - 1, &dl), (int)sizeof(buf) - 5);
    assert_true(tg_chunked_done(&c));
    assert_int_equal(dl, 3);
    assert_memory_equal(buf, "abc", 3);
    assert_memory_equal(buf + sizeof(buf) - 5, "HTTP", 4);
    assert_int_equal(tg_chunked_decode(&c, buf, 4, &dl), 0);
    assert_int_equal(dl, 0);
    tg_chunked_init(&c);
    assert_false(tg_chunked_done(&c));
    char again[] = "0\n\n";
    assert_int_equal(tg_chunked_decode(&c, again, 3, &dl), 3);
    assert_true(tg_chunked_done(&c));
    assert_int_equal(dl, 0);
}

static void test_tg_chunked_decode_error_is_sticky(void **state)
{
    (void)state;
    struct tg_chunked c;
    tg_chunked_init(&c);
    char bad[] = "x";
    size_t dl;
    assert_int_equal(tg_chunked_decode(&c, bad, 1, &dl), TG_EPROTO);
    char good[] = "0\r\n\r\n";
    assert_int_equal(tg_chunked_decode(&c, good, 5, &dl), TG_EPROTO);
    assert_false(tg_chunked_done(&c));
}

static void test_tg_chunked_decode_line_limit(void **state)
{
    (void)state;
    /* "1;" + padding: exactly TG_CHUNKED_MAX_LINE bytes before CRLF is accepted. */
    static char buf[TG_CHUNKED_MAX_LINE + 16];
    for (int over = 0; over <= 1; over++) {
        size_t line = TG_CHUNKED_MAX_LINE + (size_t)over;
        memset(buf, 'x', line);
        buf[0] = '1';
        buf[1] = ';';
        buf[line] = '\r';
        buf[line + 1] = '\n';
        buf[line + 2] = 'Z';
        struct tg_chunked c;
        tg_chunked_init(&c);
        size_t dl;
        int rc = tg_chunked_decode(&c, buf, line + 3, &dl);
        if (over) {
            assert_int_equal(rc, TG_EPROTO);
        } else {
            assert_int_equal(rc, (int)line + 3);
            assert_int_equal(dl, 1);
            assert_int_equal(buf[0], 'Z');
        }
    }
}

/* ---- main ---------------------------------------------------------------- */

int main(void)
{
    find_data_dir();
    struct h1_case *cases = NULL;
    size_t max_len = 0;
    int n = load_cases(&cases, &max_len);
    if (guard_init(TG_MAX(max_len, (size_t)TG_CHUNKED_MAX_LINE + 16)) != 0) {
        (void)fprintf(stderr, "test_h1_parse: cannot map the guard page\n");
        return 1;
    }
    const struct CMUnitTest unit[] = {
        cmocka_unit_test(test_tg_h1_body_framing_no_body),
        cmocka_unit_test(test_tg_h1_body_framing_with_body),
        cmocka_unit_test(test_tg_h1_header_get_lookup),
        cmocka_unit_test(test_tg_h1_parse_head_empty_and_limits),
        cmocka_unit_test(test_tg_chunked_decode_after_done),
        cmocka_unit_test(test_tg_chunked_decode_error_is_sticky),
        cmocka_unit_test(test_tg_chunked_decode_line_limit),
    };
    int failed = cmocka_run_group_tests_name("h1_parse", unit, NULL, NULL);
    if (n <= 0) {
        (void)fprintf(stderr, "test_h1_parse: no cases in %s\n", g_data_dir);
        return 1;
    }
    struct CMUnitTest *data = calloc((size_t)n, sizeof(*data));
    if (data == NULL) {
        return 1;
    }
    for (int i = 0; i < n; i++) {
        data[i] = (struct CMUnitTest){ cases[i].name, test_h1_case, NULL, NULL, &cases[i] };
    }
    failed += _cmocka_run_group_tests("h1_cases", data, (size_t)n, NULL, NULL);
    for (int i = 0; i < n; i++) {
        free(cases[i].http);
        free(cases[i].expected.buf);
    }
    free(data);
    free(cases);
    guard_fini();
    return failed != 0;
}

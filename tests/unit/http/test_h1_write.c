/*
 * test_h1_write — the plan-time request serialiser. The produced bytes are
 * compared whole where the layout is fully determined, and otherwise split
 * into the request line, header lines and body so each property (Host and
 * User-Agent added once, Content-Length present exactly when required,
 * values trimmed, body copied verbatim) is checked on its own. Invalid
 * methods and headers must fail with TG_EINVAL, a diag, and no output.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/alloc.h"
#include "core/diag.h"
#include "http/h1_write.h"
#include "http/url.h"
#include "tg.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static struct tg_url url_of(const char *s)
{
    struct tg_url u;
    struct tg_diag d = { .msg = "" };
    int rc = tg_url_parse(s, &u, &d);
    if (rc != 0) {
        print_error("url %s: %s\n", s, d.msg);
    }
    assert_int_equal(rc, 0);
    return u;
}

struct req {
    char *buf;
    size_t len;
    size_t head_len; /* through the blank line */
};

static struct req build(const char *method, const char *url, const char *const *headers,
                        size_t n_headers, const char *body, size_t body_len)
{
    static struct tg_url u;
    u = url_of(url);
    struct tg_h1_request_spec spec = {
        .method = method,
        .url = &u,
        .headers = headers,
        .n_headers = n_headers,
        .body = body,
        .body_len = body_len,
    };
    struct req r = { NULL, 0, 0 };
    struct tg_diag d = { .msg = "" };
    int rc = tg_h1_write_request(&spec, &r.buf, &r.len, &d);
    if (rc != 0) {
        print_error("%s %s: %d %s\n", method, url, rc, d.msg);
    }
    assert_int_equal(rc, 0);
    assert_non_null(r.buf);
    const char *end = memmem(r.buf, r.len, "\r\n\r\n", 4);
    assert_non_null(end);
    r.head_len = (size_t)(end - r.buf) + 4;
    return r;
}

/* How many header lines of r have this name (case-insensitive); *value gets the last one. */
static int count_header(const struct req *r, const char *name, char *value, size_t value_cap)
{
    int n = 0;
    const char *p =
        (const char *)memmem(r->buf, r->head_len, "\r\n", 2) + 2; /* past the request line */
    const char *end = r->buf + r->head_len - 2;
    size_t nl = strlen(name);
    while (p < end) {
        const char *eol = memmem(p, (size_t)(end - p), "\r\n", 2);
        assert_non_null(eol);
        if ((size_t)(eol - p) > nl && strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
            n++;
            if (value) {
                size_t vl = (size_t)(eol - p) - nl - 1;
                assert_true(vl < value_cap);
                memcpy(value, p + nl + 1, vl);
                value[vl] = '\0';
            }
        }
        p = eol + 2;
    }
    return n;
}

static void test_h1_write_request_get_exact(void **state)
{
    (void)state;
    struct req r = build("GET", "http://example.com/a?b=1#frag", NULL, 0, NULL, 0);
    /* The User-Agent version may change: check its product name, the rest byte for byte. */
    char ua[128];
    assert_int_equal(count_header(&r, "User-Agent", ua, sizeof(ua)), 1);
    assert_memory_equal(ua, " tailgate/", 10);
    char want[256];
    int n = snprintf(want, sizeof(want),
                     "GET /a?b=1 HTTP/1.1\r\n"
                     "Host: example.com\r\n"
                     "User-Agent:%s\r\n"
                     "\r\n",
                     ua);
    assert_int_equal(r.len, (size_t)n);
    assert_memory_equal(r.buf, want, r.len);
    tg_free(r.buf);
}

static void test_h1_write_request_host_forms(void **state)
{
    (void)state;
    static const struct {
        const char *url;
        const char *host;
    } cases[] = {
        { "http://h/", " h" },
        { "http://h:8080/", " h:8080" },
        { "https://h:443/", " h" },
        { "https://h:80/", " h:80" },
        { "http://[::1]:8080/", " [::1]:8080" },
        { "http://[::1]/", " [::1]" },
    };
    for (size_t i = 0; i < TG_ARRAY_LEN(cases); i++) {
        struct req r = build("GET", cases[i].url, NULL, 0, NULL, 0);
        char host[300];
        assert_int_equal(count_header(&r, "Host", host, sizeof(host)), 1);
        assert_string_equal(host, cases[i].host);
        tg_free(r.buf);
    }
}

static void test_h1_write_request_post_body(void **state)
{
    (void)state;
    static const char body[] = "{\"a\":1,\"b\":\"\\r\\n\"}\r\n\0tail"; /* binary-safe */
    size_t body_len = sizeof(body) - 1;
    static const char *const hdrs[] = { "Content-Type: application/json" };
    struct req r = build("POST", "http://h:81/submit", hdrs, 1, body, body_len);
    assert_memory_equal(r.buf, "POST /submit HTTP/1.1\r\n", 23);
    char v[64];
    assert_int_equal(count_header(&r, "Content-Length", v, sizeof(v)), 1);
    char want[32];
    snprintf(want, sizeof(want), " %zu", body_len);
    assert_string_equal(v, want);
    assert_int_equal(count_header(&r, "Content-Type", v, sizeof(v)), 1);
    assert_string_equal(v, " application/json");
    assert_int_equal(count_header(&r, "Host", v, sizeof(v)), 1);
    assert_string_equal(v, " h:81");
    assert_int_equal(r.len, r.head_len + body_len);
    assert_memory_equal(r.buf + r.head_len, body, body_len);
    tg_free(r.buf);
}

/* POST/PUT/PATCH carry Content-Length: 0 without a body; GET/HEAD/DELETE don't. */
static void test_h1_write_request_content_length_rules(void **state)
{
    (void)state;
    static const struct {
        const char *method;
        const char *body;
        int want;
    } cases[] = {
        { "POST", NULL, 1 },    { "PUT", NULL, 1 },  { "PATCH", NULL, 1 },
        { "GET", NULL, 0 },     { "HEAD", NULL, 0 }, { "DELETE", NULL, 0 },
        { "OPTIONS", NULL, 0 }, { "GET", "xy", 1 },  { "DELETE", "xy", 1 },
    };
    for (size_t i = 0; i < TG_ARRAY_LEN(cases); i++) {
        size_t bl = cases[i].body ? strlen(cases[i].body) : 0;
        struct req r = build(cases[i].method, "http://h/", NULL, 0, cases[i].body, bl);
        char v[32];
        int got = count_header(&r, "Content-Length", v, sizeof(v));
        if (got != cases[i].want) {
            print_error("%s body=%s: %d Content-Length headers\n", cases[i].method,
                        cases[i].body ? cases[i].body : "NULL", got);
        }
        assert_int_equal(got, cases[i].want);
        if (got) {
            char want[32];
            snprintf(want, sizeof(want), " %zu", bl);
            assert_string_equal(v, want);
        }
        assert_int_equal(r.len, r.head_len + bl);
        tg_free(r.buf);
    }
}

static void test_h1_write_request_user_headers_not_duplicated(void **state)
{
    (void)state;
    static const char *const hdrs[] = {
        "host: override.example",
        "USER-AGENT: my-agent/2",
        "content-length: 3",
        "X-Host: not-a-host-header",
    };
    struct req r = build("POST", "http://h/", hdrs, TG_ARRAY_LEN(hdrs), "abc", 3);
    char v[64];
    assert_int_equal(count_header(&r, "Host", v, sizeof(v)), 1);
    assert_string_equal(v, " override.example");
    assert_int_equal(count_header(&r, "User-Agent", v, sizeof(v)), 1);
    assert_string_equal(v, " my-agent/2");
    assert_int_equal(count_header(&r, "Content-Length", v, sizeof(v)), 1);
    assert_string_equal(v, " 3");
    assert_int_equal(count_header(&r, "X-Host", v, sizeof(v)), 1);
    /* The user's spelling of the name is kept. */
    assert_non_null(memmem(r.buf, r.head_len, "\r\nhost: override.example\r\n", 26));
    tg_free(r.buf);
}

/* A header whose name merely starts with "Host" does not suppress Host. */
static void test_h1_write_request_prefix_names_not_confused(void **state)
{
    (void)state;
    static const char *const hdrs[] = { "Hostname: x", "User-Agent-Extra: y" };
    struct req r = build("GET", "http://h/", hdrs, 2, NULL, 0);
    char v[64];
    assert_int_equal(count_header(&r, "Host", v, sizeof(v)), 1);
    assert_string_equal(v, " h");
    assert_int_equal(count_header(&r, "User-Agent", NULL, 0), 1);
    tg_free(r.buf);
}

static void test_h1_write_request_trims_value_leading_space(void **state)
{
    (void)state;
    static const char *const hdrs[] = {
        "X-A:    spaced",
        "X-B:\t\t tabbed",
        "X-C:tight",
        "X-D: inner  space kept",
    };
    struct req r = build("GET", "http://h/", hdrs, TG_ARRAY_LEN(hdrs), NULL, 0);
    assert_non_null(memmem(r.buf, r.head_len, "\r\nX-A: spaced\r\n", 15));
    assert_non_null(memmem(r.buf, r.head_len, "\r\nX-B: tabbed\r\n", 15));
    assert_non_null(memmem(r.buf, r.head_len, "\r\nX-C: tight\r\n", 14));
    assert_non_null(memmem(r.buf, r.head_len, "\r\nX-D: inner  space kept\r\n", 26));
    /* User headers keep their order. */
    const char *a = memmem(r.buf, r.head_len, "X-A", 3);
    const char *d = memmem(r.buf, r.head_len, "X-D", 3);
    assert_true(a < d);
    tg_free(r.buf);
}

/* Many large headers: the buffer estimate must hold them all. */
static void test_h1_write_request_many_headers(void **state)
{
    (void)state;
    enum { N = 50 };
    static char store[N][200];
    static const char *hdrs[N];
    for (int i = 0; i < N; i++) {
        snprintf(store[i], sizeof(store[i]), "X-%d:%0150d", i, i);
        hdrs[i] = store[i];
    }
    struct req r = build("GET", "http://h/", hdrs, N, NULL, 0);
    for (int i = 0; i < N; i++) {
        char name[16];
        snprintf(name, sizeof(name), "X-%d", i);
        char v[200];
        assert_int_equal(count_header(&r, name, v, sizeof(v)), 1);
        assert_int_equal(strlen(v), 151);
    }
    tg_free(r.buf);
}

static void check_rejected(const char *method, const char *const *hdrs, size_t n,
                           const char *diag_has)
{
    static struct tg_url u;
    u = url_of("http://h/");
    struct tg_h1_request_spec spec = {
        .method = method, .url = &u, .headers = hdrs, .n_headers = n
    };
    static char sentinel[] = "untouched";
    char *out = sentinel;
    size_t out_len = 12345;
    struct tg_diag d = { .msg = "" };
    uint64_t allocs = tg_alloc_count();
    int rc = tg_h1_write_request(&spec, &out, &out_len, &d);
    if (rc != TG_EINVAL) {
        print_error("method \"%s\": rc %d, want TG_EINVAL\n", method, rc);
    }
    assert_int_equal(rc, TG_EINVAL);
    assert_true(d.msg[0] != '\0');
    if (!strstr(d.msg, diag_has)) {
        print_error("diag \"%s\" lacks \"%s\"\n", d.msg, diag_has);
    }
    assert_non_null(strstr(d.msg, diag_has));
    assert_ptr_equal(out, sentinel);
    assert_int_equal(out_len, 12345);
    assert_int_equal(tg_alloc_count(), allocs); /* rejected before allocating */
}

static void test_h1_write_request_invalid_method(void **state)
{
    (void)state;
    check_rejected("", NULL, 0, "method");
    check_rejected("GE T", NULL, 0, "method");
    check_rejected("GET\r\n", NULL, 0, "method");
    check_rejected("GET /evil HTTP/1.1\r\nX:", NULL, 0, "method");
    check_rejected("G\"ET", NULL, 0, "method");
    check_rejected("M\xc3\xa9", NULL, 0, "method");
}

static void test_h1_write_request_invalid_header(void **state)
{
    (void)state;
    static const char *const no_colon[] = { "X-Ok: 1", "NoColon" };
    check_rejected("GET", no_colon, 2, "NoColon");
    static const char *const empty_name[] = { ": v" };
    check_rejected("GET", empty_name, 1, "header");
    static const char *const space_name[] = { "Bad Name: v" };
    check_rejected("GET", space_name, 1, "Bad Name");
    static const char *const space_before_colon[] = { "Host : v" };
    check_rejected("GET", space_before_colon, 1, "header");
    static const char *const crlf_value[] = { "X-A: a\r\nInjected: b" };
    check_rejected("GET", crlf_value, 1, "control characters");
    static const char *const lf_value[] = { "X-A: a\nb" };
    check_rejected("GET", lf_value, 1, "X-A");
    static const char *const nul_like[] = { "X-A: a\x01" };
    check_rejected("GET", nul_like, 1, "control characters");
}

/* Custom token methods are allowed verbatim. */
static void test_h1_write_request_custom_method(void **state)
{
    (void)state;
    struct req r = build("PURGE", "http://h/x", NULL, 0, NULL, 0);
    assert_memory_equal(r.buf, "PURGE /x HTTP/1.1\r\n", 19);
    assert_int_equal(count_header(&r, "Content-Length", NULL, 0), 0);
    tg_free(r.buf);
}

static void test_h1_write_request_enomem(void **state)
{
    (void)state;
    static struct tg_url u;
    u = url_of("http://h/");
    struct tg_h1_request_spec spec = { .method = "GET", .url = &u };
    char *out = NULL;
    size_t len = 0;
    tg_alloc_fail_after(1);
    int rc = tg_h1_write_request(&spec, &out, &len, NULL);
    tg_alloc_fail_after(0);
    assert_int_equal(rc, TG_ENOMEM);
    assert_null(out);
}

static void test_h1_write_is_head_methods(void **state)
{
    (void)state;
    assert_true(tg_h1_write_is_head("HEAD"));
    assert_false(tg_h1_write_is_head("GET"));
    assert_false(tg_h1_write_is_head("HEADX"));
    assert_false(tg_h1_write_is_head("HEA"));
    assert_false(tg_h1_write_is_head(""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_h1_write_request_get_exact),
        cmocka_unit_test(test_h1_write_request_host_forms),
        cmocka_unit_test(test_h1_write_request_post_body),
        cmocka_unit_test(test_h1_write_request_content_length_rules),
        cmocka_unit_test(test_h1_write_request_user_headers_not_duplicated),
        cmocka_unit_test(test_h1_write_request_prefix_names_not_confused),
        cmocka_unit_test(test_h1_write_request_trims_value_leading_space),
        cmocka_unit_test(test_h1_write_request_many_headers),
        cmocka_unit_test(test_h1_write_request_invalid_method),
        cmocka_unit_test(test_h1_write_request_invalid_header),
        cmocka_unit_test(test_h1_write_request_custom_method),
        cmocka_unit_test(test_h1_write_request_enomem),
        cmocka_unit_test(test_h1_write_is_head_methods),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_srv_echo — the answers serve builds from the request: the echo JSON
 * (escaping, lower-case names, repeated headers joined, body_bytes added at
 * the end), redirect chains (status, relative and absolute Location, the
 * query carried along), /redirect-to and /cookies/set with percent-decoding,
 * and every refusal (bad status, control bytes, missing url, overflow).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "serve/srv_echo.h"
#include "tg.h"

#include <stdio.h>
#include <string.h>

static char aux[4096];

static struct tg_srv_echo build(enum tg_srv_route r, uint64_t n, const char *method,
                                const char *target, const char *headers)
{
    static char head[2048];
    snprintf(head, sizeof(head), "%s %s HTTP/1.1\r\n%s\r\n", method, target, headers);
    struct tg_srv_echo e;
    memset(aux, 0, sizeof(aux));
    tg_srv_echo_build(r, n, (struct tg_span){ method, strlen(method) },
                      (struct tg_span){ target, strlen(target) },
                      (struct tg_span){ head, strlen(head) }, aux, sizeof(aux) - 1, &e);
    return e;
}

static void test_echo(void **state)
{
    (void)state;
    struct tg_srv_echo e = build(TG_SRV_ROUTE_ECHO, 0, "POST", "/echo?q=\"1\"",
                                 "Host: h:1\r\nX-A: one\r\nCookie: a=1\r\nx-a:  two \r\n"
                                 "X-Bin: \x01\xff\r\n");
    assert_null(e.error);
    assert_int_equal(e.status, 200);
    assert_true(e.echo);
    assert_string_equal(e.ctype, "application/json");
    assert_int_equal(e.hdr_len, 0);
    char *tail = aux + e.body_len;
    tg_srv_echo_finish(tail, 12);
    assert_string_equal(aux, "{\"method\":\"POST\",\"target\":\"/echo?q=\\\"1\\\"\",\"headers\":{"
                             "\"host\":\"h:1\",\"x-a\":\"one, two\",\"cookie\":\"a=1\","
                             "\"x-bin\":\"\\u0001\\u00ff\"},\"body_bytes\":12}");
    e = build(TG_SRV_ROUTE_REDIRECT, 0, "GET", "/redirect/0", "Host: h\r\n");
    assert_true(e.echo); /* the end of a chain echoes */
    assert_int_equal(e.status, 200);
}

static void test_redirect(void **state)
{
    (void)state;
    struct tg_srv_echo e = build(TG_SRV_ROUTE_REDIRECT, 3, "GET", "/redirect/3", "Host: h:8\r\n");
    assert_null(e.error);
    assert_int_equal(e.status, 302);
    assert_false(e.echo);
    assert_int_equal(e.body_len, 0);
    assert_string_equal(aux, "Location: /redirect/2\r\n");
    assert_int_equal(e.hdr_len, strlen(aux));
    e = build(TG_SRV_ROUTE_REDIRECT, 1, "POST", "/redirect/1?status=307&abs=1", "Host: h:8\r\n");
    assert_int_equal(e.status, 307);
    assert_string_equal(aux, "Location: http://h:8/redirect/0?status=307&abs=1\r\n");
    static const char *const bad[] = { "/redirect/2?status=304", "/redirect/2?status=200",
                                       "/redirect/2?status=30x" };
    for (size_t i = 0; i < TG_ARRAY_LEN(bad); i++) {
        e = build(TG_SRV_ROUTE_REDIRECT, 2, "GET", bad[i], "Host: h\r\n");
        assert_non_null(e.error);
    }
}

static void test_redirect_to_and_cookies(void **state)
{
    (void)state;
    struct tg_srv_echo e =
        build(TG_SRV_ROUTE_REDIRECT_TO, 0, "GET",
              "/redirect-to?status=303&url=http%3A%2F%2Fx%3A9%2Fa%3Fb%3D1+2", "Host: h\r\n");
    assert_null(e.error);
    assert_int_equal(e.status, 303);
    assert_string_equal(aux, "Location: http://x:9/a?b=1+2\r\n");
    e = build(TG_SRV_ROUTE_REDIRECT_TO, 0, "GET", "/redirect-to?url=not%20a%20url", "Host: h\r\n");
    assert_int_equal(e.status, 302);
    assert_string_equal(aux, "Location: not a url\r\n");
    static const char *const bad[] = { "/redirect-to", "/redirect-to?url=%0d%0aX:%201",
                                       "/redirect-to?url=%zz", "/redirect-to?url=x&status=400",
                                       "/redirect-to?url=%4" };
    for (size_t i = 0; i < TG_ARRAY_LEN(bad); i++) {
        e = build(TG_SRV_ROUTE_REDIRECT_TO, 0, "GET", bad[i], "Host: h\r\n");
        assert_non_null(e.error);
    }
    e = build(TG_SRV_ROUTE_COOKIES, 0, "GET", "/cookies/set?c=a%3D1%3B%20Path%3D%2F&x=y&c=b%3D2",
              "Host: h\r\n");
    assert_null(e.error);
    assert_int_equal(e.status, 200);
    assert_string_equal(aux, "Set-Cookie: a=1; Path=/\r\nSet-Cookie: b=2\r\nok\n");
    assert_int_equal(e.hdr_len, strlen(aux) - 3);
    assert_int_equal(e.body_len, 3);
    e = build(TG_SRV_ROUTE_COOKIES, 0, "GET", "/cookies/set?c=a%0a", "Host: h\r\n");
    assert_non_null(e.error);
}

static void test_overflow(void **state)
{
    (void)state;
    static char target[3000];
    strcpy(target, "/cookies/set?");
    for (size_t i = strlen(target); i + 8 < sizeof(target); i += 7) {
        memcpy(target + i, "c=x%3D1", 7);
        target[i + 7] = '&';
        target[i + 8] = '\0';
    }
    struct tg_srv_echo e;
    char small[256];
    tg_srv_echo_build(TG_SRV_ROUTE_COOKIES, 0, (struct tg_span){ "GET", 3 },
                      (struct tg_span){ target, strlen(target) }, (struct tg_span){ "", 0 }, small,
                      sizeof(small), &e);
    assert_non_null(e.error);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_echo),
        cmocka_unit_test(test_redirect),
        cmocka_unit_test(test_redirect_to_and_cookies),
        cmocka_unit_test(test_overflow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

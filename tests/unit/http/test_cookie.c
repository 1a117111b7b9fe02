/*
 * test_cookie — Set-Cookie parsing (attributes, leniency, what makes a
 * header invalid), cookie dates in the forms servers send (RFC 1123, RFC 850,
 * asctime, and RFC 6265's odd cases), and the domain/path matching rules with
 * RFC 6265's examples.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "http/cookie.h"
#include "tg.h"

#include <string.h>

static int parse(const char *s, struct tg_cookie_attrs *a)
{
    return tg_cookie_parse(s, strlen(s), a);
}

static void assert_span(struct tg_span s, const char *want)
{
    assert_int_equal(s.len, strlen(want));
    assert_memory_equal(s.ptr, want, s.len);
}

static void test_parse_attributes(void **state)
{
    (void)state;
    struct tg_cookie_attrs a;
    assert_int_equal(parse(" sid = abc 123 ; Path=/app; domain=.Example.COM; Secure; HttpOnly;"
                           " Max-Age=60; Expires=Wed, 09 Jun 2021 10:18:14 GMT; SameSite=Lax",
                           &a),
                     0);
    assert_span(a.name, "sid");
    assert_span(a.value, "abc 123");
    assert_span(a.path, "/app");
    assert_span(a.domain, "Example.COM");
    assert_true(a.secure);
    assert_true(a.http_only);
    assert_true(a.has_max_age);
    assert_int_equal(a.max_age_s, 60);
    assert_true(a.has_expires);
    assert_int_equal(a.expires_s, 1623233894);

    assert_int_equal(parse("a=; Path=relative; Max-Age=1x; Domain=", &a), 0);
    assert_span(a.value, "");
    assert_int_equal(a.path.len, 0); /* not starting with '/': the default applies */
    assert_false(a.has_max_age);     /* not a number: ignored */
    assert_int_equal(a.domain.len, 0);

    assert_int_equal(parse("a=1; Max-Age=-5; Max-Age=0", &a), 0);
    assert_true(a.has_max_age);
    assert_int_equal(a.max_age_s, 0); /* the last one counts */
    assert_int_equal(parse("q=\"quoted;\"", &a), 0);
    assert_span(a.value, "\"quoted");
    assert_int_equal(parse("a=b=c", &a), 0);
    assert_span(a.value, "b=c");
}

static void test_parse_invalid(void **state)
{
    (void)state;
    struct tg_cookie_attrs a;
    static const char *const bad[] = { "",        "novalue", "=v", "  =v", "a\r\nX: y=1",
                                       "a=b\x01", "a\x7f=1" };
    for (size_t i = 0; i < TG_ARRAY_LEN(bad); i++) {
        assert_int_equal(parse(bad[i], &a), TG_EPROTO);
    }
    assert_int_equal(parse("a=b\tc", &a), 0); /* TAB is allowed */
}

static int64_t date(const char *s)
{
    int64_t t = -1;
    return tg_cookie_parse_date(s, strlen(s), &t) == 0 ? t : -1;
}

static void test_parse_date(void **state)
{
    (void)state;
    assert_int_equal(date("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
    assert_int_equal(date("Sunday, 06-Nov-94 08:49:37 GMT"), 784111777);
    assert_int_equal(date("Sun Nov  6 08:49:37 1994"), 784111777);
    assert_int_equal(date("6 november 1994 8:49:37"), 784111777);
    assert_int_equal(date("Thu, 01 Jan 1970 00:00:00 GMT"), 0);
    assert_int_equal(date("Fri, 31 Dec 2049 23:59:59 GMT"), 2524607999);
    assert_int_equal(date("Tue, 29 Feb 2000 12:00:00 GMT"), 951825600);
    assert_int_equal(date("Mon, 01 Jan 01 00:00:00 GMT"), 978307200); /* 01 -> 2001 */
    assert_int_equal(date("Wed, 31 Feb 2024 00:00:00 GMT"), -1);      /* no such day */
    assert_int_equal(date("Wed, 29 Feb 2023 00:00:00 GMT"), -1);
    assert_int_equal(date("Wed, 09 Jun 1600 10:18:14 GMT"), -1);
    assert_int_equal(date("Wed, 09 Jun 2021 24:00:00 GMT"), -1);
    assert_int_equal(date("Wed, 09 Jun 2021"), -1); /* no time */
    assert_int_equal(date("garbage"), -1);
    assert_int_equal(date(""), -1);
    assert_int_equal(date("09 Xyz 2021 10:18:14"), -1);
}

static bool dm(const char *host, const char *domain)
{
    return tg_cookie_domain_match(host, strlen(host), domain, strlen(domain));
}

static bool pm(const char *req, const char *cookie)
{
    return tg_cookie_path_match(req, strlen(req), cookie, strlen(cookie));
}

static void test_matching(void **state)
{
    (void)state;
    assert_true(dm("example.com", "example.com"));
    assert_true(dm("WWW.Example.com", "example.COM"));
    assert_true(dm("a.b.example.com", "example.com"));
    assert_false(dm("badexample.com", "example.com"));
    assert_false(dm("example.com", "www.example.com"));
    assert_false(dm("1.2.3.4", "2.3.4"));
    assert_true(dm("127.0.0.1", "127.0.0.1"));
    assert_true(tg_cookie_host_is_ip("::1", 3));
    assert_false(tg_cookie_host_is_ip("a1.2.3.4", 8));

    assert_true(pm("/", "/"));
    assert_true(pm("/docs", "/docs"));
    assert_true(pm("/docs/", "/docs"));
    assert_true(pm("/docs/web", "/docs"));
    assert_true(pm("/docs/web", "/docs/"));
    assert_false(pm("/docsets", "/docs"));
    assert_false(pm("/", "/docs"));
    assert_false(pm("/Docs", "/docs"));

    assert_int_equal(tg_cookie_default_path("/", 1), 1);
    assert_int_equal(tg_cookie_default_path("/login", 6), 1);
    assert_int_equal(tg_cookie_default_path("/a/b/c", 6), 4);
    assert_int_equal(tg_cookie_default_path("/a/b/", 5), 4);
    assert_int_equal(tg_cookie_default_path("", 0), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_attributes),
        cmocka_unit_test(test_parse_invalid),
        cmocka_unit_test(test_parse_date),
        cmocka_unit_test(test_matching),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_url — absolute URL splitting (grammar in http/url.h) and Host header
 * formatting. Accepted URLs are checked field by field against a table;
 * rejected ones must return TG_EINVAL with a non-empty diag that quotes the
 * URL and names what is wrong.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/diag.h"
#include "http/url.h"
#include "tg.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct url_case {
    const char *in;
    bool tls;
    const char *host;
    bool ipv6;
    int port;
    bool port_explicit;
    const char *target;
    const char *host_header;
};

static void check_ok(const struct url_case *cases, size_t n)
{
    static struct tg_url u; /* 8 KiB target: keep it off the stack */
    for (size_t i = 0; i < n; i++) {
        const struct url_case *c = &cases[i];
        struct tg_diag d = { .msg = "" };
        int rc = tg_url_parse(c->in, &u, &d);
        if (rc != 0) {
            print_error("parse(\"%s\") = %d: %s\n", c->in, rc, d.msg);
        }
        assert_int_equal(rc, 0);
        if (strcmp(u.target, c->target) != 0 || strcmp(u.host, c->host) != 0 || u.port != c->port) {
            print_error("parse(\"%s\"): host \"%s\" port %d target \"%s\"\n", c->in, u.host, u.port,
                        u.target);
        }
        assert_int_equal(u.tls, c->tls);
        assert_string_equal(u.host, c->host);
        assert_int_equal(u.host_is_ipv6, c->ipv6);
        assert_int_equal(u.port, c->port);
        assert_int_equal(u.port_explicit, c->port_explicit);
        assert_string_equal(u.target, c->target);
        char hh[300];
        tg_url_host_header(&u, hh, sizeof(hh));
        assert_string_equal(hh, c->host_header);
    }
}

static void check_err(const char *in, const char *why)
{
    static struct tg_url u;
    struct tg_diag d = { .msg = "" };
    int rc = tg_url_parse(in, &u, &d);
    if (rc != TG_EINVAL) {
        print_error("parse(\"%s\") = %d, want TG_EINVAL (%s); target \"%s\"\n", in, rc, why,
                    u.target);
    }
    assert_int_equal(rc, TG_EINVAL);
    assert_true(d.msg[0] != '\0');
    if (!strstr(d.msg, why)) {
        print_error("parse(\"%s\"): diag \"%s\" does not mention \"%s\"\n", in, d.msg, why);
    }
    assert_non_null(strstr(d.msg, why));
}

static void test_url_parse_scheme_defaults(void **state)
{
    (void)state;
    static const struct url_case cases[] = {
        { "http://example.com/", false, "example.com", false, 80, false, "/", "example.com" },
        { "https://example.com/", true, "example.com", false, 443, false, "/", "example.com" },
        { "HTTP://Example.COM/a", false, "Example.COM", false, 80, false, "/a", "Example.COM" },
        { "HttpS://h/", true, "h", false, 443, false, "/", "h" },
        { "http://10.0.0.1/x", false, "10.0.0.1", false, 80, false, "/x", "10.0.0.1" },
    };
    check_ok(cases, TG_ARRAY_LEN(cases));
}

static void test_url_parse_explicit_ports(void **state)
{
    (void)state;
    static const struct url_case cases[] = {
        { "http://h:8080/", false, "h", false, 8080, true, "/", "h:8080" },
        { "https://h:8443/p", true, "h", false, 8443, true, "/p", "h:8443" },
        { "http://h:1", false, "h", false, 1, true, "/", "h:1" },
        { "http://h:65535", false, "h", false, 65535, true, "/", "h:65535" },
        /* The scheme's own port is explicit but left out of Host. */
        { "http://h:80/", false, "h", false, 80, true, "/", "h" },
        { "https://h:443/", true, "h", false, 443, true, "/", "h" },
        /* The other scheme's default is not a default here. */
        { "http://h:443/", false, "h", false, 443, true, "/", "h:443" },
        { "https://h:80/", true, "h", false, 80, true, "/", "h:80" },
        { "http://h:08080/", false, "h", false, 8080, true, "/", "h:8080" },
    };
    check_ok(cases, TG_ARRAY_LEN(cases));
}

static void test_url_parse_ipv6(void **state)
{
    (void)state;
    static const struct url_case cases[] = {
        { "http://[::1]:8080/", false, "::1", true, 8080, true, "/", "[::1]:8080" },
        { "http://[::1]", false, "::1", true, 80, false, "/", "[::1]" },
        { "https://[2001:db8::7]/a?b", true, "2001:db8::7", true, 443, false, "/a?b",
          "[2001:db8::7]" },
        { "http://[fe80::1]:80/", false, "fe80::1", true, 80, true, "/", "[fe80::1]" },
        { "http://[::ffff:10.0.0.1]:9/", false, "::ffff:10.0.0.1", true, 9, true, "/",
          "[::ffff:10.0.0.1]:9" },
    };
    check_ok(cases, TG_ARRAY_LEN(cases));
}

static void test_url_parse_targets(void **state)
{
    (void)state;
    static const struct url_case cases[] = {
        /* empty path becomes "/" */
        { "http://h", false, "h", false, 80, false, "/", "h" },
        { "http://h:81", false, "h", false, 81, true, "/", "h:81" },
        /* query kept, fragment dropped */
        { "http://h/a/b?x=1&y=2", false, "h", false, 80, false, "/a/b?x=1&y=2", "h" },
        { "http://h/a#frag", false, "h", false, 80, false, "/a", "h" },
        { "http://h/a?q=1#frag?no", false, "h", false, 80, false, "/a?q=1", "h" },
        { "http://h#frag", false, "h", false, 80, false, "/", "h" },
        { "http://h/#", false, "h", false, 80, false, "/", "h" },
        /* "?q" without a path gets the "/" */
        { "http://h?q", false, "h", false, 80, false, "/?q", "h" },
        { "http://h:81?q=1#f", false, "h", false, 81, true, "/?q=1", "h:81" },
        { "http://[::1]?q", false, "::1", true, 80, false, "/?q", "[::1]" },
        /* bytes are passed through as written */
        { "http://h/%20a//b/../c;p?x=%2F", false, "h", false, 80, false, "/%20a//b/../c;p?x=%2F",
          "h" },
        { "http://h/?", false, "h", false, 80, false, "/?", "h" },
    };
    check_ok(cases, TG_ARRAY_LEN(cases));
}

static void test_url_parse_bad_scheme(void **state)
{
    (void)state;
    check_err("ftp://h/", "http:// or https://");
    check_err("h/", "http:// or https://");
    check_err("http:/h/", "http:// or https://");
    check_err("httpx://h/", "http:// or https://");
    check_err("", "http:// or https://");
}

static void test_url_parse_userinfo(void **state)
{
    (void)state;
    check_err("http://user:pass@h/", "credentials");
    check_err("http://user@h/", "credentials");
    check_err("https://@h/", "credentials");
}

static void test_url_parse_bad_port(void **state)
{
    (void)state;
    check_err("http://h:0/", "port");
    check_err("http://h:65536/", "port");
    check_err("http://h:99999/", "port");
    check_err("http://h:123456/", "port");
    check_err("http://h:abc/", "port");
    check_err("http://h:80a/", "port");
    check_err("http://h:/", "port");
    check_err("http://h:-1/", "port");
    check_err("http://h:+80/", "port");
    check_err("http://h:80:81/", "port");
    check_err("http://[::1]x/", "port");
    check_err("http://[::1]:0/", "port");
}

static void test_url_parse_missing_host(void **state)
{
    (void)state;
    check_err("http://", "missing host");
    check_err("http:///path", "missing host");
    check_err("http://:8080/", "missing host");
    check_err("http://?q", "missing host");
    check_err("http://[]/", "missing host");
}

static void test_url_parse_bad_host(void **state)
{
    (void)state;
    check_err("http://exa mple.com/", "invalid character in host");
    check_err("http://h\tx/", "invalid character in host");
    check_err("http://h\x7f/", "invalid character in host");
    check_err("http://[::1/", "unterminated '['");
    check_err("http://[::1", "unterminated '['");
    char host[300];
    memset(host, 'a', sizeof(host));
    host[256] = '\0';
    char url[320];
    snprintf(url, sizeof(url), "http://%s/", host);
    check_err(url, "overlong host");
    host[255] = '\0'; /* 255 bytes fits */
    snprintf(url, sizeof(url), "http://%s/", host);
    static struct tg_url u;
    assert_int_equal(tg_url_parse(url, &u, NULL), 0);
    assert_int_equal(strlen(u.host), 255);
}

static void test_url_parse_bad_target(void **state)
{
    (void)state;
    check_err("http://h/a b", "percent-encoded");
    check_err("http://h/a?b c", "percent-encoded");
    check_err("http://h/a\r\nX: y", "percent-encoded");
    check_err("http://h/a\x7f", "percent-encoded");
    check_err("http://h?a b", "percent-encoded");
}

static void test_url_parse_target_length(void **state)
{
    (void)state;
    static struct tg_url u;
    size_t cap = sizeof(u.target); /* target must fit with its NUL */
    static char url[sizeof(u.target) + 32];

    /* A path of cap - 1 bytes fits exactly. */
    memcpy(url, "http://h", 8);
    url[8] = '/';
    memset(url + 9, 'p', cap - 2);
    url[8 + cap - 1] = '\0';
    assert_int_equal(tg_url_parse(url, &u, NULL), 0);
    assert_int_equal(strlen(u.target), cap - 1);

    /* One more byte does not. */
    url[8 + cap - 1] = 'p';
    url[8 + cap] = '\0';
    struct tg_diag d = { .msg = "" };
    assert_int_equal(tg_url_parse(url, &u, &d), TG_EINVAL);
    assert_true(d.msg[0] != '\0');

    /* "?query" gets a '/' prepended: cap - 2 bytes of query is the most that fits. */
    url[8] = '?';
    url[8 + cap - 2] = '\0';
    assert_int_equal(tg_url_parse(url, &u, NULL), 0);
    assert_int_equal(strlen(u.target), cap - 1);
    assert_int_equal(u.target[0], '/');
    assert_int_equal(u.target[1], '?');
    url[8 + cap - 2] = 'p';
    url[8 + cap - 1] = '\0';
    assert_int_equal(tg_url_parse(url, &u, NULL), TG_EINVAL);
}

/*
 * The diag of an over-long URL must still say what is wrong: the message is
 * capped at sizeof(tg_diag.msg), so quoting the whole URL first loses it.
 */
static void test_url_parse_long_url_diag_names_reason(void **state)
{
    (void)state;
    static struct tg_url u;
    size_t cap = sizeof(u.target);
    static char url[sizeof(u.target) + 32];
    memcpy(url, "http://h/", 9);
    memset(url + 9, 'p', cap);
    url[9 + cap] = '\0';
    struct tg_diag d = { .msg = "" };
    assert_int_equal(tg_url_parse(url, &u, &d), TG_EINVAL);
    if (!strstr(d.msg, "longer than")) {
        print_error("diag ends \"...%s\"\n", d.msg + strlen(d.msg) - 20);
    }
    assert_non_null(strstr(d.msg, "longer than"));
    /* Same for any other error in a long URL. */
    url[20] = ' ';
    assert_int_equal(tg_url_parse(url, &u, &d), TG_EINVAL);
    assert_non_null(strstr(d.msg, "percent-encoded"));
}

static void test_url_host_header_truncates(void **state)
{
    (void)state;
    static struct tg_url u;
    assert_int_equal(tg_url_parse("http://[::1]:8080/", &u, NULL), 0);
    char small[6];
    tg_url_host_header(&u, small, sizeof(small));
    assert_string_equal(small, "[::1]");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_parse_scheme_defaults),
        cmocka_unit_test(test_url_parse_explicit_ports),
        cmocka_unit_test(test_url_parse_ipv6),
        cmocka_unit_test(test_url_parse_targets),
        cmocka_unit_test(test_url_parse_bad_scheme),
        cmocka_unit_test(test_url_parse_userinfo),
        cmocka_unit_test(test_url_parse_bad_port),
        cmocka_unit_test(test_url_parse_missing_host),
        cmocka_unit_test(test_url_parse_bad_host),
        cmocka_unit_test(test_url_parse_bad_target),
        cmocka_unit_test(test_url_parse_target_length),
        cmocka_unit_test(test_url_parse_long_url_diag_names_reason),
        cmocka_unit_test(test_url_host_header_truncates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

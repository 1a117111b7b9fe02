/*
 * test_url_ref — reference resolution against RFC 3986's own table of
 * examples (section 5.4, with http as the scheme), the Location forms
 * servers send, rejected references, overflow, and base_url joining.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "http/url_ref.h"
#include "tg.h"

#include <stdio.h>
#include <string.h>

struct ref_case {
    const char *ref;
    const char *want;
};

static void check_table(const char *base, const struct ref_case *cases, size_t n)
{
    char out[512];
    for (size_t i = 0; i < n; i++) {
        int rc = tg_url_ref_resolve(base, cases[i].ref, out, sizeof(out));
        if (rc != 0 || strcmp(out, cases[i].want) != 0) {
            print_error("resolve(\"%s\", \"%s\") = %d \"%s\", want \"%s\"\n", base, cases[i].ref,
                        rc, out, cases[i].want);
        }
        assert_int_equal(rc, 0);
        assert_string_equal(out, cases[i].want);
    }
}

static void test_resolve_rfc3986_normal(void **state)
{
    (void)state;
    static const struct ref_case cases[] = {
        { "g", "http://a/b/c/g" },     { "./g", "http://a/b/c/g" },
        { "g/", "http://a/b/c/g/" },   { "/g", "http://a/g" },
        { "//g", "http://g" },         { "?y", "http://a/b/c/d;p?y" },
        { "g?y", "http://a/b/c/g?y" }, { "#s", "http://a/b/c/d;p?q" },
        { "g#s", "http://a/b/c/g" },   { "g?y#s", "http://a/b/c/g?y" },
        { ";x", "http://a/b/c/;x" },   { "g;x", "http://a/b/c/g;x" },
        { "", "http://a/b/c/d;p?q" },  { ".", "http://a/b/c/" },
        { "./", "http://a/b/c/" },     { "..", "http://a/b/" },
        { "../", "http://a/b/" },      { "../g", "http://a/b/g" },
        { "../..", "http://a/" },      { "../../", "http://a/" },
        { "../../g", "http://a/g" },
    };
    check_table("http://a/b/c/d;p?q", cases, TG_ARRAY_LEN(cases));
}

static void test_resolve_rfc3986_abnormal(void **state)
{
    (void)state;
    static const struct ref_case cases[] = {
        { "../../../g", "http://a/g" },
        { "../../../../g", "http://a/g" },
        { "/./g", "http://a/g" },
        { "/../g", "http://a/g" },
        { "g.", "http://a/b/c/g." },
        { ".g", "http://a/b/c/.g" },
        { "g..", "http://a/b/c/g.." },
        { "..g", "http://a/b/c/..g" },
        { "./../g", "http://a/b/g" },
        { "./g/.", "http://a/b/c/g/" },
        { "g/./h", "http://a/b/c/g/h" },
        { "g/../h", "http://a/b/c/h" },
        { "g;x=1/./y", "http://a/b/c/g;x=1/y" },
        { "g;x=1/../y", "http://a/b/c/y" },
        { "g?y/./x", "http://a/b/c/g?y/./x" },
        { "g?y/../x", "http://a/b/c/g?y/../x" },
        { "g#s/./x", "http://a/b/c/g" },
        { "g#s/../x", "http://a/b/c/g" },
    };
    check_table("http://a/b/c/d;p?q", cases, TG_ARRAY_LEN(cases));
}

static void test_resolve_locations(void **state)
{
    (void)state;
    static const struct ref_case cases[] = {
        { "/redirect/1", "http://127.0.0.1:8080/redirect/1" },
        { "http://127.0.0.1:9090/x?y=1", "http://127.0.0.1:9090/x?y=1" },
        { "HTTPS://example.test/a/../b", "HTTPS://example.test/b" },
        { "https://h", "https://h" },
        { "//other:81/p/./q", "http://other:81/p/q" },
        { "next", "http://127.0.0.1:8080/a/next" },
        { "/a b/ü", "http://127.0.0.1:8080/a%20b/%C3%BC" },
        { "?page=2", "http://127.0.0.1:8080/a/b?page=2" },
        { "//h2?x", "http://h2?x" },
    };
    check_table("http://127.0.0.1:8080/a/b?x=1", cases, TG_ARRAY_LEN(cases));
    static const struct ref_case root[] = { { "x", "https://h/x" }, { "..", "https://h/" } };
    check_table("https://h", root, TG_ARRAY_LEN(root));
}

static void test_resolve_rejects(void **state)
{
    (void)state;
    char out[256];
    static const char *const bad[] = {
        "ftp://h/x", "javascript:alert(1)",  "mailto:a@b",   "/a\r\nSet-X: 1", "/tab\there",
        "\x7f",      "http://exa mple.com/", "//h\xc3\xbc/x"
    };
    for (size_t i = 0; i < TG_ARRAY_LEN(bad); i++) {
        assert_int_equal(tg_url_ref_resolve("http://h/", bad[i], out, sizeof(out)), TG_EINVAL);
    }
    assert_int_equal(tg_url_ref_resolve("/relative", "x", out, sizeof(out)), TG_EINVAL);
    assert_int_equal(tg_url_ref_resolve("ftp://h/", "x", out, sizeof(out)), TG_EINVAL);
    char small[16];
    assert_int_equal(tg_url_ref_resolve("http://h/", "/a-long-path-here", small, sizeof(small)),
                     TG_E2BIG);
    static char huge[9000];
    memset(huge, 'a', sizeof(huge) - 1);
    huge[0] = '/';
    assert_int_equal(tg_url_ref_resolve("http://h/", huge, out, sizeof(out)), TG_E2BIG);
}

static void test_join(void **state)
{
    (void)state;
    static const struct {
        const char *base, *path, *want;
    } cases[] = {
        { "http://h:1/api", "users", "http://h:1/api/users" },
        { "http://h:1/api", "/users", "http://h:1/api/users" },
        { "http://h:1/api/", "/users", "http://h:1/api/users" },
        { "http://h:1/api/", "users?x=1", "http://h:1/api/users?x=1" },
        { "http://h:1", "", "http://h:1" },
        { "http://h:1/api", "?q=2", "http://h:1/api?q=2" },
        { "http://h:1", "https://other/x", "https://other/x" },
        { "http://h:1", "HTTP://other/x", "HTTP://other/x" },
        { "", "http://abs/", "http://abs/" },
    };
    char out[128];
    for (size_t i = 0; i < TG_ARRAY_LEN(cases); i++) {
        assert_int_equal(tg_url_ref_join(cases[i].base, cases[i].path, out, sizeof(out)), 0);
        assert_string_equal(out, cases[i].want);
    }
    char small[10];
    assert_int_equal(tg_url_ref_join("http://h:1", "/long", small, sizeof(small)), TG_E2BIG);
    assert_true(tg_url_ref_is_absolute("https://x"));
    assert_false(tg_url_ref_is_absolute("/x"));
    assert_false(tg_url_ref_is_absolute("httpx://x"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resolve_rfc3986_normal),
        cmocka_unit_test(test_resolve_rfc3986_abnormal),
        cmocka_unit_test(test_resolve_locations),
        cmocka_unit_test(test_resolve_rejects),
        cmocka_unit_test(test_join),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

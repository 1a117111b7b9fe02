/*
 * test_allow — the --allow-host patterns: exact names, ports, wildcards, IPv6,
 * case, the empty list, and malformed patterns.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "net/allow.h"
#include "tg.h"

#include <string.h>

static void test_allow_match(void **state)
{
    (void)state;
    struct tg_allow a = { 0 };
    struct tg_diag d = { "" };
    assert_true(tg_allow_match(&a, "anything.example", 80)); /* empty: all */
    assert_int_equal(tg_allow_add(&a, "*.staging.Example.com", &d), 0);
    assert_int_equal(tg_allow_add(&a, "127.0.0.1:8080", &d), 0);
    assert_int_equal(tg_allow_add(&a, "[::1]:9000", &d), 0);
    assert_int_equal(tg_allow_add(&a, "::1", &d), 0);
    assert_true(tg_allow_match(&a, "api.staging.example.com", 443));
    assert_true(tg_allow_match(&a, "A.B.STAGING.example.com", 80));
    assert_false(tg_allow_match(&a, "staging.example.com", 443));
    assert_false(tg_allow_match(&a, "evilstaging.example.com", 443));
    assert_false(tg_allow_match(&a, "api.staging.example.com.evil.io", 443));
    assert_true(tg_allow_match(&a, "127.0.0.1", 8080));
    assert_false(tg_allow_match(&a, "127.0.0.1", 8081));
    assert_false(tg_allow_match(&a, "127.0.0.2", 8080));
    assert_true(tg_allow_match(&a, "::1", 9000));
    assert_true(tg_allow_match(&a, "::1", 1234)); /* the bare "::1" allows any port */
}

static void test_allow_errors(void **state)
{
    (void)state;
    struct tg_allow a = { 0 };
    struct tg_diag d = { "" };
    const char *bad[] = { "",        ":80",  "host:0", "host:99999", "host:abc", "a*.b.com",
                          "*.*.com", "[::1", "[::1]x", "ho st",      "*" };
    for (size_t i = 0; i < TG_ARRAY_LEN(bad); i++) {
        d.msg[0] = '\0';
        if (tg_allow_add(&a, bad[i], &d) != TG_EINVAL) {
            print_error("accepted \"%s\"\n", bad[i]);
            fail();
        }
        assert_non_null(strstr(d.msg, "--allow-host"));
    }
    assert_int_equal(a.n, 0);
    for (int i = 0; i < TG_ALLOW_MAX; i++) {
        assert_int_equal(tg_allow_add(&a, "h.example", &d), 0);
    }
    assert_int_equal(tg_allow_add(&a, "h.example", &d), TG_E2BIG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_allow_match),
        cmocka_unit_test(test_allow_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

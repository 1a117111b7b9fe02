/*
 * test_secrets — redaction of registered secrets: in strings, in streams
 * whose writes split a secret, in the JSON-escaped form, sensitive headers,
 * and what is not registered.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/secrets.h"
#include "tg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int teardown(void **state)
{
    (void)state;
    tg_secrets_reset();
    return 0;
}

static void test_secrets_redact_string(void **state)
{
    (void)state;
    char out[128];
    assert_false(tg_secrets_any());
    tg_secrets_redact("nothing to hide", out, sizeof(out));
    assert_string_equal(out, "nothing to hide");
    assert_int_equal(tg_secrets_add("s3cr3t-value"), 0);
    assert_int_equal(tg_secrets_add("abc"), 0); /* too short: not registered */
    assert_true(tg_secrets_any());
    tg_secrets_redact("a=s3cr3t-value&b=s3cr3t-values3cr3t-value abc", out, sizeof(out));
    assert_string_equal(out, "a=***&b=****** abc");
    tg_secrets_redact("s3cr3t-value", out, 3);
    assert_string_equal(out, "**");
}

static void test_secrets_headers(void **state)
{
    (void)state;
    char out[128];
    tg_secrets_add_header("Authorization: Bearer tok-1234567");
    tg_secrets_add_header("X-Trace: visible-value");
    tg_secrets_add_header("cookie: sid=abcdef123");
    tg_secrets_redact("Bearer tok-1234567 / tok-1234567 / visible-value / sid=abcdef123", out,
                      sizeof(out));
    assert_string_equal(out, "*** / *** / visible-value / ***");
}

static void test_secrets_json_form(void **state)
{
    (void)state;
    char out[128];
    tg_secrets_add("pa\"ss\\word");
    tg_secrets_redact("{\"v\":\"pa\\\"ss\\\\word\"} pa\"ss\\word", out, sizeof(out));
    assert_string_equal(out, "{\"v\":\"***\"} ***");
}

/* Writes the chunks through a redacting stream into a memory buffer. */
static char *through_stream(const char *const *chunks, size_t n)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    assert_non_null(mem);
    FILE *w = tg_secrets_wrap(mem);
    assert_non_null(w);
    for (size_t i = 0; i < n; i++) {
        fputs(chunks[i], w);
        fflush(w); /* each chunk a separate write */
    }
    fclose(w); /* closes mem too */
    return buf;
}

static void test_secrets_stream_split(void **state)
{
    (void)state;
    tg_secrets_add("0123456789-secret");
    const char *const split[] = { "start 01234", "56789-sec", "ret end; 0123", "4 is not it" };
    char *out = through_stream(split, 4);
    assert_string_equal(out, "start *** end; 01234 is not it");
    free(out);
    const char *const tail[] = { "ends with a prefix 0123456" };
    out = through_stream(tail, 1);
    assert_string_equal(out, "ends with a prefix 0123456");
    free(out);
}

static void test_secrets_no_secret_no_wrap(void **state)
{
    (void)state;
    FILE *f = tmpfile();
    assert_ptr_equal(tg_secrets_wrap(f), f);
    fclose(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_secrets_no_secret_no_wrap, teardown),
        cmocka_unit_test_teardown(test_secrets_redact_string, teardown),
        cmocka_unit_test_teardown(test_secrets_headers, teardown),
        cmocka_unit_test_teardown(test_secrets_json_form, teardown),
        cmocka_unit_test_teardown(test_secrets_stream_split, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

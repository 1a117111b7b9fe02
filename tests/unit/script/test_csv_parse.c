/*
 * test_csv_parse — the CSV tokenizer against expected renderings: each input
 * (placed against a guard page, so reading past len faults) is parsed whole
 * and rendered as fields joined by '|' and records ended by '\n', values
 * unescaped, or as "error at line N: ..." when it is malformed. Covers quoted
 * fields with separators and newlines, doubled quotes, CRLF and LF, empty
 * fields and lines, a BOM, other separators, ragged records and the line
 * numbers of fields and errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "script/csv_parse.h"
#include "unit/guard.h"

#include <stdio.h>
#include <string.h>

/* Renders every field of in[0..n) into out (see the file comment). */
static void render(const char *in, size_t n, char sep, char *out, size_t cap)
{
    const char *g = guard_put(in, n);
    struct tg_csv_parse p;
    tg_csv_parse_init(&p, g, n, sep);
    size_t used = 0;
    out[0] = '\0';
    struct tg_csv_field f;
    int rc;
    while ((rc = tg_csv_parse_next(&p, &f)) == 1) {
        char val[256];
        assert_true(f.len < sizeof(val));
        assert_true(f.ptr >= g && f.ptr + f.len <= g + n);
        size_t len = f.len;
        memcpy(val, f.ptr, f.len);
        if (f.escaped) {
            len = tg_csv_parse_unescape(val, f.len, val);
        }
        used +=
            (size_t)snprintf(out + used, cap - used, "%.*s%c", (int)len, val, f.last ? '\n' : '|');
        assert_true(used < cap);
    }
    if (rc < 0) {
        assert_int_equal(rc, TG_EPROTO);
        snprintf(out, cap, "error at line %zu: %s", p.error_line, p.error);
        struct tg_csv_field again;
        assert_int_equal(tg_csv_parse_next(&p, &again), TG_EPROTO); /* sticky */
    } else {
        assert_int_equal(tg_csv_parse_next(&p, &f), 0); /* the end stays the end */
    }
}

static void expect(const char *in, char sep, const char *want)
{
    char out[1024];
    render(in, strlen(in), sep, out, sizeof(out));
    if (strcmp(out, want) != 0) {
        print_error("input \"%s\":\n got  \"%s\"\n want \"%s\"\n", in, out, want);
    }
    assert_string_equal(out, want);
}

static void test_csv_parse_plain_records(void **state)
{
    (void)state;
    expect("a,b\nc,d\n", ',', "a|b\nc|d\n");
    expect("a,b\nc,d", ',', "a|b\nc|d\n"); /* no final newline */
    expect("id\n1\n2\n3\n", ',', "id\n1\n2\n3\n");
    expect("", ',', "");
}

static void test_csv_parse_crlf(void **state)
{
    (void)state;
    expect("a,b\r\nc,d\r\n", ',', "a|b\nc|d\n");
    expect("a,b\r\nc,d\nx,y\r\n", ',', "a|b\nc|d\nx|y\n"); /* mixed */
    expect("a\rb,c\n", ',', "a\rb|c\n");                   /* a lone CR is data */
    expect("\"x\"\r\n\"y\"", ',', "x\ny\n");
}

static void test_csv_parse_quoted(void **state)
{
    (void)state;
    expect("\"a,1\",\"x\ny\"\n", ',', "a,1|x\ny\n");
    expect("\"\",x\n", ',', "|x\n");
    expect("\"a\r\nb\",c", ',', "a\r\nb|c\n"); /* CRLF inside quotes is data */
    expect("x,\"\"\n", ',', "x|\n");
}

static void test_csv_parse_escaped_quotes(void **state)
{
    (void)state;
    expect("\"he said \"\"hi\"\"\",b\n", ',', "he said \"hi\"|b\n");
    expect("\"\"\"\"\n", ',', "\"\n");
    expect("\"a\"\"\"\"b\"", ',', "a\"\"b\n");
}

static void test_csv_parse_empty_fields(void **state)
{
    (void)state;
    expect(",,\n,,\n", ',', "||\n||\n");
    expect("a,\nb,\n", ',', "a|\nb|\n");
    expect("a,", ',', "a|\n"); /* a separator at the very end: one more, empty field */
    expect("a,\r\n", ',', "a|\n");
}

static void test_csv_parse_empty_lines_are_skipped(void **state)
{
    (void)state;
    expect("\n\na\n\r\n\nb\n\n", ',', "a\nb\n");
    expect("\r\n", ',', "");
    /* line numbers count the skipped lines */
    expect("a,b\n\n\nc\n", ',', "error at line 4: this record has fewer fields than the first one");
}

static void test_csv_parse_bom(void **state)
{
    (void)state;
    expect("\xef\xbb\xbfid,name\n1,x\n", ',', "id|name\n1|x\n");
    expect("\xef\xbb\xbf", ',', "");
    expect("\xef\xbb", ',', "\xef\xbb\n"); /* a partial BOM is data */
}

static void test_csv_parse_separators(void **state)
{
    (void)state;
    expect("a;b,c\n1;2\n", ';', "a|b,c\n1|2\n");
    expect("a\tb\n\"x\ty\"\tz\n", '\t', "a|b\nx\ty|z\n");
}

static void test_csv_parse_ragged_records(void **state)
{
    (void)state;
    expect("a,b,c\n1,2\n", ',', "error at line 2: this record has fewer fields than the first one");
    expect("a,b\n1,2,3\n", ',', "error at line 2: this record has more fields than the first one");
    expect("a,b\n1,2\n\"x\ny\",2,3\n", ',',
           "error at line 4: this record has more fields than the first one");
    expect("a,b\n1,2\n\"x\ny\"\n", ',',
           "error at line 3: this record has fewer fields than the first one");
}

static void test_csv_parse_malformed(void **state)
{
    (void)state;
    expect("ab\"c,d\n", ',',
           "error at line 1: a quote inside an unquoted field (quote the field and double the "
           "quote)");
    expect("x\n\"ab\"c\n", ',',
           "error at line 2: a closing quote is followed by something other than the separator "
           "or the end of the line");
    expect("a\n\"abc\nd", ',', "error at line 2: a quoted field is not closed");
    expect("\"", ',', "error at line 1: a quoted field is not closed");
    expect("\"a\"\r", ',',
           "error at line 1: a closing quote is followed by something other than the separator "
           "or the end of the line");
}

static void test_csv_parse_field_lines(void **state)
{
    (void)state;
    const char in[] = "a,\"multi\nline\"\nb,c\n";
    const char *g = guard_put(in, sizeof(in) - 1);
    struct tg_csv_parse p;
    tg_csv_parse_init(&p, g, sizeof(in) - 1, ',');
    struct tg_csv_field f;
    size_t lines[4];
    for (int i = 0; i < 4; i++) {
        assert_int_equal(tg_csv_parse_next(&p, &f), 1);
        lines[i] = f.line;
    }
    assert_int_equal(lines[0], 1);
    assert_int_equal(lines[1], 1); /* a quoted field's line is where it opens */
    assert_int_equal(lines[2], 3);
    assert_int_equal(lines[3], 3);
    assert_int_equal(tg_csv_parse_next(&p, &f), 0);
}

static void test_csv_parse_unescape_in_place(void **state)
{
    (void)state;
    char s[] = "a\"\"b\"\"";
    size_t n = tg_csv_parse_unescape(s, strlen(s), s);
    assert_int_equal(n, 4);
    assert_memory_equal(s, "a\"b\"", 4);
}

int main(void)
{
    if (guard_init(4096) < 0) {
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_parse_plain_records),
        cmocka_unit_test(test_csv_parse_crlf),
        cmocka_unit_test(test_csv_parse_quoted),
        cmocka_unit_test(test_csv_parse_escaped_quotes),
        cmocka_unit_test(test_csv_parse_empty_fields),
        cmocka_unit_test(test_csv_parse_empty_lines_are_skipped),
        cmocka_unit_test(test_csv_parse_bom),
        cmocka_unit_test(test_csv_parse_separators),
        cmocka_unit_test(test_csv_parse_ragged_records),
        cmocka_unit_test(test_csv_parse_malformed),
        cmocka_unit_test(test_csv_parse_field_lines),
        cmocka_unit_test(test_csv_parse_unescape_in_place),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    guard_fini();
    return rc;
}

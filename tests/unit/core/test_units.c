/*
 * test_units — duration and size parsing (the grammar in core/units.h) and
 * the human-readable formatting of durations and byte counts. Parsing is
 * checked case by case against hand-computed nanosecond/byte values, and the
 * rejection cases each name the rule they break. Formatting is checked on a
 * few representative values against the examples the header promises.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/units.h"
#include "tg.h"

#include <math.h>
#include <string.h>

#define NS  INT64_C(1)
#define US  TG_NS_PER_US
#define MS  TG_NS_PER_MS
#define SEC TG_NS_PER_S
#define MIN (60 * TG_NS_PER_S)
#define HR  (3600 * TG_NS_PER_S)

struct dur_case {
    const char *in;
    tg_ns default_unit;
    tg_ns want;
};

static void check_durations(const struct dur_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        tg_ns got = -12345;
        int rc = tg_units_parse_duration(cases[i].in, cases[i].default_unit, &got);
        if (rc != 0 || got != cases[i].want) {
            print_error("parse_duration(\"%s\", %lld): rc %d, got %lld, want %lld\n", cases[i].in,
                        (long long)cases[i].default_unit, rc, (long long)got,
                        (long long)cases[i].want);
        }
        assert_int_equal(rc, 0);
        assert_int_equal(got, cases[i].want);
    }
}

static void check_duration_errors(const char *const *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        tg_ns got = -12345;
        int rc = tg_units_parse_duration(cases[i], SEC, &got);
        if (rc != TG_EINVAL) {
            print_error("parse_duration(\"%s\") = %d (value %lld), want TG_EINVAL\n", cases[i], rc,
                        (long long)got);
        }
        assert_int_equal(rc, TG_EINVAL);
        assert_int_equal(got, -12345); /* *out untouched on error */
    }
}

static void test_parse_duration_single_units(void **state)
{
    (void)state;
    static const struct dur_case cases[] = {
        { "10s", SEC, 10 * SEC },   { "250ms", SEC, 250 * MS },
        { "500us", SEC, 500 * US }, { "500\xc2\xb5s", SEC, 500 * US },
        { "7ns", SEC, 7 * NS },     { "2h", SEC, 2 * HR },
        { "3m", SEC, 3 * MIN },     { "0s", SEC, 0 },
        { "1ms", MS, MS },          { "86400s", SEC, 86400 * SEC },
        { "0001s", SEC, SEC },      { "1000000000ns", SEC, SEC },
    };
    check_durations(cases, TG_ARRAY_LEN(cases));
}

static void test_parse_duration_compound(void **state)
{
    (void)state;
    static const struct dur_case cases[] = {
        { "1m30s", SEC, MIN + 30 * SEC },
        { "1h2m3s", SEC, HR + 2 * MIN + 3 * SEC },
        { "1s500ms", SEC, SEC + 500 * MS },
        { "2m1ms", SEC, 2 * MIN + MS },     /* "m" then "ms", not "m" "m" "s" */
        { "1ms1m", SEC, MS + MIN },         /* units need not be in decreasing order */
        { "1s1s", SEC, 2 * SEC },           /* repeated units add up, as in Go */
        { "1h0m0s1ns", SEC, HR + 1 },       /* exact to the nanosecond */
        { "10us5\xc2\xb5s", SEC, 15 * US }, /* both spellings of micro */
    };
    check_durations(cases, TG_ARRAY_LEN(cases));
}

static void test_parse_duration_fractions(void **state)
{
    (void)state;
    static const struct dur_case cases[] = {
        { "1.5s", SEC, 1500 * MS },       { "0.5ms", SEC, 500 * US },  { "0.1s", SEC, 100 * MS },
        { "2.25m", SEC, 135 * SEC },      { "1.5h", SEC, 90 * MIN },   { "0.001s", SEC, MS },
        { "1.000000001s", SEC, SEC + 1 }, { "1.5m30s", SEC, 2 * MIN }, { "0.0s", SEC, 0 },
    };
    check_durations(cases, TG_ARRAY_LEN(cases));
}

static void test_parse_duration_bare_number(void **state)
{
    (void)state;
    static const struct dur_case cases[] = {
        { "10", SEC, 10 * SEC }, /* command-line flags: seconds */
        { "250", MS, 250 * MS }, /* Lua options: milliseconds */
        { "1.5", SEC, 1500 * MS }, { "0", SEC, 0 },     { "0", MS, 0 },
        { "42", NS, 42 },          { "2", HR, 2 * HR },
    };
    check_durations(cases, TG_ARRAY_LEN(cases));
}

static void test_parse_duration_errors(void **state)
{
    (void)state;
    static const char *const cases[] = {
        "",           /* empty */
        "s",          /* unit without number */
        "ms",         /* unit without number */
        "10x",        /* unknown unit */
        "10S",        /* units are case-sensitive, as in k6/Go */
        "10sec",      /* trailing garbage after a unit */
        "1.2.3s",     /* two decimal points */
        "-1s",        /* negative */
        "+1s",        /* sign */
        "10s5",       /* bare number after a unit */
        "1m30",       /* bare number after a unit */
        " 10s",       /* leading space */
        "10s ",       /* trailing space */
        "10 s",       /* space before the unit */
        ".",          /* no digits */
        "1e3s",       /* no exponents */
        "\xc2s",      /* a broken UTF-8 micro sign */
        "1s\xc2\xb5", /* micro prefix without s */
    };
    check_duration_errors(cases, TG_ARRAY_LEN(cases));
}

static void test_parse_duration_overflow(void **state)
{
    (void)state;
    static const char *const cases[] = {
        "9223372036854775808ns", /* INT64_MAX + 1 */
        "10000000000s",          /* 1e19 ns */
        "3000000h",              /* ~1.08e22 ns */
        "99999999999999999999999999999999999999h",
        "1000000000000000000000000000000000000000000000000000000000000000000000s", /* >63 digits */
        "5000000000s5000000000s", /* each part fits, the sum does not */
    };
    check_duration_errors(cases, TG_ARRAY_LEN(cases));

    /* Large but representable values are accepted. */
    tg_ns got = 0;
    assert_int_equal(tg_units_parse_duration("2500000h", SEC, &got), 0);
    assert_int_equal(got, 2500000 * HR);
    assert_int_equal(tg_units_parse_duration("9000000000s", SEC, &got), 0);
    assert_int_equal(got, 9000000000 * SEC);
}

static void test_parse_duration_null(void **state)
{
    (void)state;
    tg_ns got = 7;
    assert_int_equal(tg_units_parse_duration(NULL, SEC, &got), TG_EINVAL);
    assert_int_equal(got, 7);
}

struct size_case {
    const char *in;
    size_t want;
};

static void test_parse_size_units(void **state)
{
    (void)state;
    static const struct size_case cases[] = {
        { "100", 100 },
        { "0", 0 },
        { "100B", 100 },
        { "100b", 100 },
        { "16KiB", 16 * 1024 },
        { "16kib", 16 * 1024 },
        { "16K", 16 * 1024 },
        { "16kB", 16 * 1024 },
        { "64MiB", (size_t)64 << 20 },
        { "64M", (size_t)64 << 20 },
        { "64mb", (size_t)64 << 20 },
        { "1g", (size_t)1 << 30 },
        { "1G", (size_t)1 << 30 },
        { "1GiB", (size_t)1 << 30 },
        { "2GB", (size_t)2 << 30 },
        { "1.5K", 1536 },
        { "0.5MiB", (size_t)512 << 10 },
    };
    for (size_t i = 0; i < TG_ARRAY_LEN(cases); i++) {
        size_t got = 12345;
        int rc = tg_units_parse_size(cases[i].in, &got);
        if (rc != 0 || got != cases[i].want) {
            print_error("parse_size(\"%s\"): rc %d got %zu want %zu\n", cases[i].in, rc, got,
                        cases[i].want);
        }
        assert_int_equal(rc, 0);
        assert_int_equal(got, cases[i].want);
    }
}

static void test_parse_size_errors(void **state)
{
    (void)state;
    static const char *const cases[] = {
        "",         "KiB",
        "16X",      "16 KiB",
        "16KiBs",   "16Ki",
        "-1",       "+1",
        "1.2.3",    "16TiB",
        "16kibb",   "1e3",
        "k16",      ".",
        "16 ",      "2000000000000000", /* 2e15 bytes: above the parser's bound */
        "1000000G",                     /* ~1.07e15 bytes */
    };
    for (size_t i = 0; i < TG_ARRAY_LEN(cases); i++) {
        size_t got = 12345;
        int rc = tg_units_parse_size(cases[i], &got);
        if (rc != TG_EINVAL) {
            print_error("parse_size(\"%s\") = %d (value %zu), want TG_EINVAL\n", cases[i], rc, got);
        }
        assert_int_equal(rc, TG_EINVAL);
        assert_int_equal(got, 12345);
    }
    size_t got = 1;
    assert_int_equal(tg_units_parse_size(NULL, &got), TG_EINVAL);
}

struct fmt_case {
    double in;
    const char *want;
};

static void check_fmt(char *(*fmt)(double, char *, size_t), const char *what,
                      const struct fmt_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char buf[64];
        memset(buf, 'X', sizeof(buf));
        char *ret = fmt(cases[i].in, buf, sizeof(buf));
        assert_ptr_equal(ret, buf);
        if (strcmp(buf, cases[i].want) != 0) {
            print_error("%s(%.17g) = \"%s\", want \"%s\"\n", what, cases[i].in, buf, cases[i].want);
        }
        assert_string_equal(buf, cases[i].want);
    }
}

static void test_fmt_duration_fixed_precision(void **state)
{
    (void)state;
    /* Values that need two decimals, plus each unit boundary. */
    static const struct fmt_case cases[] = {
        { 0, "0ns" },          { 999, "999ns" },        { 1234, "1.23\xc2\xb5s" },
        { 1234567, "1.23ms" }, { 1234567890, "1.23s" }, { 59.99e9, "59.99s" },
    };
    check_fmt(tg_units_fmt_duration, "fmt_duration", cases, TG_ARRAY_LEN(cases));
}

/*
 * units.h promises k6's summary format with its examples "512µs", "2.5s" and
 * "1m30s": k6 drops trailing zeros (toFixedNoTrailingZeros).
 */
static void test_fmt_duration_header_examples(void **state)
{
    (void)state;
    static const struct fmt_case cases[] = {
        { 512e3, "512\xc2\xb5s" },
        { 2.5e9, "2.5s" },
        { 90e9, "1m30s" },
    };
    check_fmt(tg_units_fmt_duration, "fmt_duration", cases, TG_ARRAY_LEN(cases));
}

static void test_fmt_duration_invalid(void **state)
{
    (void)state;
    char buf[16];
    assert_string_equal(tg_units_fmt_duration(-1, buf, sizeof(buf)), "-");
    assert_string_equal(tg_units_fmt_duration(NAN, buf, sizeof(buf)), "-");
    /* Truncates to the buffer, always NUL-terminated. */
    char small[4];
    tg_units_fmt_duration(1234567, small, sizeof(small));
    assert_int_equal(strlen(small), 3);
    assert_memory_equal(small, "1.2", 3);
}

static void test_fmt_bytes_values(void **state)
{
    (void)state;
    static const struct fmt_case cases[] = {
        { 0, "0 B" },       { 999, "999 B" },    { 3.4e6, "3.4 MB" },
        { 1500, "1.5 kB" }, { 2.5e9, "2.5 GB" }, { 7e12, "7.0 TB" },
    };
    check_fmt(tg_units_fmt_bytes, "fmt_bytes", cases, TG_ARRAY_LEN(cases));
}

/* units.h's own example: 12 kB, not "12.0 kB" (k6 prints integers >= 10 without a decimal). */
static void test_fmt_bytes_header_example(void **state)
{
    (void)state;
    static const struct fmt_case cases[] = {
        { 12e3, "12 kB" },
    };
    check_fmt(tg_units_fmt_bytes, "fmt_bytes", cases, TG_ARRAY_LEN(cases));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_duration_single_units),
        cmocka_unit_test(test_parse_duration_compound),
        cmocka_unit_test(test_parse_duration_fractions),
        cmocka_unit_test(test_parse_duration_bare_number),
        cmocka_unit_test(test_parse_duration_errors),
        cmocka_unit_test(test_parse_duration_overflow),
        cmocka_unit_test(test_parse_duration_null),
        cmocka_unit_test(test_parse_size_units),
        cmocka_unit_test(test_parse_size_errors),
        cmocka_unit_test(test_fmt_duration_fixed_precision),
        cmocka_unit_test(test_fmt_duration_header_examples),
        cmocka_unit_test(test_fmt_duration_invalid),
        cmocka_unit_test(test_fmt_bytes_values),
        cmocka_unit_test(test_fmt_bytes_header_example),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

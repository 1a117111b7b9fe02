/*
 * test_threshold_parse — k6's threshold expression, selector and flag forms
 * (K6-COMPAT.md 2.1, 2.2), the type × aggregation table, and the wording of
 * the diagnostics.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "check/threshold_parse.h"
#include "tg.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static struct tg_threshold_expr parse_expr_ok(const char *s)
{
    struct tg_threshold_expr e;
    struct tg_diag d = { { 0 } };
    int rc = tg_threshold_parse_expr(s, &e, &d);
    if (rc != 0) {
        print_error("parse_expr(\"%s\") = %d: %s\n", s, rc, d.msg);
    }
    assert_int_equal(rc, 0);
    assert_string_equal(e.source, s);
    return e;
}

/* Parses s expecting rc, and that the diag mentions each of the needles. */
static void parse_expr_fails(const char *s, int rc, const char *needle1, const char *needle2)
{
    struct tg_threshold_expr e;
    struct tg_diag d = { { 0 } };
    assert_int_equal(tg_threshold_parse_expr(s, &e, &d), rc);
    if (needle1 && !strstr(d.msg, needle1)) {
        fail_msg("diag \"%s\" lacks \"%s\"", d.msg, needle1);
    }
    if (needle2 && !strstr(d.msg, needle2)) {
        fail_msg("diag \"%s\" lacks \"%s\"", d.msg, needle2);
    }
}

static struct tg_selector parse_sel_ok(const char *s)
{
    struct tg_selector sel;
    struct tg_diag d = { { 0 } };
    int rc = tg_threshold_parse_selector(s, &sel, &d);
    if (rc != 0) {
        print_error("parse_selector(\"%s\") = %d: %s\n", s, rc, d.msg);
    }
    assert_int_equal(rc, 0);
    return sel;
}

static void parse_sel_fails(const char *s, int rc, const char *needle)
{
    struct tg_selector sel;
    struct tg_diag d = { { 0 } };
    assert_int_equal(tg_threshold_parse_selector(s, &sel, &d), rc);
    assert_true(d.msg[0] != '\0');
    if (needle && !strstr(d.msg, needle)) {
        fail_msg("diag \"%s\" lacks \"%s\"", d.msg, needle);
    }
}

static void test_tg_threshold_parse_expr_operators(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        enum tg_cmp cmp;
    } cases[] = {
        { "avg<1", TG_CMP_LT },  { "avg<=1", TG_CMP_LE }, { "avg>1", TG_CMP_GT },
        { "avg>=1", TG_CMP_GE }, { "avg==1", TG_CMP_EQ }, { "avg===1", TG_CMP_EQ },
        { "avg!=1", TG_CMP_NE },
    };
    for (size_t i = 0; i < TG_ARRAY_LEN(cases); i++) {
        struct tg_threshold_expr e = parse_expr_ok(cases[i].s);
        assert_int_equal(e.cmp, cases[i].cmp);
        assert_int_equal(e.agg, TG_AGG_AVG);
        assert_true(e.rhs == 1.0);
    }
}

/* tailgate's "baseline" right-hand side (with --baseline FILE). */
static void test_tg_threshold_parse_expr_baseline(void **state)
{
    (void)state;
    struct tg_threshold_expr e;
    struct tg_diag d = { "" };
    assert_int_equal(tg_threshold_parse_expr("p(99) < baseline * 1.3", &e, &d), 0);
    assert_true(e.baseline && e.base_mul == 1.3 && e.base_add == 0 && e.cmp == TG_CMP_LT);
    assert_int_equal(tg_threshold_parse_expr("rate<=baseline+0.005", &e, &d), 0);
    assert_true(e.baseline && e.base_mul == 1 && e.base_add == 0.005);
    assert_int_equal(tg_threshold_parse_expr("avg < baseline - 2", &e, &d), 0);
    assert_true(e.baseline && e.base_add == -2);
    assert_int_equal(tg_threshold_parse_expr("med<baseline", &e, &d), 0);
    assert_true(e.baseline && e.base_mul == 1 && e.base_add == 0);
    assert_int_equal(tg_threshold_parse_expr("p(99) < 250", &e, &d), 0);
    assert_false(e.baseline);
    assert_int_equal(tg_threshold_parse_expr("p(99) < baseline ^ 2", &e, &d), TG_EINVAL);
    assert_non_null(strstr(d.msg, "after \"baseline\""));
    assert_int_equal(tg_threshold_parse_expr("p(99) < baseline * x", &e, &d), TG_EINVAL);
    assert_int_equal(tg_threshold_parse_expr("p(99) < baselines", &e, &d), TG_EINVAL);
}

static void test_tg_threshold_parse_expr_whitespace(void **state)
{
    (void)state;
    static const char *const cases[] = {
        "p(95)<200",  "p(95) < 200", "  p(95)   <   200  ", "p(95)\t<\t200",
        "p(95) <200", "p(95)< 200",  "\np(95)<200\n",
    };
    for (size_t i = 0; i < TG_ARRAY_LEN(cases); i++) {
        struct tg_threshold_expr e = parse_expr_ok(cases[i]);
        assert_int_equal(e.agg, TG_AGG_PCT);
        assert_true(e.pct == 95.0);
        assert_int_equal(e.cmp, TG_CMP_LT);
        assert_true(e.rhs == 200.0);
    }
    struct tg_threshold_expr e = parse_expr_ok(" rate >= 0.95 ");
    assert_string_equal(e.source, " rate >= 0.95 ");
}

static void test_tg_threshold_parse_expr_methods(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        enum tg_agg agg;
    } cases[] = {
        { "count>10", TG_AGG_COUNT }, { "rate<0.01", TG_AGG_RATE }, { "value==3", TG_AGG_VALUE },
        { "avg<200", TG_AGG_AVG },    { "min>0", TG_AGG_MIN },      { "max<1000", TG_AGG_MAX },
        { "med<150", TG_AGG_MED },
    };
    for (size_t i = 0; i < TG_ARRAY_LEN(cases); i++) {
        struct tg_threshold_expr e = parse_expr_ok(cases[i].s);
        assert_int_equal(e.agg, cases[i].agg);
        assert_true(e.pct == 0.0);
    }
}

static void test_tg_threshold_parse_expr_percentiles(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        double pct;
    } cases[] = {
        { "p(90)<1", 90 },   { "p(99.9)<1", 99.9 }, { "p(99.99)<1", 99.99 },
        { "p(100)<1", 100 }, { "p(0)<1", 0 },       { "p(50.)<1", 50 },
        { "p(.5)<1", 0.5 },  { "p(1e2)<1", 100 },   { "p(95) < 1", 95 },
    };
    for (size_t i = 0; i < TG_ARRAY_LEN(cases); i++) {
        struct tg_threshold_expr e = parse_expr_ok(cases[i].s);
        assert_int_equal(e.agg, TG_AGG_PCT);
        assert_true(e.pct == cases[i].pct);
    }
}

static void test_tg_threshold_parse_expr_bad_percentile(void **state)
{
    (void)state;
    parse_expr_fails("p(101)<1", TG_EINVAL, "threshold \"p(101)<1\"", "0 <= N <= 100");
    parse_expr_fails("p(100.0001)<1", TG_EINVAL, "out of range", NULL);
    parse_expr_fails("p(-1)<1", TG_EINVAL, "\"-1\" is out of range", NULL);
    parse_expr_fails("p()<1", TG_EINVAL, "missing percentile in \"p()\"", "p(N)");
    parse_expr_fails("p(abc)<1", TG_EINVAL, "percentile \"abc\" is not a number", "p(N)");
    parse_expr_fails("p(nan)<1", TG_EINVAL, "\"nan\" is not a number", NULL);
    parse_expr_fails("p(inf)<1", TG_EINVAL, "not a number", NULL);
    parse_expr_fails("p( 99)<1", TG_EINVAL, "not a number", NULL);
    parse_expr_fails("p(99 )<1", TG_EINVAL, "not a number", NULL);
    parse_expr_fails("p(0x10)<1", TG_EINVAL, "not a number", NULL);
    /* k6 lists a bare "p" among its methods; without an argument it means nothing. */
    parse_expr_fails("p<1", TG_EINVAL, "unknown aggregation method \"p\"", NULL);
    parse_expr_fails("p(95<1", TG_EINVAL, "unknown aggregation method \"p(95\"", NULL);
    parse_expr_fails("P(95)<1", TG_EINVAL, "unknown aggregation method", NULL);
}

static void test_tg_threshold_parse_expr_missing_number(void **state)
{
    (void)state;
    struct tg_threshold_expr e;
    struct tg_diag d = { { 0 } };
    assert_int_equal(tg_threshold_parse_expr("p(99)<", &e, &d), TG_EINVAL);
    assert_string_equal(d.msg, "threshold \"p(99)<\": missing number after \"<\"");
    assert_int_equal(tg_threshold_parse_expr("avg<", &e, &d), TG_EINVAL);
    assert_string_equal(d.msg, "threshold \"avg<\": missing number after \"<\"");
    parse_expr_fails("avg >=   ", TG_EINVAL, "missing number after \">=\"", NULL);
}

static void test_tg_threshold_parse_expr_bad_number(void **state)
{
    (void)state;
    parse_expr_fails("rate<abc", TG_EINVAL, "\"abc\" is not a finite number",
                     "expected a number after \"<\"");
    parse_expr_fails("avg<nan", TG_EINVAL, "\"nan\"", NULL);
    parse_expr_fails("avg<NaN", TG_EINVAL, "\"NaN\"", NULL);
    parse_expr_fails("avg<inf", TG_EINVAL, "\"inf\"", NULL);
    parse_expr_fails("avg<-Infinity", TG_EINVAL, "\"-Infinity\"", NULL);
    parse_expr_fails("avg<1e999", TG_EINVAL, "\"1e999\"", NULL);
    parse_expr_fails("avg<0x10", TG_EINVAL, "\"0x10\"", NULL);
    parse_expr_fails("avg<1 2", TG_EINVAL, "\"1 2\"", NULL);
    parse_expr_fails("avg<200ms", TG_EINVAL, "\"200ms\"", NULL);
    parse_expr_fails("avg<1,5", TG_EINVAL, "\"1,5\"", NULL);
}

static void test_tg_threshold_parse_expr_numbers(void **state)
{
    (void)state;
    assert_true(parse_expr_ok("avg<-1.5").rhs == -1.5);
    assert_true(parse_expr_ok("avg<+2").rhs == 2.0);
    assert_true(parse_expr_ok("avg<.5").rhs == 0.5);
    assert_true(parse_expr_ok("avg<5.").rhs == 5.0);
    assert_true(parse_expr_ok("avg<1e3").rhs == 1000.0);
    assert_true(parse_expr_ok("avg<0").rhs == 0.0);
    assert_true(parse_expr_ok("rate<0.01").rhs == 0.01);
}

static void test_tg_threshold_parse_expr_unknown_method(void **state)
{
    (void)state;
    struct tg_threshold_expr e;
    struct tg_diag d = { { 0 } };
    assert_int_equal(tg_threshold_parse_expr("foo<1", &e, &d), TG_EINVAL);
    assert_string_equal(d.msg, "threshold \"foo<1\": unknown aggregation method \"foo\"; expected "
                               "count, rate, value, avg, min, max, med or p(N)");
    parse_expr_fails("AVG<1", TG_EINVAL, "\"AVG\"", NULL);
    parse_expr_fails("average<1", TG_EINVAL, "\"average\"", NULL);
    parse_expr_fails("avg avg<1", TG_EINVAL, "\"avg avg\"", NULL);
}

static void test_tg_threshold_parse_expr_operator_order(void **state)
{
    (void)state;
    /* k6 splits at the first operator of its list that occurs anywhere. */
    parse_expr_fails("count=<1", TG_EINVAL, "unknown aggregation method \"count=\"", NULL);
    parse_expr_fails("count=>1", TG_EINVAL, "unknown aggregation method \"count=\"", NULL);
    parse_expr_fails("rate!==1", TG_EINVAL, "unknown aggregation method \"rate!\"", NULL);
    parse_expr_fails("avg<==1", TG_EINVAL, "\"=1\" is not a finite number", "after \"<=\"");
    parse_expr_fails("avg>1<2", TG_EINVAL, "unknown aggregation method \"avg>1\"", NULL);
    parse_expr_fails("avg=1", TG_EINVAL, "missing comparison operator", NULL);
}

static void test_tg_threshold_parse_expr_missing_parts(void **state)
{
    (void)state;
    parse_expr_fails("", TG_EINVAL, "threshold \"\": missing comparison operator", NULL);
    parse_expr_fails("p(95) 200", TG_EINVAL, "missing comparison operator", "<=");
    parse_expr_fails("<5", TG_EINVAL, "missing aggregation method before \"<\"", "p(N)");
    parse_expr_fails("  ==5", TG_EINVAL, "missing aggregation method before \"==\"", NULL);
}

static void test_tg_threshold_parse_expr_too_long(void **state)
{
    (void)state;
    char s[300];
    memset(s, ' ', sizeof(s));
    memcpy(s, "avg<1", 5);
    s[255] = '\0'; /* 255 bytes fit */
    struct tg_threshold_expr e;
    assert_int_equal(tg_threshold_parse_expr(s, &e, NULL), 0);
    s[255] = ' ';
    s[256] = '\0';
    parse_expr_fails(s, TG_E2BIG, "longer than 255 bytes", NULL);
}

static void test_tg_threshold_parse_expr_null_diag(void **state)
{
    (void)state;
    struct tg_threshold_expr e;
    assert_int_equal(tg_threshold_parse_expr("foo<1", &e, NULL), TG_EINVAL);
    assert_int_equal(tg_threshold_parse_expr("avg<1", &e, NULL), 0);
}

static void test_tg_threshold_parse_selector_plain(void **state)
{
    (void)state;
    struct tg_selector sel = parse_sel_ok("http_req_duration");
    assert_string_equal(sel.name, "http_req_duration");
    assert_int_equal(sel.ntags, 0);
    assert_string_equal(sel.raw, "http_req_duration");
    sel = parse_sel_ok("  _x  ");
    assert_string_equal(sel.name, "_x");
    assert_string_equal(sel.raw, "_x");
}

static void test_tg_threshold_parse_selector_quoted(void **state)
{
    (void)state;
    struct tg_selector sel = parse_sel_ok("http_req_duration{ \"type\": \"API\" }");
    assert_string_equal(sel.name, "http_req_duration");
    assert_int_equal(sel.ntags, 1);
    assert_string_equal(sel.tags[0].key, "type");
    assert_string_equal(sel.tags[0].value, "API");
    assert_string_equal(sel.raw, "http_req_duration{ \"type\": \"API\" }");

    sel = parse_sel_ok("checks{'check':'status is 200'}");
    assert_string_equal(sel.tags[0].key, "check");
    assert_string_equal(sel.tags[0].value, "status is 200");
    /* As Go's strings.Trim: any run of either quote, then nothing more. */
    sel = parse_sel_ok("mt{\"'k'\":\" v \"}");
    assert_string_equal(sel.tags[0].key, "k");
    assert_string_equal(sel.tags[0].value, " v ");
}

static void test_tg_threshold_parse_selector_group_colons(void **state)
{
    (void)state;
    struct tg_selector sel = parse_sel_ok("group_duration{group:::individualRequests}");
    assert_string_equal(sel.name, "group_duration");
    assert_int_equal(sel.ntags, 1);
    assert_string_equal(sel.tags[0].key, "group");
    assert_string_equal(sel.tags[0].value, "::individualRequests");
    sel = parse_sel_ok("http_req_duration{url:http://localhost:8080/x}");
    assert_string_equal(sel.tags[0].key, "url");
    assert_string_equal(sel.tags[0].value, "http://localhost:8080/x");
}

static void test_tg_threshold_parse_selector_multiple_tags(void **state)
{
    (void)state;
    struct tg_selector sel =
        parse_sel_ok("http_req_duration{method:GET, status:200 ,scenario : api}");
    assert_int_equal(sel.ntags, 3);
    assert_string_equal(sel.tags[0].key, "method");
    assert_string_equal(sel.tags[0].value, "GET");
    assert_string_equal(sel.tags[1].key, "status");
    assert_string_equal(sel.tags[1].value, "200");
    assert_string_equal(sel.tags[2].key, "scenario");
    assert_string_equal(sel.tags[2].value, "api");
    assert_string_equal(sel.raw, "http_req_duration{method:GET, status:200 ,scenario : api}");
}

static void test_tg_threshold_parse_selector_braces_in_value(void **state)
{
    (void)state;
    /* k6 names templated URLs "...${}"; tags lie between the first '{' and the last '}'. */
    struct tg_selector sel = parse_sel_ok("http_req_duration{name:http://x/posts/${}}");
    assert_int_equal(sel.ntags, 1);
    assert_string_equal(sel.tags[0].value, "http://x/posts/${}");
}

static void test_tg_threshold_parse_selector_duplicate_key(void **state)
{
    (void)state;
    struct tg_selector sel = parse_sel_ok("mt{a:1,b:2,a:3}");
    assert_int_equal(sel.ntags, 2);
    assert_string_equal(sel.tags[0].key, "a");
    assert_string_equal(sel.tags[0].value, "3");
    assert_string_equal(sel.tags[1].value, "2");
}

static void test_tg_threshold_parse_selector_missing_value(void **state)
{
    (void)state;
    parse_sel_fails("mt{type}", TG_EINVAL, "tag \"type\" has no value; expected key:value");
    parse_sel_fails("mt{type:}", TG_EINVAL, "tag \"type:\" has an empty value");
    parse_sel_fails("mt{type:  }", TG_EINVAL, "has an empty value");
    parse_sel_fails("mt{type:\"\"}", TG_EINVAL, "has an empty value");
    parse_sel_fails("mt{a:1,b}", TG_EINVAL, "tag \"b\" has no value");
    parse_sel_fails("mt{:v}", TG_EINVAL, "tag \":v\" has an empty key");
    parse_sel_fails("mt{}", TG_EINVAL, "metric \"mt{}\": empty tag");
    parse_sel_fails("mt{ }", TG_EINVAL, "empty tag");
    parse_sel_fails("mt{a:1,}", TG_EINVAL, "empty tag");
    parse_sel_fails("mt{,a:1}", TG_EINVAL, "empty tag");
}

static void test_tg_threshold_parse_selector_braces(void **state)
{
    (void)state;
    parse_sel_fails("http_req_duration}", TG_EINVAL,
                    "metric \"http_req_duration}\": \"}\" without an opening \"{\"");
    parse_sel_fails("http_req_duration{type:API", TG_EINVAL,
                    "metric \"http_req_duration{type:API\": \"{\" without a closing \"}\"");
    parse_sel_fails("http_req_duration}type:API{", TG_EINVAL, "\"}\" before \"{\"");
    parse_sel_fails("http_req_duration{type:API}x", TG_EINVAL, "text after the closing \"}\"");
    parse_sel_fails("http_req_duration{a:b}{c:d}x", TG_EINVAL, "text after the closing \"}\"");
}

static void test_tg_threshold_parse_selector_bad_names(void **state)
{
    (void)state;
    parse_sel_fails("1abc", TG_EINVAL, "invalid metric name \"1abc\"; expected a letter");
    parse_sel_fails("a", TG_EINVAL, "invalid metric name \"a\"");
    parse_sel_fails("my-metric", TG_EINVAL, "invalid metric name \"my-metric\"");
    parse_sel_fails("my metric", TG_EINVAL, "invalid metric name");
    parse_sel_fails("http_req_duration {a:b}", TG_EINVAL, "\"http_req_duration \"");
    parse_sel_fails("", TG_EINVAL, "metric \"\": missing metric name");
    parse_sel_fails("   ", TG_EINVAL, "missing metric name");
    parse_sel_fails("{type:API}", TG_EINVAL, "missing metric name");

    char name[140];
    memset(name, 'a', sizeof(name));
    name[129] = '\0'; /* 129 = 1 + 128, the longest k6 allows */
    struct tg_selector sel = parse_sel_ok(name);
    assert_int_equal(strlen(sel.name), 129);
    name[129] = 'a';
    name[130] = '\0';
    parse_sel_fails(name, TG_EINVAL, "invalid metric name");
}

static void test_tg_threshold_parse_selector_limits(void **state)
{
    (void)state;
    char s[1200];
    parse_sel_ok("mt{a:1,b:2,c:3,d:4,e:5,f:6,g:7,h:8}");
    parse_sel_fails("mt{a:1,b:2,c:3,d:4,e:5,f:6,g:7,h:8,i:9}", TG_E2BIG, "more than 8 tags");

    char key[80];
    memset(key, 'k', sizeof(key));
    key[63] = '\0';
    snprintf(s, sizeof(s), "mt{%s:v}", key);
    assert_int_equal(strlen(parse_sel_ok(s).tags[0].key), 63);
    key[63] = 'k';
    key[64] = '\0';
    snprintf(s, sizeof(s), "mt{%s:v}", key);
    parse_sel_fails(s, TG_E2BIG, "longer than 63 bytes");

    char value[300];
    memset(value, 'v', sizeof(value));
    value[255] = '\0';
    snprintf(s, sizeof(s), "mt{k:%s}", value);
    assert_int_equal(strlen(parse_sel_ok(s).tags[0].value), 255);
    value[255] = 'v';
    value[256] = '\0';
    snprintf(s, sizeof(s), "mt{k:%s}", value);
    parse_sel_fails(s, TG_E2BIG, "value of tag \"k\" is longer than 255 bytes");

    memset(s, 'm', sizeof(s));
    s[512] = '\0';
    parse_sel_fails(s, TG_E2BIG, "longer than 511 bytes");
}

static void test_tg_threshold_parse_flag_plain(void **state)
{
    (void)state;
    struct tg_selector sel;
    struct tg_threshold_expr e;
    struct tg_diag d = { { 0 } };
    assert_int_equal(tg_threshold_parse_flag("http_req_duration: p(95)<200", &sel, &e, &d), 0);
    assert_string_equal(sel.name, "http_req_duration");
    assert_int_equal(sel.ntags, 0);
    assert_int_equal(e.agg, TG_AGG_PCT);
    assert_true(e.pct == 95.0);
    assert_int_equal(e.cmp, TG_CMP_LT);
    assert_true(e.rhs == 200.0);
    assert_string_equal(e.source, "p(95)<200");

    assert_int_equal(tg_threshold_parse_flag("  checks :  rate > 0.9  ", &sel, &e, &d), 0);
    assert_string_equal(sel.raw, "checks");
    assert_string_equal(e.source, "rate > 0.9");
}

static void test_tg_threshold_parse_flag_tags(void **state)
{
    (void)state;
    struct tg_selector sel;
    struct tg_threshold_expr e;
    struct tg_diag d = { { 0 } };
    assert_int_equal(
        tg_threshold_parse_flag("http_req_duration{type:API,method:GET}:p(99)<=300", &sel, &e, &d),
        0);
    assert_string_equal(sel.name, "http_req_duration");
    assert_int_equal(sel.ntags, 2);
    assert_string_equal(sel.tags[1].value, "GET");
    assert_string_equal(sel.raw, "http_req_duration{type:API,method:GET}");
    assert_int_equal(e.cmp, TG_CMP_LE);
    assert_string_equal(e.source, "p(99)<=300");
}

static void test_tg_threshold_parse_flag_colon_in_selector(void **state)
{
    (void)state;
    struct tg_selector sel;
    struct tg_threshold_expr e;
    struct tg_diag d = { { 0 } };
    assert_int_equal(tg_threshold_parse_flag("group_duration{group:::individualRequests}: avg<200",
                                             &sel, &e, &d),
                     0);
    assert_string_equal(sel.name, "group_duration");
    assert_string_equal(sel.tags[0].key, "group");
    assert_string_equal(sel.tags[0].value, "::individualRequests");
    assert_int_equal(e.agg, TG_AGG_AVG);
    assert_string_equal(e.source, "avg<200");

    assert_int_equal(
        tg_threshold_parse_flag("http_req_duration{name:http://x:80/${}}:max<1", &sel, &e, &d), 0);
    assert_string_equal(sel.tags[0].value, "http://x:80/${}");
    assert_int_equal(e.agg, TG_AGG_MAX);
}

static void test_tg_threshold_parse_flag_errors(void **state)
{
    (void)state;
    struct tg_selector sel;
    struct tg_threshold_expr e;
    struct tg_diag d = { { 0 } };
    assert_int_equal(tg_threshold_parse_flag("http_req_duration p(95)<200", &sel, &e, &d),
                     TG_EINVAL);
    assert_non_null(strstr(d.msg, "threshold \"http_req_duration p(95)<200\": missing \":\""));
    assert_non_null(strstr(d.msg, "METRIC{key:value,...}: EXPR"));

    assert_int_equal(tg_threshold_parse_flag("mt{a:b: avg<1", &sel, &e, &d), TG_EINVAL);
    assert_non_null(strstr(d.msg, "not closed"));

    assert_int_equal(tg_threshold_parse_flag("mt: foo<1", &sel, &e, &d), TG_EINVAL);
    assert_non_null(strstr(d.msg, "threshold \"foo<1\": unknown aggregation method \"foo\""));

    assert_int_equal(tg_threshold_parse_flag("1m: avg<1", &sel, &e, &d), TG_EINVAL);
    assert_non_null(strstr(d.msg, "invalid metric name \"1m\""));

    assert_int_equal(tg_threshold_parse_flag(": avg<1", &sel, &e, &d), TG_EINVAL);
    assert_non_null(strstr(d.msg, "missing metric name"));

    assert_int_equal(tg_threshold_parse_flag("mt:", &sel, &e, &d), TG_EINVAL);
    assert_non_null(strstr(d.msg, "missing comparison operator"));

    assert_int_equal(tg_threshold_parse_flag("mt}: avg<1", &sel, &e, &d), TG_EINVAL);
    assert_non_null(strstr(d.msg, "without an opening"));

    assert_int_equal(tg_threshold_parse_flag("", &sel, &e, NULL), TG_EINVAL);
}

static void test_tg_threshold_agg_allowed_matrix(void **state)
{
    (void)state;
    /* k6's supportedAggregationMethods, rows by type, columns by enum tg_agg. */
    static const bool want[4][8] = {
        /*                  count  rate   value  avg    min    max    med    pct */
        [TG_KIND_COUNTER] = { true, true, false, false, false, false, false, false },
        [TG_KIND_GAUGE] = { false, false, true, false, false, false, false, false },
        [TG_KIND_RATE] = { false, true, false, false, false, false, false, false },
        [TG_KIND_TREND] = { false, false, false, true, true, true, true, true },
    };
    for (int t = TG_KIND_COUNTER; t <= TG_KIND_TREND; t++) {
        for (int a = TG_AGG_COUNT; a <= TG_AGG_PCT; a++) {
            if (tg_threshold_agg_allowed((enum tg_metric_kind)t, (enum tg_agg)a) != want[t][a]) {
                fail_msg("type %d agg %d: want %d", t, a, want[t][a]);
            }
        }
    }
    assert_false(tg_threshold_agg_allowed(TG_KIND_TREND, TG_AGG_COUNT));
    assert_false(tg_threshold_agg_allowed((enum tg_metric_kind)42, TG_AGG_COUNT));
}

static void test_tg_threshold_agg_names_per_type(void **state)
{
    (void)state;
    assert_string_equal(tg_threshold_agg_names(TG_KIND_COUNTER), "count, rate");
    assert_string_equal(tg_threshold_agg_names(TG_KIND_GAUGE), "value");
    assert_string_equal(tg_threshold_agg_names(TG_KIND_RATE), "rate");
    assert_string_equal(tg_threshold_agg_names(TG_KIND_TREND), "avg, min, max, med, p(N)");
    assert_string_equal(tg_threshold_agg_names((enum tg_metric_kind)42), "");
}

static void test_tg_threshold_type_name_all(void **state)
{
    (void)state;
    assert_string_equal(tg_threshold_type_name(TG_KIND_COUNTER), "counter");
    assert_string_equal(tg_threshold_type_name(TG_KIND_GAUGE), "gauge");
    assert_string_equal(tg_threshold_type_name(TG_KIND_RATE), "rate");
    assert_string_equal(tg_threshold_type_name(TG_KIND_TREND), "trend");
    assert_string_equal(tg_threshold_type_name((enum tg_metric_kind)42), "unknown");
}

/* "over D": the sliding-window extension; k6's grammar before it is unchanged. */
static void test_tg_threshold_parse_expr_over(void **state)
{
    (void)state;
    struct tg_threshold_expr e = parse_expr_ok("p(99)<500 over 30s");
    assert_int_equal(e.agg, TG_AGG_PCT);
    assert_true(e.pct == 99.0);
    assert_int_equal(e.cmp, TG_CMP_LT);
    assert_true(e.rhs == 500.0);
    assert_int_equal(e.window_ns, 30 * TG_NS_PER_S);

    e = parse_expr_ok("rate<0.05 over 10s");
    assert_int_equal(e.agg, TG_AGG_RATE);
    assert_true(e.rhs == 0.05);
    assert_int_equal(e.window_ns, 10 * TG_NS_PER_S);

    assert_int_equal(parse_expr_ok("avg<1 over 1m30s").window_ns, 90 * TG_NS_PER_S);
    assert_int_equal(parse_expr_ok("count>0 over 1h").window_ns, 3600 * TG_NS_PER_S);
    assert_int_equal(parse_expr_ok("max <= 2 over 1s").window_ns, TG_NS_PER_S);
    assert_int_equal(parse_expr_ok("med!=3 over 2000ms").window_ns, 2 * TG_NS_PER_S);
    assert_int_equal(parse_expr_ok("  avg < 1 \tover\t 2m ").window_ns, 120 * TG_NS_PER_S);
    /* without "over" nothing changes */
    assert_int_equal(parse_expr_ok("p(95)<200").window_ns, 0);
}

static void test_tg_threshold_parse_expr_over_errors(void **state)
{
    (void)state;
    parse_expr_fails("p(99)<500 over", TG_EINVAL, "\"over\" needs a window duration", "over 30s");
    parse_expr_fails("p(99)<500 over   ", TG_EINVAL, "needs a window duration", NULL);
    parse_expr_fails("p(99)<500 over 0s", TG_EINVAL, "window \"0s\" is shorter than 1s", NULL);
    parse_expr_fails("p(99)<500 over 500ms", TG_EINVAL, "is shorter than 1s", NULL);
    parse_expr_fails("p(99)<500 over 2h", TG_EINVAL, "window \"2h\" is longer than 1h", NULL);
    parse_expr_fails("p(99)<500 over 3601s", TG_EINVAL, "longer than 1h", NULL);
    parse_expr_fails("p(99)<500 over 1500ms", TG_EINVAL, "not a whole number of seconds",
                     "slide by 1s");
    parse_expr_fails("p(99)<500 over 30", TG_EINVAL, "window \"30\" needs a unit", NULL);
    parse_expr_fails("p(99)<500 over 1.5", TG_EINVAL, "needs a unit", NULL);
    parse_expr_fails("p(99)<500 over 10x", TG_EINVAL, "window \"10x\" is not a duration", "1m30s");
    parse_expr_fails("p(99)<500 over soon", TG_EINVAL, "is not a duration", NULL);
    parse_expr_fails("p(99)<500 over 10 s", TG_EINVAL, "is not a duration", NULL);
    /* errors of the assertion come first and quote the whole text */
    parse_expr_fails("p(99)<x over 0s", TG_EINVAL, "\"p(99)<x over 0s\"", "not a finite number");
    parse_expr_fails("p(99)< over 10s", TG_EINVAL, "missing number after \"<\"", NULL);
    parse_expr_fails("over 10s", TG_EINVAL, "missing comparison operator", NULL);
    /* "over" glued to a word is not the keyword: k6's grammar rejects the number */
    parse_expr_fails("p(99)<500 over30s", TG_EINVAL, "\"500 over30s\" is not a finite number",
                     NULL);
    parse_expr_fails("p(99)<500over 30s", TG_EINVAL, "is not a finite number", NULL);
    parse_expr_fails("p(99)<500 over 10s over 20s", TG_EINVAL, "is not a finite number", NULL);
}

static void test_tg_threshold_parse_flag_over(void **state)
{
    (void)state;
    struct tg_selector sel;
    struct tg_threshold_expr e;
    struct tg_diag d = { { 0 } };
    assert_int_equal(
        tg_threshold_parse_flag("http_req_duration{status:200}: p(99)<500 over 30s", &sel, &e, &d),
        0);
    assert_string_equal(sel.raw, "http_req_duration{status:200}");
    assert_int_equal(sel.ntags, 1);
    assert_string_equal(e.source, "p(99)<500 over 30s");
    assert_int_equal(e.window_ns, 30 * TG_NS_PER_S);
    assert_int_equal(tg_threshold_parse_flag("http_req_failed: rate<0.05 over 0s", &sel, &e, &d),
                     TG_EINVAL);
    assert_non_null(strstr(d.msg, "shorter than 1s"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tg_threshold_parse_expr_operators),
        cmocka_unit_test(test_tg_threshold_parse_expr_baseline),
        cmocka_unit_test(test_tg_threshold_parse_expr_whitespace),
        cmocka_unit_test(test_tg_threshold_parse_expr_methods),
        cmocka_unit_test(test_tg_threshold_parse_expr_percentiles),
        cmocka_unit_test(test_tg_threshold_parse_expr_bad_percentile),
        cmocka_unit_test(test_tg_threshold_parse_expr_missing_number),
        cmocka_unit_test(test_tg_threshold_parse_expr_bad_number),
        cmocka_unit_test(test_tg_threshold_parse_expr_numbers),
        cmocka_unit_test(test_tg_threshold_parse_expr_unknown_method),
        cmocka_unit_test(test_tg_threshold_parse_expr_operator_order),
        cmocka_unit_test(test_tg_threshold_parse_expr_missing_parts),
        cmocka_unit_test(test_tg_threshold_parse_expr_too_long),
        cmocka_unit_test(test_tg_threshold_parse_expr_null_diag),
        cmocka_unit_test(test_tg_threshold_parse_expr_over),
        cmocka_unit_test(test_tg_threshold_parse_expr_over_errors),
        cmocka_unit_test(test_tg_threshold_parse_selector_plain),
        cmocka_unit_test(test_tg_threshold_parse_selector_quoted),
        cmocka_unit_test(test_tg_threshold_parse_selector_group_colons),
        cmocka_unit_test(test_tg_threshold_parse_selector_multiple_tags),
        cmocka_unit_test(test_tg_threshold_parse_selector_braces_in_value),
        cmocka_unit_test(test_tg_threshold_parse_selector_duplicate_key),
        cmocka_unit_test(test_tg_threshold_parse_selector_missing_value),
        cmocka_unit_test(test_tg_threshold_parse_selector_braces),
        cmocka_unit_test(test_tg_threshold_parse_selector_bad_names),
        cmocka_unit_test(test_tg_threshold_parse_selector_limits),
        cmocka_unit_test(test_tg_threshold_parse_flag_plain),
        cmocka_unit_test(test_tg_threshold_parse_flag_tags),
        cmocka_unit_test(test_tg_threshold_parse_flag_colon_in_selector),
        cmocka_unit_test(test_tg_threshold_parse_flag_errors),
        cmocka_unit_test(test_tg_threshold_parse_flag_over),
        cmocka_unit_test(test_tg_threshold_agg_allowed_matrix),
        cmocka_unit_test(test_tg_threshold_agg_names_per_type),
        cmocka_unit_test(test_tg_threshold_type_name_all),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_threshold_eval — comparison semantics, which aggregate each method
 * reads, and k6's "missing value passes" rule.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "check/threshold_eval.h"
#include "tg.h"

#include <math.h>
#include <string.h>

/* A percentile provider over a sorted array, linear interpolation like k6's TrendSink.P. */
struct sorted {
    const double *v;
    size_t n;
    int calls;
    double last_pct;
};

static double sorted_percentile(const void *ctx, double pct)
{
    struct sorted *s = (struct sorted *)(uintptr_t)ctx;
    s->calls++;
    s->last_pct = pct;
    double pos = pct / 100.0 * (double)(s->n - 1);
    size_t lo = (size_t)pos;
    if (lo + 1 >= s->n) {
        return s->v[s->n - 1];
    }
    return s->v[lo] + (pos - (double)lo) * (s->v[lo + 1] - s->v[lo]);
}

static struct tg_threshold_expr expr(const char *s)
{
    struct tg_threshold_expr e;
    struct tg_diag d = { { 0 } };
    int rc = tg_threshold_parse_expr(s, &e, &d);
    if (rc != 0) {
        fail_msg("parse \"%s\": %s", s, d.msg);
    }
    return e;
}

static struct tg_agg_values trend(struct sorted *s)
{
    struct tg_agg_values v;
    memset(&v, 0, sizeof(v));
    v.type = TG_KIND_TREND;
    v.avg = 15;
    v.min = 10;
    v.max = 20;
    v.med = 14;
    v.percentile = sorted_percentile;
    v.ctx = s;
    return v;
}

static void test_tg_threshold_cmp_operators(void **state)
{
    (void)state;
    static const struct {
        enum tg_cmp c;
        bool less, equal, greater; /* lhs below, equal to, above rhs */
    } cases[] = {
        { TG_CMP_LT, true, false, false }, { TG_CMP_LE, true, true, false },
        { TG_CMP_GT, false, false, true }, { TG_CMP_GE, false, true, true },
        { TG_CMP_EQ, false, true, false }, { TG_CMP_NE, true, false, true },
    };
    for (size_t i = 0; i < TG_ARRAY_LEN(cases); i++) {
        assert_int_equal(tg_threshold_cmp(cases[i].c, 1.0, 2.0), cases[i].less);
        assert_int_equal(tg_threshold_cmp(cases[i].c, 2.0, 2.0), cases[i].equal);
        assert_int_equal(tg_threshold_cmp(cases[i].c, 3.0, 2.0), cases[i].greater);
        assert_int_equal(tg_threshold_cmp(cases[i].c, -0.0, 0.0), cases[i].equal);
    }
}

static void test_tg_threshold_cmp_nan(void **state)
{
    (void)state;
    /* IEEE, as Go compares: only != holds against NaN. */
    assert_false(tg_threshold_cmp(TG_CMP_LT, NAN, 1));
    assert_false(tg_threshold_cmp(TG_CMP_LE, NAN, 1));
    assert_false(tg_threshold_cmp(TG_CMP_GT, NAN, 1));
    assert_false(tg_threshold_cmp(TG_CMP_GE, NAN, 1));
    assert_false(tg_threshold_cmp(TG_CMP_EQ, NAN, NAN));
    assert_true(tg_threshold_cmp(TG_CMP_NE, NAN, 1));
    assert_false(tg_threshold_cmp((enum tg_cmp)42, 1, 1));
}

static void test_tg_threshold_value_trend(void **state)
{
    (void)state;
    static const double sample[] = { 10, 12, 14, 16, 18, 20 };
    struct sorted s = { sample, TG_ARRAY_LEN(sample), 0, 0 };
    struct tg_agg_values v = trend(&s);
    struct tg_threshold_expr e = expr("avg<1");
    assert_true(tg_threshold_value(&e, &v) == 15);
    e = expr("min<1");
    assert_true(tg_threshold_value(&e, &v) == 10);
    e = expr("max<1");
    assert_true(tg_threshold_value(&e, &v) == 20);
    e = expr("med<1");
    assert_true(tg_threshold_value(&e, &v) == 14);
    assert_int_equal(s.calls, 0);
    e = expr("p(100)<1");
    assert_true(tg_threshold_value(&e, &v) == 20);
    e = expr("p(0)<1");
    assert_true(tg_threshold_value(&e, &v) == 10);
    e = expr("p(50)<1");
    assert_float_equal(tg_threshold_value(&e, &v), 15, 1e-9);
    e = expr("p(99.9)<1");
    assert_float_equal(tg_threshold_value(&e, &v), 19.99, 1e-9);
    assert_true(s.last_pct == 99.9);
    assert_int_equal(s.calls, 4);
}

static void test_tg_threshold_value_scalar_types(void **state)
{
    (void)state;
    struct tg_agg_values v;
    memset(&v, 0, sizeof(v));
    v.type = TG_KIND_COUNTER;
    v.count = 300;
    v.rate = 10;
    struct tg_threshold_expr e = expr("count>1");
    assert_true(tg_threshold_value(&e, &v) == 300);
    e = expr("rate>1");
    assert_true(tg_threshold_value(&e, &v) == 10);

    v.type = TG_KIND_RATE;
    v.rate = 0.25;
    assert_true(tg_threshold_value(&e, &v) == 0.25);

    v.type = TG_KIND_GAUGE;
    v.value = 7;
    e = expr("value==7");
    assert_true(tg_threshold_value(&e, &v) == 7);
}

static void test_tg_threshold_value_missing(void **state)
{
    (void)state;
    static const double sample[] = { 1, 2 };
    struct sorted s = { sample, 2, 0, 0 };
    struct tg_agg_values v = trend(&s);
    struct tg_threshold_expr e = expr("count>0");
    assert_true(isnan(tg_threshold_value(&e, &v))); /* count is not a trend aggregate */
    v.percentile = NULL;
    e = expr("p(95)<1");
    assert_true(isnan(tg_threshold_value(&e, &v)));
    v = trend(&s);
    v.empty = true;
    e = expr("avg<1");
    assert_true(isnan(tg_threshold_value(&e, &v)));
    e = expr("p(95)<1");
    assert_true(isnan(tg_threshold_value(&e, &v)));
    assert_int_equal(s.calls, 0);
}

static void test_tg_threshold_check_pass_fail(void **state)
{
    (void)state;
    static const double sample[] = { 100, 150, 200, 250, 300 };
    struct sorted s = { sample, TG_ARRAY_LEN(sample), 0, 0 };
    struct tg_agg_values v = trend(&s);
    double m = -1;
    struct tg_threshold_expr e = expr("p(95)<300");
    assert_true(tg_threshold_check(&e, &v, &m)); /* p(95) = 290 */
    assert_float_equal(m, 290, 1e-9);
    e = expr("p(95)<290");
    assert_false(tg_threshold_check(&e, &v, &m));
    e = expr("p(95)<=290");
    assert_true(tg_threshold_check(&e, &v, &m));
    e = expr("avg>=15");
    assert_true(tg_threshold_check(&e, &v, &m));
    assert_true(m == 15);
    e = expr("avg>15");
    assert_false(tg_threshold_check(&e, &v, NULL));
    e = expr("max!=20");
    assert_false(tg_threshold_check(&e, &v, NULL));
    e = expr("min != 11");
    assert_true(tg_threshold_check(&e, &v, NULL));
}

static void test_tg_threshold_check_eq_strict_eq(void **state)
{
    (void)state;
    struct tg_agg_values v;
    memset(&v, 0, sizeof(v));
    v.type = TG_KIND_GAUGE;
    v.value = 3;
    struct tg_threshold_expr loose = expr("value==3");
    struct tg_threshold_expr strict = expr("value===3");
    assert_true(tg_threshold_check(&loose, &v, NULL));
    assert_true(tg_threshold_check(&strict, &v, NULL));
    v.value = 3.0000001;
    assert_false(tg_threshold_check(&loose, &v, NULL));
    assert_false(tg_threshold_check(&strict, &v, NULL));
}

static void test_tg_threshold_check_rate_and_counter(void **state)
{
    (void)state;
    struct tg_agg_values v;
    memset(&v, 0, sizeof(v));
    v.type = TG_KIND_RATE;
    v.rate = 0.02;
    struct tg_threshold_expr e = expr("rate<0.01"); /* http_req_failed */
    double m = 0;
    assert_false(tg_threshold_check(&e, &v, &m));
    assert_true(m == 0.02);
    v.rate = 0.005;
    assert_true(tg_threshold_check(&e, &v, &m));

    memset(&v, 0, sizeof(v));
    v.type = TG_KIND_COUNTER;
    v.count = 1000;
    v.rate = 50;
    e = expr("count>=1000");
    assert_true(tg_threshold_check(&e, &v, NULL));
    e = expr("rate>100");
    assert_false(tg_threshold_check(&e, &v, NULL));
}

static void test_tg_threshold_check_empty_passes(void **state)
{
    (void)state;
    static const char *const exprs[] = { "p(95)<0", "avg<0",     "count>1e9",
                                         "rate>2",  "value==-1", "med!=0" };
    static const enum tg_metric_kind types[] = { TG_KIND_TREND, TG_KIND_TREND, TG_KIND_COUNTER,
                                                 TG_KIND_RATE,  TG_KIND_GAUGE, TG_KIND_TREND };
    struct sorted s = { NULL, 0, 0, 0 };
    for (size_t i = 0; i < TG_ARRAY_LEN(exprs); i++) {
        struct tg_agg_values v = trend(&s);
        v.type = types[i];
        v.empty = true;
        struct tg_threshold_expr e = expr(exprs[i]);
        double m = 0;
        assert_true(tg_threshold_check(&e, &v, &m));
        assert_true(isnan(m));
    }
    assert_int_equal(s.calls, 0);
}

static void test_tg_threshold_check_missing_passes(void **state)
{
    (void)state;
    struct sorted s = { NULL, 0, 0, 0 };
    struct tg_agg_values v = trend(&s);
    v.percentile = NULL;
    struct tg_threshold_expr e = expr("p(99)<0");
    double m = 0;
    assert_true(tg_threshold_check(&e, &v, &m));
    assert_true(isnan(m));
    /* Not a trend aggregate; config validation rejects it first, k6 skips it here. */
    e = expr("count<0");
    assert_true(tg_threshold_check(&e, &v, &m));
    assert_true(isnan(m));
}

static void test_tg_threshold_check_nan_data(void **state)
{
    (void)state;
    struct tg_agg_values v;
    memset(&v, 0, sizeof(v));
    v.type = TG_KIND_GAUGE;
    v.value = NAN;
    struct tg_threshold_expr e = expr("value<1");
    double m = 0;
    assert_false(tg_threshold_check(&e, &v, &m));
    assert_true(isnan(m));
    e = expr("value!=1");
    assert_true(tg_threshold_check(&e, &v, NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tg_threshold_cmp_operators),
        cmocka_unit_test(test_tg_threshold_cmp_nan),
        cmocka_unit_test(test_tg_threshold_value_trend),
        cmocka_unit_test(test_tg_threshold_value_scalar_types),
        cmocka_unit_test(test_tg_threshold_value_missing),
        cmocka_unit_test(test_tg_threshold_check_pass_fail),
        cmocka_unit_test(test_tg_threshold_check_eq_strict_eq),
        cmocka_unit_test(test_tg_threshold_check_rate_and_counter),
        cmocka_unit_test(test_tg_threshold_check_empty_passes),
        cmocka_unit_test(test_tg_threshold_check_missing_passes),
        cmocka_unit_test(test_tg_threshold_check_nan_data),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_budget — the regression budget grammar, and verdicts between two
 * synthetic runs: within, exceeded, too few samples, absent, the direction of
 * "worse", percentage points, and that sampling noise alone does not fail.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "check/budget.h"
#include "tg.h"

#include <math.h>
#include <string.h>

static void test_budget_parse_forms(void **state)
{
    (void)state;
    struct tg_budget b;
    struct tg_diag d = { "" };
    assert_int_equal(tg_budget_parse("http_req_duration{endpoint:feed}: p(99) +30%", &b, &d), 0);
    assert_string_equal(b.sel.name, "http_req_duration");
    assert_int_equal(b.sel.ntags, 1);
    assert_int_equal(b.stat.agg, TG_AGG_PCT);
    assert_true(b.stat.pct == 99);
    assert_true(b.limit == 30 && b.worse == 1 && b.unit == TG_BUDGET_PCT);
    assert_int_equal(tg_budget_parse("http_req_failed: rate +0.5pp", &b, &d), 0);
    assert_true(b.limit == 0.5 && b.unit == TG_BUDGET_PP && b.stat.agg == TG_AGG_RATE);
    assert_int_equal(tg_budget_parse("http_reqs: rate -10%", &b, &d), 0);
    assert_true(b.worse == -1 && b.limit == 10);
    assert_int_equal(tg_budget_parse("http_req_duration: p(95) +20ms", &b, &d), 0);
    assert_true(b.unit == TG_BUDGET_ABS && fabs(b.limit - 20) < 1e-9);
    assert_int_equal(tg_budget_parse("group_duration{group:::a}: med +1s", &b, &d), 0);
    assert_string_equal(b.sel.tags[0].value, "::a");
    assert_true(fabs(b.limit - 1000) < 1e-9);
}

static void test_budget_parse_errors(void **state)
{
    (void)state;
    struct tg_budget b;
    struct tg_diag d = { "" };
    assert_int_equal(tg_budget_parse("http_req_duration p99 +30%", &b, &d), TG_EINVAL);
    assert_non_null(strstr(d.msg, "expected METRIC{tags}: STAT CHANGE"));
    assert_int_equal(tg_budget_parse("http_req_duration: p99 +30%", &b, &d), TG_EINVAL);
    assert_non_null(strstr(d.msg, "unknown statistic \"p99\""));
    assert_int_equal(tg_budget_parse("http_req_duration: p(99) 30%", &b, &d), TG_EINVAL);
    assert_non_null(strstr(d.msg, "must start with +"));
    assert_int_equal(tg_budget_parse("http_req_duration: p(99) +30furlongs", &b, &d), TG_EINVAL);
    assert_non_null(strstr(d.msg, "unknown unit"));
    assert_int_equal(tg_budget_parse("http_req_duration: p(99) +abc", &b, &d), TG_EINVAL);
    assert_int_equal(tg_budget_parse("bad name!: p(99) +3%", &b, &d), TG_EINVAL);
}

/* n samples of a time trend, spread evenly over [lo_ms, hi_ms], plus a Rate with nonzero of n. */
static void fill(struct tg_results *r, size_t n, double lo_ms, double hi_ms, size_t failed)
{
    assert_int_equal(tg_results_init(r), 0);
    int ts = tg_registry_tagset(&r->reg, "");
    bool created;
    int dur = tg_registry_series(&r->reg, TG_M_HTTP_REQ_DURATION, (uint32_t)ts, &created);
    int fail = tg_registry_series(&r->reg, TG_M_HTTP_REQ_FAILED, (uint32_t)ts, &created);
    assert_true(dur >= 0 && fail >= 0);
    assert_int_equal(tg_bank_sync(&r->total, &r->reg), 0);
    for (size_t i = 0; i < n; i++) {
        double ms = lo_ms + (hi_ms - lo_ms) * (double)i / (double)(n > 1 ? n - 1 : 1);
        tg_sink_add_trend_ns(&r->total.sinks[dur], (int64_t)(ms * 1e6));
        tg_sink_add_rate(&r->total.sinks[fail], i < failed);
    }
    r->duration_ns = 10 * TG_NS_PER_S;
}

static enum tg_budget_verdict verdict(const char *spec, const struct tg_results *a,
                                      const struct tg_results *b, double *change)
{
    struct tg_budget bu;
    struct tg_diag d = { "" };
    assert_int_equal(tg_budget_parse(spec, &bu, &d), 0);
    struct tg_budget_outcome o;
    assert_int_equal(tg_budget_eval(&bu, a, b, &o, &d), 0);
    if (change) {
        *change = o.change;
    }
    return o.verdict;
}

static void test_budget_verdicts(void **state)
{
    (void)state;
    struct tg_results base, same, slow, few, errs;
    fill(&base, 5000, 10, 20, 0);
    fill(&same, 5000, 10, 20.2, 0);
    fill(&slow, 5000, 13, 30, 0); /* p99 ~29.8 vs ~19.9: +50 % */
    fill(&few, 100, 13, 30, 0);
    fill(&errs, 5000, 10, 20, 100); /* 2 % */
    double ch;
    assert_int_equal(verdict("http_req_duration: p(99) +30%", &base, &same, &ch), TG_BUDGET_WITHIN);
    assert_true(ch > 0 && ch < 2);
    assert_int_equal(verdict("http_req_duration: p(99) +30%", &base, &slow, &ch),
                     TG_BUDGET_EXCEEDED);
    assert_true(ch > 45 && ch < 55);
    assert_int_equal(verdict("http_req_duration: p(99) +60%", &base, &slow, NULL),
                     TG_BUDGET_WITHIN);
    assert_int_equal(verdict("http_req_duration: p(99) +5ms", &base, &slow, NULL),
                     TG_BUDGET_EXCEEDED);
    /* a decrease is no regression for "+", and is one for "-" */
    assert_int_equal(verdict("http_req_duration: p(99) +30%", &slow, &base, NULL),
                     TG_BUDGET_WITHIN);
    assert_int_equal(verdict("http_req_duration: p(99) -30%", &slow, &base, NULL),
                     TG_BUDGET_EXCEEDED);
    /* 100 samples: a p(99) has one sample beyond it */
    assert_int_equal(verdict("http_req_duration: p(99) +30%", &base, &few, NULL),
                     TG_BUDGET_TOO_FEW);
    assert_int_equal(verdict("http_req_duration: p(90) +30%", &base, &few, NULL),
                     TG_BUDGET_EXCEEDED);
    assert_int_equal(verdict("http_req_failed: rate +0.5pp", &base, &errs, &ch),
                     TG_BUDGET_EXCEEDED);
    assert_true(fabs(ch - 2) < 1e-9);
    assert_int_equal(verdict("http_req_failed: rate +3pp", &base, &errs, NULL), TG_BUDGET_WITHIN);
    assert_int_equal(verdict("http_req_duration{name:x}: p(99) +30%", &base, &slow, NULL),
                     TG_BUDGET_ABSENT);
    struct tg_budget bu;
    struct tg_diag d = { "" };
    struct tg_budget_outcome o;
    assert_int_equal(tg_budget_parse("http_req_failed: p(99) +1%", &bu, &d), 0);
    assert_int_equal(tg_budget_eval(&bu, &base, &slow, &o, &d), TG_EINVAL);
    assert_non_null(strstr(d.msg, "http_req_failed is a rate"));
    assert_int_equal(tg_budget_parse("no_such_metric: rate +1%", &bu, &d), 0);
    assert_int_equal(tg_budget_eval(&bu, &base, &slow, &o, &d), TG_ENOENT);
    struct tg_results *all[] = { &base, &same, &slow, &few, &errs };
    for (size_t i = 0; i < 5; i++) {
        tg_results_fini(all[i]);
    }
}

/*
 * Sampling noise: a p(99) from 600 samples rests on its top 6. Eight outliers
 * at 30 ms move the point estimate +50 %, but the interval's low end stays in
 * the body of the distribution: no verdict of regression on that alone.
 */
static void test_budget_noise_does_not_fail(void **state)
{
    (void)state;
    struct tg_results a, b;
    fill(&a, 600, 10, 20, 0);
    fill(&b, 592, 10, 20, 0);
    bool created;
    int ts = tg_registry_tagset(&b.reg, "");
    int dur = tg_registry_series(&b.reg, TG_M_HTTP_REQ_DURATION, (uint32_t)ts, &created);
    for (int i = 0; i < 8; i++) {
        tg_sink_add_trend_ns(&b.total.sinks[dur], 30 * TG_NS_PER_MS);
    }
    double ch;
    enum tg_budget_verdict v = verdict("http_req_duration: p(99) +20%", &a, &b, &ch);
    assert_true(ch > 40);
    assert_int_equal(v, TG_BUDGET_WITHIN);
    tg_results_fini(&a);
    tg_results_fini(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_budget_parse_forms),
        cmocka_unit_test(test_budget_parse_errors),
        cmocka_unit_test(test_budget_verdicts),
        cmocka_unit_test(test_budget_noise_does_not_fail),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * budget — regression budgets between a baseline run and a current one (what
 * `tailgate compare` gates on): "how much worse may this statistic of this
 * (sub)metric get".
 *
 *   budget -> selector ":" ws* stat ws+ change
 *   stat   -> avg | min | max | med | p(N) | rate | count | value
 *   change -> ("+" | "-") number ("%" | "pp" | duration-unit | "")
 *
 * "+" means higher is worse (latency, error rates), "-" lower is worse
 * (throughput). "%" is relative to the baseline; "pp" is percentage points of
 * a Rate; "ms", "s", "us"... an absolute change of a time trend; a bare number
 * an absolute change in the statistic's own unit. Examples:
 * "http_req_duration{endpoint:feed}: p(99) +30%", "http_req_failed: rate
 * +0.5pp", "http_reqs: rate -10%".
 *
 * Noise: a percentile needs enough samples to mean something; with fewer
 * than 20, or fewer than 5 beyond the percentile (a p(99) from under 500
 * samples), the outcome says so instead of giving a verdict. Percentiles and
 * rates come with a 95 % interval (order-statistic ranks; the binomial normal
 * approximation) so a reader sees how firm each figure is, and a budget is
 * exceeded only when it is exceeded between the interval ends least
 * favourable to a regression (the current run's low end against the
 * baseline's high end, for "+"): sampling noise alone does not fail a gate.
 */
#ifndef TG_CHECK_BUDGET_H
#define TG_CHECK_BUDGET_H

#include "check/threshold_parse.h"
#include "metrics/results.h"

#include <stdint.h>

enum tg_budget_unit {
    TG_BUDGET_PCT, /* relative to the baseline, in % */
    TG_BUDGET_PP,  /* percentage points (Rate metrics) */
    TG_BUDGET_ABS, /* the statistic's unit: ms for time trends */
};

struct tg_budget {
    struct tg_selector sel;
    struct tg_threshold_expr stat; /* agg and pct; source is the stat as written */
    double limit;                  /* > 0, in unit */
    int worse;                     /* +1: an increase is a regression; -1: a decrease */
    enum tg_budget_unit unit;
    char raw[600];
};

enum tg_budget_verdict {
    TG_BUDGET_WITHIN,   /* the change is within the budget */
    TG_BUDGET_EXCEEDED, /* a regression beyond the budget */
    TG_BUDGET_TOO_FEW,  /* too few samples on one side for a verdict */
    TG_BUDGET_ABSENT,   /* the (sub)metric has no samples on one side */
};

struct tg_budget_outcome {
    double base, cur;        /* the statistic (ms for time trends; a Rate as 0..1) */
    double base_lo, base_hi; /* 95 % interval; NAN when not computed */
    double cur_lo, cur_hi;
    uint64_t base_n, cur_n; /* samples */
    double change;          /* cur vs base in the budget's unit */
    enum tg_budget_verdict verdict;
};

/* Parses s into *b. 0, or TG_EINVAL with d saying what is wrong. */
int tg_budget_parse(const char *s, struct tg_budget *b, struct tg_diag *d);
/*
 * Fills b->raw-like text for a budget built in code ("SEL: STAT +30%"), then
 * parses it: a convenience for defaults. 0 or TG_EINVAL.
 */
int tg_budget_make(struct tg_budget *b, const char *sel, const char *stat, const char *change,
                   struct tg_diag *d);
/*
 * Evaluates b between base and cur. 0, TG_ENOENT (the metric exists in
 * neither), TG_EINVAL (the stat does not apply to the metric's type: d says)
 * or TG_ENOMEM.
 */
int tg_budget_eval(const struct tg_budget *b, const struct tg_results *base,
                   const struct tg_results *cur, struct tg_budget_outcome *out, struct tg_diag *d);

#endif

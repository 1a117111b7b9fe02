/*
 * threshold_eval — decides whether a parsed threshold holds for the current
 * aggregates of one (sub)metric, with k6's semantics (K6-COMPAT.md 2.1): an
 * aggregate that does not exist yet (no samples, a Rate with no samples, no
 * percentile provider) makes the threshold pass.
 *
 * Used by the coordinator every 2 s (abortOnFail) and by report/ at the end
 * of the test. Unit-agnostic: trend values are compared in whatever unit the
 * caller filled them in (milliseconds for time metrics, as k6 exposes them).
 * Pure functions: any thread may call them; no allocation. Cost: one switch,
 * plus one percentile call for p(N).
 */
#ifndef TG_CHECK_THRESHOLD_EVAL_H
#define TG_CHECK_THRESHOLD_EVAL_H

#include "check/threshold_parse.h"

#include <stdbool.h>

/* Aggregated values of one (sub)metric, filled by the metrics code. */
struct tg_agg_values {
    enum tg_metric_kind type;
    bool empty; /* no samples: k6 then passes the threshold */
    /* whichever apply to the type (see tg_threshold_agg_allowed); others ignored */
    double count; /* counter: sum of values */
    double rate;  /* counter: count per second of test run; rate: non-zero / total */
    double value; /* gauge: last value */
    double avg;   /* trend */
    double min;   /* trend */
    double max;   /* trend */
    double med;   /* trend */
    /*
     * Trend percentile provider: returns the value at pct (0..100, as written
     * in p(N)), interpolated like k6's TrendSink.P(pct / 100). May be NULL
     * (then p(N) counts as missing). Called with ctx, which stays borrowed.
     */
    double (*percentile)(const void *ctx, double pct);
    const void *ctx;
};

/*
 * The value e aggregates from v: v->count for count, p(N) through
 * v->percentile, and so on. NAN when the value does not exist: v->empty, an
 * aggregation the type does not have, or p(N) without a provider. Both
 * pointers borrowed.
 */
double tg_threshold_value(const struct tg_threshold_expr *e, const struct tg_agg_values *v);

/*
 * true when the threshold holds (passes). A value that does not exist (see
 * tg_threshold_value) passes, as k6 skips a missing sink key; a NaN that the
 * data itself produced is compared as IEEE does (only != holds), as in k6.
 * When measured is not NULL it receives the compared value (NAN if missing).
 * e and v borrowed.
 */
bool tg_threshold_check(const struct tg_threshold_expr *e, const struct tg_agg_values *v,
                        double *measured);

/* lhs c rhs, e.g. TG_CMP_LT → lhs < rhs. IEEE semantics; false for an unknown c. */
bool tg_threshold_cmp(enum tg_cmp c, double lhs, double rhs);

#endif

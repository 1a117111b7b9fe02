/*
 * baseline — thresholds that refer to a baseline run (`--baseline FILE`):
 * "p(99) < baseline * 1.3" compares the run's p(99) with 1.3 times the
 * p(99) the same (sub)metric had in the baseline's result file. The
 * baseline's values are read once, before the run, so every evaluation (at
 * the end, abortOnFail while running, windows) compares with a number.
 */
#ifndef TG_CHECK_BASELINE_H
#define TG_CHECK_BASELINE_H

#include "exec/plan.h"
#include "metrics/results.h"

/* Whether any of the n thresholds refers to a baseline. */
bool tg_baseline_needed(const struct tg_plan_threshold *t, size_t n);
/*
 * Sets the limit (rhs) of every baseline threshold from base. 0, or
 * TG_EINVAL with d naming the threshold when base has no such (sub)metric
 * or no samples for it.
 */
int tg_baseline_resolve(struct tg_plan_threshold *t, size_t n, const struct tg_results *base,
                        struct tg_diag *d);

#endif

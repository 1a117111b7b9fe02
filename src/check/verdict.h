/*
 * verdict — evaluates a run's thresholds over the merged results: for each,
 * the (sub)metric's samples are aggregated (tags matched as k6 does: the
 * sample's tags contain every selector pair), the expression's value is
 * measured and compared.
 */
#ifndef TG_CHECK_VERDICT_H
#define TG_CHECK_VERDICT_H

#include "exec/plan.h"
#include "metrics/results.h"

#include <stdbool.h>

struct tg_verdict {
    const struct tg_plan_threshold *t;
    bool ok;
    double measured;                    /* NaN when the metric had no samples */
    const struct tg_window_log *window; /* a windowed threshold's history; NULL otherwise */
};

/*
 * Evaluates n thresholds into out[0..n). A threshold over a sliding window
 * takes its verdict from its log in res->windows (filled while the run went
 * on): ok when no window failed, measured = the worst window's value.
 * Returns the number that failed.
 */
size_t tg_verdict_eval(const struct tg_results *res, const struct tg_plan_threshold *t, size_t n,
                       struct tg_verdict *out);

#endif

/*
 * values — turns a sink into the numbers users see: k6's aggregation values
 * (trend times in milliseconds, counter rates per second of the run) and the
 * value of one summary statistic such as "p(99)" or "med". Shared by the
 * summary, the exports and the threshold verdicts so they always agree.
 */
#ifndef TG_REPORT_VALUES_H
#define TG_REPORT_VALUES_H

#include "check/threshold_eval.h"
#include "metrics/metric.h"
#include "metrics/sink.h"
#include "tg.h"

#include <stdbool.h>

/* Fills v from s (borrowed by v->ctx). duration_ns is the run's length. */
void tg_values_of(const struct tg_sink *s, enum tg_metric_contains contains, tg_ns duration_ns,
                  struct tg_agg_values *v);
/*
 * Value of a trend statistic: "avg", "min", "med", "max", "count" or "p(N)".
 * Returns false when the name is not a statistic.
 */
bool tg_values_trend_stat(const struct tg_agg_values *v, const char *stat, double *out);
/* Whether stat is a valid summaryTrendStats entry. */
bool tg_values_stat_valid(const char *stat);

#endif

/*
 * k6_data — a run's metrics in k6's two JSON summary layouts: the legacy
 * --summary-export one (K6-COMPAT.md 2.4: flat metric objects, a rate's
 * `rate` renamed `value`, threshold booleans true = FAILED) and the
 * handleSummary(data) argument (2.5: {type, contains, values, thresholds:
 * {source: {ok}}}, with root_group, options, state and setup_data).
 *
 * Both list every metric with samples, the http_req_duration
 * {expected_response:true} submetric, and each submetric a threshold names
 * (keyed by the selector as written). Trends carry exactly the configured
 * summaryTrendStats, in milliseconds for time trends.
 */
#ifndef TG_REPORT_K6_DATA_H
#define TG_REPORT_K6_DATA_H

#include "report/summary.h"

#include <jansson.h>
#include <stdbool.h>

/* The "metrics" object; legacy: --summary-export's layout. NULL when out of memory. */
json_t *tg_k6_data_metrics(const struct tg_summary_info *info, bool legacy);
/* handleSummary's whole argument. NULL when out of memory. */
json_t *tg_k6_data_json(const struct tg_summary_info *info);

#endif

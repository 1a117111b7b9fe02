/*
 * summary — the end-of-test text summary in k6's style: thresholds first
 * (✓/✗ with the measured value), then every metric with a sample, sorted by
 * name, trends with the configured statistics, counters with count and
 * rate, rates as a percentage with the true/false counts, gauges with
 * value/min/max; the automatic {expected_response:true} submetric of
 * http_req_duration; and breakdowns of HTTP status codes and error reasons.
 */
#ifndef TG_REPORT_SUMMARY_H
#define TG_REPORT_SUMMARY_H

#include "check/verdict.h"
#include "exec/plan.h"
#include "metrics/results.h"

#include <stdio.h>

struct tg_summary_info {
    const struct tg_plan *plan;
    const struct tg_results *res;
    const struct tg_verdict *verdicts;
    size_t n_verdicts;
    bool interrupted;
    uint64_t connections;
    const char *stop_reason; /* why the run ended early (an abort, a signal); NULL: it did not */
};

/* Writes the summary to f. */
void tg_summary_print(FILE *f, const struct tg_summary_info *info);

#endif

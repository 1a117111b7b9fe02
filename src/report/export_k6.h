/*
 * export_k6 — writes --summary-export: k6's legacy summary JSON, quirks
 * included (K6-COMPAT.md 2.4), so tools that read k6 summaries read ours:
 * flat metric objects; rates as value/passes/fails; counters count/rate;
 * gauges value/min/max; trends exactly the configured summaryTrendStats (in
 * ms for time trends); "thresholds": {source: true} meaning FAILED; submetrics
 * named by thresholds (and http_req_duration{expected_response:true}) as
 * their own entries; root_group with the groups and checks the script ran
 * (report/k6_groups).
 */
#ifndef TG_REPORT_EXPORT_K6_H
#define TG_REPORT_EXPORT_K6_H

#include "report/summary.h"

/* Writes the export to path. 0, or TG_EIO with d set. */
int tg_export_k6_write(const char *path, const struct tg_summary_info *info, struct tg_diag *d);

#endif

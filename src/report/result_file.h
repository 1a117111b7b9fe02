/*
 * result_file — tailgate's own versioned result JSON (--result FILE): the
 * run's metadata, every series (metric + tags) with its full sink (trends
 * as complete histograms), and the threshold verdicts. It is mergeable by
 * construction and is the input of compare/merge/report commands.
 *
 *   { "format": "tailgate-result", "version": 1, "tool": "tailgate 0.1",
 *     "start": "<RFC 3339>", "duration_ns": N,
 *     "run": { "url", "method", "connections", "threads", "duration_ns", "rate_per_s", ... },
 *     "metrics": [ { "name", "type", "contains" } ],
 *     "series": [ { "metric": "name", "tags": {..}, "count": N, and one of
 *                   "sum" (counter) | "nonzero" (rate) | "last","min","max" (gauge) |
 *                   "hist": <hist_codec object> (trend) } ],
 *     "thresholds": [ { "metric": "sel", "expr": "p(99)<200", "ok": bool, "value": x|null,
 *                       and for a threshold over a sliding window ("p(99)<200 over 30s"):
 *                       "window": { "length_s": 30, "first_end_s": 30,
 *                                   "values": [ x|null, ... ],      one per window
 *                                   "windows": N, "failed": N, "truncated": bool,
 *                                   "aborted": bool,
 *                                   "worst": { "value", "from_s", "to_s" } | null,
 *                                   "first_failure": { "value", "from_s", "to_s" } | null } } ] }
 *
 *   Window i of "values" covers [max(0, e - length_s), e) seconds of the run
 *   with e = min(first_end_s + i, duration); "value" is the worst window's.
 */
#ifndef TG_REPORT_RESULT_FILE_H
#define TG_REPORT_RESULT_FILE_H

#include "report/summary.h"

/* Writes the result file. 0, or TG_EIO/TG_ENOMEM with d set. */
int tg_result_file_write(const char *path, const struct tg_summary_info *info, struct tg_diag *d);

#endif

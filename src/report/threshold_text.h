/*
 * threshold_text — how a threshold's measured value and a windowed
 * threshold's history read in text: the summary, the JUnit failure messages
 * and the message of a run aborted because the target degraded all say it
 * the same way.
 *
 * Values follow k6's summary: a Rate metric's rate as a percentage, a time
 * statistic as a duration ("812.3ms"), anything else as %g. Spans of the run
 * are offsets from its start in seconds ("12s-22s"). Pure formatting into
 * caller buffers (truncated to fit); any thread.
 */
#ifndef TG_REPORT_THRESHOLD_TEXT_H
#define TG_REPORT_THRESHOLD_TEXT_H

#include "exec/plan.h"
#include "metrics/results.h"
#include "metrics/window.h"

#include <stddef.h>

/*
 * The value v of threshold t as text ("no samples" for NaN). The metric's
 * type and unit come from res's registry (a metric res does not know is
 * formatted with %g). All pointers borrowed.
 */
void tg_threshold_text_value(const struct tg_results *res, const struct tg_plan_threshold *t,
                             double v, char *buf, size_t n);

/* "FROMs-TOs", offsets in seconds with at most one decimal, e.g. "12s-22s", "0s-4.3s". */
void tg_threshold_text_span(tg_ns from_ns, tg_ns to_ns, char *buf, size_t n);

/*
 * A windowed threshold's history in one line, e.g. "worst window 812.3ms at
 * 41s-71s; 12 of 51 windows failed, the first at 35s-65s (603ms)", "worst
 * window 9.5% at 0s-10s, the first to fail; 3 of 8 windows failed", or
 * "worst window 230ms at 10s-40s; 51 windows passed"; "no samples in 51
 * windows" when no window had a value. All pointers borrowed.
 */
void tg_threshold_text_window(const struct tg_results *res, const struct tg_plan_threshold *t,
                              const struct tg_window_log *log, char *buf, size_t n);

#endif

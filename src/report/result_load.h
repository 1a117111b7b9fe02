/*
 * result_load — reads a --result file (report/result_file) back into a
 * struct tg_results: the same metrics, series and whole-run sinks (trends as
 * their full histograms), so every statistic can be recomputed exactly as the
 * run that wrote it computed it. What compare (and later merge) read.
 */
#ifndef TG_REPORT_RESULT_LOAD_H
#define TG_REPORT_RESULT_LOAD_H

#include "core/diag.h"
#include "metrics/results.h"

/*
 * Fills res (initialised by the caller with tg_results_init) from the file at
 * path. 0; TG_EIO (unreadable), TG_EPROTO (not a tailgate result file, or a
 * malformed member: d names the file and the member) or TG_ENOMEM.
 */
int tg_result_load(const char *path, struct tg_results *res, struct tg_diag *d);

#endif

/*
 * handle_summary — a script's handleSummary(data) (k6's): called once after
 * the run with the summary data (report/k6_data), in a runtime of its own
 * (exec/once); it returns a table of outputs, { stdout = text, stderr =
 * text, ["path/file.json"] = text }, which are written. When a script
 * defines it, the text summary goes to stdout only if it returns it there.
 */
#ifndef TG_CLI_HANDLE_SUMMARY_H
#define TG_CLI_HANDLE_SUMMARY_H

#include "report/summary.h"

/*
 * Runs handleSummary and writes what it returns. 0, or < 0 with d set: the
 * function failed, timed out or returned something else than a table of
 * strings (TG_EPROTO), or a file could not be written (TG_EIO).
 */
int tg_handle_summary_run(const struct tg_summary_info *info, struct tg_diag *d);

#endif

/*
 * coord — the coordinator: runs on the main thread, starts the workers,
 * merges their metric banks as they arrive, prints the live progress line,
 * handles Ctrl-C (first: graceful stop; second: exit at once), aborts the
 * run when a script calls tailgate.abort or an abortOnFail threshold fails
 * (evaluated every 2 s, as k6 does) or a window of an abortOnFail threshold
 * over a sliding window fails (check/window_eval, every second), and returns
 * when every worker has stopped. Thresholds, summaries and exports read the
 * merged results afterwards.
 */
#ifndef TG_EXEC_COORD_H
#define TG_EXEC_COORD_H

#include "exec/plan.h"
#include "exec/worker.h"
#include "metrics/results.h"

#include <stdbool.h>

enum tg_stop {
    TG_STOP_NONE,      /* ran to its end */
    TG_STOP_SIGNAL,    /* SIGINT / SIGTERM: graceful stop */
    TG_STOP_ABORT,     /* the script called tailgate.abort */
    TG_STOP_THRESHOLD, /* a threshold with abortOnFail failed */
    TG_STOP_KILL,      /* --kill-switch or --kill-file: graceful stop */
    TG_STOP_WINDOW,    /* a windowed threshold with abortOnFail (--abort-on) failed */
};

struct tg_coord_outcome {
    bool interrupted;     /* stopped by SIGINT/SIGTERM */
    enum tg_stop stop;    /* why the run ended before its plan did */
    char reason[320];     /* the stop's reason, for the summary ("" when none) */
    uint64_t connections; /* allocated connections (the "vus" of a command-line run) */
};

/*
 * Runs plan to completion, filling res (initialised by the caller). 0, or
 * a negative error with d set (set-up failed; nothing ran).
 */
int tg_coord_run(const struct tg_plan *plan, struct tg_results *res, struct tg_coord_outcome *out,
                 struct tg_diag *d);

#endif

/*
 * once — a script's setup() and teardown(data): one function run once,
 * outside the load, on the calling thread, in a script runtime of its own
 * (its own init context, as k6 gives setup its own VU) with one VU.
 *
 * It may make requests; they are measured like the load's, tagged with
 * group "::setup" / "::teardown" (k6's) and scenario "setup" / "teardown",
 * and merged into the run's results. setup's return value travels to the
 * workers as JSON text (k6: it must be JSON-serialisable), so each worker
 * decodes it into its own state.
 *
 * Bounded by a timeout (options.setupTimeout / teardownTimeout); SIGINT or
 * SIGTERM end it early.
 */
#ifndef TG_EXEC_ONCE_H
#define TG_EXEC_ONCE_H

#include "core/diag.h"
#include "exec/plan.h"
#include "metrics/results.h"

enum tg_once_end {
    TG_ONCE_DONE,        /* returned (or the script defines no such function) */
    TG_ONCE_FAILED,      /* raised an error, or returned something JSON cannot hold: d says */
    TG_ONCE_TIMEOUT,     /* did not return within the timeout */
    TG_ONCE_ABORTED,     /* called tailgate.abort: d has the reason */
    TG_ONCE_INTERRUPTED, /* SIGINT / SIGTERM */
};

/*
 * Runs the script's global function fn ("setup" or "teardown") with the JSON
 * argument arg (NULL: none). *end says how it ended; *json (owned by the
 * caller, NULL when fn returned nothing) receives its return value as JSON.
 * Returns 0, or < 0 when it could not run at all (out of memory; a broken
 * init context: d set).
 */
int tg_once_run(const struct tg_plan *p, const char *fn, const char *arg, tg_ns timeout,
                struct tg_results *res, enum tg_once_end *end, char **json, struct tg_diag *d);

#endif

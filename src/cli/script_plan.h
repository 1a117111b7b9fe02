/*
 * script_plan — prepares a script run on the main thread before any worker
 * exists: runs the script's init context once in a planning state (so syntax
 * errors and init errors stop the run with file:line, exit 107), applies
 * the execution flags that override the script (-u/--vus, -d, -i, as k6's
 * CLI does), reads and validates its options (exit 104 naming the option
 * path), and merges the script's thresholds with --threshold flags, checking
 * each metric exists (built-in or defined by the init context) and accepts
 * the aggregation.
 */
#ifndef TG_CLI_SCRIPT_PLAN_H
#define TG_CLI_SCRIPT_PLAN_H

#include "core/diag.h"
#include "exec/plan.h"

struct tg_script_overrides {
    uint32_t vus;        /* 0: not given */
    tg_ns duration_ns;   /* 0: not given */
    uint64_t iterations; /* 0: not given */
};

/*
 * Fills p->options and p->thresholds (after the flag thresholds already
 * there). 0, TG_EPROTO for a script error (exit 107), TG_ECANCELED when
 * the init context called tailgate.abort (exit 108), TG_EINVAL for an
 * invalid option or threshold (exit 104), TG_ENOMEM.
 */
int tg_script_plan(struct tg_plan *p, const struct tg_script_overrides *ov, struct tg_diag *d);

#endif

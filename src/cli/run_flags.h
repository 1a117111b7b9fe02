/*
 * run_flags — parses `tailgate run` flags into a plan, validating each one
 * and naming the flag in every error (exit 104). Also resolves the target
 * (before any event loop exists) and serialises the request.
 */
#ifndef TG_CLI_RUN_FLAGS_H
#define TG_CLI_RUN_FLAGS_H

#include "core/diag.h"
#include "exec/plan.h"

/*
 * Fills p from argv (argv[0] is "run"). Returns 0, 1 when --help was
 * printed, or TG_EINVAL / TG_ENOMEM with d set.
 */
int tg_run_flags_parse(int argc, char **argv, struct tg_plan *p, struct tg_diag *d);

#endif

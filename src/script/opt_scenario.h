/*
 * opt_scenario — one entry of options.scenarios: its executor, the keys that
 * executor accepts (k6's names and defaults, listed in options.h), and the
 * checks between them. Part of reading a script's options.
 */
#ifndef TG_SCRIPT_OPT_SCENARIO_H
#define TG_SCRIPT_OPT_SCENARIO_H

#include "script/options.h"
#include "script/optval.h"

/* k6 executor names, indexed by enum tg_executor. */
extern const char *const tg_opt_executor_names[];

/* Reads the scenario table on top of the stack into s (zeroed by the caller). */
int tg_opt_scenario_read(struct tg_optval *r, const char *name, const char *path,
                         struct tg_scenario *s);
/* Frees what s owns. */
void tg_opt_scenario_fini(struct tg_scenario *s);

#endif

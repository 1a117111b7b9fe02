/*
 * rail_flags — the flags of the production safety rails that tailgate run
 * takes in both modes (URL and script): --kill-switch URL,
 * --kill-switch-interval DURATION, --kill-switch-failures N, --kill-file PATH.
 * run_flags owns the option table and hands these options here.
 */
#ifndef TG_CLI_RAIL_FLAGS_H
#define TG_CLI_RAIL_FLAGS_H

#include "core/diag.h"
#include "exec/plan.h"

#include <getopt.h>

enum {
    TG_OPT_KILL_SWITCH = 2000,
    TG_OPT_KILL_INTERVAL,
    TG_OPT_KILL_FAILURES,
    TG_OPT_KILL_FILE,
    TG_OPT_SECRET_ENV,
    TG_OPT_MAX_RPS,
    TG_OPT_ALLOW_HOST,
    TG_OPT_ALLOW_STRICT,
    TG_OPT_SYNTHETIC,
};

// clang-format off
#define TG_RAIL_LONG_OPTS                                                        \
    { "kill-switch", required_argument, NULL, TG_OPT_KILL_SWITCH },              \
    { "kill-switch-interval", required_argument, NULL, TG_OPT_KILL_INTERVAL },   \
    { "kill-switch-failures", required_argument, NULL, TG_OPT_KILL_FAILURES },   \
    { "kill-file", required_argument, NULL, TG_OPT_KILL_FILE },                  \
    { "secret-env", required_argument, NULL, TG_OPT_SECRET_ENV },                \
    { "max-rps", required_argument, NULL, TG_OPT_MAX_RPS },                      \
    { "allow-host", required_argument, NULL, TG_OPT_ALLOW_HOST },                \
    { "allow-host-strict", no_argument, NULL, TG_OPT_ALLOW_STRICT },             \
    { "synthetic-header", required_argument, NULL, TG_OPT_SYNTHETIC }
// clang-format on

#define TG_RAIL_USAGE                                                                              \
    "safety rails:\n"                                                                              \
    "      --synthetic-header 'NAME: VALUE'  add this header to every request (scripts too:\n"     \
    "                          setup, teardown, redirects, batches)\n"                             \
    "      --max-rps N         never more than N requests per second, all threads together\n"      \
    "      --allow-host H[:P]  send only to these hosts (repeatable, *.domain wildcards);\n"       \
    "                          others are never sent: error_code 1710 host_not_allowed\n"          \
    "      --allow-host-strict a request to another host aborts the run instead (exit 108)\n"      \
    "      --kill-switch URL   poll URL; stop gracefully when it answers non-2xx (exit 105)\n"     \
    "      --kill-switch-interval D  how often to poll (default 5s)\n"                             \
    "      --kill-switch-failures N  stop after N polls in a row that get no answer (default 3)\n" \
    "      --kill-file PATH    stop gracefully when PATH exists (checked every second)\n"          \
    "      --secret-env NAME   never write this variable's value anywhere (repeatable;\n"          \
    "                          -H Authorization/Cookie values are secret already)\n"

/*
 * After all flags: registers the --secret-env values (core/secrets). 0, or
 * TG_EINVAL when a variable is not set.
 */
int tg_rail_flags_finish(struct tg_plan *p, struct tg_diag *d);
/* Sets the defaults. */
void tg_rail_flags_init(struct tg_plan *p);
/* 1 when opt is not a rail flag; 0; TG_EINVAL with d naming the flag. */
int tg_rail_flags_apply(int opt, const char *arg, struct tg_plan *p, struct tg_diag *d);

#endif

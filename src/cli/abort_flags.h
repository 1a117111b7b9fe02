/*
 * abort_flags — the flags of the "abort when the target degrades" rail,
 * taken by tailgate run in both modes (URL and script):
 *
 *   --abort-on 'METRIC{tags}: COND over D'   (repeatable) the condition that
 *       aborts, over a sliding window: kept as its negation, a windowed
 *       threshold with abortOnFail; the run aborts, exit 108, as soon as one
 *       window fails (check/window_eval);
 *   --baseline FILE   a result file that thresholds may compare with
 *       ("p(99) < baseline * 1.3", check/baseline);
 *   --abort-on-grace D   no abort from a window ending before D into the run
 *       (k6's delayAbortEval), for every --abort-on; default 0.
 *
 * The threshold joins the plan's thresholds, so it is also reported (and
 * fails the run, exit 99, if a window failed during the grace period).
 * run_flags owns the option table and hands these options here.
 */
#ifndef TG_CLI_ABORT_FLAGS_H
#define TG_CLI_ABORT_FLAGS_H

#include "core/diag.h"
#include "exec/plan.h"

#include <getopt.h>

enum {
    TG_OPT_ABORT_ON = 2100,
    TG_OPT_ABORT_GRACE,
    TG_OPT_BASELINE,
};

// clang-format off
#define TG_ABORT_LONG_OPTS                                            \
    { "abort-on", required_argument, NULL, TG_OPT_ABORT_ON },         \
    { "abort-on-grace", required_argument, NULL, TG_OPT_ABORT_GRACE }, \
    { "baseline", required_argument, NULL, TG_OPT_BASELINE }
// clang-format on

#define TG_ABORT_USAGE                                                                          \
    "      --abort-on 'METRIC: COND over D'  abort the run (exit 108) when COND holds over a\n" \
    "                          window of D, e.g. 'http_req_failed: rate>0.05 over 10s'\n"       \
    "                          (repeatable)\n"                                                  \
    "      --abort-on-grace D  no such abort before D into the run (default 0)\n"               \
    "      --baseline FILE     a --result file that thresholds may refer to:\n"                 \
    "                          'http_req_duration: p(99) < baseline * 1.3'\n"

/* 1 when opt is not one of these flags; 0; TG_EINVAL with d naming the flag. */
int tg_abort_flags_apply(int opt, const char *arg, struct tg_plan *p, struct tg_diag *d);

/*
 * The built-in metric a command-line threshold names, checked: it exists,
 * the method suits its type, and a window is allowed on it. flag names the
 * flag in messages ("--threshold"). 0 or TG_EINVAL with d set.
 */
int tg_abort_flags_check_builtin(const char *flag, const char *text,
                                 const struct tg_plan_threshold *t, struct tg_diag *d);

#endif

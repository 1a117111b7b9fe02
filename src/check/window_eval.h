/*
 * window_eval — thresholds over a sliding window ("p(99)<500 over 30s"),
 * evaluated while the test runs: such a threshold holds when it holds in
 * every window of its length, the windows sliding by one second from the
 * start of the run (the first ends `len` seconds in; the last ends with the
 * run; a run shorter than the window has one window, the whole run). A
 * window without samples passes, as k6 passes a threshold without values.
 * One with abortOnFail (script options, or --abort-on) aborts the run when a
 * window ending at or after its delayAbortEval (--abort-on-grace) fails.
 *
 * Used by the coordinator (exec/coord), which hands over every bank right
 * after merging it into the whole-run results and calls _advance on its
 * tick. Samples belong to the second (of the run) that holds the middle of
 * their bank's interval (banks cover 0.2 s, so a sample lands at most 0.1 s
 * from its own second). A second is sealed, and the window ending with it
 * evaluated, once every running worker has published a bank reaching its
 * end, or TG_WINDOW_EVAL_LAG after its end whatever the workers do; a bank
 * arriving later counts in the oldest second still open.
 *
 * Results: one struct tg_window_log per windowed threshold, in the order of
 * the plan, in res->windows (owned by res, so the verdicts and reports read
 * them after the run). Memory: one metrics/window per windowed threshold, so
 * bounded by the window lengths (window.h), plus 8 bytes per evaluated window
 * for the log (a week of windows at most).
 *
 * Coordinator thread only.
 */
#ifndef TG_CHECK_WINDOW_EVAL_H
#define TG_CHECK_WINDOW_EVAL_H

#include "core/diag.h"
#include "exec/plan.h"
#include "metrics/results.h"
#include "metrics/window.h"

#include <stdbool.h>
#include <stdint.h>

#define TG_WINDOW_EVAL_LAG \
    TG_NS_PER_S /* a second is sealed this long after its end at the latest */

struct tg_window_item; /* one windowed threshold (window_eval.c) */

struct tg_window_eval {
    struct tg_window_item *items; /* [n]; owned */
    size_t n;
    struct tg_results *res; /* borrowed: windows are fed from and logged into it */
    tg_ns t0;               /* the run's start, monotonic */
    uint32_t n_workers;
    tg_ns *worker_to; /* [n_workers] end of each worker's latest bank, from t0; owned */
    bool *worker_done;
    uint64_t sealed;  /* seconds of the run sealed so far */
    bool abort;       /* an abortOnFail window failed */
    bool abort_told;  /* _advance has returned 1 for it */
    char reason[320]; /* why, for the summary: "the target degraded: ..." */
    int error;        /* TG_ENOMEM once something could not be stored */
};

/*
 * Prepares e for plan's windowed thresholds (none: every call is a no-op)
 * and creates their logs in res->windows. Borrows plan and res until _fini.
 * 0 or TG_ENOMEM.
 */
int tg_window_eval_init(struct tg_window_eval *e, const struct tg_plan *plan, uint32_t n_workers,
                        struct tg_results *res);
/* The run starts at monotonic time t0 (second 0 begins there). */
void tg_window_eval_start(struct tg_window_eval *e, tg_ns t0);
/* Whether plan has thresholds over windows. */
bool tg_window_eval_active(const struct tg_window_eval *e);

/*
 * Adds bank b, which was just merged into res through map, to the windows of
 * its second. 0 or TG_ENOMEM.
 */
int tg_window_eval_bank(struct tg_window_eval *e, const struct tg_results_map *map,
                        const struct tg_bank *b);

/*
 * Seals the seconds that are complete at monotonic time now and evaluates
 * the windows ending with them. Returns 1 the first time an abortOnFail
 * window has failed (e->reason says which), 0 otherwise, or TG_ENOMEM.
 */
int tg_window_eval_advance(struct tg_window_eval *e, tg_ns now);

/*
 * The run lasted duration_ns: seals every second left, evaluates the last
 * windows (the final one ends with the run) and, for a run shorter than a
 * window, the one window that is the whole run. 0 or TG_ENOMEM.
 */
int tg_window_eval_finish(struct tg_window_eval *e, tg_ns duration_ns);

/* Frees what e owns (the logs stay in res). */
void tg_window_eval_fini(struct tg_window_eval *e);

/*
 * Whether threshold t can be windowed: vus and vus_max are sampled by the
 * coordinator itself, not carried in banks, so a window over them is refused
 * at start-up (0, or TG_EINVAL with d naming the threshold). Any thread.
 */
int tg_window_eval_check(const struct tg_plan_threshold *t, struct tg_diag *d);

#endif

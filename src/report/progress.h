/*
 * progress — the live one-line display on a terminal, refreshed each second:
 * elapsed/total, connections, requests per second and p95 over the last
 * second, error share. Silent when stderr is not a terminal or with --quiet.
 * Coordinator thread only.
 */
#ifndef TG_REPORT_PROGRESS_H
#define TG_REPORT_PROGRESS_H

#include "exec/plan.h"
#include "metrics/hist.h"
#include "metrics/results.h"

#include <stdbool.h>

struct tg_progress {
    bool enabled;
    const struct tg_plan *plan;
    struct tg_hist interval; /* http_req_duration of the current second */
    double reqs;             /* http_reqs in the current second */
    uint64_t failed;         /* failed requests in the current second */
    uint64_t active;         /* busy connections, latest per worker summed */
    bool printed;
};

void tg_progress_init(struct tg_progress *p, const struct tg_plan *plan);
void tg_progress_fini(struct tg_progress *p);
/* Accounts one worker bank (after tg_results_merge mapped its series). */
void tg_progress_add(struct tg_progress *p, const struct tg_results *res,
                     const struct tg_results_map *map, const struct tg_bank *b);
/* Prints the line for the interval that just ended and starts a new one. */
void tg_progress_print(struct tg_progress *p, tg_ns elapsed);
/* Ends the line so the summary starts on a fresh one. */
void tg_progress_done(struct tg_progress *p);

#endif

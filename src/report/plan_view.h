/*
 * plan_view — `tailgate plan`: the runbook view of a run, computed from its
 * plan alone (nothing is sent): each scenario with executor, start, end and
 * load; the planned peak arrival rate and VUs; the hosts named in the script
 * and its -e values (or the URL's); the safety rails in force; and a text
 * chart of the planned load over time.
 */
#ifndef TG_REPORT_PLAN_VIEW_H
#define TG_REPORT_PLAN_VIEW_H

#include "exec/plan.h"

#include <stdio.h>

/* A scenario's planned load at t seconds from the test's start. */
struct tg_plan_load {
    double vus;        /* closed-model VUs wanted */
    double rate_per_s; /* open-model iterations per second */
};

/* The planned load of scenario i at t (0 when it does not run then). */
struct tg_plan_load tg_plan_view_load(const struct tg_plan *p, size_t i, double t_s);
/* When the last scenario ends (without graceful stops), in ns. */
tg_ns tg_plan_view_end(const struct tg_plan *p);
#define TG_PLAN_VIEW_MAX_HOSTS 16

/*
 * The host[:port] of every http(s) URL in the script's text and its -e values
 * (the URL's for a command-line run), at most TG_PLAN_VIEW_MAX_HOSTS.
 */
size_t tg_plan_view_hosts(const struct tg_plan *p, char hosts[][280], size_t max);
/* Prints the view. */
void tg_plan_view_print(FILE *f, const struct tg_plan *p);

#endif

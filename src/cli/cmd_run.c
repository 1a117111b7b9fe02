/*
 * cmd_run — the command-line load test; see cmd_run.h.
 */
#include "cli/cmd_run.h"

#include "check/verdict.h"
#include "cli/exitcode.h"
#include "cli/run_flags.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "exec/coord.h"
#include "report/export_k6.h"
#include "report/result_file.h"
#include "report/summary.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

/*
 * The gauges a command-line run reports: its connections are its VUs. (A
 * script run's coordinator samples vus and vus_max while it runs.)
 */
static void record_vus(struct tg_results *res, uint64_t connections)
{
    tg_results_add_gauge(res, TG_M_VUS, "", (double)connections, tg_clock_now());
    tg_results_add_gauge(res, TG_M_VUS_MAX, "", (double)connections, tg_clock_now());
}

static int write_outputs(const struct tg_plan *plan, const struct tg_summary_info *info)
{
    int exit_code = TG_EXIT_OK;
    struct tg_diag d = { "" };
    if (!plan->no_summary) {
        tg_summary_print(stdout, info);
        fflush(stdout);
    }
    if (plan->summary_export && tg_export_k6_write(plan->summary_export, info, &d) < 0) {
        fprintf(stderr, "tailgate: %s\n", d.msg);
        exit_code = TG_EXIT_GENERIC;
    }
    if (plan->result_file && tg_result_file_write(plan->result_file, info, &d) < 0) {
        fprintf(stderr, "tailgate: %s\n", d.msg);
        exit_code = TG_EXIT_GENERIC;
    }
    return exit_code;
}

int tg_cmd_run(int argc, char **argv)
{
    struct tg_plan plan;
    struct tg_diag d = { "" };
    signal(SIGPIPE, SIG_IGN);
    int rc = tg_run_flags_parse(argc, argv, &plan, &d);
    if (rc == 1) {
        tg_plan_fini(&plan);
        return TG_EXIT_OK;
    }
    if (rc < 0) {
        fprintf(stderr, "tailgate: %s\n", d.msg);
        tg_plan_fini(&plan);
        return rc == TG_ENOMEM   ? TG_EXIT_GENERIC
               : rc == TG_EPROTO ? TG_EXIT_SCRIPT_EXCEPTION
                                 : TG_EXIT_INVALID_CONFIG;
    }
    struct tg_results res;
    if (tg_results_init(&res) < 0) {
        fprintf(stderr, "tailgate: out of memory\n");
        tg_plan_fini(&plan);
        return TG_EXIT_GENERIC;
    }
    struct tg_coord_outcome out;
    rc = tg_coord_run(&plan, &res, &out, &d);
    int exit_code = TG_EXIT_OK;
    if (rc < 0) {
        fprintf(stderr, "tailgate: %s\n", d.msg);
        /* a script that fails in a worker's init context is a script error */
        exit_code = rc != TG_EINVAL ? TG_EXIT_GENERIC
                    : plan.script   ? TG_EXIT_SCRIPT_EXCEPTION
                                    : TG_EXIT_INVALID_CONFIG;
    } else {
        if (!plan.script) {
            record_vus(&res, out.connections);
        }
        struct tg_verdict verdicts[TG_PLAN_MAX_THRESHOLDS];
        size_t failed = tg_verdict_eval(&res, plan.thresholds, plan.n_thresholds, verdicts);
        struct tg_summary_info info = { &plan,           &res,
                                        verdicts,        plan.n_thresholds,
                                        out.interrupted, out.connections };
        exit_code = write_outputs(&plan, &info);
        if (out.interrupted) {
            exit_code = TG_EXIT_EXTERNAL_ABORT;
        } else if (failed > 0) {
            fprintf(stderr, "tailgate: %zu of %zu thresholds failed\n", failed, plan.n_thresholds);
            exit_code = TG_EXIT_THRESHOLDS_FAILED;
        }
    }
    if (getenv("TG_DEBUG_ALLOC_COUNT")) {
        /* test hook: allocations through tg_alloc, to show the request path makes none */
        fprintf(stderr, "tailgate: allocations: %llu\n", (unsigned long long)tg_alloc_count());
    }
    tg_results_fini(&res);
    tg_plan_fini(&plan);
    return exit_code;
}

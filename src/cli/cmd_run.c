/*
 * cmd_run — the command-line load test; see cmd_run.h.
 */
#include "cli/cmd_run.h"

#include "check/baseline.h"
#include "check/verdict.h"
#include "cli/exitcode.h"
#include "cli/handle_summary.h"
#include "cli/rail_flags.h"
#include "cli/run_flags.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/secrets.h"
#include "exec/coord.h"
#include "exec/once.h"
#include "net/errcode.h"
#include "report/export_k6.h"
#include "report/junit.h"
#include "report/plan_view.h"
#include "report/result_file.h"
#include "report/result_load.h"
#include "report/summary.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    bool text = !plan->no_summary;
    if (text && plan->handle_summary) { /* k6: --no-summary skips handleSummary too */
        int rc = tg_handle_summary_run(info, &d);
        if (rc < 0) { /* k6 falls back to the text summary */
            fprintf(stderr, "tailgate: %s\n", d.msg);
            exit_code = rc == TG_EPROTO ? TG_EXIT_SCRIPT_EXCEPTION : TG_EXIT_GENERIC;
        } else {
            text = false;
        }
    }
    if (text) {
        tg_summary_print(stdout, info);
        fflush(stdout);
    }
    if (plan->summary_export && tg_export_k6_write(plan->summary_export, info, &d) < 0) {
        fprintf(stderr, "tailgate: %s\n", d.msg);
        exit_code = TG_EXIT_GENERIC;
    }
    if (plan->junit && tg_junit_write(plan->junit, info, &d) < 0) {
        fprintf(stderr, "tailgate: %s\n", d.msg);
        exit_code = TG_EXIT_GENERIC;
    }
    if (plan->result_file && tg_result_file_write(plan->result_file, info, &d) < 0) {
        fprintf(stderr, "tailgate: %s\n", d.msg);
        exit_code = TG_EXIT_GENERIC;
    }
    return exit_code;
}

static bool loopback_name(const char *host)
{
    return strncmp(host, "127.", 4) == 0 || strcmp(host, "::1") == 0 ||
           strncmp(host, "[::1]", 5) == 0 || strcmp(host, "localhost") == 0 ||
           strncmp(host, "localhost:", 10) == 0;
}

/*
 * The host rails before anything is sent: a command-line run's host off the
 * --allow-host list is never sent to (each request counts as 1710), or with
 * --allow-host-strict the run does not start (108); and a run that will reach
 * beyond loopback says where. An exit code.
 */
static int check_hosts(struct tg_plan *plan)
{
    if (!plan->script && !tg_allow_match(&plan->rails.allow, plan->url.host, plan->url.port)) {
        if (plan->rails.allow.strict) {
            fprintf(stderr,
                    "tailgate: test aborted: %s:%d is not on the --allow-host list; nothing was "
                    "sent\n",
                    plan->url.host, plan->url.port);
            return TG_EXIT_SCRIPT_ABORTED;
        }
        fprintf(stderr,
                "tailgate: warning: %s:%d is not on the --allow-host list: no request is sent; "
                "each counts as error_code 1710 host_not_allowed\n",
                plan->url.host, plan->url.port);
        plan->n_addrs = 0;
        plan->resolve_error = TG_ERR_HOST_NOT_ALLOWED;
        return TG_EXIT_OK;
    }
    char hosts[TG_PLAN_VIEW_MAX_HOSTS][280];
    size_t n = tg_plan_view_hosts(plan, hosts, TG_PLAN_VIEW_MAX_HOSTS);
    bool outside = !plan->script && plan->n_addrs > 0 && !tg_addr_is_loopback(&plan->addrs[0]);
    for (size_t i = 0; plan->script && i < n; i++) {
        outside = outside || !loopback_name(hosts[i]);
    }
    if (outside) {
        fprintf(stderr, "tailgate: this run sends requests beyond loopback, to: ");
        for (size_t i = 0; i < n; i++) {
            fprintf(stderr, "%s%s", i ? ", " : "", hosts[i]);
        }
        fprintf(stderr, "%s\n", plan->script ? " (named in the script and its -e values)" : "");
    }
    return TG_EXIT_OK;
}

/* --baseline: the limits of thresholds that refer to it. An exit code. */
static int load_baseline(struct tg_plan *plan)
{
    struct tg_diag d = { "" };
    if (!plan->baseline_file) {
        fprintf(stderr, "tailgate: a threshold refers to \"baseline\": give the baseline's result "
                        "file with --baseline FILE\n");
        return TG_EXIT_INVALID_CONFIG;
    }
    struct tg_results base;
    if (tg_results_init(&base) < 0) {
        return TG_EXIT_GENERIC;
    }
    int rc = tg_result_load(plan->baseline_file, &base, &d);
    if (rc < 0) {
        tg_diag_prefix(&d, "--baseline");
    } else {
        rc = tg_baseline_resolve(plan->thresholds, plan->n_thresholds, &base, &d);
    }
    tg_results_fini(&base);
    if (rc < 0) {
        fprintf(stderr, "tailgate: %s\n", d.msg);
        return TG_EXIT_INVALID_CONFIG;
    }
    return TG_EXIT_OK;
}

/* The exit code of a setup() or teardown() that did not return normally. */
static int once_exit(enum tg_once_end end, bool setup)
{
    switch (end) {
    case TG_ONCE_DONE:
        return TG_EXIT_OK;
    case TG_ONCE_TIMEOUT:
        return setup ? TG_EXIT_SETUP_TIMEOUT : TG_EXIT_TEARDOWN_TIMEOUT;
    case TG_ONCE_ABORTED:
        return TG_EXIT_SCRIPT_ABORTED;
    case TG_ONCE_INTERRUPTED:
        return TG_EXIT_EXTERNAL_ABORT;
    case TG_ONCE_FAILED:
        break;
    }
    return TG_EXIT_SCRIPT_EXCEPTION;
}

/* setup(): its data goes to the workers through the plan. An exit code. */
static int run_setup(struct tg_plan *plan, struct tg_results *res)
{
    struct tg_diag d = { "" };
    enum tg_once_end end;
    int rc = tg_once_run(plan, "setup", NULL, plan->options->setup_timeout, res, &end,
                         &plan->setup_data, &d);
    if (rc < 0 || end != TG_ONCE_DONE) {
        fprintf(stderr, "tailgate: %s%s\n",
                end == TG_ONCE_ABORTED ? "test aborted in setup(): " : "", d.msg);
        return rc == TG_ENOMEM ? TG_EXIT_GENERIC
               : rc < 0        ? TG_EXIT_SCRIPT_EXCEPTION
                               : once_exit(end, true);
    }
    return TG_EXIT_OK;
}

/* teardown(data), after the load (also after an interrupted or aborted one). An exit code. */
static int run_teardown(struct tg_plan *plan, struct tg_results *res, char *reason, size_t n)
{
    struct tg_diag d = { "" };
    enum tg_once_end end;
    char *json = NULL;
    int rc = tg_once_run(plan, "teardown", plan->setup_data, plan->options->teardown_timeout, res,
                         &end, &json, &d);
    tg_free(json);
    if (rc < 0 || end != TG_ONCE_DONE) {
        fprintf(stderr, "tailgate: %s%s\n",
                end == TG_ONCE_ABORTED ? "test aborted in teardown(): " : "", d.msg);
        if (end == TG_ONCE_ABORTED) {
            snprintf(reason, n, "%.*s", (int)(n ? n - 1 : 0), d.msg);
        }
        return rc < 0 ? TG_EXIT_SCRIPT_EXCEPTION : once_exit(end, false);
    }
    return TG_EXIT_OK;
}

/* The exit code of a run: the first that applies, as k6 orders them. */
static int run_exit(const struct tg_coord_outcome *out, int teardown_exit, int outputs_exit,
                    size_t failed)
{
    if (out->stop == TG_STOP_ABORT) {
        return TG_EXIT_SCRIPT_ABORTED;
    }
    if (out->stop == TG_STOP_WINDOW) {
        return TG_EXIT_TARGET_DEGRADED;
    }
    if (out->stop == TG_STOP_THRESHOLD) {
        return TG_EXIT_THRESHOLDS_FAILED;
    }
    if (out->interrupted || out->stop == TG_STOP_KILL) {
        return TG_EXIT_EXTERNAL_ABORT;
    }
    if (teardown_exit != TG_EXIT_OK) {
        return teardown_exit;
    }
    if (failed > 0) {
        return TG_EXIT_THRESHOLDS_FAILED;
    }
    return outputs_exit;
}

static int run(int argc, char **argv)
{
    struct tg_plan plan;
    struct tg_diag d = { "" };
    signal(SIGPIPE, SIG_IGN);
    int rc = tg_run_flags_parse(argc, argv, &plan, &d);
    if (rc == 0) {
        rc = tg_rail_flags_finish(&plan, &d);
        tg_secrets_guard_std(); /* from here on, nothing written shows a secret */
    }
    if (rc == 1) {
        tg_plan_fini(&plan);
        return TG_EXIT_OK;
    }
    if (rc < 0) {
        fprintf(stderr, "tailgate: %s\n", d.msg);
        tg_plan_fini(&plan);
        return rc == TG_ENOMEM      ? TG_EXIT_GENERIC
               : rc == TG_EPROTO    ? TG_EXIT_SCRIPT_EXCEPTION
               : rc == TG_ECANCELED ? TG_EXIT_SCRIPT_ABORTED
                                    : TG_EXIT_INVALID_CONFIG;
    }
    if (tg_baseline_needed(plan.thresholds, plan.n_thresholds) || plan.baseline_file) {
        int bc = load_baseline(&plan);
        if (bc != TG_EXIT_OK) {
            tg_plan_fini(&plan);
            return bc;
        }
    }
    int host_exit = check_hosts(&plan);
    if (host_exit != TG_EXIT_OK) {
        tg_plan_fini(&plan);
        return host_exit;
    }
    struct tg_results res;
    if (tg_results_init(&res) < 0) {
        fprintf(stderr, "tailgate: out of memory\n");
        tg_plan_fini(&plan);
        return TG_EXIT_GENERIC;
    }
    int exit_code = plan.script ? run_setup(&plan, &res) : TG_EXIT_OK;
    if (exit_code != TG_EXIT_OK) {
        tg_results_fini(&res);
        tg_plan_fini(&plan);
        return exit_code;
    }
    struct tg_coord_outcome out;
    rc = tg_coord_run(&plan, &res, &out, &d);
    if (rc < 0) {
        fprintf(stderr, "tailgate: %s\n", d.msg);
        /* a script that fails in a worker's init context is a script error */
        exit_code = rc != TG_EINVAL ? TG_EXIT_GENERIC
                    : plan.script   ? TG_EXIT_SCRIPT_EXCEPTION
                                    : TG_EXIT_INVALID_CONFIG;
    } else {
        tg_ns duration = res.duration_ns;
        int teardown_exit = TG_EXIT_OK;
        if (plan.script) {
            char reason[sizeof(out.reason)] = "";
            teardown_exit = run_teardown(&plan, &res, reason, sizeof(reason));
            if (reason[0] && out.stop == TG_STOP_NONE) {
                out.stop = TG_STOP_ABORT;
                snprintf(out.reason, sizeof(out.reason), "%s", reason);
            }
        }
        res.duration_ns = duration; /* rates per second of the load, as k6's */
        if (!plan.script) {
            record_vus(&res, out.connections);
        }
        struct tg_verdict verdicts[TG_PLAN_MAX_THRESHOLDS];
        size_t failed = tg_verdict_eval(&res, plan.thresholds, plan.n_thresholds, verdicts);
        struct tg_summary_info info = { &plan,
                                        &res,
                                        verdicts,
                                        plan.n_thresholds,
                                        out.interrupted,
                                        out.connections,
                                        out.stop != TG_STOP_NONE ? out.reason : NULL };
        int outputs_exit = write_outputs(&plan, &info);
        exit_code = run_exit(&out, teardown_exit, outputs_exit, failed);
        if (exit_code == TG_EXIT_THRESHOLDS_FAILED && failed > 0) {
            fprintf(stderr, "tailgate: %zu of %zu thresholds failed\n", failed, plan.n_thresholds);
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

int tg_cmd_run(int argc, char **argv)
{
    int code = run(argc, argv);
    tg_secrets_finish_std();
    return code;
}

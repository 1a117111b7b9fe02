/*
 * cmd_plan — the runbook view; see cmd_plan.h.
 */
#include "cli/cmd_plan.h"

#include "cli/exitcode.h"
#include "cli/rail_flags.h"
#include "cli/run_flags.h"
#include "core/secrets.h"
#include "report/plan_view.h"

#include <stdio.h>

int tg_cmd_plan(int argc, char **argv)
{
    struct tg_plan plan;
    struct tg_diag d = { "" };
    int rc = tg_run_flags_parse(argc, argv, &plan, &d);
    if (rc == 0) {
        rc = tg_rail_flags_finish(&plan, &d);
        tg_secrets_guard_std();
    }
    int code = TG_EXIT_OK;
    if (rc == 1) {
        code = TG_EXIT_OK; /* --help */
    } else if (rc < 0) {
        fprintf(stderr, "tailgate plan: %s\n", d.msg);
        code = rc == TG_ENOMEM      ? TG_EXIT_GENERIC
               : rc == TG_EPROTO    ? TG_EXIT_SCRIPT_EXCEPTION
               : rc == TG_ECANCELED ? TG_EXIT_SCRIPT_ABORTED
                                    : TG_EXIT_INVALID_CONFIG;
    } else {
        tg_plan_view_print(stdout, &plan);
    }
    tg_plan_fini(&plan);
    tg_secrets_finish_std();
    return code;
}

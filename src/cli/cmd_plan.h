/*
 * cmd_plan — `tailgate plan SCRIPT.lua|URL [run flags]`: reads the same flags
 * and script as `tailgate run`, sends nothing, and prints the runbook view
 * (report/plan_view). Exit 0; 104 for an invalid plan; 107 for a script error.
 */
#ifndef TG_CLI_CMD_PLAN_H
#define TG_CLI_CMD_PLAN_H

int tg_cmd_plan(int argc, char **argv);

#endif

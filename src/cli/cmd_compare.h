/*
 * cmd_compare — `tailgate compare BASE CURRENT`: the baseline gate. Reads two
 * --result files and prints, for every regression budget, the statistic in
 * both runs, the change and a verdict; exit 99 when a budget is exceeded.
 * Budgets come from --max-regression flags on top of defaults that need no
 * flags: p(95) and p(99) of http_req_duration +30 %, and http_req_failed's
 * rate +0.5 percentage points, each on the whole metric and on its tagged
 * submetrics present in both runs (check/budget: grammar, noise rules).
 */
#ifndef TG_CLI_CMD_COMPARE_H
#define TG_CLI_CMD_COMPARE_H

int tg_cmd_compare(int argc, char **argv);

#endif

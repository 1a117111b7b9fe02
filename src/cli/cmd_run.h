/*
 * cmd_run — `tailgate run URL [flags]`: builds the plan, runs it, prints the
 * summary, writes the exports and returns the exit code.
 */
#ifndef TG_CLI_CMD_RUN_H
#define TG_CLI_CMD_RUN_H

/* argv[0] is "run". Returns the process exit code (cli/exitcode.h). */
int tg_cmd_run(int argc, char **argv);

#endif

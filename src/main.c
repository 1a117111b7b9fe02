/*
 * main — dispatches to a command; every command returns its exit code.
 */
#include "cli/cmd_compare.h"
#include "cli/cmd_plan.h"
#include "cli/cmd_run.h"
#include "cli/cmd_serve.h"
#include "cli/exitcode.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
    fputs("usage: tailgate <command> [flags]\n"
          "\n"
          "commands:\n"
          "  run URL [flags]     load-test one HTTP(S) endpoint (tailgate run --help)\n"
          "  serve [flags]       the built-in target service (tailgate serve --help)\n"
          "  plan SCRIPT|URL     what a run would do, sending nothing (same flags as run)\n"
          "  compare BASE CUR    gate on regressions between two result files\n"
          "                      (tailgate compare --help)\n"
          "  version             print the version\n"
          "\n"
          "Only ever point tailgate at systems you are allowed to load.\n",
          f);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return TG_EXIT_INVALID_CONFIG;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "run") == 0) {
        return tg_cmd_run(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "serve") == 0) {
        return tg_cmd_serve(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "plan") == 0) {
        return tg_cmd_plan(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "compare") == 0) {
        return tg_cmd_compare(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        puts("tailgate 0.1");
        return TG_EXIT_OK;
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage(stdout);
        return TG_EXIT_OK;
    }
    fprintf(stderr, "tailgate: unknown command \"%s\"\n", cmd);
    usage(stderr);
    return TG_EXIT_INVALID_CONFIG;
}

/*
 * cmd_serve — the `tailgate serve` command: parses its flags into a
 * tg_serve_config and runs serve/serve until SIGINT or SIGTERM.
 */
#ifndef TG_CLI_CMD_SERVE_H
#define TG_CLI_CMD_SERVE_H

/*
 * Runs `tailgate serve` with argv[0] == "serve" and its flags in
 * argv[1..argc). Returns the process exit code: 0 after a clean stop (or
 * --help), 104 for invalid flags (the message, naming the flag, goes to
 * stderr), 1 when the server could not start (e.g. the address is in use).
 * Main thread; uses getopt_long's global state.
 */
int tg_cmd_serve(int argc, char **argv);

#endif

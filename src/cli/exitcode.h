/*
 * exitcode — process exit codes, k6's numbers where the meaning is the same
 * (K6-COMPAT.md 2.7).
 */
#ifndef TG_CLI_EXITCODE_H
#define TG_CLI_EXITCODE_H

enum tg_exit {
    TG_EXIT_OK = 0,
    TG_EXIT_GENERIC = 1, /* unexpected failure (out of memory, I/O) */
    TG_EXIT_THRESHOLDS_FAILED = 99,
    TG_EXIT_SETUP_TIMEOUT = 100,
    TG_EXIT_TEARDOWN_TIMEOUT = 101,
    TG_EXIT_INVALID_CONFIG = 104, /* bad flags, options or thresholds */
    TG_EXIT_EXTERNAL_ABORT = 105, /* SIGINT / SIGTERM */
    TG_EXIT_SCRIPT_EXCEPTION = 107,
    TG_EXIT_SCRIPT_ABORTED = 108,
    TG_EXIT_TARGET_DEGRADED = 108, /* a windowed threshold aborted the run (issue 5) */
};

#endif

/*
 * plan — everything a command-line run needs, fixed before the workers
 * start: the parsed flags, the serialised request, the resolved target and
 * how the load is split. Built by cli/ on the main thread; read-only (and so
 * safely shared) once the workers run.
 */
#ifndef TG_EXEC_PLAN_H
#define TG_EXEC_PLAN_H

#include "check/threshold_parse.h"
#include "http/url.h"
#include "net/addr.h"
#include "net/allow.h"
#include "tg.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TG_PLAN_MAX_THRESHOLDS 64
#define TG_PLAN_MAX_HEADERS    64
#define TG_PLAN_MAX_STATS      16

struct tg_options;

struct tg_plan_threshold {
    struct tg_selector sel;
    struct tg_threshold_expr expr;
    bool abort_on_fail;     /* k6's abortOnFail (script options) */
    tg_ns delay_abort_eval; /* k6's delayAbortEval; 0 = none */
};

struct tg_plan {
    /* what to send */
    const char *url_text;
    struct tg_url url;
    const char *method;
    const char *headers[TG_PLAN_MAX_HEADERS];
    size_t n_headers;
    char *body; /* owned; may be NULL */
    size_t body_len;
    char *request; /* serialised request, owned */
    size_t request_len;
    bool head_request;
    /* how much */
    uint32_t connections;
    uint32_t threads;
    tg_ns duration_ns; /* 0 = until requests are done */
    uint64_t requests; /* 0 = unlimited */
    double rate_per_s; /* 0 = closed model */
    tg_ns timeout_ns;  /* per request */
    tg_ns connect_timeout_ns;
    tg_ns graceful_stop_ns; /* how long in-flight requests may finish after the end */
    /* limits */
    size_t max_head;
    uint64_t max_body;
    /* TLS */
    bool insecure;
    const char *ca_file;
    /* target */
    struct tg_addr addrs[8];
    int n_addrs;         /* 0 when resolution failed */
    int resolve_error;   /* error code when n_addrs == 0 */
    const char *resolve; /* --resolve HOST:PORT:ADDR[,ADDR...], or NULL */
    /* script mode (tailgate run script.lua) */
    const char *script;         /* NULL: the command-line mode */
    struct tg_options *options; /* the script's options; owned */
    char *setup_data;           /* setup()'s return value as JSON; owned; NULL: none */
    bool handle_summary;        /* the script defines handleSummary(data) */
    const char *env_values[32]; /* the -e values (argv), for tailgate plan's host list */
    size_t n_env_values;
    /* safety rails (cli/rail_flags) */
    struct tg_plan_rails {
        const char *kill_url;   /* --kill-switch URL, polled; NULL: none */
        tg_ns kill_interval_ns; /* --kill-switch-interval (5 s) */
        unsigned kill_failures; /* --kill-switch-failures: unreachable polls that stop (3) */
        struct tg_allow allow;  /* --allow-host; empty: every host */
        const char *synthetic;  /* --synthetic-header "Name: value" on every request; NULL: none */
        double max_rps;         /* --max-rps: requests per second, all threads (0: none) */
        const char *kill_file;  /* --kill-file PATH: stop when it exists; NULL: none */
        const char *secret_env[16]; /* --secret-env NAME: values never written anywhere */
        size_t n_secret_env;
        tg_ns abort_grace_ns; /* --abort-on-grace: delayAbortEval of every --abort-on (0) */
    } rails;
    /* outputs */
    struct tg_plan_threshold thresholds[TG_PLAN_MAX_THRESHOLDS];
    size_t n_thresholds;
    const char *summary_export;
    const char *junit;         /* --junit FILE */
    const char *baseline_file; /* --baseline FILE: a result file thresholds may refer to */
    const char *result_file;
    const char *trend_stats[TG_PLAN_MAX_STATS];
    size_t n_trend_stats;
    bool quiet;
    bool no_summary;
};

/* Frees what the plan owns. */
void tg_plan_fini(struct tg_plan *p);

#endif

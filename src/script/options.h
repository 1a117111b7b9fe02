/*
 * options — reads a script's global `options` table (k6's spelling, so an
 * options block ports verbatim) into a validated configuration: scenarios
 * with their executors, the shortcuts vus/duration/iterations/stages,
 * thresholds (string and object forms), tags, setupTimeout/teardownTimeout,
 * handleSummaryTimeout
 * and summaryTrendStats.
 *
 * Every error names its option path, e.g.
 *   options.scenarios.soak.stages[2].target: expected a number, got string
 * and is an invalid-configuration error (exit 104). Durations are k6's: a
 * string such as "30s" or "1m30s", or a number of milliseconds.
 *
 * Executors and their keys (defaults as k6's):
 *   shared-iterations      vus (1), iterations (1), maxDuration (10m)
 *   per-vu-iterations      vus (1), iterations (1), maxDuration (10m)
 *   constant-vus           vus (1), duration (required)
 *   ramping-vus            startVUs (1), stages (required), gracefulRampDown (30s)
 *   constant-arrival-rate  rate, duration, preAllocatedVUs (required), timeUnit (1s),
 *                          maxVUs (= preAllocatedVUs)
 *   ramping-arrival-rate   startRate (0), stages (required, target = rate),
 *                          preAllocatedVUs (required), timeUnit (1s), maxVUs
 *   shape                  shape (required: the name of a global function), open (false),
 *                          gracefulRampDown (30s),
 *                          preAllocatedVUs, maxVUs (open shapes)
 * and on every scenario: executor (required), exec ("default"), startTime (0s),
 * gracefulStop (30s), env, tags.
 *
 * Shortcuts (when `scenarios` is absent): iterations -> shared-iterations
 * (with duration as its maxDuration); duration -> constant-vus; stages ->
 * ramping-vus; vus sets the VUs of each; none of them -> one iteration of one VU.
 */
#ifndef TG_SCRIPT_OPTIONS_H
#define TG_SCRIPT_OPTIONS_H

#include "core/diag.h"
#include "exec/plan.h"
#include "net/allow.h"
#include "script/optval.h"
#include "tg.h"

#include <lua.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum tg_executor {
    TG_EXECUTOR_SHARED_ITERATIONS,
    TG_EXECUTOR_PER_VU_ITERATIONS,
    TG_EXECUTOR_CONSTANT_VUS,
    TG_EXECUTOR_RAMPING_VUS,
    TG_EXECUTOR_CONSTANT_ARRIVAL_RATE,
    TG_EXECUTOR_RAMPING_ARRIVAL_RATE,
    TG_EXECUTOR_SHAPE,
    TG_EXECUTOR_COUNT,
};

struct tg_scenario {
    char *name; /* owned */
    enum tg_executor executor;
    char *exec; /* owned; function name, "default" by default */
    tg_ns start_time;
    tg_ns graceful_stop;
    uint32_t vus;        /* shared/per-vu iterations, constant-vus */
    uint32_t start_vus;  /* ramping-vus */
    uint64_t iterations; /* shared: total; per-vu: per VU */
    tg_ns max_duration;
    tg_ns duration;
    tg_ns graceful_ramp_down;
    double rate;       /* constant-arrival-rate, per time_unit */
    double start_rate; /* ramping-arrival-rate, per time_unit */
    tg_ns time_unit;
    uint32_t pre_allocated_vus;
    uint32_t max_vus;
    struct tg_stage *stages; /* owned */
    size_t n_stages;
    char *shape;       /* owned; shape executor's function name */
    bool open;         /* shape executor: returns an arrival rate instead of users */
    float *shape_load; /* owned; the shape sampled each second from 0 (planning pass) */
    size_t n_shape_load;
    struct tg_kv *tags; /* owned */
    size_t n_tags;
    struct tg_kv *env; /* owned */
    size_t n_env;
};

struct tg_options {
    struct tg_scenario *scenarios; /* owned, in the script's key order (sorted by name) */
    size_t n_scenarios;
    struct tg_plan_threshold *thresholds; /* owned */
    size_t n_thresholds;
    struct tg_kv *tags; /* owned; test-wide tags */
    size_t n_tags;
    tg_ns setup_timeout;                  /* default 60s */
    tg_ns teardown_timeout;               /* default 60s */
    tg_ns handle_summary_timeout;         /* default 2m */
    char *trend_stats[TG_PLAN_MAX_STATS]; /* owned; summaryTrendStats, n = 0: default */
    /* production rails (tailgate's own keys; the flags win) */
    char *synthetic_header; /* owned; syntheticHeader "Name: value" */
    double max_rps;         /* maxRPS; 0: none */
    struct tg_allow allow;  /* allowHosts, allowHostsStrict */
    size_t n_trend_stats;
};

/*
 * Reads the global `options` of L (absent: the defaults) into o. 0, or
 * TG_EINVAL with d naming the option path, or TG_ENOMEM. On error o is
 * left initialised (call tg_options_fini either way).
 */
int tg_options_read(lua_State *L, struct tg_options *o, struct tg_diag *d);
void tg_options_fini(struct tg_options *o);
/* "shared-iterations", ... */
const char *tg_executor_name(enum tg_executor e);

#endif

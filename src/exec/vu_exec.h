/*
 * vu_exec — runs a script's scenarios on one worker: the worker's share
 * (its segment) of each scenario's VUs and iterations, each VU a Lua
 * coroutine of the worker's script runtime. Executors: constant-vus,
 * per-vu-iterations and shared-iterations (k6's semantics: startTime,
 * duration / maxDuration, gracefulStop, exec).
 *
 * Iterations that end synchronously (a script that never yields) go through
 * a run queue drained by an idle watcher, so the loop stays responsive and
 * the stack flat. Each iteration records `iterations` and
 * `iteration_duration` (tag scenario); an iteration that raises is counted
 * in `iteration_errors` and its message kept (once per distinct message,
 * with a count) for the end-of-test report.
 *
 * Threading: owned by one worker thread.
 */
#ifndef TG_EXEC_VU_EXEC_H
#define TG_EXEC_VU_EXEC_H

#include "exec/segment.h"
#include "script/options.h"
#include "script/runtime.h"

#include <ev.h>

struct tg_vu_exec_conf {
    struct ev_loop *loop;
    struct tg_conn_env *env;
    struct tg_registry *reg;
    struct tg_bank **bank;
    struct tg_segment seg;
    const struct tg_options *opts;
    const char *script;
    bool tls_verify;
    void (*on_done)(void *owner);                      /* every scenario finished */
    void (*on_abort)(void *owner, const char *reason); /* the script called tailgate.abort */
    void *owner;
    const char *data_json;           /* setup()'s data for every iteration; NULL: none */
    const struct tg_rt_rails *rails; /* production rails on every request; may be NULL */
};

struct vx_scen;

#define TG_VU_EXEC_ERRORS 16

struct tg_vu_exec {
    struct tg_vu_exec_conf conf;
    struct tg_rt rt;
    struct vx_scen *scens;
    size_t n_scens;
    ev_idle ready;
    struct tg_vu **queue; /* VUs to (re)consider, drained by ready */
    size_t qn;
    size_t qcap;
    bool stopping;
    bool done;
    uint32_t vus_total;
    struct {
        char msg[512];
        uint64_t count;
    } errors[TG_VU_EXEC_ERRORS]; /* distinct iteration errors */
    size_t n_errors;
};

/* Loads the script into a runtime and creates the VUs. 0, or < 0 with d set. */
int tg_vu_exec_init(struct tg_vu_exec *x, const struct tg_vu_exec_conf *c, struct tg_diag *d);
/* Starts the scenarios, timed from t0 (the common start, monotonic). */
void tg_vu_exec_start(struct tg_vu_exec *x, tg_ns t0);
/* Graceful stop: no new iterations; running ones get their scenario's gracefulStop. */
void tg_vu_exec_stop(struct tg_vu_exec *x, tg_ns now);
/* Stop at once: running iterations are abandoned (an abort). */
void tg_vu_exec_abort(struct tg_vu_exec *x, tg_ns now);
/*
 * k6's vus and vus_max for this worker now: *active counts the VUs taking
 * part in a running scenario (looping, allowed to loop by a ramp, or still
 * finishing an iteration; every allocated VU of an arrival-rate scenario),
 * *allocated the VUs created (arrival rates: allocated so far). Owner thread.
 */
void tg_vu_exec_vus(const struct tg_vu_exec *x, uint32_t *active, uint32_t *allocated);
/* Request timeouts and expired graceful stops; call periodically. */
void tg_vu_exec_sweep(struct tg_vu_exec *x, tg_ns now);
void tg_vu_exec_fini(struct tg_vu_exec *x);

#endif

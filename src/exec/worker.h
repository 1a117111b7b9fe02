/*
 * worker — one thread, one libev loop, its share of the connections and of
 * the load, and its own metric registry and banks. Shared-nothing: the only
 * traffic with the coordinator is banks through two SPSC rings (filled
 * banks out, emptied banks back) and a stop request (an atomic flag plus an
 * ev_async wake-up).
 *
 * Models: closed (each connection sends its next request when the previous
 * completes) or open (arrivals on a fixed schedule from the segment
 * arithmetic, at most one request in flight per connection; an arrival that
 * finds no free connection waits, and its latency counts from its scheduled
 * time — coordinated omission is measured, not hidden).
 *
 * Hot path: completion -> record into the active bank by precomputed series
 * ids -> send the next request. No allocation after warm-up, no locks.
 */
#ifndef TG_EXEC_WORKER_H
#define TG_EXEC_WORKER_H

#include "core/ring.h"
#include "exec/plan.h"
#include "exec/rate_cap.h"
#include "exec/segment.h"
#include "exec/vu_exec.h"
#include "metrics/bank.h"
#include "metrics/registry.h"
#include "net/conn.h"

#include <ev.h>
#include <pthread.h>
#include <stdatomic.h>

#define TG_WORKER_BANKS 3

struct tg_worker;

/* The series ids of one tag combination of an HTTP response. */
struct tg_http_series {
    int32_t reqs; /* -1 until interned */
    int32_t failed;
    int32_t duration;
    int32_t duration_unc;
    int32_t blocked;
    int32_t connecting;
    int32_t tls;
    int32_t sending;
    int32_t waiting;
    int32_t receiving;
};

struct tg_wconn {
    struct tg_conn conn;
    struct tg_worker *w;
    tg_ns t_sched;      /* scheduled (open) or issue (closed) time of the exchange */
    tg_ns t_release;    /* --max-rps: when its permit lets it go */
    uint32_t next_free; /* free-list link (index + 1; 0 = end) */
};

struct tg_worker {
    uint32_t index;
    struct tg_segment seg;
    const struct tg_plan *plan;
    pthread_t thread;
    struct ev_loop *loop;
    ev_async wake;  /* coordinator -> worker: stop requested */
    ev_timer tick;  /* publish metric deltas */
    ev_timer sweep; /* timeouts and end of test */
    ev_io pace;     /* open model arrivals: a timerfd (see pace_arm) */
    int pace_fd;
    bool pacing;         /* more arrivals are scheduled */
    ev_timer end;        /* the end of the test's duration */
    ev_idle restart;     /* starts requests whose predecessor failed synchronously */
    uint32_t *restart_q; /* conn indices waiting for restart.cb */
    uint32_t restart_n;
    int depth; /* > 0 while inside tg_conn_send */
    /* --max-rps: requests wait for their permit in a FIFO (conn indices) */
    bool capped;
    struct tg_rate_cap cap;
    uint32_t *cap_q;
    uint32_t cap_head;
    uint32_t cap_n;
    ev_timer cap_t;
    int32_t s_capped;         /* the rate_capped counter's series */
    struct tg_rt_rails rails; /* what a script's runtime applies to its requests */
    atomic_bool stop_requested;
    atomic_bool abort_requested; /* coordinator -> worker: stop now, no graceful stop */
    atomic_bool abort_raised;    /* worker -> coordinator: the script called tailgate.abort */
    char abort_reason[256];      /* written before abort_raised is set (release) */
    bool hard_stopped;
    /* coordinator side of the channel */
    struct ev_loop *coord_loop;
    ev_async *coord_wake;
    struct tg_ring out;  /* filled banks, worker -> coordinator */
    struct tg_ring back; /* emptied banks, coordinator -> worker */
    /* connections */
    struct tg_conn_env env;
    struct tg_conn_target target; /* the URL's origin; owns its SSL_CTX */
    struct tg_conn_req creq;      /* the plan's request, sent by every connection */
    struct tg_wconn *conns;
    uint32_t n_conns;
    uint32_t free_head; /* open model: idle connections (index + 1) */
    uint32_t busy;
    /* load */
    tg_ns t0;       /* common start, monotonic */
    tg_ns t_end;    /* no new request at or after this (0 = none) */
    uint64_t quota; /* requests this worker may start (UINT64_MAX = unlimited) */
    uint64_t started;
    uint64_t next_due;  /* open: arrivals due so far */
    uint64_t next_send; /* open: arrivals sent so far */
    bool stopping;      /* no new requests; finishing in-flight ones */
    tg_ns stop_deadline;
    bool finished;
    /* metrics */
    struct tg_registry reg;
    struct tg_bank banks[TG_WORKER_BANKS];
    struct tg_bank *bank; /* active */
    struct tg_bank *spare;
    size_t declared; /* series already declared to the coordinator */
    struct tg_http_series by_status[600];
    struct tg_http_series by_error[1000]; /* index: code - 1000 */
    int32_t s_data_sent;
    int32_t s_data_received;
    int32_t s_iterations;
    int32_t s_dropped;
    int32_t s_late;
    int setup_error;       /* non-zero when set-up failed (ENOMEM) */
    struct tg_vu_exec *vx; /* script mode: the scenarios' VUs; NULL on the command line */
};

/*
 * Prepares worker index of n (allocations happen here, on the calling
 * thread). 0 or TG_ENOMEM / TG_EINVAL with d set.
 */
int tg_worker_init(struct tg_worker *w, uint32_t index, uint32_t n, const struct tg_plan *plan,
                   struct ev_loop *coord_loop, ev_async *coord_wake, struct tg_diag *d);
/* Starts the thread; load begins at t0. 0 or TG_EIO. */
int tg_worker_start(struct tg_worker *w, tg_ns t0);
/* Any thread: asks the worker to stop gracefully. */
void tg_worker_stop(struct tg_worker *w);
/* Asks the worker to stop at once: running iterations and requests are abandoned. */
void tg_worker_abort(struct tg_worker *w);
/* Joins the thread and frees everything. */
void tg_worker_fini(struct tg_worker *w);

#endif

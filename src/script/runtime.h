/*
 * runtime — one worker's script runtime: its Lua state (the script's init
 * context runs there once), the modules scripts require ("tailgate",
 * "tailgate.http"), the origins the script talks to (resolved without
 * blocking, through net/resolve), and its virtual users.
 *
 * A VU is a Lua coroutine. tailgate.http's calls send on the VU's own
 * keep-alive connection and yield; the event loop resumes the coroutine with
 * the response. tailgate.sleep yields to a timer. Nothing a script does
 * blocks the loop. The owner (the worker) learns of each finished request and
 * iteration through hooks, where it records metrics.
 *
 * Threading: everything here belongs to one worker thread.
 */
#ifndef TG_SCRIPT_RUNTIME_H
#define TG_SCRIPT_RUNTIME_H

#include "core/diag.h"
#include "exec/rate_cap.h"
#include "http/url.h"
#include "metrics/bank.h"
#include "metrics/registry.h"
#include "metrics/tags.h"
#include "net/allow.h"
#include "net/conn.h"
#include "net/resolve.h"
#include "script/http_xchg.h"
#include "tg.h"

#include <ev.h>
#include <lua.h>
#include <openssl/ssl.h>
#include <stdbool.h>
#include <stdint.h>

struct tg_vu;
struct tg_lua_scenario;
struct tg_lua_stream;
struct tg_lua_stream_rt;

/* A finished HTTP request, as the owner's metrics see it. */
struct tg_rt_http {
    const char *method;
    const char *url;
    const struct tg_conn_result *res; /* timings, status, error code, bytes */
};

struct tg_rt_hooks {
    void *owner;
    /* after each request, before the script sees the response */
    void (*on_http)(void *owner, struct tg_vu *vu, const struct tg_rt_http *h);
    /* after each iteration: err is NULL, or the error message (the iteration failed) */
    void (*on_iteration)(void *owner, struct tg_vu *vu, const char *err);
    /* optional: the iteration's function returned; its results are on co's stack */
    void (*on_return)(void *owner, struct tg_vu *vu, lua_State *co);
    /* optional: the script called tailgate.abort(reason) (the iteration then fails) */
    void (*on_abort)(void *owner, const char *reason);
};

struct tg_origin; /* scheme + host + port with its resolved addresses */

/* The production rails a runtime applies to every request it sends (borrowed). */
struct tg_rt_rails {
    const struct tg_allow *allow; /* --allow-host; NULL or empty: every host */
    const char *synthetic;        /* --synthetic-header "Name: value"; NULL: none */
    double max_rps;               /* --max-rps, all threads (0: none) */
    struct tg_segment seg;        /* this runtime's share of max_rps */
};

struct tg_rt {
    lua_State *L;
    struct ev_loop *loop;
    struct tg_conn_env *env; /* borrowed: the worker's */
    struct tg_resolve resolve;
    struct tg_origin *origins; /* owned list */
    SSL_CTX *tls;              /* for https origins; owned */
    bool tls_verify;
    tg_ns timeout_ns; /* default request timeout (k6: 60 s) */
    tg_ns connect_timeout_ns;
    struct tg_rt_hooks hooks;
    struct tg_vu *current;   /* the VU whose coroutine is running */
    struct tg_url *url;      /* scratch for parsing request URLs; owned */
    struct tg_registry *reg; /* the owner's metric registry (custom metrics, checks); may be NULL */
    struct tg_bank **bank;   /* the owner's active bank, where samples go; may be NULL */
    struct tg_rt_rails rails;
    bool capped;            /* rails.max_rps applies: requests wait for cap's permits */
    struct tg_rate_cap cap; /* started by tg_rt_start_cap */
    int capped_metric;      /* the rate_capped counter (-1: none) */
    int data_ref;           /* setup()'s data, the argument of every iteration (LUA_NOREF: none) */
    bool aborted;           /* tailgate.abort was called */
    char abort_reason[256];
    const char *path;        /* the script (borrowed); data files are found relative to it */
    bool in_init;            /* the init context runs: files may be read (tailgate.open...) */
    struct tg_http_rt *http; /* tailgate.http's state; owned */
    struct tg_lua_stream_rt *streams; /* tailgate.ws and tailgate.sse's state; owned */
};

enum tg_vu_state {
    TG_VU_IDLE,    /* between iterations */
    TG_VU_RUNNING, /* its coroutine is on the CPU */
    TG_VU_WAITING, /* yielded: a request, a lookup or a sleep is pending */
};

struct tg_vu {
    struct tg_rt *rt;
    uint32_t id; /* 1-based, as k6's __VU */
    enum tg_vu_state state;
    lua_State *co; /* the coroutine; anchored by co_ref */
    int co_ref;
    int state_ref; /* the VU's own table (tailgate.vu.state) */
    uint64_t iteration;
    void *user;                   /* the owner's (the executor's) per-VU data */
    struct tg_http_xchg_set http; /* its requests, connections and cookies */
    ev_timer sleep;
    const char *scenario;               /* the scenario tag of its samples ("default") */
    char group[256];                    /* the group tag: "::a::b", "" outside any group */
    const char *root_group;             /* where each iteration's group starts (NULL: "") */
    const struct tg_lua_scenario *scen; /* its scenario's tags and env; NULL: none */
    struct tg_lua_stream *streams;      /* its iteration's ws/sse sessions (lua_stream.c) */
};

/*
 * Creates the runtime: a Lua state with the modules, running the script at
 * path as its init context. 0, or TG_EINVAL (script error: d has file:line)
 * / TG_ENOENT / TG_ENOMEM.
 */
struct tg_rt_opts {
    const char *path;                /* the script */
    bool tls_verify;                 /* verify TLS certificates */
    struct tg_registry *reg;         /* where custom metrics are registered; may be NULL */
    struct tg_bank **bank;           /* where samples go (the owner's active bank); may be NULL */
    const struct tg_rt_rails *rails; /* production rails on every request; may be NULL */
};

int tg_rt_init(struct tg_rt *rt, struct ev_loop *loop, struct tg_conn_env *env,
               const struct tg_rt_opts *o, struct tg_diag *d);
/* Starts the --max-rps permits of this runtime's share at t0 (the run's start). */
void tg_rt_start_cap(struct tg_rt *rt, tg_ns t0);
void tg_rt_fini(struct tg_rt *rt);

int tg_vu_init(struct tg_vu *vu, struct tg_rt *rt, uint32_t id);
/* Fails the VU's requests whose connect or request deadline passed (owners sweep). */
void tg_vu_check_deadlines(struct tg_vu *vu, tg_ns now);
void tg_vu_fini(struct tg_vu *vu);
/* Records a sample into the owner's bank (tags as given). 0 or < 0. */
int tg_rt_record(struct tg_rt *rt, uint32_t metric, const struct tg_tag *tags, size_t n,
                 double value);
/*
 * Abandons the iteration in progress (graceful stop expired): its request,
 * lookup or sleep is cancelled without calling back; the coroutine is
 * dropped. The VU is idle afterwards.
 */
void tg_vu_abort(struct tg_vu *vu);
/*
 * Sets the data every iteration receives as its argument: setup()'s return
 * value as JSON text (NULL: none). 0, or TG_EINVAL with d set.
 */
int tg_rt_set_data(struct tg_rt *rt, const char *json, struct tg_diag *d);
/*
 * Starts an iteration: calls the global function fn in the VU's coroutine,
 * with the runtime's data (tg_rt_set_data) as its argument when there is one.
 * The iteration ends (hooks.on_iteration) when the function returns or
 * fails, possibly before this returns. TG_EINVAL when fn is not a function.
 */
int tg_vu_run(struct tg_vu *vu, const char *fn);

#endif

/*
 * vu_exec — scenario executors over VU coroutines; see vu_exec.h.
 */
#include "exec/vu_exec.h"

#include "core/alloc.h"
#include "core/clock.h"
#include "exec/schedule.h"
#include "net/errcode.h"
#include "script/lua.h"
#include "script/lua_random.h"
#include "script/lua_scenario.h"

#include <stdio.h>
#include <string.h>

struct vx_scen {
    struct tg_vu_exec *x;
    const struct tg_scenario *sc;
    struct tg_vu *vus;  /* this worker's share */
    struct vx_vu *data; /* the executor's per-VU data, parallel to vus */
    uint32_t n_vus;
    uint64_t iters_left; /* shared-iterations: this worker's share still to start */
    tg_ns start;         /* absolute monotonic */
    tg_ns end;           /* no iteration starts at or after it */
    tg_ns hard_end;      /* running iterations are abandoned then (0: not yet known) */
    bool started;
    bool ending;
    bool done;
    uint32_t running;
    ev_timer start_t;
    ev_timer end_t;
    uint32_t active; /* ramping-vus: VUs [0, active) may iterate */
    ev_timer ramp_t; /* ramping-vus: follows the stages */
    /* arrival-rate executors */
    bool arrivals;             /* an arrival-rate executor */
    struct tg_stage one_stage; /* constant-arrival-rate as one flat stage */
    const struct tg_stage *stages;
    size_t n_stages;
    double start_rate;
    uint64_t next_k;    /* this segment's next arrival */
    uint32_t allocated; /* VUs in use so far (preAllocatedVUs, growing to maxVUs) */
    double credit;      /* shape: VUs (closed) or iterations (open) owed, fractional */
    tg_ns last_tick;    /* shape: when the function was last asked */
    uint32_t *free_idx; /* idle allocated VUs */
    uint32_t n_free;
    ev_timer arrive_t;

    struct tg_lua_scenario ls; /* its tags and env, for its VUs */
};

struct vx_vu {
    struct vx_scen *scen;
    tg_ns iter_start;
    tg_ns rampdown_deadline; /* ramping-vus: abandon the iteration then (0: none) */
};

static void check_done(struct tg_vu_exec *x)
{
    if (x->done) {
        return;
    }
    for (size_t i = 0; i < x->n_scens; i++) {
        if (!x->scens[i].done) {
            return;
        }
    }
    x->done = true;
    x->conf.on_done(x->conf.owner);
}

static void scen_check_done(struct vx_scen *s)
{
    if (s->done || s->running > 0) {
        return;
    }
    bool out_of_work = s->sc->executor == TG_EXECUTOR_SHARED_ITERATIONS && s->iters_left == 0;
    if (s->sc->executor == TG_EXECUTOR_PER_VU_ITERATIONS) {
        out_of_work = true;
        for (uint32_t i = 0; i < s->n_vus; i++) {
            out_of_work = out_of_work && s->vus[i].iteration >= s->sc->iterations;
        }
    }
    if (s->ending || (s->started && out_of_work) || (s->n_vus == 0 && !s->arrivals)) {
        s->done = true;
        ev_timer_stop(s->x->conf.loop, &s->start_t);
        ev_timer_stop(s->x->conf.loop, &s->end_t);
        ev_timer_stop(s->x->conf.loop, &s->ramp_t);
        ev_timer_stop(s->x->conf.loop, &s->arrive_t);
        check_done(s->x);
    }
}

static void enqueue(struct tg_vu_exec *x, struct tg_vu *vu)
{
    if (x->qn == x->qcap) {
        size_t cap = x->qcap ? x->qcap * 2 : 64;
        struct tg_vu **q = tg_realloc(x->queue, cap, sizeof(*q));
        if (!q) {
            return; /* the VU stays parked; its scenario ends at its end time */
        }
        x->queue = q;
        x->qcap = cap;
    }
    x->queue[x->qn++] = vu;
    ev_idle_start(x->conf.loop, &x->ready);
}

/* Whether vu may start another iteration now (and claims it). */
static bool claim(struct vx_scen *s, struct tg_vu *vu, tg_ns now)
{
    if (s->x->stopping || s->ending || !s->started || now >= s->end) {
        return false;
    }
    switch (s->sc->executor) {
    case TG_EXECUTOR_SHARED_ITERATIONS:
        if (s->iters_left == 0) {
            return false;
        }
        s->iters_left--;
        return true;
    case TG_EXECUTOR_PER_VU_ITERATIONS:
        return vu->iteration < s->sc->iterations;
    case TG_EXECUTOR_RAMPING_VUS:
    case TG_EXECUTOR_SHAPE:
        return (uint32_t)(vu - s->vus) < s->active;
    case TG_EXECUTOR_CONSTANT_ARRIVAL_RATE:
    case TG_EXECUTOR_RAMPING_ARRIVAL_RATE:
        return false; /* their VUs start on arrivals, not in a loop */
    default:
        return true;
    }
}

static void on_iteration(void *owner, struct tg_vu *vu, const char *err);

static void ready_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
    (void)revents;
    struct tg_vu_exec *x = w->data;
    size_t n = x->qn;
    x->qn = 0;
    tg_ns now = tg_clock_now();
    /* VUs queued meanwhile (iterations that end at once) wait for the next round */
    struct tg_vu *batch[256];
    size_t take = n < TG_ARRAY_LEN(batch) ? n : TG_ARRAY_LEN(batch);
    memcpy(batch, x->queue, take * sizeof(*batch));
    memmove(x->queue, x->queue + take, (n - take) * sizeof(*x->queue));
    x->qn = n - take;
    for (size_t i = 0; i < take; i++) {
        struct tg_vu *vu = batch[i];
        struct vx_vu *v = vu->user;
        struct vx_scen *s = v->scen;
        if (vu->state != TG_VU_IDLE || !claim(s, vu, now)) {
            scen_check_done(s);
            continue;
        }
        s->running++;
        v->iter_start = now;
        if (tg_vu_run(vu, s->sc->exec) < 0) {
            /* the function is gone (the script removed it): a failed iteration, not a hang */
            on_iteration(x, vu, "the scenario's exec function is not defined");
        }
    }
    if (x->qn == 0) {
        ev_idle_stop(loop, w);
    }
}

static void keep_error(struct tg_vu_exec *x, const char *err)
{
    /* the first line identifies it: "file:line: message" */
    size_t len = strcspn(err, "\n");
    for (size_t i = 0; i < x->n_errors; i++) {
        if (strncmp(x->errors[i].msg, err, len) == 0 && x->errors[i].msg[len] == '\0') {
            x->errors[i].count++;
            return;
        }
    }
    if (x->n_errors < TG_VU_EXEC_ERRORS) {
        snprintf(x->errors[x->n_errors].msg, sizeof(x->errors[0].msg), "%.*s", (int)len, err);
        x->errors[x->n_errors++].count = 1;
    }
}

static void on_iteration(void *owner, struct tg_vu *vu, const char *err)
{
    struct tg_vu_exec *x = owner;
    struct vx_vu *v = vu->user;
    struct vx_scen *s = v->scen;
    s->running--;
    double ms = (double)(tg_clock_now() - v->iter_start) / 1e6;
    tg_lua_scenario_record(&s->ls, vu->rt, TG_M_ITERATIONS, 1);
    tg_lua_scenario_record(&s->ls, vu->rt, TG_M_ITERATION_DURATION, ms);
    if (err && !vu->rt->aborted) {
        int m = tg_registry_metric(x->conf.reg, "iteration_errors", TG_KIND_COUNTER,
                                   TG_CONTAINS_DEFAULT);
        if (m >= 0) {
            tg_lua_scenario_record(&s->ls, vu->rt, (uint32_t)m, 1);
        }
        keep_error(x, err);
    }
    if (s->arrivals) {
        s->free_idx[s->n_free++] = (uint32_t)(vu - s->vus);
        scen_check_done(s);
        return;
    }
    enqueue(x, vu);
}

static void on_abort(void *owner, const char *reason)
{
    struct tg_vu_exec *x = owner;
    if (x->conf.on_abort) {
        x->conf.on_abort(x->conf.owner, reason);
    }
}

#define RAMP_STEP_S 0.01

static void set_active(struct vx_scen *s, uint32_t a, tg_ns now);

/* ramping-vus: brings the active VUs to the stages' target for now. */
static void ramp_to(struct vx_scen *s, tg_ns now)
{
    const struct tg_scenario *sc = s->sc;
    double target = tg_schedule_value_at(sc->stages, sc->n_stages, sc->start_vus, now - s->start);
    set_active(s, (uint32_t)tg_schedule_vus_share(s->x->conf.seg, target), now);
}

/* Makes VUs [0, a) the active ones; leaving VUs finish within gracefulRampDown. */
static void set_active(struct vx_scen *s, uint32_t a, tg_ns now)
{
    const struct tg_scenario *sc = s->sc;
    a = a < s->n_vus ? a : s->n_vus;
    for (uint32_t i = s->active; i < a; i++) {
        ((struct vx_vu *)s->vus[i].user)->rampdown_deadline = 0;
        enqueue(s->x, &s->vus[i]);
    }
    for (uint32_t i = a; i < s->active; i++) {
        if (s->vus[i].state != TG_VU_IDLE) {
            /* k6's gracefulRampDown: the iteration may finish until then */
            ((struct vx_vu *)s->vus[i].user)->rampdown_deadline = now + sc->graceful_ramp_down;
        }
    }
    s->active = a;
}

static void end_scen(struct vx_scen *s, tg_ns now);
static void start_arrival(struct vx_scen *s, tg_ns now);
static void keep_error(struct tg_vu_exec *x, const char *err);

/*
 * shape: asks the script's function for now (seconds since the scenario
 * started): users and spawn rate (closed), or an arrival rate (open); nil ends
 * the scenario. This worker takes its segment's share of either.
 */
static void shape_tick(struct vx_scen *s, tg_ns now)
{
    struct tg_vu_exec *x = s->x;
    lua_State *L = x->rt.L;
    double dt = s->last_tick ? (double)(now - s->last_tick) / 1e9 : 0;
    s->last_tick = now;
    lua_getglobal(L, s->sc->shape);
    lua_pushnumber(L, (double)(now - s->start) / 1e9);
    struct tg_diag d = { "" };
    if (tg_lua_pcall(L, 1, 2, &d) < 0) {
        keep_error(x, d.msg);
        end_scen(s, now);
        return;
    }
    double frac = (double)(x->conf.seg.to - x->conf.seg.from) / (double)x->conf.seg.den;
    bool over = lua_isnil(L, -2);
    double v = lua_tonumber(L, -2);
    double spawn = lua_isnumber(L, -1) ? lua_tonumber(L, -1) : -1;
    lua_pop(L, 2);
    if (over) {
        end_scen(s, now);
        return;
    }
    if (s->arrivals) {
        for (s->credit += (v > 0 ? v : 0) * dt * frac; s->credit >= 1; s->credit -= 1) {
            start_arrival(s, now);
        }
        return;
    }
    uint32_t a = (uint32_t)tg_schedule_vus_share(x->conf.seg, v);
    if (a > s->active && spawn >= 0) {
        /* Locust's spawn rate: at most that many users a second (this worker's share) */
        s->credit += spawn * dt * frac;
        uint32_t allowed = (uint32_t)s->credit;
        a = a - s->active > allowed ? s->active + allowed : a;
        s->credit -= a - s->active;
    }
    set_active(s, a, now);
}

static void ramp_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
    (void)revents;
    struct vx_scen *s = t->data;
    tg_ns now = tg_clock_now();
    if (s->ending || now >= s->end) {
        ev_timer_stop(loop, t);
        return;
    }
    if (s->sc->executor == TG_EXECUTOR_SHAPE) {
        shape_tick(s, now);
    } else {
        ramp_to(s, now);
    }
}

/* Starts one scheduled iteration on a free VU (allocating up to maxVUs), or drops it. */
static void start_arrival(struct vx_scen *s, tg_ns now)
{
    struct tg_vu_exec *x = s->x;
    struct tg_vu *vu = NULL;
    if (s->n_free > 0) {
        vu = &s->vus[s->free_idx[--s->n_free]];
    } else if (s->allocated < s->n_vus) {
        vu = &s->vus[s->allocated++]; /* up to maxVUs, one at a time as k6 */
    }
    if (!vu) {
        tg_lua_scenario_record(&s->ls, &x->rt, TG_M_DROPPED_ITERATIONS, 1);
        return;
    }
    s->running++;
    ((struct vx_vu *)vu->user)->iter_start = now;
    if (tg_vu_run(vu, s->sc->exec) < 0) {
        on_iteration(x, vu, "the scenario's exec function is not defined");
    }
}

/* Arrival-rate executors: starts every arrival due by now on a free VU, or drops it. */
static void arrive(struct vx_scen *s, tg_ns now)
{
    struct tg_vu_exec *x = s->x;
    for (;;) {
        tg_ns at = tg_schedule_arrival_ns(s->stages, s->n_stages, s->start_rate, s->sc->time_unit,
                                          x->conf.seg, s->next_k);
        if (at < 0) {
            ev_timer_stop(x->conf.loop, &s->arrive_t);
            return; /* the stages are over */
        }
        if (s->start + at > now) {
            double after = (double)(s->start + at - now) / 1e9;
            ev_timer_stop(x->conf.loop, &s->arrive_t);
            ev_timer_set(&s->arrive_t, after, 0);
            ev_timer_start(x->conf.loop, &s->arrive_t);
            return;
        }
        s->next_k++;
        if (s->ending || x->stopping) {
            continue;
        }
        start_arrival(s, now);
    }
}

static void arrive_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
    (void)loop;
    (void)revents;
    arrive(t->data, tg_clock_now());
}

static void start_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
    (void)loop;
    (void)revents;
    struct vx_scen *s = t->data;
    s->started = true;
    if (s->sc->executor == TG_EXECUTOR_SHAPE) {
        shape_tick(s, tg_clock_now());
        ev_timer_start(loop, &s->ramp_t);
        scen_check_done(s);
        return;
    }
    if (s->arrivals) {
        arrive(s, tg_clock_now());
        scen_check_done(s);
        return;
    }
    if (s->sc->executor == TG_EXECUTOR_RAMPING_VUS) {
        ramp_to(s, tg_clock_now());
        ev_timer_start(loop, &s->ramp_t);
        scen_check_done(s);
        return;
    }
    for (uint32_t i = 0; i < s->n_vus; i++) {
        enqueue(s->x, &s->vus[i]);
    }
    scen_check_done(s);
}

static void end_scen(struct vx_scen *s, tg_ns now)
{
    if (s->ending) {
        return;
    }
    s->ending = true;
    s->hard_end = now + s->sc->graceful_stop;
    scen_check_done(s);
}

static void end_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
    (void)loop;
    (void)revents;
    end_scen(t->data, tg_clock_now());
}

void tg_vu_exec_stop(struct tg_vu_exec *x, tg_ns now)
{
    x->stopping = true;
    for (size_t i = 0; i < x->n_scens; i++) {
        end_scen(&x->scens[i], now);
    }
}

void tg_vu_exec_abort(struct tg_vu_exec *x, tg_ns now)
{
    tg_vu_exec_stop(x, now);
    for (size_t i = 0; i < x->n_scens; i++) {
        struct vx_scen *s = &x->scens[i];
        s->hard_end = now;
        for (uint32_t k = 0; k < s->n_vus; k++) {
            if (s->vus[k].state != TG_VU_IDLE) {
                tg_vu_abort(&s->vus[k]);
                s->running--;
            }
        }
        scen_check_done(s);
    }
}

void tg_vu_exec_sweep(struct tg_vu_exec *x, tg_ns now)
{
    for (size_t i = 0; i < x->n_scens; i++) {
        struct vx_scen *s = &x->scens[i];
        for (uint32_t k = 0; k < s->n_vus; k++) {
            tg_vu_check_deadlines(&s->vus[k], now);
        }
        for (uint32_t k = 0; k < s->n_vus; k++) {
            struct vx_vu *v = s->vus[k].user;
            if (v->rampdown_deadline && now >= v->rampdown_deadline) {
                v->rampdown_deadline = 0;
                if (s->vus[k].state != TG_VU_IDLE) {
                    tg_vu_abort(&s->vus[k]);
                    s->running--;
                }
            }
        }
        if (s->ending && !s->done && now >= s->hard_end) {
            for (uint32_t k = 0; k < s->n_vus; k++) {
                if (s->vus[k].state != TG_VU_IDLE) {
                    tg_vu_abort(&s->vus[k]);
                    s->running--;
                }
            }
            scen_check_done(s);
        }
    }
}

/* The VUs of s taking part now (see tg_vu_exec_vus). */
static uint32_t scen_active(const struct vx_scen *s)
{
    enum tg_executor e = s->sc->executor;
    if (!s->started || s->done || s->ending ||
        (e == TG_EXECUTOR_SHARED_ITERATIONS && s->iters_left == 0)) {
        return s->started && !s->done ? s->running : 0; /* only those finishing an iteration */
    }
    if (s->arrivals) {
        return s->allocated; /* k6 activates them as they are allocated */
    }
    uint32_t n = 0;
    for (uint32_t i = 0; i < s->n_vus; i++) {
        bool in = e == TG_EXECUTOR_RAMPING_VUS || e == TG_EXECUTOR_SHAPE ? i < s->active
                  : e == TG_EXECUTOR_PER_VU_ITERATIONS ? s->vus[i].iteration < s->sc->iterations
                                                       : true;
        n += in || s->vus[i].state != TG_VU_IDLE;
    }
    return n;
}

void tg_vu_exec_vus(const struct tg_vu_exec *x, uint32_t *active, uint32_t *allocated)
{
    *active = 0;
    *allocated = 0;
    for (size_t i = 0; i < x->n_scens; i++) {
        const struct vx_scen *s = &x->scens[i];
        *allocated += s->arrivals ? s->allocated : s->n_vus;
        *active += scen_active(s);
    }
}

static int scen_init(struct tg_vu_exec *x, struct vx_scen *s, const struct tg_scenario *sc,
                     uint32_t *next_id)
{
    s->x = x;
    s->sc = sc;
    int rc = tg_lua_scenario_init(&s->ls, &x->rt, x->conf.opts, sc);
    if (rc < 0) {
        return rc;
    }
    uint32_t total = sc->vus;
    s->arrivals = sc->executor == TG_EXECUTOR_CONSTANT_ARRIVAL_RATE ||
                  sc->executor == TG_EXECUTOR_RAMPING_ARRIVAL_RATE ||
                  (sc->executor == TG_EXECUTOR_SHAPE && sc->open);
    if (sc->executor == TG_EXECUTOR_SHAPE) {
        total = sc->max_vus; /* the plan found the shape's peak when maxVUs was not given */
        s->allocated = (uint32_t)tg_segment_count(x->conf.seg, sc->pre_allocated_vus);
    }
    if (s->arrivals) {
        total = sc->max_vus;
        s->one_stage = (struct tg_stage){ sc->duration, sc->rate };
        bool constant = sc->executor == TG_EXECUTOR_CONSTANT_ARRIVAL_RATE;
        s->stages = constant ? &s->one_stage : sc->stages;
        s->n_stages = constant ? 1 : sc->n_stages;
        s->start_rate = constant ? sc->rate : sc->start_rate;
        s->allocated = (uint32_t)tg_segment_count(x->conf.seg, sc->pre_allocated_vus);
    }
    if (sc->executor == TG_EXECUTOR_RAMPING_VUS) {
        double peak = sc->start_vus;
        for (size_t i = 0; i < sc->n_stages; i++) {
            peak = sc->stages[i].target > peak ? sc->stages[i].target : peak;
        }
        total = (uint32_t)peak;
    }
    s->n_vus = (uint32_t)tg_segment_count(x->conf.seg, total);
    if (sc->executor == TG_EXECUTOR_SHARED_ITERATIONS && sc->vus > 0) {
        /* iterations follow the VUs: this worker's VUs are [vlo, vhi) of all of them */
        struct tg_segment seg = x->conf.seg;
        uint64_t vlo =
            sc->vus - tg_segment_count((struct tg_segment){ seg.from, seg.den, seg.den }, sc->vus);
        uint64_t vhi = vlo + s->n_vus;
        __extension__ unsigned __int128 it = sc->iterations;
        s->iters_left = (uint64_t)(it * vhi / sc->vus - it * vlo / sc->vus);
    }
    s->vus = tg_calloc(s->n_vus ? s->n_vus : 1, sizeof(*s->vus));
    struct vx_vu *data = tg_calloc(s->n_vus ? s->n_vus : 1, sizeof(*data));
    s->data = data;
    s->free_idx = tg_calloc(s->n_vus ? s->n_vus : 1, sizeof(*s->free_idx));
    if (!s->vus || !data || !s->free_idx) {
        return TG_ENOMEM;
    }
    s->allocated = s->allocated < s->n_vus ? s->allocated : s->n_vus;
    for (uint32_t i = 0; s->arrivals && i < s->allocated; i++) {
        s->free_idx[s->n_free++] = s->allocated - 1 - i;
    }
    for (uint32_t i = 0; i < s->n_vus; i++) {
        tg_vu_init(&s->vus[i], &x->rt, (*next_id)++);
        s->vus[i].scenario = sc->name;
        s->vus[i].scen = &s->ls;
        data[i].scen = s;
        s->vus[i].user = &data[i];
    }
    ev_timer_init(&s->start_t, start_cb, 0, 0);
    ev_timer_init(&s->end_t, end_cb, 0, 0);
    ev_timer_init(&s->ramp_t, ramp_cb, RAMP_STEP_S, RAMP_STEP_S);
    ev_timer_init(&s->arrive_t, arrive_cb, 0, 0);
    s->start_t.data = s->end_t.data = s->ramp_t.data = s->arrive_t.data = s;
    return 0;
}

int tg_vu_exec_init(struct tg_vu_exec *x, const struct tg_vu_exec_conf *c, struct tg_diag *d)
{
    memset(x, 0, sizeof(*x));
    x->conf = *c;
    struct tg_rt_opts o = { c->script, c->tls_verify, c->reg, c->bank, c->rails };
    int rc = tg_rt_init(&x->rt, c->loop, c->env, &o, d);
    if (rc < 0) {
        return rc;
    }
    x->rt.hooks = (struct tg_rt_hooks){ x, NULL, on_iteration, NULL, on_abort };
    rc = tg_rt_set_data(&x->rt, c->data_json, d);
    if (rc < 0) {
        return rc;
    }
    /* each worker its own reproducible random sequence */
    tg_lua_random_seed(x->rt.L, 0x5eed0000ULL + c->seg.from * 0x9e3779b9ULL);
    tg_http_retry_seed(&x->rt, 0x5eed0000ULL + c->seg.from * 0x9e3779b9ULL);
    x->n_scens = c->opts->n_scenarios;
    x->scens = tg_calloc(x->n_scens ? x->n_scens : 1, sizeof(*x->scens));
    if (!x->scens) {
        return TG_ENOMEM;
    }
    uint32_t next_id = 1;
    for (size_t i = 0; i < x->n_scens; i++) {
        if (scen_init(x, &x->scens[i], &c->opts->scenarios[i], &next_id) < 0) {
            tg_diag_set(d, "out of memory creating VUs");
            return TG_ENOMEM;
        }
        x->vus_total += x->scens[i].n_vus;
    }
    ev_idle_init(&x->ready, ready_cb);
    x->ready.data = x;
    return 0;
}

void tg_vu_exec_start(struct tg_vu_exec *x, tg_ns t0)
{
    tg_rt_start_cap(&x->rt, t0);
    tg_ns now = tg_clock_now();
    ev_now_update(x->conf.loop);
    for (size_t i = 0; i < x->n_scens; i++) {
        struct vx_scen *s = &x->scens[i];
        const struct tg_scenario *sc = s->sc;
        tg_ns len = sc->max_duration; /* the iteration executors */
        if (sc->executor == TG_EXECUTOR_CONSTANT_VUS ||
            sc->executor == TG_EXECUTOR_CONSTANT_ARRIVAL_RATE) {
            len = sc->duration;
        } else if (sc->executor == TG_EXECUTOR_RAMPING_VUS ||
                   sc->executor == TG_EXECUTOR_RAMPING_ARRIVAL_RATE) {
            len = tg_schedule_stages_len(sc->stages, sc->n_stages);
        } else if (sc->executor == TG_EXECUTOR_SHAPE) {
            len = sc->duration + TG_NS_PER_S; /* the function's nil ends it; this bounds it */
        }
        s->start = t0 + sc->start_time;
        s->end = s->start + len;
        ev_timer_set(&s->start_t, s->start > now ? (double)(s->start - now) / 1e9 : 0, 0);
        ev_timer_set(&s->end_t, s->end > now ? (double)(s->end - now) / 1e9 : 0, 0);
        ev_timer_start(x->conf.loop, &s->start_t);
        ev_timer_start(x->conf.loop, &s->end_t);
    }
    if (x->n_scens == 0) {
        check_done(x);
    }
}

void tg_vu_exec_fini(struct tg_vu_exec *x)
{
    for (size_t i = 0; x->scens && i < x->n_scens; i++) {
        struct vx_scen *s = &x->scens[i];
        ev_timer_stop(x->conf.loop, &s->start_t);
        ev_timer_stop(x->conf.loop, &s->end_t);
        ev_timer_stop(x->conf.loop, &s->ramp_t);
        ev_timer_stop(x->conf.loop, &s->arrive_t);
        for (uint32_t k = 0; s->vus && k < s->n_vus; k++) {
            tg_vu_abort(&s->vus[k]);
            tg_vu_fini(&s->vus[k]);
        }
        tg_free(s->data);
        tg_free(s->free_idx);
        tg_free(s->vus);
        tg_lua_scenario_fini(&s->ls, &x->rt);
    }
    if (x->conf.loop) {
        ev_idle_stop(x->conf.loop, &x->ready);
    }
    tg_free(x->scens);
    tg_free(x->queue);
    tg_rt_fini(&x->rt);
}

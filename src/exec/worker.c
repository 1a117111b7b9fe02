/*
 * worker — a load-generating thread; see worker.h.
 */
#include "exec/worker.h"

#include "core/alloc.h"
#include "core/clock.h"
#include "net/errcode.h"
#include "net/tls.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#define TICK_S  0.2
#define SWEEP_S 0.05
#define LATE_NS TG_NS_PER_MS
/*
 * Open model: one wake-up releases every arrival due within the next PACE_NS,
 * the ones not yet due are sent early and their latency counts from the actual
 * send (never from a later schedule), so batching adds no latency to what is
 * measured. Waking for each arrival separately costs about 2.5x the CPU per
 * request at 5,000/s on these VMs (bench/open_model.sh); h2load and wrk2 batch
 * the same way through millisecond timers.
 */
#define PACE_NS TG_NS_PER_MS

static void on_complete(struct tg_conn *c, void *ctx);

/* ---- metric series ---------------------------------------------------- */

static int32_t base_series(struct tg_worker *w, uint32_t metric)
{
    struct tg_tag tags[] = { { "scenario", "default" } };
    int ts = tg_registry_tagset_of(&w->reg, tags, TG_ARRAY_LEN(tags));
    bool created;
    int s = ts < 0 ? ts : tg_registry_series(&w->reg, metric, (uint32_t)ts, &created);
    if (s < 0 || tg_bank_sync(w->bank, &w->reg) < 0) {
        w->setup_error = TG_ENOMEM;
        return -1;
    }
    return s;
}

/* Interns the series of one (status, error code) combination: slow path, once each. */
static int intern_http(struct tg_worker *w, struct tg_http_series *hs, int status, int ecode)
{
    char st[16];
    char ec[16];
    snprintf(st, sizeof(st), "%d", status);
    snprintf(ec, sizeof(ec), "%d", ecode);
    bool expected = ecode == 0 && status >= 200 && status < 400;
    struct tg_tag tags[8] = {
        { "method", w->plan->method },
        { "url", w->plan->url_text },
        { "name", w->plan->url_text },
        { "proto", "HTTP/1.1" },
        { "scenario", "default" },
        { "status", st },
        { "expected_response", expected ? "true" : "false" },
        { "error_code", ec },
    };
    int ts = tg_registry_tagset_of(&w->reg, tags, ecode ? 8 : 7);
    if (ts < 0) {
        return ts;
    }
    static const uint32_t metrics[] = {
        TG_M_HTTP_REQS,
        TG_M_HTTP_REQ_FAILED,
        TG_M_HTTP_REQ_DURATION,
        TG_M_HTTP_REQ_DURATION_UNCORRECTED,
        TG_M_HTTP_REQ_BLOCKED,
        TG_M_HTTP_REQ_CONNECTING,
        TG_M_HTTP_REQ_TLS_HANDSHAKING,
        TG_M_HTTP_REQ_SENDING,
        TG_M_HTTP_REQ_WAITING,
        TG_M_HTTP_REQ_RECEIVING,
    };
    int32_t ids[TG_ARRAY_LEN(metrics)];
    for (size_t i = 0; i < TG_ARRAY_LEN(metrics); i++) {
        bool created;
        int s = tg_registry_series(&w->reg, metrics[i], (uint32_t)ts, &created);
        if (s < 0) {
            return s;
        }
        ids[i] = s;
    }
    int rc = tg_bank_sync(w->bank, &w->reg);
    if (rc < 0) {
        return rc;
    }
    *hs = (struct tg_http_series){ ids[0], ids[1], ids[2], ids[3], ids[4],
                                   ids[5], ids[6], ids[7], ids[8], ids[9] };
    return 0;
}

static struct tg_http_series *series_for(struct tg_worker *w, int status, int ecode)
{
    struct tg_http_series *hs;
    if (ecode >= 1000 && ecode < 2000 && (ecode < 1400 || ecode >= 1600)) {
        hs = &w->by_error[ecode - 1000];
    } else {
        hs = &w->by_status[status >= 0 && status < 600 ? status : 0];
    }
    if (tg_unlikely(hs->reqs < 0) && intern_http(w, hs, status, ecode) < 0) {
        return NULL;
    }
    return hs;
}

static inline tg_ns span(tg_ns from, tg_ns to)
{
    return (from && to && to > from) ? to - from : 0;
}

static void record(struct tg_worker *w, const struct tg_wconn *wc)
{
    const struct tg_conn_result *r = &wc->conn.res;
    int status = r->status;
    int ecode = r->error_code ? r->error_code : (status >= 400 ? 1000 + status : 0);
    bool expected = r->error_code == 0 && status >= 200 && status < 400;
    struct tg_http_series *hs = series_for(w, r->error_code ? 0 : status, ecode);
    if (!hs) {
        return;
    }
    struct tg_bank *b = w->bank;
    tg_ns net_start =
        r->t_conn_start ? r->t_conn_start : (r->t_send_start ? r->t_send_start : r->t_done);
    tg_ns sending = span(r->t_send_start, r->t_send_end);
    tg_ns waiting = span(r->t_send_end, r->t_first_byte);
    tg_ns receiving = span(r->t_first_byte, r->t_done);
    tg_ns unc = r->t_send_start ? span(r->t_send_start, r->t_done) : 0;
    tg_sink_add_counter(tg_bank_sink(b, hs->reqs), 1);
    tg_sink_add_rate(tg_bank_sink(b, hs->failed), !expected);
    tg_sink_add_trend_ns(tg_bank_sink(b, hs->blocked), span(wc->t_sched, net_start));
    tg_sink_add_trend_ns(tg_bank_sink(b, hs->connecting), span(r->t_conn_start, r->t_connected));
    tg_sink_add_trend_ns(tg_bank_sink(b, hs->tls),
                         w->plan->url.tls ? span(r->t_connected, r->t_tls_done) : 0);
    tg_sink_add_trend_ns(tg_bank_sink(b, hs->sending), sending);
    tg_sink_add_trend_ns(tg_bank_sink(b, hs->waiting), waiting);
    tg_sink_add_trend_ns(tg_bank_sink(b, hs->receiving), receiving);
    if (w->plan->rate_per_s > 0) {
        tg_sink_add_trend_ns(tg_bank_sink(b, hs->duration), span(wc->t_sched, r->t_done));
        tg_sink_add_trend_ns(tg_bank_sink(b, hs->duration_unc), unc);
    } else {
        tg_sink_add_trend_ns(tg_bank_sink(b, hs->duration), unc);
    }
    tg_sink_add_counter(tg_bank_sink(b, (uint32_t)w->s_data_sent), (double)r->bytes_sent);
    tg_sink_add_counter(tg_bank_sink(b, (uint32_t)w->s_data_received), (double)r->bytes_received);
    tg_sink_add_counter(tg_bank_sink(b, (uint32_t)w->s_iterations), 1);
}

/* ---- publishing ------------------------------------------------------- */

static void publish(struct tg_worker *w, bool final)
{
    if (!w->spare) {
        w->spare = tg_ring_pop(&w->back);
    }
    if (!w->spare && !final) {
        return; /* the coordinator is behind: keep accumulating */
    }
    tg_ns now = tg_clock_now();
    struct tg_bank *b = w->bank;
    if (tg_bank_declare(b, &w->reg, w->declared) < 0) {
        w->setup_error = TG_ENOMEM;
        return;
    }
    w->declared = w->reg.n_series;
    b->t_to = now;
    b->active = w->busy;
    b->allocated = w->n_conns;
    if (w->vx) {
        uint32_t active;
        uint32_t allocated;
        tg_vu_exec_vus(w->vx, &active, &allocated);
        b->active = active; /* the coordinator sums these into vus and vus_max */
        b->allocated = allocated;
    }
    b->final = final;
    if (!tg_ring_push(&w->out, b)) {
        return;
    }
    ev_async_send(w->coord_loop, w->coord_wake);
    w->bank = w->spare;
    w->spare = NULL;
    if (w->bank) {
        w->bank->t_from = now;
        if (tg_bank_sync(w->bank, &w->reg) < 0) {
            w->setup_error = TG_ENOMEM;
        }
    }
}

static void tick_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
    (void)loop;
    (void)revents;
    publish(t->data, false);
}

/* ---- scheduling ------------------------------------------------------- */

static void finish_if_idle(struct tg_worker *w)
{
    if (w->finished || w->busy > 0 || (w->vx && !w->vx->done)) {
        return;
    }
    bool more = !w->stopping && w->started < w->quota;
    if (w->plan->rate_per_s > 0) {
        more = more && w->pacing;
    }
    if (more) {
        return;
    }
    w->finished = true;
    ev_break(w->loop, EVBREAK_ALL);
}

static void send_on(struct tg_worker *w, struct tg_wconn *wc, tg_ns now)
{
    w->depth++;
    tg_conn_send(&wc->conn, &w->target, &w->creq, now);
    w->depth--;
}

/* --max-rps: the request waits for its permit at the FIFO's tail. */
static void hold(struct tg_worker *w, struct tg_wconn *wc, tg_ns at, tg_ns now)
{
    wc->t_release = at;
    w->cap_q[(w->cap_head + w->cap_n++) % w->n_conns] = (uint32_t)(wc - w->conns);
    tg_sink_add_counter(tg_bank_sink(w->bank, (uint32_t)w->s_capped), 1);
    if (w->cap_n == 1) {
        ev_timer_set(&w->cap_t, (double)(at - now) / 1e9, 0);
        ev_timer_start(w->loop, &w->cap_t);
    }
}

static void cap_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
    (void)revents;
    struct tg_worker *w = t->data;
    tg_ns now = tg_clock_now();
    while (w->cap_n > 0) {
        struct tg_wconn *wc = &w->conns[w->cap_q[w->cap_head]];
        if (wc->t_release > now) {
            ev_timer_set(t, (double)(wc->t_release - now) / 1e9, 0);
            ev_timer_start(loop, t);
            return;
        }
        w->cap_head = (w->cap_head + 1) % w->n_conns;
        w->cap_n--;
        /* the wait is the cap's, not the target's: latency counts from the release */
        wc->t_sched = wc->t_sched > wc->t_release ? wc->t_sched : wc->t_release;
        send_on(w, wc, now);
    }
}

/* At a stop, requests still waiting for a permit are never sent. */
static void drop_held(struct tg_worker *w)
{
    ev_timer_stop(w->loop, &w->cap_t);
    if (w->cap_n && w->plan->rate_per_s > 0) { /* arrivals the cap never let through */
        tg_sink_add_counter(tg_bank_sink(w->bank, (uint32_t)w->s_dropped), (double)w->cap_n);
    }
    w->busy -= w->cap_n;
    w->cap_n = 0;
    finish_if_idle(w);
}

static void start_on(struct tg_worker *w, struct tg_wconn *wc, tg_ns t_sched, tg_ns now)
{
    wc->t_sched = t_sched;
    w->started++;
    w->busy++;
    if (w->capped) {
        tg_ns at = tg_rate_cap_take(&w->cap, now);
        if (at > now) {
            hold(w, wc, at, now);
            return;
        }
    }
    send_on(w, wc, now);
}

static bool may_start(const struct tg_worker *w, tg_ns now)
{
    return !w->stopping && w->started < w->quota && (w->t_end == 0 || now < w->t_end);
}

static void push_free(struct tg_worker *w, struct tg_wconn *wc)
{
    wc->next_free = w->free_head;
    w->free_head = (uint32_t)(wc - w->conns) + 1;
}

static struct tg_wconn *pop_free(struct tg_worker *w)
{
    if (!w->free_head) {
        return NULL;
    }
    struct tg_wconn *wc = &w->conns[w->free_head - 1];
    w->free_head = wc->next_free;
    return wc;
}

/* Open model: sends due arrivals on free connections. */
static void dispatch_due(struct tg_worker *w, tg_ns now)
{
    while (w->next_send < w->next_due && !w->stopping) {
        struct tg_wconn *wc = pop_free(w);
        if (!wc) {
            return;
        }
        tg_ns t_sched = w->t0 + tg_segment_arrival_ns(w->seg, w->plan->rate_per_s, w->next_send);
        w->next_send++;
        if (now - t_sched > LATE_NS) {
            tg_sink_add_counter(tg_bank_sink(w->bank, (uint32_t)w->s_late), 1);
        }
        /* latency counts from the schedule, or from the send when it went early */
        start_on(w, wc, t_sched < now ? t_sched : now, now);
    }
}

/* Open model: how many of this worker's arrivals exist in the whole test. */
static uint64_t arrival_cap(const struct tg_worker *w)
{
    uint64_t cap = w->quota;
    if (w->t_end) {
        uint64_t by_end = tg_segment_arrivals_by(w->seg, w->plan->rate_per_s, w->t_end - w->t0 - 1);
        cap = by_end < cap ? by_end : cap;
    }
    return cap;
}

/*
 * Arms the pacing timer for an absolute monotonic time (0 disarms). A timerfd
 * wakes epoll at nanosecond resolution, where libev's own timers round the
 * wait up to whole milliseconds, which would add up to 1 ms of our own
 * lateness to every scheduled request. Re-arming also clears the expiry count,
 * so no read() is needed: one syscall per wake-up, however many arrivals it
 * dispatches.
 */
static void pace_arm(struct tg_worker *w, tg_ns at)
{
    struct itimerspec its = { { 0, 0 }, { 0, 0 } };
    if (at > 0) {
        its.it_value.tv_sec = at / TG_NS_PER_S;
        its.it_value.tv_nsec = at % TG_NS_PER_S;
    }
    timerfd_settime(w->pace_fd, TFD_TIMER_ABSTIME, &its, NULL);
    w->pacing = at > 0;
}

static void pace_cb(struct ev_loop *loop, ev_io *io, int revents)
{
    (void)loop;
    (void)revents;
    struct tg_worker *w = io->data;
    tg_ns now = tg_clock_now();
    uint64_t cap = arrival_cap(w);
    uint64_t due = tg_segment_arrivals_by(w->seg, w->plan->rate_per_s, now + PACE_NS - w->t0);
    w->next_due = due < cap ? due : cap;
    dispatch_due(w, now);
    tg_ns next = 0;
    if (w->next_due < cap && !w->stopping) {
        next = w->t0 + tg_segment_arrival_ns(w->seg, w->plan->rate_per_s, w->next_due);
    }
    pace_arm(w, next);
    finish_if_idle(w);
}

static void begin_stop(struct tg_worker *w, tg_ns now)
{
    if (w->stopping) {
        return;
    }
    w->stopping = true;
    w->stop_deadline = now + w->plan->graceful_stop_ns;
    drop_held(w);
    if (w->vx) {
        tg_vu_exec_stop(w->vx, now);
        return;
    }
    if (w->plan->rate_per_s > 0) {
        pace_arm(w, 0);
        uint64_t cap = arrival_cap(w);
        uint64_t due = tg_segment_arrivals_by(w->seg, w->plan->rate_per_s, now - w->t0);
        due = due < cap ? due : cap;
        if (due > w->next_send) {
            tg_sink_add_counter(tg_bank_sink(w->bank, (uint32_t)w->s_dropped),
                                (double)(due - w->next_send));
        }
    }
    finish_if_idle(w);
}

static void restart_cb(struct ev_loop *loop, ev_idle *idle, int revents)
{
    (void)revents;
    struct tg_worker *w = idle->data;
    ev_idle_stop(loop, idle);
    uint32_t n = w->restart_n;
    w->restart_n = 0;
    tg_ns now = tg_clock_now();
    for (uint32_t i = 0; i < n; i++) {
        struct tg_wconn *wc = &w->conns[w->restart_q[i]];
        if (w->plan->rate_per_s > 0) {
            push_free(w, wc);
        } else if (may_start(w, now)) {
            start_on(w, wc, now, now);
        }
    }
    if (w->plan->rate_per_s > 0) {
        dispatch_due(w, now);
    }
    finish_if_idle(w);
}

static void on_complete(struct tg_conn *c, void *ctx)
{
    struct tg_wconn *wc = ctx;
    struct tg_worker *w = wc->w;
    (void)c;
    w->busy--;
    record(w, wc);
    if (w->depth > 0) {
        /* failed inside tg_conn_send: restart from the loop, not recursively */
        w->restart_q[w->restart_n++] = (uint32_t)(wc - w->conns);
        ev_idle_start(w->loop, &w->restart);
        return;
    }
    tg_ns now = wc->conn.res.t_done;
    if (w->plan->rate_per_s > 0) {
        push_free(w, wc);
        dispatch_due(w, now);
    } else if (may_start(w, now)) {
        start_on(w, wc, now, now);
    }
    finish_if_idle(w);
}

static void interrupt_all(struct tg_worker *w)
{
    for (uint32_t i = 0; i < w->n_conns; i++) {
        struct tg_conn *c = &w->conns[i].conn;
        if (tg_conn_busy(c)) {
            c->req = NULL;
            c->creq = NULL;
            tg_conn_close(c);
            w->busy--;
        }
    }
}

/* An abort (tailgate.abort, a threshold's abortOnFail): nothing more runs. */
static void hard_stop(struct tg_worker *w, tg_ns now)
{
    begin_stop(w, now);
    if (w->hard_stopped) {
        return;
    }
    w->hard_stopped = true;
    w->stop_deadline = now;
    if (w->vx) {
        tg_vu_exec_abort(w->vx, now);
    }
    interrupt_all(w);
    finish_if_idle(w);
}

static void check_stop(struct tg_worker *w, tg_ns now)
{
    if (atomic_load_explicit(&w->abort_requested, memory_order_relaxed)) {
        hard_stop(w, now);
    } else if (atomic_load_explicit(&w->stop_requested, memory_order_relaxed)) {
        begin_stop(w, now);
    }
}

static void sweep_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
    (void)loop;
    (void)revents;
    struct tg_worker *w = t->data;
    tg_ns now = tg_clock_now();
    check_stop(w, now);
    if (w->vx) {
        tg_vu_exec_sweep(w->vx, now);
    }
    for (uint32_t i = 0; i < w->n_conns && !w->finished; i++) {
        tg_conn_check_deadlines(&w->conns[i].conn, now);
    }
    if (w->stopping && !w->finished && now >= w->stop_deadline) {
        interrupt_all(w);
        finish_if_idle(w);
    }
}

static void end_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
    (void)loop;
    (void)revents;
    begin_stop(t->data, tg_clock_now());
}

static void wake_cb(struct ev_loop *loop, ev_async *a, int revents)
{
    (void)loop;
    (void)revents;
    check_stop(a->data, tg_clock_now());
}

/* ---- thread ----------------------------------------------------------- */

static void scenarios_done(void *owner)
{
    struct tg_worker *w = owner;
    finish_if_idle(w);
}

/* tailgate.abort in this worker's script: the coordinator stops every worker. */
static void script_aborted(void *owner, const char *reason)
{
    struct tg_worker *w = owner;
    snprintf(w->abort_reason, sizeof(w->abort_reason), "%s", reason);
    atomic_store_explicit(&w->abort_raised, true, memory_order_release);
    ev_async_send(w->coord_loop, w->coord_wake);
}

static int script_init(struct tg_worker *w, struct tg_diag *d)
{
    w->vx = tg_calloc(1, sizeof(*w->vx));
    if (!w->vx) {
        return TG_ENOMEM;
    }
    w->rails = (struct tg_rt_rails){ &w->plan->rails.allow, w->plan->rails.synthetic,
                                     w->plan->rails.max_rps, w->seg };
    struct tg_vu_exec_conf c = { w->loop,
                                 &w->env,
                                 &w->reg,
                                 &w->bank,
                                 w->seg,
                                 w->plan->options,
                                 w->plan->script,
                                 !w->plan->insecure,
                                 scenarios_done,
                                 script_aborted,
                                 w,
                                 w->plan->setup_data,
                                 &w->rails };
    return tg_vu_exec_init(w->vx, &c, d);
}

static void start_load(struct tg_worker *w)
{
    tg_ns now = tg_clock_now();
    if (w->plan->duration_ns) {
        w->t_end = w->t0 + w->plan->duration_ns;
        ev_timer_set(&w->end, (double)(w->t_end - now) / 1e9, 0);
        ev_timer_start(w->loop, &w->end);
    }
    if (w->plan->rate_per_s > 0) {
        for (uint32_t i = w->n_conns; i > 0; i--) {
            push_free(w, &w->conns[i - 1]);
        }
        ev_io_start(w->loop, &w->pace);
        pace_arm(w, w->t0 + tg_segment_arrival_ns(w->seg, w->plan->rate_per_s, 0));
        return;
    }
    for (uint32_t i = 0; i < w->n_conns && may_start(w, now); i++) {
        start_on(w, &w->conns[i], now, now);
    }
    finish_if_idle(w);
}

static void *thread_main(void *arg)
{
    struct tg_worker *w = arg;
    ev_timer_start(w->loop, &w->tick);
    ev_timer_start(w->loop, &w->sweep);
    ev_async_start(w->loop, &w->wake);
    ev_now_update(w->loop);
    if (w->vx) {
        tg_vu_exec_start(w->vx, w->t0);
    } else {
        start_load(w);
    }
    if (!w->finished) {
        ev_run(w->loop, 0);
    }
    interrupt_all(w);
    for (uint32_t i = 0; i < w->n_conns; i++) {
        tg_conn_close(&w->conns[i].conn);
    }
    if (w->vx) {
        tg_vu_exec_stop(w->vx, tg_clock_now());
        tg_vu_exec_sweep(w->vx, INT64_MAX); /* abandons what still runs */
    }
    publish(w, true);
    return NULL;
}

int tg_worker_init(struct tg_worker *w, uint32_t index, uint32_t n, const struct tg_plan *plan,
                   struct ev_loop *coord_loop, ev_async *coord_wake, struct tg_diag *d)
{
    memset(w, 0, sizeof(*w));
    w->index = index;
    w->seg = tg_segment_of(index, n);
    w->plan = plan;
    w->coord_loop = coord_loop;
    w->coord_wake = coord_wake;
    tg_ring_init(&w->out);
    tg_ring_init(&w->back);
    w->quota = plan->script     ? 0
               : plan->requests ? tg_segment_count(w->seg, plan->requests)
                                : UINT64_MAX;
    w->n_conns = (uint32_t)tg_segment_count(w->seg, plan->connections);
    w->loop = ev_loop_new(EVBACKEND_EPOLL | EVFLAG_NOSIGMASK);
    if (!w->loop || tg_registry_init(&w->reg, 1000) < 0 ||
        tg_conn_env_init(&w->env, w->loop, plan->max_head, plan->max_body) < 0) {
        tg_diag_set(d, "worker %u: out of memory", index);
        return TG_ENOMEM;
    }
    for (int i = 0; i < TG_WORKER_BANKS; i++) {
        tg_bank_init(&w->banks[i], index);
    }
    w->bank = &w->banks[0];
    w->spare = &w->banks[1];
    tg_ring_push(&w->back, &w->banks[2]);
    memset(w->by_status, 0xff, sizeof(w->by_status));
    memset(w->by_error, 0xff, sizeof(w->by_error));
    w->s_data_sent = base_series(w, TG_M_DATA_SENT);
    w->s_data_received = base_series(w, TG_M_DATA_RECEIVED);
    w->s_iterations = base_series(w, TG_M_ITERATIONS);
    w->s_dropped = base_series(w, TG_M_DROPPED_ITERATIONS);
    w->s_late = base_series(w, TG_M_LATE_STARTS);
    w->target.addrs = plan->addrs;
    w->target.n_addrs = plan->n_addrs;
    w->target.resolve_error = plan->resolve_error;
    w->target.host = plan->url.host;
    w->creq = (struct tg_conn_req){ plan->request,    plan->request_len,        plan->head_request,
                                    plan->timeout_ns, plan->connect_timeout_ns, NULL };
    if (plan->url.tls) {
        struct tg_tls_opts o = { plan->insecure, plan->ca_file };
        w->target.tls = tg_tls_ctx_new(&o, d);
        if (!w->target.tls) {
            return TG_EINVAL;
        }
        w->target.tls_verify = !plan->insecure;
    }
    w->capped = plan->rails.max_rps > 0 && !plan->script;
    if (w->capped) {
        int m = tg_registry_metric(&w->reg, "rate_capped", TG_KIND_COUNTER, TG_CONTAINS_DEFAULT);
        w->s_capped = m < 0 ? -1 : base_series(w, (uint32_t)m);
        w->cap_q = tg_calloc(w->n_conns ? w->n_conns : 1, sizeof(*w->cap_q));
        if (w->s_capped < 0 || !w->cap_q) {
            w->setup_error = TG_ENOMEM;
        }
    }
    ev_timer_init(&w->cap_t, cap_cb, 0, 0);
    w->cap_t.data = w;
    w->conns = tg_calloc(w->n_conns ? w->n_conns : 1, sizeof(*w->conns));
    w->restart_q = tg_calloc(w->n_conns ? w->n_conns : 1, sizeof(*w->restart_q));
    if (!w->conns || !w->restart_q || w->setup_error) {
        tg_diag_set(d, "worker %u: out of memory", index);
        return TG_ENOMEM;
    }
    for (uint32_t i = 0; i < w->n_conns; i++) {
        w->conns[i].w = w;
        tg_conn_init(&w->conns[i].conn, &w->env, on_complete, &w->conns[i]);
    }
    if (plan->script) {
        int rc = script_init(w, d);
        if (rc < 0) {
            return rc;
        }
    }
    ev_timer_init(&w->tick, tick_cb, TICK_S, TICK_S);
    ev_timer_init(&w->sweep, sweep_cb, SWEEP_S, SWEEP_S);
    w->pace_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (w->pace_fd < 0) {
        tg_diag_set(d, "worker %u: timerfd_create failed", index);
        return TG_EIO;
    }
    ev_io_init(&w->pace, pace_cb, w->pace_fd, EV_READ);
    ev_timer_init(&w->end, end_cb, 0, 0);
    ev_async_init(&w->wake, wake_cb);
    ev_idle_init(&w->restart, restart_cb);
    w->tick.data = w->sweep.data = w->pace.data = w->end.data = w;
    w->wake.data = w;
    w->restart.data = w;
    return 0;
}

int tg_worker_start(struct tg_worker *w, tg_ns t0)
{
    w->t0 = t0;
    tg_rate_cap_init(&w->cap, w->seg, w->plan->rails.max_rps, t0);
    sigset_t all;
    sigset_t old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int rc = pthread_create(&w->thread, NULL, thread_main, w);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc == 0 ? 0 : TG_EIO;
}

void tg_worker_stop(struct tg_worker *w)
{
    atomic_store_explicit(&w->stop_requested, true, memory_order_relaxed);
    ev_async_send(w->loop, &w->wake);
}

void tg_worker_abort(struct tg_worker *w)
{
    atomic_store_explicit(&w->abort_requested, true, memory_order_relaxed);
    tg_worker_stop(w);
}

void tg_worker_fini(struct tg_worker *w)
{
    if (w->vx) {
        tg_vu_exec_fini(w->vx); /* its VUs use the env, the registry and the loop */
        tg_free(w->vx);
        w->vx = NULL;
    }
    for (uint32_t i = 0; i < w->n_conns; i++) {
        tg_conn_close(&w->conns[i].conn);
    }
    tg_free(w->conns);
    tg_free(w->restart_q);
    tg_free(w->cap_q);
    if (w->loop) {
        ev_timer_stop(w->loop, &w->cap_t);
    }
    for (int i = 0; i < TG_WORKER_BANKS; i++) {
        tg_bank_fini(&w->banks[i]);
    }
    tg_registry_fini(&w->reg);
    tg_conn_env_fini(&w->env);
    if (w->target.tls) {
        SSL_CTX_free(w->target.tls);
    }
    if (w->loop) {
        ev_io_stop(w->loop, &w->pace);
        ev_loop_destroy(w->loop);
    }
    if (w->pace_fd > 0) {
        close(w->pace_fd);
    }
}

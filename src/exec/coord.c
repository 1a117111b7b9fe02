/*
 * coord — the coordinator loop; see coord.h.
 */
#include "exec/coord.h"

#include "check/verdict.h"
#include "check/window_eval.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "exec/killswitch.h"
#include "report/progress.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct coord {
    const struct tg_plan *plan;
    struct ev_loop *loop;
    ev_async wake;
    ev_timer progress;
    ev_signal sigint;
    ev_signal sigterm;
    ev_timer thresholds;       /* abortOnFail evaluation */
    struct tg_window_eval win; /* thresholds over sliding windows */
    struct tg_killswitch kill;
    struct tg_worker *workers;
    struct tg_results_map *maps;
    uint32_t n;
    uint32_t finished;
    bool *worker_done;
    uint64_t *w_active;  /* script runs: each worker's active VUs, from its latest bank */
    uint64_t *w_alloc;   /* and its allocated VUs */
    char run_tags[1024]; /* canonical options.tags: the tags of vus and vus_max */
    struct tg_results *res;
    struct tg_progress prog;
    int interrupts;
    tg_ns t0;
    int error;
    enum tg_stop stop;
    char reason[320];
};

/* Whether the run is already being aborted (a hard stop). */
static bool aborting(const struct coord *c)
{
    return c->stop == TG_STOP_ABORT || c->stop == TG_STOP_THRESHOLD || c->stop == TG_STOP_WINDOW;
}

static void abort_all(struct coord *c, enum tg_stop why)
{
    if (aborting(c)) {
        return;
    }
    c->stop = why;
    fprintf(stderr, "%stailgate: test aborted: %s\n", c->plan->quiet ? "" : "\n", c->reason);
    for (uint32_t i = 0; i < c->n; i++) {
        tg_worker_abort(&c->workers[i]);
    }
}

/* --kill-switch / --kill-file: a graceful stop, as SIGINT's. */
static void kill_switch(void *owner, const char *reason)
{
    struct coord *c = owner;
    if (c->stop != TG_STOP_NONE) {
        return;
    }
    c->stop = TG_STOP_KILL;
    snprintf(c->reason, sizeof(c->reason), "%s", reason);
    if (!c->plan->quiet) {
        fprintf(stderr, "\ntailgate: stopping gracefully: %s\n", reason);
    }
    for (uint32_t i = 0; i < c->n; i++) {
        tg_worker_stop(&c->workers[i]);
    }
}

/* A worker's script called tailgate.abort. */
static void check_aborts(struct coord *c)
{
    for (uint32_t i = 0; i < c->n; i++) {
        if (atomic_load_explicit(&c->workers[i].abort_raised, memory_order_acquire)) {
            if (!aborting(c)) {
                snprintf(c->reason, sizeof(c->reason), "%s", c->workers[i].abort_reason);
                abort_all(c, TG_STOP_ABORT);
            }
            return;
        }
    }
}

/* k6: thresholds with abortOnFail are evaluated while the test runs. */
static void thresholds_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
    (void)loop;
    (void)revents;
    struct coord *c = t->data;
    tg_ns elapsed = tg_clock_now() - c->t0;
    c->res->duration_ns = elapsed; /* counter rates so far */
    for (size_t i = 0; i < c->plan->n_thresholds; i++) {
        const struct tg_plan_threshold *th = &c->plan->thresholds[i];
        if (!th->abort_on_fail || th->expr.window_ns > 0 || elapsed < th->delay_abort_eval) {
            continue; /* windowed ones are window_eval's, every second */
        }
        struct tg_verdict v;
        if (tg_verdict_eval(c->res, th, 1, &v) == 1) {
            snprintf(c->reason, sizeof(c->reason), "threshold %s: '%s' failed (abortOnFail)",
                     th->sel.raw, th->expr.source);
            abort_all(c, TG_STOP_THRESHOLD);
            ev_timer_stop(c->loop, t);
            return;
        }
    }
}

/* Windowed thresholds: seal the seconds that are complete; abort when one says so. */
static void windows_tick(struct coord *c)
{
    int rc = tg_window_eval_advance(&c->win, tg_clock_now());
    if (rc < 0) {
        c->error = rc;
    } else if (rc == 1 && !aborting(c)) {
        snprintf(c->reason, sizeof(c->reason), "%s", c->win.reason);
        abort_all(c, TG_STOP_WINDOW);
    }
}

static void drain(struct coord *c)
{
    for (uint32_t i = 0; i < c->n; i++) {
        struct tg_bank *b;
        while ((b = tg_ring_pop(&c->workers[i].out)) != NULL) {
            if (tg_results_merge(c->res, &c->maps[i], b) < 0 ||
                tg_window_eval_bank(&c->win, &c->maps[i], b) < 0) {
                c->error = TG_ENOMEM;
            }
            tg_progress_add(&c->prog, c->res, &c->maps[i], b);
            c->w_active[i] = b->active;
            c->w_alloc[i] = b->allocated;
            bool final = b->final;
            tg_bank_reset(b);
            if (final) {
                c->worker_done[i] = true;
                c->finished++;
            } else {
                tg_ring_push(&c->workers[i].back, b);
            }
        }
    }
    windows_tick(c);
    check_aborts(c);
    if (c->finished == c->n) {
        ev_break(c->loop, EVBREAK_ALL);
    }
}

static void wake_cb(struct ev_loop *loop, ev_async *a, int revents)
{
    (void)loop;
    (void)revents;
    drain(a->data);
}

/*
 * Script runs: k6's vus and vus_max gauges, sampled each second (and
 * vus_max once more at the end). Each worker runs a share of the VUs, so
 * the gauge is the sum of the workers' latest values (their banks come
 * every 0.2 s), never the latest worker's value alone.
 */
static void sample_vus(struct coord *c, bool with_vus)
{
    if (!c->plan->script) {
        return;
    }
    uint64_t active = 0;
    uint64_t allocated = 0;
    for (uint32_t i = 0; i < c->n; i++) {
        active += c->w_active[i];
        allocated += c->w_alloc[i];
    }
    tg_ns now = tg_clock_now();
    int rc =
        with_vus ? tg_results_add_gauge(c->res, TG_M_VUS, c->run_tags, (double)active, now) : 0;
    if (rc == 0) {
        rc = tg_results_add_gauge(c->res, TG_M_VUS_MAX, c->run_tags, (double)allocated, now);
    }
    if (rc == TG_ENOMEM) {
        c->error = rc;
    }
}

static void progress_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
    (void)loop;
    (void)revents;
    struct coord *c = t->data;
    drain(c);
    sample_vus(c, true);
    tg_progress_print(&c->prog, tg_clock_now() - c->t0);
}

static void signal_cb(struct ev_loop *loop, ev_signal *s, int revents)
{
    (void)loop;
    (void)revents;
    struct coord *c = s->data;
    c->interrupts++;
    if (c->stop == TG_STOP_NONE) {
        c->stop = TG_STOP_SIGNAL;
    }
    if (c->interrupts > 1) {
        static const char msg[] = "\ntailgate: interrupted twice, exiting now\n";
        ssize_t r = write(STDERR_FILENO, msg, sizeof(msg) - 1);
        (void)r;
        _exit(105);
    }
    if (!c->plan->quiet) {
        fprintf(stderr, "\ntailgate: stopping gracefully (Ctrl-C again to exit at once)\n");
    }
    for (uint32_t i = 0; i < c->n; i++) {
        tg_worker_stop(&c->workers[i]);
    }
}

/* Iteration errors of a script, once per distinct message with its count (all workers). */
static void report_script_errors(struct coord *c)
{
    for (uint32_t i = 0; i < c->n && c->workers; i++) {
        const struct tg_vu_exec *x = c->workers[i].vx;
        for (size_t k = 0; x && k < x->n_errors; k++) {
            uint64_t total = x->errors[k].count;
            bool seen = false;
            for (uint32_t j = 0; j < i && !seen; j++) {
                const struct tg_vu_exec *y = c->workers[j].vx;
                for (size_t m = 0; y && m < y->n_errors; m++) {
                    seen = seen || strcmp(y->errors[m].msg, x->errors[k].msg) == 0;
                }
            }
            for (uint32_t j = i + 1; j < c->n && !seen; j++) {
                const struct tg_vu_exec *y = c->workers[j].vx;
                for (size_t m = 0; y && m < y->n_errors; m++) {
                    if (strcmp(y->errors[m].msg, x->errors[k].msg) == 0) {
                        total += y->errors[m].count;
                    }
                }
            }
            if (!seen) {
                fprintf(stderr, "tailgate: iteration failed %llu time%s: %s\n",
                        (unsigned long long)total, total == 1 ? "" : "s", x->errors[k].msg);
            }
        }
    }
}

/* k6 tags vus and vus_max with the test-wide tags (options.tags) only. */
static int run_tags(struct coord *c, struct tg_diag *d)
{
    const struct tg_options *o = c->plan->options;
    struct tg_tag tags[TG_TAGS_MAX];
    size_t n = 0;
    for (size_t i = 0; o && i < o->n_tags && n < TG_TAGS_MAX; i++) {
        tags[n++] = (struct tg_tag){ o->tags[i].key, o->tags[i].value };
    }
    if (tg_tags_canonical(tags, n, c->run_tags, sizeof(c->run_tags)) < 0) {
        tg_diag_set(d, "options.tags: cannot be used as tags");
        return TG_EINVAL;
    }
    return 0;
}

static int setup(struct coord *c, struct tg_diag *d)
{
    c->workers = tg_calloc(c->n, sizeof(*c->workers));
    c->maps = tg_calloc(c->n, sizeof(*c->maps));
    c->worker_done = tg_calloc(c->n, sizeof(*c->worker_done));
    c->w_active = tg_calloc(c->n, sizeof(*c->w_active));
    c->w_alloc = tg_calloc(c->n, sizeof(*c->w_alloc));
    if (!c->workers || !c->maps || !c->worker_done || !c->w_active || !c->w_alloc ||
        tg_window_eval_init(&c->win, c->plan, c->n, c->res) < 0) {
        tg_diag_set(d, "out of memory");
        return TG_ENOMEM;
    }
    for (uint32_t i = 0; i < c->n; i++) {
        int rc = tg_worker_init(&c->workers[i], i, c->n, c->plan, c->loop, &c->wake, d);
        if (rc < 0) {
            return rc;
        }
        if (c->workers[i].vx) {
            uint32_t active;
            uint32_t allocated;
            tg_vu_exec_vus(c->workers[i].vx, &active, &allocated); /* not started yet */
            c->w_alloc[i] = allocated;
        }
    }
    return run_tags(c, d);
}

int tg_coord_run(const struct tg_plan *plan, struct tg_results *res, struct tg_coord_outcome *out,
                 struct tg_diag *d)
{
    struct coord c = { 0 };
    c.plan = plan;
    c.res = res;
    c.n = plan->threads;
    c.loop = ev_default_loop(EVBACKEND_EPOLL);
    memset(out, 0, sizeof(*out));
    int rc = tg_killswitch_init(&c.kill, c.loop, &plan->rails, d);
    if (rc == 0) {
        rc = setup(&c, d);
    }
    tg_progress_init(&c.prog, plan);
    ev_async_init(&c.wake, wake_cb);
    ev_timer_init(&c.progress, progress_cb, 1.0, 1.0);
    ev_signal_init(&c.sigint, signal_cb, SIGINT);
    ev_signal_init(&c.sigterm, signal_cb, SIGTERM);
    ev_timer_init(&c.thresholds, thresholds_cb, 2.0, 2.0);
    c.wake.data = c.progress.data = c.sigint.data = c.sigterm.data = c.thresholds.data = &c;
    bool abort_on_fail = false;
    for (size_t i = 0; i < plan->n_thresholds; i++) {
        abort_on_fail = abort_on_fail || plan->thresholds[i].abort_on_fail;
    }
    if (rc == 0) {
        ev_async_start(c.loop, &c.wake);
        ev_timer_start(c.loop, &c.progress);
        ev_signal_start(c.loop, &c.sigint);
        ev_signal_start(c.loop, &c.sigterm);
        if (abort_on_fail) {
            ev_timer_start(c.loop, &c.thresholds);
        }
        c.t0 = tg_clock_now();
        tg_window_eval_start(&c.win, c.t0);
        tg_killswitch_start(&c.kill, kill_switch, &c);
        res->start_wall_ns = tg_clock_wall_ns();
        uint32_t started = 0;
        for (; started < c.n; started++) {
            if (tg_worker_start(&c.workers[started], c.t0) < 0) {
                tg_diag_set(d, "cannot start worker thread %u", started);
                rc = TG_EIO;
                break;
            }
        }
        if (rc == 0) {
            ev_run(c.loop, 0);
        } else {
            for (uint32_t i = 0; i < started; i++) {
                tg_worker_stop(&c.workers[i]);
            }
        }
        for (uint32_t i = 0; i < started; i++) {
            pthread_join(c.workers[i].thread, NULL);
        }
        drain(&c);
        sample_vus(&c, false);
        res->duration_ns = tg_clock_now() - c.t0;
        if (tg_window_eval_finish(&c.win, res->duration_ns) < 0) {
            c.error = TG_ENOMEM;
        }
        tg_progress_done(&c.prog);
        ev_async_stop(c.loop, &c.wake);
        ev_timer_stop(c.loop, &c.progress);
        ev_signal_stop(c.loop, &c.sigint);
        ev_signal_stop(c.loop, &c.sigterm);
        ev_timer_stop(c.loop, &c.thresholds);
    }
    tg_killswitch_fini(&c.kill);
    tg_window_eval_fini(&c.win);
    report_script_errors(&c);
    for (uint32_t i = 0; i < c.n && c.workers; i++) {
        out->connections += c.workers[i].n_conns;
        if (c.workers[i].vx) {
            out->connections += c.workers[i].vx->vus_total;
        }
        tg_worker_fini(&c.workers[i]);
        tg_results_map_fini(&c.maps[i]);
    }
    out->interrupted = c.interrupts > 0;
    out->stop = c.stop;
    snprintf(out->reason, sizeof(out->reason), "%s",
             c.stop == TG_STOP_SIGNAL ? "interrupted (SIGINT/SIGTERM)" : c.reason);
    tg_progress_fini(&c.prog);
    tg_free(c.workers);
    tg_free(c.maps);
    tg_free(c.worker_done);
    tg_free(c.w_active);
    tg_free(c.w_alloc);
    if (rc == 0 && c.error) {
        tg_diag_set(d, "out of memory while merging metrics");
        rc = c.error;
    }
    return rc;
}

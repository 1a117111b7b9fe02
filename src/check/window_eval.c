/*
 * window_eval — thresholds over sliding windows while the run goes on; see
 * window_eval.h.
 */
#include "check/window_eval.h"

#include "check/threshold_eval.h"
#include "core/alloc.h"
#include "report/threshold_text.h"
#include "report/values.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

struct tg_window_item {
    const struct tg_plan_threshold *t; /* borrowed from the plan */
    struct tg_window win;              /* valid once `metric` is known */
    int metric;                        /* results metric id; -1 until a bank declares it */
    enum tg_metric_contains contains;
    struct tg_tag want[TG_SEL_MAX_TAGS]; /* the selector's tags (views into t) */
    uint8_t *match;                      /* [n_match] per results series: 0 unknown, 1 in, 2 out */
    size_t n_match;
    struct tg_window_log *log; /* res->windows[i] */
};

int tg_window_eval_check(const struct tg_plan_threshold *t, struct tg_diag *d)
{
    if (t->expr.window_ns > 0 &&
        (strcmp(t->sel.name, tg_metric_builtins[TG_M_VUS].name) == 0 ||
         strcmp(t->sel.name, tg_metric_builtins[TG_M_VUS_MAX].name) == 0)) {
        tg_diag_set(d,
                    "threshold \"%s: %s\": %s is sampled once a second for the whole run and "
                    "cannot be windowed; drop the \"over\"",
                    t->sel.raw, t->expr.source, t->sel.name);
        return TG_EINVAL;
    }
    return 0;
}

int tg_window_eval_init(struct tg_window_eval *e, const struct tg_plan *plan, uint32_t n_workers,
                        struct tg_results *res)
{
    memset(e, 0, sizeof(*e));
    e->res = res;
    e->n_workers = n_workers;
    size_t n = 0;
    for (size_t i = 0; i < plan->n_thresholds; i++) {
        n += plan->thresholds[i].expr.window_ns > 0;
    }
    if (n == 0) {
        return 0;
    }
    e->items = tg_calloc(n, sizeof(*e->items));
    res->windows = tg_calloc(n, sizeof(*res->windows));
    e->worker_to = tg_calloc(n_workers, sizeof(*e->worker_to));
    e->worker_done = tg_calloc(n_workers, sizeof(*e->worker_done));
    if (!e->items || !res->windows || !e->worker_to || !e->worker_done) {
        return TG_ENOMEM;
    }
    res->n_windows = n;
    for (size_t i = 0; i < plan->n_thresholds; i++) {
        const struct tg_plan_threshold *t = &plan->thresholds[i];
        if (t->expr.window_ns == 0) {
            continue;
        }
        struct tg_window_item *it = &e->items[e->n];
        it->t = t;
        it->metric = -1;
        for (size_t k = 0; k < t->sel.ntags; k++) {
            it->want[k] = (struct tg_tag){ t->sel.tags[k].key, t->sel.tags[k].value };
        }
        it->log = &res->windows[e->n++];
        it->log->key = t;
        it->log->len_s = (uint32_t)(t->expr.window_ns / TG_NS_PER_S);
        it->log->worst = it->log->first_fail = NAN;
        it->log->fail_from_ns = it->log->fail_to_ns = -1;
    }
    return 0;
}

void tg_window_eval_start(struct tg_window_eval *e, tg_ns t0)
{
    e->t0 = t0;
}

bool tg_window_eval_active(const struct tg_window_eval *e)
{
    return e->n > 0;
}

void tg_window_eval_fini(struct tg_window_eval *e)
{
    for (size_t i = 0; i < e->n; i++) {
        if (e->items[i].metric >= 0) {
            tg_window_fini(&e->items[i].win);
        }
        tg_free(e->items[i].match);
    }
    tg_free(e->items);
    tg_free(e->worker_to);
    tg_free(e->worker_done);
    memset(e, 0, sizeof(*e));
}

/* How far value v misses the threshold (> 0: fails by that much; larger is worse). */
static double badness(const struct tg_threshold_expr *x, double v)
{
    switch (x->cmp) {
    case TG_CMP_LT:
    case TG_CMP_LE:
        return v - x->rhs;
    case TG_CMP_GT:
    case TG_CMP_GE:
        return x->rhs - v;
    case TG_CMP_EQ:
        return fabs(v - x->rhs);
    case TG_CMP_NE:
        return -fabs(v - x->rhs);
    }
    return 0;
}

static int log_value(struct tg_window_log *log, double v)
{
    log->n_windows++;
    if (log->n_values == TG_WINDOW_LOG_MAX) {
        log->truncated = true;
        return 0;
    }
    if (log->n_values == log->cap_values) {
        size_t cap = log->cap_values ? log->cap_values * 2 : 256;
        cap = TG_MIN(cap, (size_t)TG_WINDOW_LOG_MAX);
        double *p = tg_realloc(log->values, cap, sizeof(*p));
        if (!p) {
            return TG_ENOMEM;
        }
        log->values = p;
        log->cap_values = cap;
    }
    log->values[log->n_values++] = v;
    return 0;
}

/* Evaluates item it's window [from, to) (offsets from the start) and records the verdict. */
static int evaluate(struct tg_window_eval *e, struct tg_window_item *it, tg_ns from, tg_ns to)
{
    const struct tg_threshold_expr *x = &it->t->expr;
    struct tg_window_log *log = it->log;
    double v = NAN;
    bool ok = true;
    if (it->metric >= 0) {
        struct tg_agg_values av;
        tg_values_of(tg_window_agg(&it->win), it->contains, to - from, &av);
        ok = tg_threshold_check(x, &av, &v);
    }
    if (log->n_windows == 0) {
        log->first_end_s = (uint64_t)((to + TG_NS_PER_S - 1) / TG_NS_PER_S);
    }
    if (!isnan(v) && (isnan(log->worst) || badness(x, v) > badness(x, log->worst))) {
        log->worst = v;
        log->worst_from_ns = from;
        log->worst_to_ns = to;
    }
    if (!ok && log->n_failed++ == 0) {
        log->first_fail = v;
        log->fail_from_ns = from;
        log->fail_to_ns = to;
    }
    if (!ok && it->t->abort_on_fail && to >= it->t->delay_abort_eval && !e->abort) {
        char val[64];
        char span[64];
        tg_threshold_text_value(e->res, it->t, v, val, sizeof(val));
        tg_threshold_text_span(from, to, span, sizeof(span));
        snprintf(e->reason, sizeof(e->reason),
                 "the target degraded: %.100s '%.80s' failed in the window %.32s (%.32s)",
                 it->t->sel.raw, x->source, span, val);
        e->abort = true;
        log->aborted = true;
    }
    return log_value(log, v);
}

/*
 * Seals second e->sealed in every window and evaluates the full windows
 * ending with it; run_end_ns (> 0 at the end of the run) caps the last one.
 */
static int seal_next(struct tg_window_eval *e, tg_ns run_end_ns)
{
    uint64_t k = e->sealed;
    int rc = 0;
    for (size_t i = 0; i < e->n; i++) {
        struct tg_window_item *it = &e->items[i];
        if (it->metric >= 0 && tg_window_seal(&it->win) < 0) {
            rc = TG_ENOMEM;
        }
        if (k + 1 < it->log->len_s) {
            continue; /* the first full window has not ended yet */
        }
        tg_ns to = (tg_ns)(k + 1) * TG_NS_PER_S;
        if (run_end_ns > 0 && to > run_end_ns) {
            to = run_end_ns;
        }
        tg_ns from = (tg_ns)(k + 1 - it->log->len_s) * TG_NS_PER_S;
        if (evaluate(e, it, from, to) < 0) {
            rc = TG_ENOMEM;
        }
    }
    e->sealed++;
    if (rc < 0) {
        e->error = rc;
    }
    return rc;
}

/* Makes it's per-series cache cover every series of the results. 0 or TG_ENOMEM. */
static int grow_match(struct tg_window_item *it, const struct tg_results *res)
{
    size_t n = res->reg.n_series;
    if (n <= it->n_match) {
        return 0;
    }
    uint8_t *m = tg_realloc(it->match, n, 1);
    if (!m) {
        return TG_ENOMEM;
    }
    memset(m + it->n_match, 0, n - it->n_match);
    it->match = m;
    it->n_match = n;
    return 0;
}

/* Whether results series id (< it->n_match) belongs to it's (sub)metric, cached. */
static bool matches(struct tg_window_item *it, const struct tg_results *res, size_t id)
{
    if (it->match[id] == 0) {
        const struct tg_series_desc *sd = &res->reg.series[id];
        bool in = (int)sd->metric == it->metric &&
                  (it->t->sel.ntags == 0 ||
                   tg_tags_contains(res->reg.tagsets[sd->tagset], it->want, it->t->sel.ntags));
        it->match[id] = in ? 1 : 2;
    }
    return it->match[id] == 1;
}

/* Creates it's window once its metric exists in the results. 0 or TG_ENOMEM. */
static int find_metric(struct tg_window_eval *e, struct tg_window_item *it)
{
    int m = tg_registry_find_metric(&e->res->reg, it->t->sel.name);
    if (m < 0) {
        return 0;
    }
    const struct tg_metric_def *def = &e->res->reg.metrics[m];
    if (tg_window_init(&it->win, def->kind, it->log->len_s, e->sealed) < 0) {
        tg_window_fini(&it->win);
        return TG_ENOMEM;
    }
    it->metric = m;
    it->contains = def->contains;
    return 0;
}

/* The second of the run that holds the middle of b's interval. */
static uint64_t second_of(const struct tg_window_eval *e, const struct tg_bank *b)
{
    tg_ns from = TG_MAX(b->t_from, e->t0); /* a worker's first bank starts at 0 */
    tg_ns mid = from + (TG_MAX(b->t_to, from) - from) / 2 - e->t0;
    return (uint64_t)(mid / TG_NS_PER_S);
}

int tg_window_eval_bank(struct tg_window_eval *e, const struct tg_results_map *map,
                        const struct tg_bank *b)
{
    if (e->n == 0) {
        return 0;
    }
    if (b->worker < e->n_workers) {
        e->worker_to[b->worker] = TG_MAX(e->worker_to[b->worker], b->t_to - e->t0);
        e->worker_done[b->worker] = e->worker_done[b->worker] || b->final;
    }
    uint64_t sec = TG_MAX(second_of(e, b), e->sealed); /* late: the oldest open second */
    while (sec - e->sealed >= TG_WINDOW_OPEN) {
        seal_next(e, 0); /* the coordinator fell behind: make room */
    }
    for (size_t i = 0; i < e->n; i++) {
        struct tg_window_item *it = &e->items[i];
        if ((it->metric < 0 && find_metric(e, it) < 0) || grow_match(it, e->res) < 0) {
            e->error = TG_ENOMEM;
            return TG_ENOMEM;
        }
        if (it->metric < 0) {
            continue;
        }
        struct tg_sink *dst = tg_window_open(&it->win, sec);
        for (size_t s = 0; s < b->n; s++) {
            int64_t id = b->sinks[s].n ? tg_results_map_id(map, (uint32_t)s) : -1;
            if (id >= 0 && (size_t)id < it->n_match && matches(it, e->res, (size_t)id) &&
                tg_sink_merge(dst, &b->sinks[s]) < 0) {
                e->error = TG_ENOMEM;
                return TG_ENOMEM;
            }
        }
    }
    return 0;
}

/* The end of the latest bank every running worker has published, from t0. */
static tg_ns frontier(const struct tg_window_eval *e)
{
    tg_ns f = INT64_MAX;
    for (uint32_t i = 0; i < e->n_workers; i++) {
        if (!e->worker_done[i]) {
            f = TG_MIN(f, e->worker_to[i]);
        }
    }
    return f;
}

int tg_window_eval_advance(struct tg_window_eval *e, tg_ns now)
{
    if (e->n == 0) {
        return 0;
    }
    tg_ns elapsed = now - e->t0;
    tg_ns f = frontier(e);
    for (;;) {
        tg_ns end = (tg_ns)(e->sealed + 1) * TG_NS_PER_S;
        if (end > elapsed || (end > f && end + TG_WINDOW_EVAL_LAG > elapsed)) {
            break;
        }
        seal_next(e, 0);
    }
    if (e->error) {
        return e->error;
    }
    if (e->abort && !e->abort_told) {
        e->abort_told = true;
        return 1;
    }
    return 0;
}

int tg_window_eval_finish(struct tg_window_eval *e, tg_ns duration_ns)
{
    if (e->n == 0) {
        return 0;
    }
    uint64_t last = (uint64_t)((duration_ns + TG_NS_PER_S - 1) / TG_NS_PER_S);
    while (e->sealed < last) {
        seal_next(e, duration_ns);
    }
    for (size_t i = 0; i < e->n; i++) {
        struct tg_window_item *it = &e->items[i];
        if (it->log->n_windows == 0 && evaluate(e, it, 0, duration_ns) < 0) {
            e->error = TG_ENOMEM; /* shorter than its window: one window, the whole run */
        }
    }
    return e->error;
}

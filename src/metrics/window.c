/*
 * window — per-second slots of one (sub)metric and their sliding aggregate;
 * see window.h.
 */
#include "metrics/window.h"

#include "core/alloc.h"

#include <string.h>

/* A pair packs a bucket index (16 bits) under its count (48 bits). */
#define PAIR_SHIFT  16
#define PAIR_MASK   ((UINT64_C(1) << PAIR_SHIFT) - 1)
#define MAX_MERGE   32   /* adjacent buckets merged at most */
#define KEEP_EXACT  1024 /* buckets below it (values under 1024, 1 wide) are never merged */
#define ALL_BUCKETS ((size_t)TG_HIST_PAGES * TG_HIST_PAGE_LEN)

_Static_assert(ALL_BUCKETS <= PAIR_MASK + 1, "a bucket index fits the low bits of a pair");
_Static_assert(KEEP_EXACT + (ALL_BUCKETS - KEEP_EXACT) / MAX_MERGE <= TG_WINDOW_SLOT_BUCKETS,
               "merging MAX_MERGE buckets always fits a second into its pairs");
_Static_assert(TG_HIST_PAGE_LEN % MAX_MERGE == 0 && KEEP_EXACT % MAX_MERGE == 0,
               "merged buckets never straddle a page");

/*
 * The first bucket of the group of f adjacent buckets that bucket i belongs
 * to. Buckets from KEEP_EXACT on are 1/1024 of their value wide at most, so
 * merging f <= 32 of them into the middle one moves a value by at most
 * 16/1024 of itself; smaller values are kept as they are.
 */
static size_t group_of(size_t i, size_t f)
{
    return i < KEEP_EXACT ? i : KEEP_EXACT + (i - KEEP_EXACT) / f * f;
}

int tg_window_init(struct tg_window *w, enum tg_metric_kind kind, uint32_t len_s, uint64_t start)
{
    memset(w, 0, sizeof(*w));
    w->kind = kind;
    w->len_s = len_s ? len_s : 1;
    w->sealed = start;
    for (size_t i = 0; i < TG_WINDOW_OPEN; i++) {
        tg_sink_init(&w->open[i], kind); /* cannot fail: histograms allocate lazily */
    }
    tg_sink_init(&w->agg, kind);
    w->slots = tg_calloc(w->len_s, sizeof(*w->slots));
    return w->slots ? 0 : TG_ENOMEM;
}

void tg_window_fini(struct tg_window *w)
{
    for (uint32_t i = 0; w->slots && i < w->len_s; i++) {
        tg_free(w->slots[i].pairs);
    }
    tg_free(w->slots);
    w->slots = NULL;
    for (size_t i = 0; i < TG_WINDOW_OPEN; i++) {
        tg_sink_fini(&w->open[i]);
    }
    tg_sink_fini(&w->agg);
}

struct tg_sink *tg_window_open(struct tg_window *w, uint64_t second)
{
    if (second < w->sealed || second - w->sealed >= TG_WINDOW_OPEN) {
        return NULL;
    }
    return &w->open[second % TG_WINDOW_OPEN];
}

/* Distinct groups of f adjacent buckets (f a power of two) holding h's samples. */
static uint32_t groups(const struct tg_hist *h, size_t f)
{
    size_t end = tg_hist_bucket_count();
    size_t last = SIZE_MAX;
    uint32_t n = 0;
    for (size_t i = tg_hist_next_nonzero(h, 0); i < end; i = tg_hist_next_nonzero(h, i + 1)) {
        if (group_of(i, f) != last) {
            last = group_of(i, f);
            n++;
        }
    }
    return n;
}

/* Fills s's pairs from h, merging adjacent buckets if there are too many. 0 or TG_ENOMEM. */
static int compact(struct tg_window_slot *s, const struct tg_hist *h)
{
    size_t f = 1;
    uint32_t n = groups(h, f);
    while (n > TG_WINDOW_SLOT_BUCKETS && f < MAX_MERGE) {
        f *= 2;
        n = groups(h, f);
    }
    if (n > s->cap_pairs) {
        uint64_t *p = tg_realloc(s->pairs, n, sizeof(*p));
        if (!p) {
            return TG_ENOMEM;
        }
        s->pairs = p;
        s->cap_pairs = n;
    }
    size_t end = tg_hist_bucket_count();
    size_t last = SIZE_MAX;
    uint32_t k = 0;
    for (size_t i = tg_hist_next_nonzero(h, 0); i < end; i = tg_hist_next_nonzero(h, i + 1)) {
        if (group_of(i, f) != last) {
            last = group_of(i, f);
            size_t mid = f == 1 || i < KEEP_EXACT ? i : TG_MIN(last + f / 2, end - 1);
            s->pairs[k++] = (uint64_t)mid;
        }
        s->pairs[k - 1] += tg_hist_bucket_get(h, i) << PAIR_SHIFT;
    }
    s->n_pairs = k;
    return 0;
}

/*
 * Adds (sign > 0) or removes the first upto pairs of s to or from the
 * aggregate histogram. Returns how many it applied: all, or fewer when a page
 * could not be allocated.
 */
static uint32_t apply_pairs(struct tg_hist *agg, const struct tg_window_slot *s, uint32_t upto,
                            int sign)
{
    for (uint32_t i = 0; i < upto; i++) {
        size_t idx = (size_t)(s->pairs[i] & PAIR_MASK);
        uint64_t n = s->pairs[i] >> PAIR_SHIFT;
        int rc = sign > 0 ? tg_hist_add_bucket(agg, idx, n) : tg_hist_remove_bucket(agg, idx, n);
        if (rc < 0) {
            return i;
        }
    }
    return upto;
}

/* The second in s leaves the window: its exact counts leave the aggregate. */
static void expire(struct tg_window *w, struct tg_window_slot *s)
{
    if (w->kind == TG_KIND_TREND) {
        apply_pairs(&w->agg.u.hist, s, s->n_pairs, -1);
    } else if (w->kind == TG_KIND_RATE) {
        w->agg.u.rate.nonzero -= s->nonzero;
    }
    uint64_t *pairs = s->pairs;
    uint32_t cap = s->cap_pairs;
    memset(s, 0, sizeof(*s));
    s->pairs = pairs; /* kept for the second that takes this slot */
    s->cap_pairs = cap;
}

/* Moves the open sink src into slot s and adds its exact counts to the aggregate. */
static int store(struct tg_window *w, struct tg_window_slot *s, const struct tg_sink *src)
{
    s->n = src->n;
    switch (w->kind) {
    case TG_KIND_COUNTER:
        s->sum = src->u.sum;
        return 0;
    case TG_KIND_RATE:
        s->nonzero = src->u.rate.nonzero;
        w->agg.u.rate.nonzero += s->nonzero;
        return 0;
    case TG_KIND_GAUGE:
        s->last = src->u.gauge.last;
        s->min = src->u.gauge.min;
        s->max = src->u.gauge.max;
        s->t_ns = src->u.gauge.t_ns;
        return 0;
    case TG_KIND_TREND:
        break;
    }
    const struct tg_hist *h = &src->u.hist;
    if (tg_hist_count(h) == 0) {
        return 0;
    }
    s->hmin = h->min;
    s->hmax = h->max;
    s->sum_lo = h->sum_lo;
    s->sum_hi = h->sum_hi;
    int rc = compact(s, h);
    if (rc == 0) {
        uint32_t added = apply_pairs(&w->agg.u.hist, s, s->n_pairs, 1);
        if (added < s->n_pairs) { /* take back what went in: expiring the slot stays exact */
            apply_pairs(&w->agg.u.hist, s, added, -1);
            rc = TG_ENOMEM;
        }
    }
    if (rc < 0) {
        s->n_pairs = 0;
    }
    return rc;
}

/* The trend aggregate's exact min, max and sum from the slots in the window. */
static void trend_scalars(struct tg_window *w, uint64_t first)
{
    struct tg_hist *h = &w->agg.u.hist;
    __extension__ typedef unsigned __int128 u128;
    u128 sum = 0;
    h->min = INT64_MAX;
    h->max = 0;
    for (uint64_t k = first; k < w->sealed; k++) {
        const struct tg_window_slot *s = &w->slots[k % w->len_s];
        if (s->n_pairs == 0) {
            continue;
        }
        h->min = TG_MIN(h->min, s->hmin);
        h->max = TG_MAX(h->max, s->hmax);
        sum += (u128)s->sum_hi << 64 | s->sum_lo;
    }
    h->sum_lo = (uint64_t)sum;
    h->sum_hi = (uint64_t)(sum >> 64);
    h->overflow = 0;
    h->lost = 0;
}

/* Recomputes what cannot be subtracted exactly: n, sums, gauges, trend min/max/sum. */
static void recompute(struct tg_window *w)
{
    uint64_t first = w->sealed > w->len_s ? w->sealed - w->len_s : 0;
    struct tg_sink *a = &w->agg;
    a->n = 0;
    if (w->kind == TG_KIND_COUNTER) {
        a->u.sum = 0;
    } else if (w->kind == TG_KIND_GAUGE) {
        memset(&a->u.gauge, 0, sizeof(a->u.gauge));
    }
    for (uint64_t k = first; k < w->sealed; k++) {
        const struct tg_window_slot *s = &w->slots[k % w->len_s];
        if (s->n == 0) {
            continue;
        }
        if (w->kind == TG_KIND_COUNTER) {
            a->u.sum += s->sum;
        } else if (w->kind == TG_KIND_GAUGE) {
            a->u.gauge.min = a->n == 0 ? s->min : TG_MIN(a->u.gauge.min, s->min);
            a->u.gauge.max = a->n == 0 ? s->max : TG_MAX(a->u.gauge.max, s->max);
            if (a->n == 0 || s->t_ns >= a->u.gauge.t_ns) { /* the later value wins */
                a->u.gauge.last = s->last;
                a->u.gauge.t_ns = s->t_ns;
            }
        }
        a->n += s->n;
    }
    if (w->kind == TG_KIND_TREND) {
        trend_scalars(w, first);
    }
}

int tg_window_seal(struct tg_window *w)
{
    uint64_t k = w->sealed;
    struct tg_sink *src = &w->open[k % TG_WINDOW_OPEN];
    struct tg_window_slot *s = &w->slots[k % w->len_s];
    if (k >= w->len_s) {
        expire(w, s);
    }
    int rc = store(w, s, src);
    tg_sink_reset(src);
    w->sealed++;
    recompute(w);
    return rc;
}

void tg_window_log_fini(struct tg_window_log *log)
{
    tg_free(log->values);
    log->values = NULL;
    log->n_values = log->cap_values = 0;
}

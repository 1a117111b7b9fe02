/*
 * hist — log-linear latency histogram; the layout, invariants, precision and
 * cost model are described in hist.h.
 *
 * Hot file: tg_hist_record runs once per response. It must stay free of
 * stdio, locks and division, and allocate only on a page's first touch
 * (make lint checks the object's imports).
 */
#include "metrics/hist.h"

#include "core/alloc.h"
#include "tg.h"

#include <string.h>

#define SUB_BITS   TG_HIST_SUB_BUCKET_BITS
#define SLOT_MASK  (TG_HIST_PAGE_LEN - 1)
#define EXACT_MASK ((uint64_t)TG_HIST_EXACT_BELOW_NS - 1)
#define MAX_U      ((uint64_t)TG_HIST_MAX_NS)
#define TOP_OCTAVE 41 /* msb of TG_HIST_MAX_NS */
#define BUCKETS_LEN \
    (((size_t)(TOP_OCTAVE - SUB_BITS) << SUB_BITS) + (MAX_U >> (TOP_OCTAVE - SUB_BITS)) + 1)

_Static_assert(TG_HIST_EXACT_BELOW_NS == 2 * TG_HIST_PAGE_LEN, "exact region is two pages");
_Static_assert((TG_HIST_MAX_NS >> TOP_OCTAVE) == 1, "TOP_OCTAVE is the msb of the maximum");
_Static_assert(TG_HIST_PAGES == TOP_OCTAVE - SUB_BITS + 2, "one page per octave + 2 exact");
_Static_assert(BUCKETS_LEN <= (size_t)TG_HIST_PAGES * TG_HIST_PAGE_LEN, "buckets fit the pages");

/*
 * Bucket of a clamped value u in [0, MAX_U]. s = msb(u | 2047) - 10 is the
 * number of low bits a bucket ignores: 0 below 2048, msb(u) - 10 above. Then
 * u >> s keeps u's top 11 bits, in [1024, 2048) above 2048, so octave
 * msb(u) = s + 10 lands in page s + 1; below 2048 the index is u itself.
 */
static inline size_t bucket_of(uint64_t u)
{
    unsigned s = (unsigned)(63 - __builtin_clzll(u | EXACT_MASK)) - SUB_BITS;
    return ((size_t)s << SUB_BITS) + (size_t)(u >> s);
}

static inline uint64_t clamp_value(int64_t v)
{
    if (v < 0) {
        return 0;
    }
    return (uint64_t)v > MAX_U ? MAX_U : (uint64_t)v;
}

/* 128-bit sum += u * n, without division; u < 2^42 so u * n needs hi/lo halves of n. */
static inline void sum_add(struct tg_hist *h, uint64_t u, uint64_t n)
{
    if (tg_likely(n == 1)) {
        h->sum_lo += u;
        h->sum_hi += h->sum_lo < u;
        return;
    }
    __extension__ typedef unsigned __int128 u128;
    u128 sum = ((u128)h->sum_hi << 64 | h->sum_lo) + (u128)u * n;
    h->sum_lo = (uint64_t)sum;
    h->sum_hi = (uint64_t)(sum >> 64);
}

/* Page p of h, allocated (zeroed) if missing; NULL if the allocation failed. */
static uint64_t *page_get(struct tg_hist *h, size_t p)
{
    if (!h->pages[p]) {
        h->pages[p] = tg_calloc(TG_HIST_PAGE_LEN, sizeof(uint64_t));
    }
    return h->pages[p];
}

int tg_hist_init(struct tg_hist *h)
{
    memset(h, 0, sizeof(*h));
    h->min = INT64_MAX;
    return 0;
}

void tg_hist_fini(struct tg_hist *h)
{
    for (size_t p = 0; p < TG_HIST_PAGES; p++) {
        tg_free(h->pages[p]);
        h->pages[p] = NULL;
    }
}

void tg_hist_reset(struct tg_hist *h)
{
    for (size_t p = 0; p < TG_HIST_PAGES; p++) {
        if (h->pages[p]) {
            memset(h->pages[p], 0, TG_HIST_PAGE_LEN * sizeof(uint64_t));
        }
    }
    h->count = 0;
    h->min = INT64_MAX;
    h->max = 0;
    h->sum_lo = 0;
    h->sum_hi = 0;
    h->overflow = 0;
    h->lost = 0;
}

/* Adds n samples of clamped value u to bucket idx; returns 0 or TG_ENOMEM (h untouched). */
static inline int add_value(struct tg_hist *h, size_t idx, uint64_t u, uint64_t n)
{
    uint64_t *page = h->pages[idx >> SUB_BITS];
    if (tg_unlikely(!page)) {
        page = page_get(h, idx >> SUB_BITS);
        if (!page) {
            return TG_ENOMEM;
        }
    }
    page[idx & SLOT_MASK] += n;
    h->count += n;
    if ((int64_t)u < h->min) {
        h->min = (int64_t)u;
    }
    if ((int64_t)u > h->max) {
        h->max = (int64_t)u;
    }
    sum_add(h, u, n);
    return 0;
}

void tg_hist_record_n(struct tg_hist *h, int64_t value_ns, uint64_t n)
{
    if (tg_unlikely(n == 0)) {
        return;
    }
    uint64_t u = clamp_value(value_ns);
    if (tg_unlikely(add_value(h, bucket_of(u), u, n) != 0)) {
        h->lost += n;
        return;
    }
    if (tg_unlikely(value_ns > TG_HIST_MAX_NS)) {
        h->overflow += n;
    }
}

void tg_hist_record(struct tg_hist *h, int64_t value_ns)
{
    tg_hist_record_n(h, value_ns, 1);
}

int tg_hist_merge(struct tg_hist *dst, const struct tg_hist *src)
{
    /* Allocate first, so that a failure leaves dst's samples as they were. */
    for (size_t p = 0; p < TG_HIST_PAGES; p++) {
        if (src->pages[p] && !page_get(dst, p)) {
            return TG_ENOMEM;
        }
    }
    for (size_t p = 0; p < TG_HIST_PAGES; p++) {
        const uint64_t *s = src->pages[p];
        uint64_t *d = dst->pages[p];
        for (size_t i = 0; s && i < TG_HIST_PAGE_LEN; i++) {
            d[i] += s[i]; /* when src == dst, d == s and this doubles */
        }
    }
    if (src->count > 0) {
        dst->min = TG_MIN(dst->min, src->min);
        dst->max = TG_MAX(dst->max, src->max);
    }
    uint64_t lo = src->sum_lo, hi = src->sum_hi;
    dst->sum_lo += lo;
    dst->sum_hi += hi + (dst->sum_lo < lo);
    dst->count += src->count;
    dst->overflow += src->overflow;
    dst->lost += src->lost;
    return 0;
}

uint64_t tg_hist_count(const struct tg_hist *h)
{
    return h->count;
}

int64_t tg_hist_min(const struct tg_hist *h)
{
    return h->count ? h->min : 0;
}

int64_t tg_hist_max(const struct tg_hist *h)
{
    return h->count ? h->max : 0;
}

double tg_hist_mean(const struct tg_hist *h)
{
    if (h->count == 0) {
        return 0;
    }
    long double sum = (long double)h->sum_hi * 18446744073709551616.0L + (long double)h->sum_lo;
    return (double)(sum / (long double)h->count);
}

/* Index of the bucket holding the rank-th smallest sample (0-based); rank < h->count. */
static size_t bucket_at_rank(const struct tg_hist *h, uint64_t rank)
{
    uint64_t seen = 0;
    for (size_t p = 0; p < TG_HIST_PAGES; p++) {
        const uint64_t *page = h->pages[p];
        for (size_t i = 0; page && i < TG_HIST_PAGE_LEN; i++) {
            seen += page[i];
            if (seen > rank) {
                return (p << SUB_BITS) + i;
            }
        }
    }
    return BUCKETS_LEN - 1; /* unreachable while count == sum of buckets */
}

/* The value standing for the rank-th sample: exact min/max at the ends, else the midpoint
 * of its bucket narrowed to [min, max]. */
static double value_at_rank(const struct tg_hist *h, uint64_t rank)
{
    if (rank == 0) {
        return (double)h->min;
    }
    if (rank == h->count - 1) {
        return (double)h->max;
    }
    size_t idx = bucket_at_rank(h, rank);
    int64_t lo = TG_MAX(tg_hist_bucket_low(idx), h->min);
    int64_t hi = TG_MIN(tg_hist_bucket_high(idx), h->max);
    return ((double)lo + (double)hi) / 2.0;
}

double tg_hist_percentile(const struct tg_hist *h, double pct)
{
    if (h->count == 0) {
        return 0;
    }
    if (!(pct > 0)) {
        pct = 0; /* also NaN */
    }
    if (pct > 100) {
        pct = 100;
    }
    double rank = pct / 100.0 * (double)(h->count - 1);
    uint64_t below = (uint64_t)rank; /* floor: rank >= 0 */
    if (below > h->count - 1) {
        below = h->count - 1;
    }
    double frac = rank - (double)below;
    double a = value_at_rank(h, below);
    if (frac <= 0 || below == h->count - 1) {
        return a;
    }
    double b = value_at_rank(h, below + 1);
    return a + (b - a) * frac;
}

size_t tg_hist_bucket_count(void)
{
    return BUCKETS_LEN;
}

size_t tg_hist_bucket_index(int64_t value_ns)
{
    return bucket_of(clamp_value(value_ns));
}

int64_t tg_hist_bucket_low(size_t idx)
{
    if (idx >= BUCKETS_LEN) {
        return -1;
    }
    size_t p = idx >> SUB_BITS;
    uint64_t slot = idx & SLOT_MASK;
    if (p == 0) {
        return (int64_t)slot;
    }
    return (int64_t)((TG_HIST_PAGE_LEN + slot) << (p - 1));
}

int64_t tg_hist_bucket_high(size_t idx)
{
    if (idx >= BUCKETS_LEN) {
        return -1;
    }
    size_t p = idx >> SUB_BITS;
    if (p <= 1) {
        return (int64_t)idx;
    }
    int64_t high = tg_hist_bucket_low(idx) + (INT64_C(1) << (p - 1)) - 1;
    return TG_MIN(high, TG_HIST_MAX_NS);
}

uint64_t tg_hist_bucket_get(const struct tg_hist *h, size_t idx)
{
    if (idx >= BUCKETS_LEN) {
        return 0;
    }
    const uint64_t *page = h->pages[idx >> SUB_BITS];
    return page ? page[idx & SLOT_MASK] : 0;
}

size_t tg_hist_next_nonzero(const struct tg_hist *h, size_t from)
{
    while (from < BUCKETS_LEN) {
        const uint64_t *page = h->pages[from >> SUB_BITS];
        if (!page) {
            from = ((from >> SUB_BITS) + 1) << SUB_BITS; /* skip the untouched page */
            continue;
        }
        if (page[from & SLOT_MASK]) {
            return from;
        }
        from++;
    }
    return BUCKETS_LEN;
}

int tg_hist_add_bucket(struct tg_hist *h, size_t idx, uint64_t n)
{
    if (idx >= BUCKETS_LEN) {
        return TG_EINVAL;
    }
    if (n == 0) {
        return 0;
    }
    return add_value(h, idx, (uint64_t)tg_hist_bucket_low(idx), n);
}

int tg_hist_remove_bucket(struct tg_hist *h, size_t idx, uint64_t n)
{
    if (idx >= BUCKETS_LEN) {
        return TG_EINVAL;
    }
    uint64_t *page = h->pages[idx >> SUB_BITS];
    uint64_t have = page ? page[idx & SLOT_MASK] : 0;
    if (have < n) {
        return TG_EINVAL;
    }
    if (n > 0) {
        page[idx & SLOT_MASK] = have - n;
        h->count -= n;
    }
    return 0;
}

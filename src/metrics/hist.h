/*
 * hist — a log-linear ("HDR-style") latency histogram of int64 nanoseconds.
 *
 * Who uses it: each worker owns its histograms and records into them on the
 * hot path; the coordinator merges the workers' deltas on its tick
 * (tg_hist_merge) and the report code reads percentiles; hist_codec carries
 * histograms between processes and machines.
 *
 * Bucket layout (fixed; hist_codec refuses any other):
 *   - values 0 .. 2047 ns have one bucket each (exact);
 *   - every octave [2^k, 2^(k+1)) with k >= 11 has 1024 equal sub-buckets of
 *     width 2^(k-10), so a bucket is never wider than 1/1024 of its low bound;
 *   - the range ends at TG_HIST_MAX_NS (1 hour). Larger values are clamped to
 *     it (and counted in `overflow`), negative values are clamped to 0.
 *   With s = msb(v | 2047) - 10, a value's bucket index is (s << 10) + (v >> s):
 *   one clz, two shifts, no division. Indices 0 .. tg_hist_bucket_count()-1
 *   are ordered by value, so a bucket walk is a walk over sorted samples.
 *
 * Memory: counters live in 33 pages of 1024 uint64 (16 KiB each): pages 0-1
 * are the exact region, page p >= 2 is octave 2^(p+9). A page is allocated
 * with tg_calloc the first time a sample lands in it and kept until _fini;
 * _reset zeroes it. A typical latency distribution touches a handful of
 * pages, and once they exist recording never allocates. If a page cannot be
 * allocated the sample is counted in `lost` and otherwise dropped: recording
 * never fails loudly.
 *
 * Invariants (when no sample is lost):
 *   count    == sum of all bucket counters
 *   min, max == exact smallest / largest recorded (clamped) value; min lies in
 *               the first non-empty bucket, max in the last
 *   sum      == exact sum of the recorded (clamped) values, 128-bit
 *   overflow <= counter of the top bucket
 *
 * Precision guarantee: percentiles follow k6's TrendSink.P (rank
 * p*(count-1) in the sorted samples, linear interpolation between the values
 * at floor(rank) and ceil(rank)). The histogram replaces each sample by the
 * midpoint of its bucket (narrowed to [min, max]), and uses min and max
 * exactly at the first and last rank, so p(0) == min and p(100) == max.
 * Each interpolated operand is off by at most half its bucket's width, hence
 * the result differs from k6's exact value by: 0 below 2048 ns, and at most
 * 1/2048 (we promise 1/1024, one bucket width) of the exact value above.
 * count, min, max and mean are exact.
 *
 * Cost model: record is O(1) — a clz, a page pointer load, an increment and a
 * few compares; no locks, no stdio, no allocation after a page's first touch.
 * percentile, merge and bucket iteration are O(allocated pages * 1024) and
 * belong to the coordinator/report side, not the hot path.
 *
 * Threads: a histogram belongs to one thread; nothing here is synchronised.
 */
#ifndef TG_METRICS_HIST_H
#define TG_METRICS_HIST_H

#include <stddef.h>
#include <stdint.h>

/* log2 of the number of sub-buckets per octave (and of the page length). */
#define TG_HIST_SUB_BUCKET_BITS 10
/* Counters per page: one octave, or half of the exact region. */
#define TG_HIST_PAGE_LEN (1u << TG_HIST_SUB_BUCKET_BITS)
/* Values below this are recorded exactly (1 ns buckets). */
#define TG_HIST_EXACT_BELOW_NS INT64_C(2048)
/* Largest trackable value: 1 hour. Larger values clamp here. */
#define TG_HIST_MAX_NS INT64_C(3600000000000)
/* Pages: 2 exact pages + octaves 2^11 .. 2^41 (TG_HIST_MAX_NS < 2^42). */
#define TG_HIST_PAGES 33

struct tg_hist {
    uint64_t *pages[TG_HIST_PAGES]; /* owned; NULL until first touched; TG_HIST_PAGE_LEN each */
    uint64_t count;                 /* samples in buckets (lost ones excluded) */
    int64_t min;                    /* ns, smallest recorded; INT64_MAX when count == 0 */
    int64_t max;                    /* ns, largest recorded; 0 when count == 0 */
    uint64_t sum_lo;                /* ns, low 64 bits of the exact 128-bit sum of values */
    uint64_t sum_hi;                /* ns, high 64 bits of that sum */
    uint64_t overflow;              /* samples > TG_HIST_MAX_NS, recorded as TG_HIST_MAX_NS */
    uint64_t lost;                  /* samples dropped because a page allocation failed */
};

/* Initialises caller storage h as empty, with no pages. Returns 0. Never allocates. */
int tg_hist_init(struct tg_hist *h);
/* Frees h's pages. h may be re-initialised with tg_hist_init afterwards. */
void tg_hist_fini(struct tg_hist *h);
/* Empties h (counters, overflow, lost) but keeps its pages, so recording after a reset
 * never allocates for the pages already touched. */
void tg_hist_reset(struct tg_hist *h);

/* Records one sample of value_ns (clamped to [0, TG_HIST_MAX_NS]). Hot path: O(1), allocates
 * only on the first sample of a page; if that allocation fails, counts it in h->lost. */
void tg_hist_record(struct tg_hist *h, int64_t value_ns);
/* Records n samples of value_ns, as n calls to tg_hist_record would (n == 0: no-op). */
void tg_hist_record_n(struct tg_hist *h, int64_t value_ns, uint64_t n);

/*
 * dst += src: buckets, count, sum, overflow and lost add up, min/max widen. src is borrowed
 * (src == dst is allowed and doubles every count). Returns 0, or TG_ENOMEM if a page of dst
 * could not be allocated; dst's samples are then unchanged (pages allocated so far are kept,
 * empty).
 */
int tg_hist_merge(struct tg_hist *dst, const struct tg_hist *src);

/* Number of recorded samples (lost ones excluded). */
uint64_t tg_hist_count(const struct tg_hist *h);
/* Smallest recorded value in ns (exact); 0 when empty. */
int64_t tg_hist_min(const struct tg_hist *h);
/* Largest recorded value in ns (exact); 0 when empty. */
int64_t tg_hist_max(const struct tg_hist *h);
/* Arithmetic mean in ns, computed from the exact sum; 0 when empty. */
double tg_hist_mean(const struct tg_hist *h);
/*
 * The pct-th percentile in ns, k6 TrendSink.P semantics, within the precision stated above.
 * pct is in [0, 100]; values outside (and NaN) are clamped to it. 0 when empty.
 */
double tg_hist_percentile(const struct tg_hist *h, double pct);

/* Bucket iteration, for serialisation. Indices are ordered by value. */

/* Total number of bucket indices (every value in [0, TG_HIST_MAX_NS] maps into one). */
size_t tg_hist_bucket_count(void);
/* Index of the bucket holding value_ns (clamped as tg_hist_record does). */
size_t tg_hist_bucket_index(int64_t value_ns);
/* Smallest value (ns) in bucket idx; -1 if idx >= tg_hist_bucket_count(). */
int64_t tg_hist_bucket_low(size_t idx);
/* Largest value (ns, inclusive) in bucket idx; -1 if idx >= tg_hist_bucket_count(). */
int64_t tg_hist_bucket_high(size_t idx);
/* Samples in bucket idx; 0 if idx is out of range or its page was never touched. */
uint64_t tg_hist_bucket_get(const struct tg_hist *h, size_t idx);
/* Next idx >= from with a non-zero count, or tg_hist_bucket_count() if none. */
size_t tg_hist_next_nonzero(const struct tg_hist *h, size_t from);
/*
 * Adds n samples to bucket idx, for decoders: like tg_hist_record_n of the bucket's low bound
 * (count, min, max and sum follow that value; overflow is not touched), so a decoder must
 * restore the exact min/max/sum/overflow afterwards. Returns 0; TG_EINVAL if
 * idx >= tg_hist_bucket_count(); TG_ENOMEM if its page could not be allocated (h unchanged).
 */
int tg_hist_add_bucket(struct tg_hist *h, size_t idx, uint64_t n);

/*
 * Removes n samples from bucket idx: the inverse of tg_hist_add_bucket, for sliding windows
 * (metrics/window). The bucket and count drop by n; min, max and sum are left as they were, so
 * the caller must restore them. Returns 0; TG_EINVAL if idx >= tg_hist_bucket_count() or the
 * bucket holds fewer than n samples (h unchanged).
 */
int tg_hist_remove_bucket(struct tg_hist *h, size_t idx, uint64_t n);

#endif

/*
 * segment — how a load is divided among workers (and, later, machines) by
 * fixed fractions, as k6's execution segments do. A segment is the interval
 * [from/den, to/den) of (0, 1], kept as exact integers; worker i of n owns
 * [i/n, (i+1)/n).
 *
 * Counts: a total N gives a segment exactly floor(N*to/den) - floor(N*from/den)
 * (computed in 128-bit integers), so the shares of any partition sum to N.
 * Rates: a segment of width w = (to-from)/den runs at R*w, its k-th arrival
 * at ((k*den + from) / (to - from)) / R seconds; with equal segments the union
 * of all workers' arrivals is exactly the evenly spaced sequence k/R.
 */
#ifndef TG_EXEC_SEGMENT_H
#define TG_EXEC_SEGMENT_H

#include "tg.h"

#include <stdint.h>

struct tg_segment {
    uint64_t from; /* numerator of the start, from < to */
    uint64_t to;   /* numerator of the end, to <= den */
    uint64_t den;  /* common denominator, > 0 */
};

/* Worker i of n's segment, i < n. */
struct tg_segment tg_segment_of(uint32_t i, uint32_t n);
/* The segment's share of a total count. */
uint64_t tg_segment_count(struct tg_segment s, uint64_t total);
/* Time (ns from the start, rounded) of the segment's k-th arrival (k from 0) at a total rate. */
tg_ns tg_segment_arrival_ns(struct tg_segment s, double rate_per_s, uint64_t k);
/*
 * Number of the segment's arrivals with tg_segment_arrival_ns(k) <= t_ns: the
 * exact inverse of tg_segment_arrival_ns, so an arrival counts from its own time on.
 */
uint64_t tg_segment_arrivals_by(struct tg_segment s, double rate_per_s, tg_ns t_ns);

#endif

/*
 * segment — fractional load division; see segment.h.
 *
 * Arrivals: a segment [a, b) of width w = b - a gets arrivals at global
 * positions x_k = (k + a) / w for k = 0, 1, 2, ... measured in units of the
 * global inter-arrival time 1/R; so its k-th arrival is at x_k / R seconds.
 * With n equal segments (w = 1/n, a = i/n) that is k*n + i: the workers
 * interleave into exactly the sequence 0, 1, 2, ... of the whole rate. For
 * any partition each segment's long-run rate is exactly R*w, so the rates
 * sum to R.
 */
#include "exec/segment.h"

#include <math.h>

__extension__ typedef unsigned __int128 u128; /* exact products of 64-bit counts */

struct tg_segment tg_segment_of(uint32_t i, uint32_t n)
{
    return (struct tg_segment){ i, (uint64_t)i + 1, n };
}

uint64_t tg_segment_count(struct tg_segment s, uint64_t total)
{
    u128 hi = (u128)total * s.to / s.den;
    u128 lo = (u128)total * s.from / s.den;
    return (uint64_t)(hi - lo);
}

tg_ns tg_segment_arrival_ns(struct tg_segment s, double rate_per_s, uint64_t k)
{
    long double x = ((long double)k * s.den + s.from) / (long double)(s.to - s.from);
    return (tg_ns)llroundl(x * 1e9L / rate_per_s);
}

uint64_t tg_segment_arrivals_by(struct tg_segment s, double rate_per_s, tg_ns t_ns)
{
    if (t_ns < 0) {
        return 0;
    }
    /* estimate, then settle exactly against tg_segment_arrival_ns's rounding */
    long double x = (long double)t_ns * rate_per_s / 1e9L;
    long double k = floorl((x * (long double)(s.to - s.from) - s.from) / s.den);
    uint64_t n = k < 0 ? 0 : (uint64_t)k;
    while (n > 0 && tg_segment_arrival_ns(s, rate_per_s, n - 1) > t_ns) {
        n--;
    }
    while (tg_segment_arrival_ns(s, rate_per_s, n) <= t_ns) {
        n++;
    }
    return n;
}

/*
 * schedule — executor arithmetic; see schedule.h.
 *
 * Arrivals: with the rate r(t) piecewise linear, the cumulative count
 * A(t) = integral of r from 0 to t is piecewise quadratic, and the global
 * arrival number x (x = 0, 1, 2, ...) starts when A(t) = x. The segment
 * [a, b) of width w owns the global positions x_k = (k + a) / w (as for a
 * constant rate in segment.c), so every segment's arrivals sum exactly to
 * A over any partition. Inverting A within a stage solves
 *   r0*tau + (r1 - r0) * tau^2 / (2*D) = x - A(stage start)
 * for tau in [0, D].
 */
#include "exec/schedule.h"

#include <math.h>

tg_ns tg_schedule_stages_len(const struct tg_stage *st, size_t n)
{
    tg_ns len = 0;
    for (size_t i = 0; i < n; i++) {
        len += st[i].duration;
    }
    return len;
}

double tg_schedule_value_at(const struct tg_stage *st, size_t n, double start, tg_ns t)
{
    double from = start;
    tg_ns at = 0;
    for (size_t i = 0; i < n; i++) {
        if (t < at + st[i].duration) {
            double f = (double)(t - at) / (double)st[i].duration;
            return from + (st[i].target - from) * f;
        }
        at += st[i].duration;
        from = st[i].target;
    }
    return from;
}

uint64_t tg_schedule_vus_share(struct tg_segment seg, double total_vus)
{
    if (!(total_vus > 0)) {
        return 0;
    }
    return tg_segment_count(seg, (uint64_t)floor(total_vus + 1e-9));
}

/* Solves r0*tau + (r1-r0)*tau^2/(2D) = need for tau in [0, D] (time in time units). */
static double solve_stage(double r0, double r1, double d, double need)
{
    if (need <= 0) {
        return 0;
    }
    double a = (r1 - r0) / (2 * d);
    if (fabs(a) < 1e-300) {
        return need / r0;
    }
    double disc = r0 * r0 + 4 * a * need;
    if (disc < 0) {
        disc = 0;
    }
    /* the numerically stable root of a*tau^2 + r0*tau - need = 0 */
    return 2 * need / (r0 + sqrt(disc));
}

tg_ns tg_schedule_arrival_ns(const struct tg_stage *st, size_t n, double start_rate,
                             tg_ns time_unit, struct tg_segment seg, uint64_t k)
{
    /* rates in iterations per time unit, times in time units: counts stay exact */
    double x = (double)(((long double)k * seg.den + seg.from) / (long double)(seg.to - seg.from));
    double unit = (double)time_unit;
    double r0 = start_rate;
    double done = 0; /* A at the start of the current stage */
    tg_ns at = 0;
    for (size_t i = 0; i < n; i++) {
        double r1 = st[i].target;
        double d = (double)st[i].duration / unit;
        double in_stage = (r0 + r1) / 2 * d;
        if (x < done + in_stage) {
            double tau = solve_stage(r0, r1, d, x - done);
            return at + (tg_ns)llround((tau < d ? tau : d) * unit);
        }
        done += in_stage;
        at += st[i].duration;
        r0 = r1;
    }
    return -1;
}

double tg_schedule_arrivals_total(const struct tg_stage *st, size_t n, double start_rate,
                                  tg_ns time_unit)
{
    double total = 0;
    double r0 = start_rate;
    for (size_t i = 0; i < n; i++) {
        total += (r0 + st[i].target) / 2 * ((double)st[i].duration / (double)time_unit);
        r0 = st[i].target;
    }
    return total;
}

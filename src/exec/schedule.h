/*
 * schedule — the arithmetic of k6's executors, as pure functions of time:
 * how many VUs a (ramping) VU executor wants at time t, and when the k-th
 * iteration of a (ramping) arrival-rate executor starts, each for one
 * segment of the load (exec/segment.h), so that the shares of any partition
 * of workers — or machines — sum exactly to the whole.
 *
 * Stages ramp linearly: over stage i the value goes from the previous target
 * (the start value for the first stage) to target i, as k6's do. Rates are in
 * iterations per time unit (k6's timeUnit).
 */
#ifndef TG_EXEC_SCHEDULE_H
#define TG_EXEC_SCHEDULE_H

#include "exec/segment.h"
#include "script/optval.h"
#include "tg.h"

#include <stddef.h>
#include <stdint.h>

/* Total length of the stages. */
tg_ns tg_schedule_stages_len(const struct tg_stage *st, size_t n);
/*
 * The staged value at time t (from the scenario's start): start before the
 * first stage ramps, linear within each stage, the last target after the end.
 */
double tg_schedule_value_at(const struct tg_stage *st, size_t n, double start, tg_ns t);
/* The segment's share of floor(total VUs), exact across any partition. */
uint64_t tg_schedule_vus_share(struct tg_segment seg, double total_vus);
/*
 * Arrival-rate executors: the start time (ns from the scenario's start) of
 * the segment's k-th iteration (k from 0), for a rate that follows the
 * stages from start_rate, in iterations per time_unit. Returns -1 when the
 * stages end before that iteration. A constant rate is one stage whose
 * target equals start_rate.
 */
tg_ns tg_schedule_arrival_ns(const struct tg_stage *st, size_t n, double start_rate,
                             tg_ns time_unit, struct tg_segment seg, uint64_t k);
/* Iterations (all segments) the stages schedule in total: the integral of the rate. */
double tg_schedule_arrivals_total(const struct tg_stage *st, size_t n, double start_rate,
                                  tg_ns time_unit);

#endif

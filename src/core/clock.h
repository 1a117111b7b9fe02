/*
 * clock — the monotonic nanosecond clock every measurement uses
 * (CLOCK_MONOTONIC through the vDSO: no syscall), and the wall clock for
 * timestamps in exports. Any thread may call these.
 */
#ifndef TG_CORE_CLOCK_H
#define TG_CORE_CLOCK_H

#include "tg.h"

#include <time.h>

static inline tg_ns tg_clock_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (tg_ns)ts.tv_sec * TG_NS_PER_S + ts.tv_nsec;
}

/* Wall-clock time in nanoseconds since the Unix epoch. */
static inline int64_t tg_clock_wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * TG_NS_PER_S + ts.tv_nsec;
}

#endif

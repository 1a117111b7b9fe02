/*
 * srv_timer — precise one-shot timers for serve: a binary min-heap of
 * deadlines driven by one timerfd watched by the event loop.
 *
 * Why not ev_timer: libev's epoll backend sleeps in whole milliseconds
 * (epoll_wait's timeout is rounded up), so a 5 ms service time would be
 * measured as 5–6 ms whenever the loop wakes for something else in between.
 * A timerfd armed at the earliest absolute CLOCK_MONOTONIC deadline wakes
 * epoll at that nanosecond, so a fixed service time is measured by a
 * loopback client as itself plus a few tens of microseconds.
 *
 * Wake-up compensation: a sleeping process wakes some time after its timer
 * expires (about 100 µs on a virtual machine, whatever the timer slack), so
 * the timerfd is set that much earlier than the deadline — the lead, learned
 * as a moving average of observed wake-up lateness and capped at
 * TG_SRV_TIMER_LEAD_MAX_NS. A wake before the deadline re-arms for the
 * deadline itself (already due → the loop turns again at once, serving I/O
 * meanwhile), so timers never fire early and fire late by ~the lead's error.
 *
 * Ownership: the heap (caller's storage) borrows every armed timer; a timer
 * (embedded in its owner) must be stopped before its storage goes away.
 * Callbacks run from the event loop, one at a time, and may start or stop any
 * timer, themselves included.
 *
 * Cost: start and stop are O(log n) with no allocation once capacity is
 * reserved (tg_srv_timer_reserve is called when connection objects are
 * created, never per request). The timerfd is re-armed (one syscall) only
 * when a new deadline is earlier than the one it is set to, and once per
 * expiry batch.
 */
#ifndef TG_SERVE_SRV_TIMER_H
#define TG_SERVE_SRV_TIMER_H

#include "tg.h"

#include <ev.h>
#include <stdbool.h>
#include <stdint.h>

#define TG_SRV_TIMER_LEAD_MAX_NS (300 * TG_NS_PER_US) /* cap on the wake-up compensation */

struct tg_srv_timer;

/* Called once when t expires; now_ns is the monotonic time of the expiry batch. */
typedef void (*tg_srv_timer_cb)(struct tg_srv_timer *t, tg_ns now_ns);

struct tg_srv_timer {
    tg_ns at_ns;        /* deadline (monotonic, tg_clock_now's clock) while armed */
    uint32_t heap_pos;  /* 1 + index in the heap while armed; 0 when not armed */
    tg_srv_timer_cb cb; /* set by tg_srv_timer_start */
};

struct tg_srv_timer_heap {
    struct ev_loop *loop;        /* borrowed */
    ev_io io;                    /* watches fd */
    int fd;                      /* the timerfd, owned */
    struct tg_srv_timer **items; /* min-heap by at_ns; owned array, borrowed timers */
    uint32_t len;                /* armed timers */
    uint32_t cap;                /* capacity of items */
    tg_ns armed_ns;              /* deadline the timerfd is set for; INT64_MAX when none */
    tg_ns set_ns;                /* time the timerfd is set to (armed_ns - lead, or earlier) */
    bool set_ahead;              /* set_ns was in the future when set: its lateness is learned */
    tg_ns lead_ns;               /* learned wake-up latency, in [0, TG_SRV_TIMER_LEAD_MAX_NS] */
};

/*
 * Creates the timerfd and starts watching it on loop (borrowed). Returns 0
 * or TG_EIO. h is the caller's storage; release with tg_srv_timer_heap_fini.
 */
int tg_srv_timer_heap_init(struct tg_srv_timer_heap *h, struct ev_loop *loop);

/* Stops the watcher, closes the timerfd, frees the array. Armed timers are forgotten. */
void tg_srv_timer_heap_fini(struct tg_srv_timer_heap *h);

/* Makes room for n armed timers at once, so that start never allocates. 0 or TG_ENOMEM. */
int tg_srv_timer_reserve(struct tg_srv_timer_heap *h, uint32_t n);

/*
 * Arms t (not armed; storage borrowed until it fires or is stopped) to call
 * cb at the absolute monotonic time at_ns (past deadlines fire on the next
 * loop iteration). The caller must have reserved room for it.
 */
void tg_srv_timer_start(struct tg_srv_timer_heap *h, struct tg_srv_timer *t, tg_ns at_ns,
                        tg_srv_timer_cb cb);

/* Disarms t; a no-op when t is not armed. */
void tg_srv_timer_stop(struct tg_srv_timer_heap *h, struct tg_srv_timer *t);

/* Whether t is armed. */
static inline bool tg_srv_timer_armed(const struct tg_srv_timer *t)
{
    return t->heap_pos != 0;
}

#endif

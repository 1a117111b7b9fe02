/*
 * capacity — serve's finite-capacity model: K worker slots, each held by one
 * request for a sampled service time, and a FIFO queue of requests waiting
 * for a slot. Offered load beyond K / service-time makes the queue, and so
 * the latency a client measures, grow without bound — the behaviour of a
 * real saturated service that load tests exist to find.
 *
 * Users: serve/srv_conn for the modelled routes (/, /health,
 * /communities/...). A waiter is embedded in its connection; the model
 * borrows it while it is queued or in service.
 *
 * Invariants: busy <= workers when workers > 0; the queue is non-empty only
 * when every slot is busy; waiters leave the queue in arrival order; a slot
 * freed at deadline T starts the next waiter's service at T exactly, so with
 * a fixed time S and one worker, n concurrent requests finish at S, 2S, ...
 * nS after arrival.
 *
 * Cost: O(1) per request plus one srv_timer start (O(log n)) when the service
 * time is non-zero; nothing at all with zero service time.
 */
#ifndef TG_SERVE_CAPACITY_H
#define TG_SERVE_CAPACITY_H

#include "serve/srv_rng.h"
#include "serve/srv_timer.h"
#include "serve/svc_time.h"

#include <stdbool.h>
#include <stdint.h>

struct tg_capacity_waiter;

/* Called from the loop when w's service time has elapsed. */
typedef void (*tg_capacity_cb)(struct tg_capacity_waiter *w);

enum tg_capacity_state {
    TG_CAPACITY_IDLE,    /* not known to the model */
    TG_CAPACITY_QUEUED,  /* waiting for a slot */
    TG_CAPACITY_SERVING, /* holding a slot; timer armed */
};

struct tg_capacity_waiter {
    struct tg_srv_timer timer;       /* service deadline while SERVING */
    struct tg_capacity_waiter *prev; /* queue links while QUEUED */
    struct tg_capacity_waiter *next;
    tg_capacity_cb done;       /* set by submit */
    struct tg_capacity *model; /* set by submit; borrowed */
    enum tg_capacity_state state;
};

struct tg_capacity {
    uint32_t workers;                 /* slots; 0 = unlimited */
    uint32_t busy;                    /* slots held */
    uint64_t queue_len;               /* waiters queued */
    uint64_t queue_max;               /* largest queue_len since init or reset */
    struct tg_capacity_waiter *head;  /* oldest queued */
    struct tg_capacity_waiter *tail;  /* newest queued */
    struct tg_svc_time svc;           /* service-time distribution */
    struct tg_svc_time slow;          /* drawn instead of svc for a share slow_share of services */
    double slow_share;                /* in [0, 1]; 0 = never (--degraded-share) */
    struct tg_srv_rng *rng;           /* borrowed */
    struct tg_srv_timer_heap *timers; /* borrowed */
};

/* Prepares cap (caller's storage). rng and timers are borrowed for cap's lifetime. */
void tg_capacity_init(struct tg_capacity *cap, uint32_t workers, const struct tg_svc_time *svc,
                      struct tg_srv_rng *rng, struct tg_srv_timer_heap *timers);

/* Prepares a waiter (caller's storage) as IDLE. */
void tg_capacity_waiter_init(struct tg_capacity_waiter *w);

/*
 * Asks for a slot for w (IDLE; borrowed until done runs or cancel) for a
 * request arriving now. Returns true when the request is already
 * served — a slot was free and the sampled time is 0 — and done will not be
 * called; the caller answers at once. Otherwise returns false and done(w)
 * runs later from the loop. Timer capacity must have been reserved for w.
 */
bool tg_capacity_submit(struct tg_capacity *cap, struct tg_capacity_waiter *w, tg_capacity_cb done);

/* Withdraws w (its connection is closing): leaves the queue or frees its slot. No-op when IDLE. */
void tg_capacity_cancel(struct tg_capacity *cap, struct tg_capacity_waiter *w);

/* Restarts queue_max from the current queue length (for /__stats/reset). */
void tg_capacity_reset_stats(struct tg_capacity *cap);

#endif

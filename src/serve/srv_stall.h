/*
 * srv_stall — serve's periodic freeze (--stall S/P): during the last S of
 * every period P of the server's uptime no response starts; responses that
 * fall due inside a window are held and released, in the order they fell
 * due, the instant the window ends. A server that stalls this way is what
 * exposes coordinated omission in a load generator: a closed-loop client
 * sees one slow request per connection, an open-model client sees every
 * request scheduled during the window start late.
 *
 * Window phase: windows are [kP + (P - S), (k+1)P) measured from the
 * server's start, so the first one begins P - S after start and a test can
 * predict them.
 *
 * Users: serve/srv_conn, before it writes the first byte of any response
 * except /__stats. A waiter is embedded in its connection and borrowed while
 * held.
 *
 * Cost: one clock read and a modulo per response when a stall is configured;
 * nothing otherwise. One srv_timer is armed while anyone is held.
 */
#ifndef TG_SERVE_SRV_STALL_H
#define TG_SERVE_SRV_STALL_H

#include "core/diag.h"
#include "serve/srv_timer.h"
#include "tg.h"

#include <stdbool.h>

struct tg_srv_stall_waiter;

/* Called from the loop when the window that held w has ended. */
typedef void (*tg_srv_stall_cb)(struct tg_srv_stall_waiter *w);

struct tg_srv_stall_waiter {
    struct tg_srv_stall_waiter *prev; /* hold-list links while held */
    struct tg_srv_stall_waiter *next;
    tg_srv_stall_cb release; /* set by hold */
    bool held;
};

struct tg_srv_stall {
    tg_ns stall_ns;                   /* S; 0 = no stalls */
    tg_ns period_ns;                  /* P > S */
    tg_ns start_ns;                   /* server start: origin of the window phase */
    struct tg_srv_stall_waiter *head; /* held, oldest first */
    struct tg_srv_stall_waiter *tail;
    struct tg_srv_timer timer;        /* end of the current window, armed while head != NULL */
    struct tg_srv_timer_heap *timers; /* borrowed */
};

/*
 * Parses "S/P" (two durations, bare numbers in seconds, 0 < S < P) into
 * *stall_ns and *period_ns. Returns 0 or TG_EINVAL with d set.
 */
int tg_srv_stall_parse(const char *s, tg_ns *stall_ns, tg_ns *period_ns, struct tg_diag *d);

/* Prepares st (caller's storage); stall_ns 0 disables. timers is borrowed. */
void tg_srv_stall_init(struct tg_srv_stall *st, tg_ns stall_ns, tg_ns period_ns, tg_ns start_ns,
                       struct tg_srv_timer_heap *timers);

/* Prepares a waiter (caller's storage) as not held. */
void tg_srv_stall_waiter_init(struct tg_srv_stall_waiter *w);

/*
 * If now_ns falls inside a stall window, holds w (borrowed until release
 * runs or cancel) and returns true: release(w) runs when the window ends.
 * Otherwise returns false and the caller responds now.
 */
bool tg_srv_stall_hold(struct tg_srv_stall *st, struct tg_srv_stall_waiter *w, tg_ns now_ns,
                       tg_srv_stall_cb release);

/* Forgets w (its connection is closing). No-op when not held. */
void tg_srv_stall_cancel(struct tg_srv_stall *st, struct tg_srv_stall_waiter *w);

/* Disarms the window timer; held waiters are forgotten. */
void tg_srv_stall_fini(struct tg_srv_stall *st);

#endif

/*
 * killswitch — the run's external stop conditions, watched on the
 * coordinator's loop: --kill-switch URL (polled every interval; anything but
 * a 2xx answer, or N polls in a row that get no answer at all, stops the run)
 * and --kill-file PATH (checked every second; stops the run once it exists).
 * The owner is told once, with the reason, and stops the workers gracefully.
 *
 * A poll is one GET on its own connection (fresh each time: a kill switch
 * must not be fooled by a connection a proxy keeps alive), bounded by the
 * interval; the host is resolved once at start-up, and an unresolvable one
 * counts as unreachable on every poll.
 */
#ifndef TG_EXEC_KILLSWITCH_H
#define TG_EXEC_KILLSWITCH_H

#include "exec/plan.h"
#include "net/conn.h"

#include <ev.h>

struct tg_killswitch {
    struct ev_loop *loop;
    const struct tg_plan_rails *rails;
    void (*on_stop)(void *owner, const char *reason);
    void *owner;
    bool fired;
    /* --kill-file */
    ev_timer file_t;
    /* --kill-switch */
    ev_timer poll_t;
    struct tg_url url;
    struct tg_addr addrs[8];
    struct tg_conn_env env;
    struct tg_conn conn;
    struct tg_conn_target target;
    struct tg_conn_req req;
    char *request;   /* owned */
    unsigned misses; /* polls in a row without an answer */
    bool polling;
};

/* Prepares what the plan asks for (nothing when no rail is set). 0 or < 0 with d set. */
int tg_killswitch_init(struct tg_killswitch *k, struct ev_loop *loop,
                       const struct tg_plan_rails *rails, struct tg_diag *d);
/* Starts watching; on_stop(owner, reason) is called at most once. */
void tg_killswitch_start(struct tg_killswitch *k, void (*on_stop)(void *, const char *),
                         void *owner);
void tg_killswitch_fini(struct tg_killswitch *k);

#endif

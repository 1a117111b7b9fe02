/*
 * capacity — worker slots, FIFO queue and service timers; model and
 * invariants in capacity.h.
 */
#include "serve/capacity.h"

#include "core/clock.h"

#include <assert.h>
#include <stddef.h>

#define WAITER_OF(t) \
    ((struct tg_capacity_waiter *)((char *)(t)-offsetof(struct tg_capacity_waiter, timer)))

void tg_capacity_init(struct tg_capacity *cap, uint32_t workers, const struct tg_svc_time *svc,
                      struct tg_srv_rng *rng, struct tg_srv_timer_heap *timers)
{
    *cap = (struct tg_capacity){ .workers = workers, .svc = *svc, .rng = rng, .timers = timers };
}

void tg_capacity_waiter_init(struct tg_capacity_waiter *w)
{
    *w = (struct tg_capacity_waiter){ .state = TG_CAPACITY_IDLE };
}

static bool slot_free(const struct tg_capacity *cap)
{
    return cap->workers == 0 || cap->busy < cap->workers;
}

static void on_service_done(struct tg_srv_timer *t, tg_ns now_ns);

/* One service time: from slow for a share slow_share of services, else from svc. */
static tg_ns draw(struct tg_capacity *cap)
{
    if (cap->slow_share > 0 &&
        (cap->slow_share >= 1 || tg_srv_rng_unit(cap->rng) < cap->slow_share)) {
        return tg_svc_time_sample(&cap->slow, cap->rng);
    }
    return tg_svc_time_sample(&cap->svc, cap->rng);
}

/* Gives w a slot whose service starts at start_ns. */
static void serve_from(struct tg_capacity *cap, struct tg_capacity_waiter *w, tg_ns start_ns,
                       tg_ns svc_ns)
{
    cap->busy++;
    w->state = TG_CAPACITY_SERVING;
    tg_srv_timer_start(cap->timers, &w->timer, start_ns + svc_ns, on_service_done);
}

static struct tg_capacity_waiter *dequeue(struct tg_capacity *cap)
{
    struct tg_capacity_waiter *w = cap->head;
    cap->head = w->next;
    if (cap->head) {
        cap->head->prev = NULL;
    } else {
        cap->tail = NULL;
    }
    w->next = w->prev = NULL;
    cap->queue_len--;
    return w;
}

/* Hands freed slots to the oldest waiters; their service starts at start_ns. */
static void start_queued(struct tg_capacity *cap, tg_ns start_ns)
{
    while (cap->head && slot_free(cap)) {
        struct tg_capacity_waiter *w = dequeue(cap);
        serve_from(cap, w, start_ns, draw(cap));
    }
}

static void on_service_done(struct tg_srv_timer *t, tg_ns now_ns)
{
    (void)now_ns;
    struct tg_capacity_waiter *w = WAITER_OF(t);
    struct tg_capacity *cap = w->model;
    assert(w->state == TG_CAPACITY_SERVING && cap->busy > 0);
    w->state = TG_CAPACITY_IDLE;
    cap->busy--;
    /* The freed worker picks the next request at the moment it became free. */
    start_queued(cap, t->at_ns);
    w->done(w);
}

bool tg_capacity_submit(struct tg_capacity *cap, struct tg_capacity_waiter *w, tg_capacity_cb done)
{
    assert(w->state == TG_CAPACITY_IDLE);
    w->done = done;
    w->model = cap;
    if (slot_free(cap) && !cap->head) {
        tg_ns svc_ns = draw(cap);
        if (svc_ns == 0) {
            return true;
        }
        /* Read the clock now, not the loop's cached time: a deadline measured from a stale
         * "now" would fire early by however long this loop iteration has run. */
        serve_from(cap, w, tg_clock_now(), svc_ns);
        return false;
    }
    w->state = TG_CAPACITY_QUEUED;
    w->prev = cap->tail;
    w->next = NULL;
    if (cap->tail) {
        cap->tail->next = w;
    } else {
        cap->head = w;
    }
    cap->tail = w;
    cap->queue_len++;
    cap->queue_max = TG_MAX(cap->queue_max, cap->queue_len);
    return false;
}

void tg_capacity_cancel(struct tg_capacity *cap, struct tg_capacity_waiter *w)
{
    if (w->state == TG_CAPACITY_QUEUED) {
        if (w->prev) {
            w->prev->next = w->next;
        } else {
            cap->head = w->next;
        }
        if (w->next) {
            w->next->prev = w->prev;
        } else {
            cap->tail = w->prev;
        }
        w->next = w->prev = NULL;
        cap->queue_len--;
    } else if (w->state == TG_CAPACITY_SERVING) {
        tg_srv_timer_stop(cap->timers, &w->timer);
        cap->busy--;
        start_queued(cap, tg_clock_now());
    }
    w->state = TG_CAPACITY_IDLE;
}

void tg_capacity_reset_stats(struct tg_capacity *cap)
{
    cap->queue_max = cap->queue_len;
}

/*
 * srv_timer — min-heap + timerfd; design and contracts in srv_timer.h.
 * The heap is 0-based (children of i at 2i+1, 2i+2); each timer records its
 * position + 1 so that stop is O(log n) without a search.
 */
#include "serve/srv_timer.h"

#include "core/alloc.h"
#include "core/clock.h"

#include <assert.h>
#include <sys/timerfd.h>
#include <unistd.h>

static void place(struct tg_srv_timer_heap *h, uint32_t i, struct tg_srv_timer *t)
{
    h->items[i] = t;
    t->heap_pos = i + 1;
}

static void sift_up(struct tg_srv_timer_heap *h, uint32_t i)
{
    struct tg_srv_timer *t = h->items[i];
    while (i > 0) {
        uint32_t parent = (i - 1) / 2;
        if (h->items[parent]->at_ns <= t->at_ns) {
            break;
        }
        place(h, i, h->items[parent]);
        i = parent;
    }
    place(h, i, t);
}

static void sift_down(struct tg_srv_timer_heap *h, uint32_t i)
{
    struct tg_srv_timer *t = h->items[i];
    for (;;) {
        uint32_t child = 2 * i + 1;
        if (child >= h->len) {
            break;
        }
        if (child + 1 < h->len && h->items[child + 1]->at_ns < h->items[child]->at_ns) {
            child++;
        }
        if (t->at_ns <= h->items[child]->at_ns) {
            break;
        }
        place(h, i, h->items[child]);
        i = child;
    }
    place(h, i, t);
}

/* Sets the timerfd for the earliest deadline when that is earlier than what it is set for. */
static void rearm(struct tg_srv_timer_heap *h)
{
    if (h->len == 0 || h->items[0]->at_ns >= h->armed_ns) {
        return;
    }
    tg_ns at = h->items[0]->at_ns;
    tg_ns now = tg_clock_now();
    /* Wake early by the learned latency; if that is already past, wake now (no lead). */
    tg_ns set = at - h->lead_ns > now ? at - h->lead_ns : TG_MIN(at, now);
    struct itimerspec its = { 0 };
    its.it_value.tv_sec = TG_MAX(set, 1) / TG_NS_PER_S; /* an all-zero it_value would disarm */
    its.it_value.tv_nsec = TG_MAX(set, 1) % TG_NS_PER_S;
    if (timerfd_settime(h->fd, TFD_TIMER_ABSTIME, &its, NULL) == 0) {
        h->armed_ns = at;
        h->set_ns = set;
        h->set_ahead = set > now;
    }
}

/* Folds one observed wake-up lateness into the lead (moving average, weight 1/8). */
static void learn(struct tg_srv_timer_heap *h, tg_ns now)
{
    if (!h->set_ahead) {
        return;
    }
    tg_ns late = TG_MIN(now - h->set_ns, TG_SRV_TIMER_LEAD_MAX_NS);
    h->lead_ns += (late - h->lead_ns) / 8;
    h->lead_ns = TG_MAX(h->lead_ns, 0);
}

static void on_timerfd(struct ev_loop *loop, ev_io *w, int revents)
{
    (void)loop;
    (void)revents;
    struct tg_srv_timer_heap *h = w->data;
    uint64_t expirations;
    if (read(h->fd, &expirations, sizeof(expirations)) < 0) {
        return; /* EAGAIN: re-armed since it became readable; nothing is due yet */
    }
    tg_ns now = tg_clock_now();
    learn(h, now);
    h->armed_ns = INT64_MAX;
    while (h->len > 0 && h->items[0]->at_ns <= now) {
        struct tg_srv_timer *t = h->items[0];
        tg_srv_timer_stop(h, t);
        t->cb(t, now);
    }
    rearm(h);
}

int tg_srv_timer_heap_init(struct tg_srv_timer_heap *h, struct ev_loop *loop)
{
    *h = (struct tg_srv_timer_heap){ .loop = loop,
                                     .armed_ns = INT64_MAX,
                                     .lead_ns = 50 * TG_NS_PER_US };
    h->fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (h->fd < 0) {
        return TG_EIO;
    }
    ev_io_init(&h->io, on_timerfd, h->fd, EV_READ);
    h->io.data = h;
    ev_io_start(loop, &h->io);
    return 0;
}

void tg_srv_timer_heap_fini(struct tg_srv_timer_heap *h)
{
    if (h->fd >= 0) {
        ev_io_stop(h->loop, &h->io);
        close(h->fd);
        h->fd = -1;
    }
    for (uint32_t i = 0; i < h->len; i++) {
        h->items[i]->heap_pos = 0;
    }
    tg_free(h->items);
    h->items = NULL;
    h->len = h->cap = 0;
}

int tg_srv_timer_reserve(struct tg_srv_timer_heap *h, uint32_t n)
{
    if (n <= h->cap) {
        return 0;
    }
    uint32_t cap = TG_MAX(n, h->cap * 2);
    /* An array of pointers: the element size is a pointer's, by intent. */
    struct tg_srv_timer **items =
        tg_realloc(h->items, cap, sizeof(*items)); /* NOLINT(bugprone-sizeof-expression) */
    if (!items) {
        return TG_ENOMEM;
    }
    h->items = items;
    h->cap = cap;
    return 0;
}

void tg_srv_timer_start(struct tg_srv_timer_heap *h, struct tg_srv_timer *t, tg_ns at_ns,
                        tg_srv_timer_cb cb)
{
    assert(!tg_srv_timer_armed(t));
    assert(h->len < h->cap);
    t->at_ns = at_ns;
    t->cb = cb;
    place(h, h->len++, t);
    sift_up(h, h->len - 1);
    rearm(h);
}

void tg_srv_timer_stop(struct tg_srv_timer_heap *h, struct tg_srv_timer *t)
{
    if (!tg_srv_timer_armed(t)) {
        return;
    }
    uint32_t i = t->heap_pos - 1;
    t->heap_pos = 0;
    struct tg_srv_timer *last = h->items[--h->len];
    if (last == t) {
        return;
    }
    place(h, i, last);
    if (i > 0 && h->items[(i - 1) / 2]->at_ns > last->at_ns) {
        sift_up(h, i);
    } else {
        sift_down(h, i);
    }
}

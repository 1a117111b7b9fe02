/*
 * srv_stall — stall windows and the list of held responses; behaviour in
 * srv_stall.h.
 */
#include "serve/srv_stall.h"

#include "core/units.h"

#include <stddef.h>
#include <string.h>

#define STALL_OF(t) ((struct tg_srv_stall *)((char *)(t)-offsetof(struct tg_srv_stall, timer)))

int tg_srv_stall_parse(const char *s, tg_ns *stall_ns, tg_ns *period_ns, struct tg_diag *d)
{
    const char *slash = strchr(s, '/');
    char first[64];
    if (!slash || (size_t)(slash - s) >= sizeof(first)) {
        tg_diag_set(d, "want STALL/PERIOD such as 1s/5s, got \"%s\"", s);
        return TG_EINVAL;
    }
    memcpy(first, s, (size_t)(slash - s));
    first[slash - s] = '\0';
    if (tg_units_parse_duration(first, TG_NS_PER_S, stall_ns) < 0 ||
        tg_units_parse_duration(slash + 1, TG_NS_PER_S, period_ns) < 0) {
        tg_diag_set(d, "want STALL/PERIOD durations such as 1s/5s, got \"%s\"", s);
        return TG_EINVAL;
    }
    if (*stall_ns <= 0 || *stall_ns >= *period_ns) {
        tg_diag_set(d, "want 0 < STALL < PERIOD, got \"%s\"", s);
        return TG_EINVAL;
    }
    return 0;
}

void tg_srv_stall_init(struct tg_srv_stall *st, tg_ns stall_ns, tg_ns period_ns, tg_ns start_ns,
                       struct tg_srv_timer_heap *timers)
{
    *st = (struct tg_srv_stall){
        .stall_ns = stall_ns,
        .period_ns = period_ns,
        .start_ns = start_ns,
        .timers = timers,
    };
}

void tg_srv_stall_waiter_init(struct tg_srv_stall_waiter *w)
{
    *w = (struct tg_srv_stall_waiter){ .held = false };
}

static void unlink_waiter(struct tg_srv_stall *st, struct tg_srv_stall_waiter *w)
{
    if (w->prev) {
        w->prev->next = w->next;
    } else {
        st->head = w->next;
    }
    if (w->next) {
        w->next->prev = w->prev;
    } else {
        st->tail = w->prev;
    }
    w->next = w->prev = NULL;
    w->held = false;
}

static void on_window_end(struct tg_srv_timer *t, tg_ns now_ns)
{
    (void)now_ns;
    struct tg_srv_stall *st = STALL_OF(t);
    /* Release exactly those held now; a release may hold nothing new (the window is over). */
    size_t n = 0;
    for (struct tg_srv_stall_waiter *w = st->head; w; w = w->next) {
        n++;
    }
    while (n-- > 0 && st->head) {
        struct tg_srv_stall_waiter *w = st->head;
        unlink_waiter(st, w);
        w->release(w);
    }
}

bool tg_srv_stall_hold(struct tg_srv_stall *st, struct tg_srv_stall_waiter *w, tg_ns now_ns,
                       tg_srv_stall_cb release)
{
    if (st->stall_ns == 0) {
        return false;
    }
    tg_ns phase = (now_ns - st->start_ns) % st->period_ns;
    if (phase < st->period_ns - st->stall_ns) {
        return false;
    }
    w->release = release;
    w->held = true;
    w->prev = st->tail;
    w->next = NULL;
    if (st->tail) {
        st->tail->next = w;
    } else {
        st->head = w;
    }
    st->tail = w;
    if (!tg_srv_timer_armed(&st->timer)) {
        tg_srv_timer_start(st->timers, &st->timer, now_ns - phase + st->period_ns, on_window_end);
    }
    return true;
}

void tg_srv_stall_cancel(struct tg_srv_stall *st, struct tg_srv_stall_waiter *w)
{
    if (w->held) {
        unlink_waiter(st, w);
    }
}

void tg_srv_stall_fini(struct tg_srv_stall *st)
{
    tg_srv_timer_stop(st->timers, &st->timer);
    st->head = st->tail = NULL;
}

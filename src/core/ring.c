/*
 * ring — SPSC pointer queue; see ring.h.
 */
#include "core/ring.h"

#include <string.h>

void tg_ring_init(struct tg_ring *r)
{
    atomic_init(&r->head, 0);
    atomic_init(&r->tail, 0);
    memset(r->slots, 0, sizeof(r->slots));
}

bool tg_ring_push(struct tg_ring *r, void *p)
{
    size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
    size_t head = atomic_load_explicit(&r->head, memory_order_acquire);
    if (tail - head >= TG_RING_CAP) {
        return false;
    }
    r->slots[tail & (TG_RING_CAP - 1)] = p;
    atomic_store_explicit(&r->tail, tail + 1, memory_order_release);
    return true;
}

void *tg_ring_pop(struct tg_ring *r)
{
    size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
    size_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
    if (head == tail) {
        return NULL;
    }
    void *p = r->slots[head & (TG_RING_CAP - 1)];
    atomic_store_explicit(&r->head, head + 1, memory_order_release);
    return p;
}

/*
 * ring — a bounded single-producer/single-consumer queue of pointers, the
 * only channel between a worker and the coordinator (metric deltas one way,
 * emptied banks the other). Exactly one thread pushes and exactly one pops;
 * whoever pops owns the object. Lock-free: one release store per push or
 * pop, indices on separate cache lines.
 */
#ifndef TG_CORE_RING_H
#define TG_CORE_RING_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#define TG_RING_CAP 64 /* power of two */

struct tg_ring {
    alignas(64) atomic_size_t head; /* next slot to pop; written by the consumer */
    alignas(64) atomic_size_t tail; /* next slot to push; written by the producer */
    alignas(64) void *slots[TG_RING_CAP];
};

void tg_ring_init(struct tg_ring *r);
/* Producer side. false when full (the caller keeps ownership). */
bool tg_ring_push(struct tg_ring *r, void *p);
/* Consumer side. NULL when empty. */
void *tg_ring_pop(struct tg_ring *r);

#endif

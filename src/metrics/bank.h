/*
 * bank — one worker's metric deltas for one tick: a sink per series id of
 * the worker's registry, plus the descriptions of series the coordinator has
 * not seen yet. A worker records into its active bank; on its tick it hands
 * the bank to the coordinator through a ring and continues with an emptied
 * one, so recording never waits and never shares memory with a reader.
 *
 * Ownership: a bank belongs to whoever last popped it from a ring. Sinks keep
 * their memory across resets, so steady-state ticks allocate nothing.
 */
#ifndef TG_METRICS_BANK_H
#define TG_METRICS_BANK_H

#include "metrics/registry.h"
#include "metrics/sink.h"
#include "tg.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tg_bank_decl {
    uint32_t series;          /* the worker's series id */
    struct tg_metric_def def; /* def.name owned */
    char *tagset;             /* canonical key, owned */
};

struct tg_bank {
    struct tg_sink *sinks; /* [n]: one per worker series id */
    size_t n;
    size_t cap;
    struct tg_bank_decl *decls; /* series first published in this bank */
    size_t n_decls;
    size_t cap_decls;
    uint32_t worker; /* index of the worker that filled it */
    tg_ns t_from;    /* monotonic interval covered */
    tg_ns t_to;
    uint64_t active;    /* worker's busy connections / VUs at t_to */
    uint64_t allocated; /* worker's connections / VUs allocated */
    bool final;         /* the worker's last bank: it has stopped */
};

void tg_bank_init(struct tg_bank *b, uint32_t worker);
void tg_bank_fini(struct tg_bank *b);
/* Empties every sink (memory kept) and drops the declarations. */
void tg_bank_reset(struct tg_bank *b);
/* Makes sure b has a sink for every series of r. 0 or TG_ENOMEM. */
int tg_bank_sync(struct tg_bank *b, const struct tg_registry *r);
/* Adds declarations for series [from, r->n_series) of r. 0 or TG_ENOMEM. */
int tg_bank_declare(struct tg_bank *b, const struct tg_registry *r, size_t from);

static inline struct tg_sink *tg_bank_sink(struct tg_bank *b, uint32_t series)
{
    return &b->sinks[series];
}

#endif

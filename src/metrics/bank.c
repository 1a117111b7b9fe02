/*
 * bank — per-tick metric deltas; see bank.h.
 */
#include "metrics/bank.h"

#include "core/alloc.h"

#include <string.h>

void tg_bank_init(struct tg_bank *b, uint32_t worker)
{
    memset(b, 0, sizeof(*b));
    b->worker = worker;
}

static void drop_decls(struct tg_bank *b)
{
    for (size_t i = 0; i < b->n_decls; i++) {
        tg_free((void *)(uintptr_t)b->decls[i].def.name);
        tg_free(b->decls[i].tagset);
    }
    b->n_decls = 0;
}

void tg_bank_fini(struct tg_bank *b)
{
    for (size_t i = 0; i < b->n; i++) {
        tg_sink_fini(&b->sinks[i]);
    }
    drop_decls(b);
    tg_free(b->sinks);
    tg_free(b->decls);
    memset(b, 0, sizeof(*b));
}

void tg_bank_reset(struct tg_bank *b)
{
    for (size_t i = 0; i < b->n; i++) {
        tg_sink_reset(&b->sinks[i]);
    }
    drop_decls(b);
    b->final = false;
}

int tg_bank_sync(struct tg_bank *b, const struct tg_registry *r)
{
    if (r->n_series > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < r->n_series) {
            cap *= 2;
        }
        struct tg_sink *s = tg_realloc(b->sinks, cap, sizeof(*s));
        if (!s) {
            return TG_ENOMEM;
        }
        b->sinks = s;
        b->cap = cap;
    }
    while (b->n < r->n_series) {
        const struct tg_series_desc *sd = &r->series[b->n];
        if (tg_sink_init(&b->sinks[b->n], r->metrics[sd->metric].kind) < 0) {
            return TG_ENOMEM;
        }
        b->n++;
    }
    return 0;
}

int tg_bank_declare(struct tg_bank *b, const struct tg_registry *r, size_t from)
{
    for (size_t i = from; i < r->n_series; i++) {
        if (b->n_decls == b->cap_decls) {
            size_t cap = b->cap_decls ? b->cap_decls * 2 : 16;
            struct tg_bank_decl *d = tg_realloc(b->decls, cap, sizeof(*d));
            if (!d) {
                return TG_ENOMEM;
            }
            b->decls = d;
            b->cap_decls = cap;
        }
        const struct tg_series_desc *sd = &r->series[i];
        struct tg_bank_decl *d = &b->decls[b->n_decls];
        d->series = (uint32_t)i;
        d->def = r->metrics[sd->metric];
        d->def.name = tg_strdup(r->metrics[sd->metric].name);
        d->tagset = tg_strdup(r->tagsets[sd->tagset]);
        if (!d->def.name || !d->tagset) {
            tg_free((void *)(uintptr_t)d->def.name);
            tg_free(d->tagset);
            return TG_ENOMEM;
        }
        b->n_decls++;
    }
    return 0;
}

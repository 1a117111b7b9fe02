/*
 * fifo — a bounded queue of records in one buffer; see fifo.h.
 *
 * Record layout: a header (the lengths of the parts, aux, kind; copied in
 * and out with memcpy, so records need no alignment) and the parts' bytes.
 */
#include "core/fifo.h"

#include "core/alloc.h"

#include <string.h>

struct hdr {
    uint32_t len[TG_FIFO_PARTS];
    uint8_t kind;
    int64_t aux[TG_FIFO_AUX];
};

_Static_assert(sizeof(struct hdr) <= TG_FIFO_REC_OVERHEAD, "fifo record header");

void tg_fifo_init(struct tg_fifo *q, size_t max)
{
    memset(q, 0, sizeof(*q));
    q->max = max;
}

void tg_fifo_fini(struct tg_fifo *q)
{
    tg_free(q->buf);
    size_t max = q->max;
    tg_fifo_init(q, max);
}

/* Makes room for need more bytes at the tail: slide, then grow. 0, TG_E2BIG or TG_ENOMEM. */
static int room(struct tg_fifo *q, size_t need)
{
    if (q->cap - q->tail >= need) {
        return 0;
    }
    size_t used = q->tail - q->head;
    if (need > q->max - used) {
        return TG_E2BIG;
    }
    if (q->head > 0) {
        memmove(q->buf, q->buf + q->head, used);
        q->tail = used;
        q->head = 0;
        if (q->cap - q->tail >= need) {
            return 0;
        }
    }
    size_t cap = q->cap ? q->cap : 256;
    while (cap < used + need) {
        cap *= 2;
    }
    cap = TG_MIN(cap, q->max);
    char *p = tg_realloc(q->buf, cap, 1);
    if (!p) {
        return TG_ENOMEM;
    }
    q->buf = p;
    q->cap = cap;
    return 0;
}

int tg_fifo_push(struct tg_fifo *q, uint8_t kind, const int64_t *aux, const struct tg_span *parts,
                 size_t n)
{
    struct hdr h = { { 0 }, kind, { aux[0], aux[1] } };
    size_t need = TG_FIFO_REC_OVERHEAD;
    for (size_t i = 0; i < n && i < TG_FIFO_PARTS; i++) {
        if (parts[i].len > q->max) {
            return TG_E2BIG;
        }
        h.len[i] = (uint32_t)parts[i].len;
        need += parts[i].len;
    }
    if (need > q->max) {
        return TG_E2BIG;
    }
    int rc = room(q, need);
    if (rc < 0) {
        return rc;
    }
    char *p = q->buf + q->tail;
    memcpy(p, &h, sizeof(h));
    p += TG_FIFO_REC_OVERHEAD;
    for (size_t i = 0; i < n && i < TG_FIFO_PARTS; i++) {
        if (parts[i].len) {
            memcpy(p, parts[i].ptr, parts[i].len);
        }
        p += parts[i].len;
    }
    q->tail += need;
    q->n++;
    return 0;
}

bool tg_fifo_pop(struct tg_fifo *q, struct tg_fifo_rec *r)
{
    if (q->n == 0) {
        return false;
    }
    struct hdr h;
    const char *p = q->buf + q->head;
    memcpy(&h, p, sizeof(h));
    p += TG_FIFO_REC_OVERHEAD;
    r->kind = h.kind;
    memcpy(r->aux, h.aux, sizeof(r->aux));
    for (size_t i = 0; i < TG_FIFO_PARTS; i++) {
        r->part[i] = (struct tg_span){ p, h.len[i] };
        p += h.len[i];
    }
    q->head = (size_t)(p - q->buf);
    if (--q->n == 0) {
        q->head = q->tail = 0; /* the views stay valid: nothing is overwritten until a push */
    }
    return true;
}

void tg_fifo_trim(struct tg_fifo *q, size_t keep)
{
    if (q->n == 0 && q->cap > keep) {
        tg_fifo_fini(q);
    }
}

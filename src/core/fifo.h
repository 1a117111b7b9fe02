/*
 * fifo — a first-in first-out queue of small records (a kind, two numbers
 * and up to three byte strings) kept one after another in a single buffer with
 * a hard cap. Used by the script runtime's streams (script/lua_stream.c):
 * the WebSocket messages and SSE events a session has received and its
 * script has not asked for yet.
 *
 * The buffer grows (doubling) on demand up to max bytes; records are
 * appended at the tail and taken from the head; the space of taken records
 * is reclaimed by sliding the rest to the front when a push needs room, so
 * a queue that is emptied as fast as it fills never grows. A record larger
 * than what is free is refused with TG_E2BIG (the owner waits for its
 * reader), never truncated; into an empty queue every record of up to
 * max - TG_FIFO_REC_OVERHEAD bytes fits.
 *
 * Views: what tg_fifo_pop gives points into the buffer and is valid until
 * the next push or trim. Owner: one thread; nothing here is shared. Cost:
 * one copy of each record in, none out; an allocation only when the buffer
 * grows.
 */
#ifndef TG_CORE_FIFO_H
#define TG_CORE_FIFO_H

#include "tg.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TG_FIFO_PARTS        3
#define TG_FIFO_AUX          2
#define TG_FIFO_REC_OVERHEAD 32 /* bytes a record costs besides its strings */

struct tg_fifo_rec {
    uint8_t kind;                       /* the owner's */
    int64_t aux[TG_FIFO_AUX];           /* the owner's */
    struct tg_span part[TG_FIFO_PARTS]; /* views; unused parts are empty */
};

struct tg_fifo {
    char *buf;   /* owned; NULL until the first push */
    size_t cap;  /* bytes at buf */
    size_t max;  /* cap never passes this (fixed at init) */
    size_t head; /* the oldest record starts here */
    size_t tail; /* the next record goes here */
    uint32_t n;  /* records waiting */
};

/* Prepares q (caller's storage): empty, at most max bytes. */
void tg_fifo_init(struct tg_fifo *q, size_t max);
/* Frees the buffer; q is empty (and usable) afterwards. */
void tg_fifo_fini(struct tg_fifo *q);
/*
 * Appends a record of kind, the numbers aux[0..TG_FIFO_AUX) and the n
 * (<= TG_FIFO_PARTS) strings of parts (borrowed; copied). Returns 0, TG_E2BIG when it does not fit
 * beside the records waiting (nothing changed), or TG_ENOMEM.
 */
int tg_fifo_push(struct tg_fifo *q, uint8_t kind, const int64_t *aux, const struct tg_span *parts,
                 size_t n);
/* Takes the oldest record into *r (views, see above); false when the queue is empty. */
bool tg_fifo_pop(struct tg_fifo *q, struct tg_fifo_rec *r);
/* Gives back a buffer larger than keep bytes when the queue is empty (ends pop's views). */
void tg_fifo_trim(struct tg_fifo *q, size_t keep);

#endif

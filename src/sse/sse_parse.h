/*
 * sse_parse — the server-sent events wire format (the HTML standard's
 * "event stream interpretation"): turns the body of a text/event-stream
 * response into dispatched events. Used by the script runtime's SSE client
 * (tailgate.sse, script/lua_sse.c) on whatever bytes a read gave; the
 * transfer coding (chunked or close-delimited) is removed before.
 *
 * Grammar (the standard's ABNF, bytes rather than decoded characters):
 *   stream  = [ bom ] *event *( comment / field ) ; the end: an event not
 *                                                 ; closed by a blank line
 *                                                 ; is dropped
 *   event   = *( comment / field ) end-of-line
 *   comment = ":" *any-char end-of-line
 *   field   = 1*name-char [ ":" [ " " ] *any-char ] end-of-line
 *   end-of-line = CRLF / LF / CR
 *   name-char = any byte but CR, LF, ":";  any-char = any byte but CR, LF
 *   bom     = %xEF.BB.BF                          ; one, at the very start
 *
 * What each line does (the standard's "process the field"):
 *   "data"   appends its value and a LF to the data buffer
 *   "event"  sets the event type buffer to its value
 *   "id"     sets the last event ID to its value, unless it holds a NUL
 *   "retry"  sets the reconnection time (ms) when the value is only ASCII
 *            digits (1 to 18 of them); otherwise it is ignored
 *   another field name, and comments, are ignored
 *   a blank line dispatches: the last event ID is published (even when no
 *   event follows); an empty data buffer dispatches nothing; otherwise the
 *   event is the data buffer minus its last LF, with the type "message"
 *   when none was set; data and type are then emptied, the ID is kept.
 * A line without a colon is a field with an empty value ("data" alone is
 * an empty data line). Bytes are passed through as received: invalid UTF-8
 * is not replaced.
 *
 * Limits (each exceeded → TG_E2BIG, and the parser stays failed): the data
 * buffer (values and their LFs) of one event over p->max bytes; an "event"
 * value over TG_SSE_TYPE_MAX bytes; an "id" value over TG_SSE_ID_MAX bytes.
 * Other lines may be of any length: they are skipped as they stream by.
 *
 * The data buffer belongs to the caller, lent as ws/ws_msg's is: before
 * storing data bytes the parser asks for room with TG_SSE_EV_NEED_ROOM
 * (ev->need bytes, never more than max); the caller points buf/cap at a
 * buffer that large holding the same first len bytes (a realloc does) and
 * feeds again. A caller with a fixed buffer of max bytes never sees it.
 *
 * Incremental: input may be split anywhere (inside a CRLF, the BOM, a field
 * name); nothing points into the caller's input between calls. Invariants:
 * never allocates, never reads in[len] or beyond, no stdio; one parser per
 * stream, on one thread. Cost: one pass over the input, with memchr over
 * values for their line end and one copy of data values.
 */
#ifndef TG_SSE_SSE_PARSE_H
#define TG_SSE_SSE_PARSE_H

#include "tg.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TG_SSE_TYPE_MAX 256  /* bytes of an "event" value */
#define TG_SSE_ID_MAX   1024 /* bytes of an "id" value */

enum tg_sse_ev_type {
    TG_SSE_EV_NONE,      /* every input byte consumed, no event complete: feed more */
    TG_SSE_EV_NEED_ROOM, /* grow buf to ev->need bytes (keeping its first len), feed again */
    TG_SSE_EV_EVENT,     /* an event was dispatched */
};

struct tg_sse_event {
    enum tg_sse_ev_type type;
    struct tg_span data; /* EVENT: the data lines joined with LF (view into p->buf) */
    struct tg_span name; /* EVENT: the event type, "message" when none was set */
    struct tg_span id;   /* EVENT: the last event ID, possibly empty (view into p) */
    size_t need;         /* NEED_ROOM: bytes buf must hold, > cap and <= p->max; else 0 */
};

struct tg_sse {
    char *buf;              /* the caller's data buffer (borrowed); NULL while cap is 0 */
    size_t cap;             /* bytes at buf */
    size_t max;             /* data buffer limit of one event, in bytes (fixed at init) */
    int64_t retry_ms;       /* the last valid "retry" value; -1 until one came */
    char id[TG_SSE_ID_MAX]; /* the last event ID published by a blank line (persists) */
    size_t id_len;

    /* Private to sse_parse.c. */
    size_t len;                 /* bytes of the data buffer in buf */
    uint8_t state;              /* where in a line (or BOM) the input stands */
    uint8_t field;              /* the field whose value is being read */
    uint8_t bom;                /* BOM bytes matched at the start of the stream */
    bool cr;                    /* the last byte was a CR: a LF right after it belongs to it */
    bool flush;                 /* an event was dispatched: empty data and type on the next feed */
    bool failed;                /* a limit was exceeded */
    uint8_t name_len;           /* bytes of the field name so far (capped) */
    char name[8];               /* the field name, when it may still be a known one */
    size_t val_len;             /* bytes of an id, event or retry value so far */
    bool val_bad;               /* id: holds a NUL; retry: not only digits */
    uint64_t retry_val;         /* retry: the digits so far */
    char type[TG_SSE_TYPE_MAX]; /* the event type buffer */
    size_t type_len;
    char id_buf[TG_SSE_ID_MAX]; /* the last event ID buffer, set by "id" lines */
    size_t id_buf_len;
    char id_new[TG_SSE_ID_MAX]; /* an id value being read */
};

/* Prepares p (caller's storage) for a new stream: events of at most max data bytes, no buffer. */
void tg_sse_init(struct tg_sse *p, size_t max);

/*
 * Starts p's last event ID at id[0..len) (len <= TG_SSE_ID_MAX, no NUL, CR
 * or LF), as a reconnecting EventSource keeps the one it had: events without
 * an "id" line carry it, and it is p->id until the server sets another.
 */
void tg_sse_set_last_id(struct tg_sse *p, const char *id, size_t len);

/*
 * Consumes bytes of in[0..len) (borrowed, read only) up to the end of the
 * first dispatched event, stored in *ev (caller's storage; its views are
 * valid until the next feed or a change of p->buf). Returns the bytes
 * consumed (>= 0; at most INT32_MAX per call): with TG_SSE_EV_NONE all of
 * them; with NEED_ROOM or EVENT the rest is for the next call. Returns
 * TG_E2BIG when a limit above was exceeded (and on every later call).
 */
int tg_sse_feed(struct tg_sse *p, const char *in, size_t len, struct tg_sse_event *ev);

#endif

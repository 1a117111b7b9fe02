/*
 * sse_parse — the event stream parser; grammar, rules and the buffer
 * contract in sse_parse.h.
 *
 * A line is read in up to three states: NAME collects the field name (only
 * its first bytes are kept: the known names are at most 5 long), SPACE drops
 * the one space after the colon, VALUE takes the value in bulk up to the
 * next CR or LF, straight into where it goes (the data buffer, the type
 * buffer, the id being read) or nowhere. A CR is a line end at once; a LF
 * right after it, in this feed or the next, is swallowed.
 */
#include "sse/sse_parse.h"

#include <string.h>

enum state {
    ST_BOM,
    ST_NAME,
    ST_SPACE,
    ST_VALUE,
};

enum field {
    F_NONE, /* a comment or an unknown field: skipped */
    F_DATA,
    F_EVENT,
    F_ID,
    F_RETRY,
};

#define RETRY_DIGITS 18 /* more digits than this cannot be a sane delay and could overflow */

void tg_sse_init(struct tg_sse *p, size_t max)
{
    memset(p, 0, sizeof(*p));
    p->max = max;
    p->retry_ms = -1;
    p->state = ST_BOM;
}

void tg_sse_set_last_id(struct tg_sse *p, const char *id, size_t len)
{
    len = TG_MIN(len, (size_t)TG_SSE_ID_MAX);
    memcpy(p->id, id, len);
    p->id_len = len;
    memcpy(p->id_buf, id, len);
    p->id_buf_len = len;
}

static int fail(struct tg_sse *p)
{
    p->failed = true;
    return TG_E2BIG;
}

static bool name_is(const struct tg_sse *p, const char *lit)
{
    size_t n = strlen(lit);
    return p->name_len == n && memcmp(p->name, lit, n) == 0;
}

/* The name is complete: which field the value goes to. */
static void begin_value(struct tg_sse *p)
{
    p->field = name_is(p, "data")    ? F_DATA
               : name_is(p, "event") ? F_EVENT
               : name_is(p, "id")    ? F_ID
               : name_is(p, "retry") ? F_RETRY
                                     : F_NONE; /* an empty name is a comment */
    p->val_len = 0;
    p->val_bad = false;
    p->retry_val = 0;
}

/* Room in the data buffer for extra more bytes: 0, 1 with NEED_ROOM in *ev, or fail(). */
static int data_room(struct tg_sse *p, size_t extra, struct tg_sse_event *ev)
{
    if (extra > p->max - p->len) {
        return fail(p);
    }
    if (p->len + extra > p->cap) {
        ev->type = TG_SSE_EV_NEED_ROOM;
        ev->need = p->len + extra;
        return 1;
    }
    return 0;
}

static void take_retry(struct tg_sse *p, const char *s, size_t n)
{
    for (size_t i = 0; i < n && !p->val_bad; i++) {
        unsigned d = (unsigned char)s[i] - '0';
        if (d > 9 || p->val_len + i >= RETRY_DIGITS) {
            p->val_bad = true;
        } else {
            p->retry_val = p->retry_val * 10 + d;
        }
    }
}

/*
 * Takes the value bytes s[0..n), which end the line when ends is set.
 * Returns 0, 1 when the data buffer needs room first (nothing taken), or fail().
 */
static int take_value(struct tg_sse *p, const char *s, size_t n, bool ends, struct tg_sse_event *ev)
{
    switch (p->field) {
    case F_DATA: {
        int r = data_room(p, n + (ends ? 1 : 0), ev); /* with the line's LF */
        if (r != 0) {
            return r;
        }
        if (n > 0) {
            memcpy(p->buf + p->len, s, n);
            p->len += n;
        }
        break;
    }
    case F_EVENT:
        if (n > TG_SSE_TYPE_MAX - p->val_len) {
            return fail(p);
        }
        memcpy(p->type + p->val_len, s, n);
        break;
    case F_ID:
        if (n > TG_SSE_ID_MAX - p->val_len) {
            return fail(p);
        }
        memcpy(p->id_new + p->val_len, s, n);
        p->val_bad = p->val_bad || memchr(s, '\0', n) != NULL;
        break;
    case F_RETRY:
        take_retry(p, s, n);
        break;
    default:
        break;
    }
    p->val_len += n;
    return 0;
}

/* The value's line ended: the field takes effect. */
static void finish_value(struct tg_sse *p)
{
    switch (p->field) {
    case F_DATA:
        p->buf[p->len++] = '\n'; /* room was made with the value */
        break;
    case F_EVENT:
        p->type_len = p->val_len;
        break;
    case F_ID:
        if (!p->val_bad) {
            memcpy(p->id_buf, p->id_new, p->val_len);
            p->id_buf_len = p->val_len;
        }
        break;
    case F_RETRY:
        if (!p->val_bad && p->val_len > 0) {
            p->retry_ms = (int64_t)p->retry_val;
        }
        break;
    default:
        break;
    }
}

static void next_line(struct tg_sse *p)
{
    p->state = ST_NAME;
    p->name_len = 0;
    p->field = F_NONE;
}

/* A blank line: the ID is published, and the event dispatched when it has data. */
static void dispatch(struct tg_sse *p, struct tg_sse_event *ev)
{
    if (p->id_len != p->id_buf_len || memcmp(p->id, p->id_buf, p->id_len) != 0) {
        memcpy(p->id, p->id_buf, p->id_buf_len);
        p->id_len = p->id_buf_len;
    }
    if (p->len == 0) {
        p->type_len = 0;
        return;
    }
    ev->type = TG_SSE_EV_EVENT;
    ev->data = (struct tg_span){ p->buf, p->len - 1 }; /* without the last LF */
    ev->name =
        p->type_len ? (struct tg_span){ p->type, p->type_len } : (struct tg_span){ "message", 7 };
    ev->id = (struct tg_span){ p->id, p->id_len };
    p->flush = true;
}

/* in[0] starts a BOM or not; returns the bytes it took (0: decided, look at in[0] again). */
static size_t step_bom(struct tg_sse *p, unsigned char c)
{
    static const unsigned char bom[3] = { 0xEF, 0xBB, 0xBF };
    if (c == bom[p->bom]) {
        if (++p->bom == 3) {
            p->state = ST_NAME;
        }
        return 1;
    }
    p->state = ST_NAME;
    if (p->bom > 0) { /* a line that starts like a BOM but is not one: an unknown field name */
        p->name_len = p->bom;
        memcpy(p->name, bom, p->bom);
    }
    return 0;
}

/* A name byte, or its line's end or colon. Returns the bytes it took. */
static size_t step_name(struct tg_sse *p, char c, struct tg_sse_event *ev)
{
    if (c == '\r' || c == '\n') {
        if (p->name_len == 0) { /* a blank line */
            p->cr = c == '\r';
            dispatch(p, ev);
            return 1;
        }
        begin_value(p); /* a field without a colon: an empty value ends here */
        p->state = ST_VALUE;
        return 0;
    }
    if (c == ':') {
        begin_value(p);
        p->state = ST_SPACE;
        return 1;
    }
    if (p->name_len < sizeof(p->name)) {
        p->name[p->name_len] = c;
    }
    if (p->name_len < UINT8_MAX) {
        p->name_len++;
    }
    return 1;
}

/* Value bytes up to the line's end (taking it too). Returns the bytes taken, or fail(). */
static int step_value(struct tg_sse *p, const char *in, size_t len, struct tg_sse_event *ev)
{
    const char *lf = memchr(in, '\n', len);
    const char *cr = memchr(in, '\r', lf ? (size_t)(lf - in) : len);
    const char *eol = cr ? cr : lf;
    size_t n = eol ? (size_t)(eol - in) : len;
    int r = take_value(p, in, n, eol != NULL, ev);
    if (r != 0) {
        return r < 0 ? r : 0;
    }
    if (!eol) {
        return (int)n;
    }
    p->cr = *eol == '\r';
    finish_value(p);
    next_line(p);
    return (int)n + 1;
}

int tg_sse_feed(struct tg_sse *p, const char *in, size_t len, struct tg_sse_event *ev)
{
    *ev = (struct tg_sse_event){ .type = TG_SSE_EV_NONE };
    if (p->failed) {
        return TG_E2BIG;
    }
    if (p->flush) { /* the last event's views die now */
        p->flush = false;
        p->len = 0;
        p->type_len = 0;
    }
    len = TG_MIN(len, (size_t)INT32_MAX);
    size_t i = 0;
    while (i < len && ev->type == TG_SSE_EV_NONE) {
        if (p->cr) { /* the LF of a CRLF */
            p->cr = false;
            if (in[i] == '\n') {
                i++;
                continue;
            }
        }
        switch (p->state) {
        case ST_BOM:
            i += step_bom(p, (unsigned char)in[i]);
            break;
        case ST_NAME:
            i += step_name(p, in[i], ev);
            break;
        case ST_SPACE:
            p->state = ST_VALUE;
            i += in[i] == ' ';
            break;
        default: { /* ST_VALUE */
            int r = step_value(p, in + i, len - i, ev);
            if (r < 0) {
                return r;
            }
            i += (size_t)r;
            break;
        }
        }
    }
    return (int)i;
}

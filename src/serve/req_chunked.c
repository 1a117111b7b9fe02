/*
 * req_chunked — chunked-body framing validator; grammar and limits in
 * req_chunked.h. One state per position in the grammar; chunk data is
 * skipped in bulk.
 */
#include "serve/req_chunked.h"

#include "http/chars.h"

#include <limits.h>

enum {
    S_SIZE,       /* first hex digit of a chunk size */
    S_SIZE_MORE,  /* further hex digits, or what ends the size */
    S_EXT,        /* chunk extension: skip to LF */
    S_SIZE_LF,    /* LF after the size line's CR */
    S_DATA,       /* chunk data */
    S_DATA_END,   /* CR or LF after chunk data */
    S_DATA_LF,    /* LF after chunk data's CR */
    S_TRAILER,    /* start of a trailer line, or the final eol */
    S_TRAILER_IN, /* inside a trailer line: skip to LF */
    S_END_LF,     /* LF of the final CRLF */
    S_DONE,
};

void tg_req_chunked_init(struct tg_req_chunked *d)
{
    *d = (struct tg_req_chunked){ .state = S_SIZE };
}

/* After the size line: data, or the trailers after the last chunk. */
static uint8_t after_size(const struct tg_req_chunked *d)
{
    return d->left ? S_DATA : S_TRAILER;
}

/* Steps the size-line states over byte c. 0 or TG_EPROTO. */
static int step_size(struct tg_req_chunked *d, unsigned char c)
{
    if (++d->line_len > TG_REQ_CHUNKED_MAX_LINE) {
        return TG_EPROTO;
    }
    int v = tg_chars_hexval(c);
    switch (d->state) {
    case S_SIZE:
        if (v < 0) {
            return TG_EPROTO;
        }
        d->left = (uint64_t)v;
        d->digits = v ? 1 : 0; /* significant digits */
        d->state = S_SIZE_MORE;
        return 0;
    case S_SIZE_MORE:
        if (v >= 0) {
            /* leading zeros are free; 16 significant hex digits at most */
            if ((d->left != 0 || v != 0) && ++d->digits > 16) {
                return TG_EPROTO;
            }
            d->left = (d->left << 4) | (uint64_t)v;
        } else if (c == ';' || c == ' ' || c == '\t') {
            d->state = S_EXT;
        } else if (c == '\r') {
            d->state = S_SIZE_LF;
        } else if (c == '\n') {
            d->state = after_size(d);
        } else {
            return TG_EPROTO;
        }
        return 0;
    case S_EXT:
        if (c == '\n') {
            d->state = after_size(d);
        }
        return 0;
    default: /* S_SIZE_LF */
        if (c != '\n') {
            return TG_EPROTO;
        }
        d->state = after_size(d);
        return 0;
    }
}

/* Steps the post-data and trailer states over byte c. 0 or TG_EPROTO. */
static int step_tail(struct tg_req_chunked *d, unsigned char c)
{
    switch (d->state) {
    case S_DATA_END:
        if (c == '\r') {
            d->state = S_DATA_LF;
            return 0;
        }
        if (c != '\n') {
            return TG_EPROTO;
        }
        break;
    case S_DATA_LF:
        if (c != '\n') {
            return TG_EPROTO;
        }
        break;
    case S_TRAILER:
        if (c == '\r') {
            d->state = S_END_LF;
        } else if (c == '\n') {
            d->state = S_DONE;
        } else {
            d->line_len = 0;
            d->state = S_TRAILER_IN;
            return step_tail(d, c);
        }
        return 0;
    case S_TRAILER_IN:
        if (++d->line_len > TG_REQ_CHUNKED_MAX_LINE ||
            ++d->trailer_len > TG_REQ_CHUNKED_MAX_TRAILER) {
            return TG_EPROTO;
        }
        if (c == '\n') {
            d->state = S_TRAILER;
        }
        return 0;
    default: /* S_END_LF */
        if (c != '\n') {
            return TG_EPROTO;
        }
        d->state = S_DONE;
        return 0;
    }
    d->state = S_SIZE; /* end of a chunk's data line */
    d->line_len = 0;
    return 0;
}

int tg_req_chunked_feed(struct tg_req_chunked *d, const char *buf, size_t len, uint64_t *data_len,
                        bool *done)
{
    size_t i = 0;
    len = TG_MIN(len, (size_t)INT_MAX);
    while (i < len && d->state != S_DONE) {
        if (d->state == S_DATA) {
            uint64_t n = TG_MIN(d->left, (uint64_t)(len - i));
            d->left -= n;
            *data_len += n;
            i += (size_t)n;
            if (d->left == 0) {
                d->state = S_DATA_END;
            }
            continue;
        }
        unsigned char c = (unsigned char)buf[i++];
        int rc = d->state <= S_SIZE_LF ? step_size(d, c) : step_tail(d, c);
        if (rc < 0) {
            return rc;
        }
    }
    *done = d->state == S_DONE;
    return (int)i;
}

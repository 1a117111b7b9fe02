/*
 * chunked — the chunked transfer-coding decoder; contract and grammar in
 * chunked.h. One state per position in the grammar; framing bytes go through
 * step() one at a time, chunk data is moved in bulk. The write index never
 * passes the read index, so compacting data in place is a forward memmove.
 *
 * Hot path: no allocation, no stdio.
 */
#include "http/chunked.h"

#include "http/chars.h"

#include <limits.h>
#include <string.h>

enum state {
    S_SIZE_FIRST, /* expecting the first hex digit of a chunk size */
    S_SIZE,       /* in the hex digits */
    S_SIZE_WS,    /* whitespace after the digits, before ";" or the line end */
    S_EXT,        /* in chunk extensions, skipped up to the line end */
    S_SIZE_LF,    /* CR seen at the end of the size line */
    S_DATA,       /* copying chunk data; size = bytes left */
    S_DATA_CR,    /* expecting the EOL after chunk data */
    S_DATA_LF,    /* CR seen after chunk data */
    S_TRAILER,    /* at the start of a trailer line, or of the final EOL */
    S_TRAILER_NAME,
    S_TRAILER_VALUE,
    S_TRAILER_LF, /* CR seen at the end of a trailer line */
    S_END_LF,     /* CR seen on the final empty line */
    S_DONE,
    S_ERROR,
};

/* The size line ended: either data follows or, for size 0, the trailer section. */
static enum state end_size_line(struct tg_chunked *c)
{
    if (c->size == 0) {
        c->trailer_len = 0;
        return S_TRAILER;
    }
    return S_DATA;
}

static enum state size_digit(struct tg_chunked *c, unsigned char ch)
{
    int d = tg_chars_hexval(ch);
    if (d < 0 || c->size > (TG_CHUNKED_MAX_SIZE - (uint64_t)d) >> 4) {
        return S_ERROR;
    }
    c->size = (c->size << 4) | (uint64_t)d;
    return S_SIZE;
}

/* After the hex digits: more digits, BWS, ";" extensions, or the line end. */
static enum state after_digits(struct tg_chunked *c, unsigned char ch, bool digits_ok)
{
    if (digits_ok && tg_chars_hexval(ch) >= 0) {
        return size_digit(c, ch);
    }
    switch (ch) {
    case ' ':
    case '\t':
        return S_SIZE_WS;
    case ';':
        return S_EXT;
    case '\r':
        return S_SIZE_LF;
    case '\n':
        return end_size_line(c);
    default:
        return S_ERROR;
    }
}

static enum state step_size_line(struct tg_chunked *c, enum state s, unsigned char ch)
{
    if (ch != '\r' && ch != '\n' && ++c->line_len > TG_CHUNKED_MAX_LINE) {
        return S_ERROR;
    }
    switch (s) {
    case S_SIZE_FIRST:
        c->size = 0;
        return tg_chars_hexval(ch) >= 0 ? size_digit(c, ch) : S_ERROR;
    case S_SIZE:
        return after_digits(c, ch, true);
    case S_SIZE_WS:
        return after_digits(c, ch, false);
    case S_EXT:
        if (ch == '\r') {
            return S_SIZE_LF;
        }
        if (ch == '\n') {
            return end_size_line(c);
        }
        return tg_chars_is_text(ch) ? S_EXT : S_ERROR;
    default: /* S_SIZE_LF */
        return ch == '\n' ? end_size_line(c) : S_ERROR;
    }
}

static enum state step_trailer(struct tg_chunked *c, enum state s, unsigned char ch)
{
    bool final_line = s == S_TRAILER && (ch == '\r' || ch == '\n');
    if (!final_line && s != S_END_LF && ++c->trailer_len > TG_CHUNKED_MAX_TRAILER) {
        return S_ERROR;
    }
    switch (s) {
    case S_TRAILER:
        if (ch == '\r') {
            return S_END_LF;
        }
        if (ch == '\n') {
            return S_DONE;
        }
        return tg_chars_is_tchar(ch) ? S_TRAILER_NAME : S_ERROR;
    case S_TRAILER_NAME:
        if (ch == ':') {
            return S_TRAILER_VALUE;
        }
        return tg_chars_is_tchar(ch) ? S_TRAILER_NAME : S_ERROR;
    case S_TRAILER_VALUE:
        if (ch == '\r') {
            return S_TRAILER_LF;
        }
        if (ch == '\n') {
            return S_TRAILER;
        }
        return tg_chars_is_text(ch) ? S_TRAILER_VALUE : S_ERROR;
    case S_TRAILER_LF:
        return ch == '\n' ? S_TRAILER : S_ERROR;
    default: /* S_END_LF */
        return ch == '\n' ? S_DONE : S_ERROR;
    }
}

/* One framing byte (any state but S_DATA, S_DONE and S_ERROR). */
static enum state step(struct tg_chunked *c, enum state s, unsigned char ch)
{
    switch (s) {
    case S_DATA_CR:
        if (ch == '\n') {
            c->line_len = 0;
            return S_SIZE_FIRST;
        }
        return ch == '\r' ? S_DATA_LF : S_ERROR;
    case S_DATA_LF:
        c->line_len = 0;
        return ch == '\n' ? S_SIZE_FIRST : S_ERROR;
    case S_TRAILER:
    case S_TRAILER_NAME:
    case S_TRAILER_VALUE:
    case S_TRAILER_LF:
    case S_END_LF:
        return step_trailer(c, s, ch);
    default:
        return step_size_line(c, s, ch);
    }
}

void tg_chunked_init(struct tg_chunked *c)
{
    c->size = 0;
    c->line_len = 0;
    c->trailer_len = 0;
    c->state = S_SIZE_FIRST;
}

int tg_chunked_decode(struct tg_chunked *c, char *buf, size_t len, size_t *data_len)
{
    size_t in = 0;
    size_t out = 0;
    enum state s = (enum state)c->state;
    len = TG_MIN(len, (size_t)INT_MAX);
    while (in < len && s != S_DONE && s != S_ERROR) {
        if (s == S_DATA) {
            size_t n = (size_t)TG_MIN(c->size, (uint64_t)(len - in));
            if (out != in) {
                memmove(buf + out, buf + in, n);
            }
            in += n;
            out += n;
            c->size -= n;
            if (c->size == 0) {
                s = S_DATA_CR;
            }
            continue;
        }
        s = step(c, s, (unsigned char)buf[in++]);
    }
    c->state = (unsigned char)s;
    *data_len = out;
    return s == S_ERROR ? TG_EPROTO : (int)in;
}

bool tg_chunked_done(const struct tg_chunked *c)
{
    return c->state == S_DONE;
}

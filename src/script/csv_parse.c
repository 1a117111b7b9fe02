/*
 * csv_parse — the CSV tokenizer; grammar and contract in csv_parse.h.
 */
#include "script/csv_parse.h"

#include <string.h>

void tg_csv_parse_init(struct tg_csv_parse *p, const char *buf, size_t len, char sep)
{
    memset(p, 0, sizeof(*p));
    p->buf = buf;
    p->len = len;
    p->line = 1;
    p->sep = sep;
    if (len >= 3 && (unsigned char)buf[0] == 0xef && (unsigned char)buf[1] == 0xbb &&
        (unsigned char)buf[2] == 0xbf) {
        p->pos = 3;
    }
}

static int fail(struct tg_csv_parse *p, const char *what, size_t line)
{
    p->error = what;
    p->error_line = line;
    return TG_EPROTO;
}

/* Skips empty lines before a record; true when a record follows. */
static bool skip_empty_lines(struct tg_csv_parse *p)
{
    for (;;) {
        if (p->pos < p->len && p->buf[p->pos] == '\n') {
            p->pos++;
        } else if (p->pos + 1 < p->len && p->buf[p->pos] == '\r' && p->buf[p->pos + 1] == '\n') {
            p->pos += 2;
        } else {
            return p->pos < p->len;
        }
        p->line++;
    }
}

/* A plain field from p->pos: up to sep, eol or the end. */
static int plain(struct tg_csv_parse *p, struct tg_csv_field *f)
{
    size_t start = p->pos;
    for (size_t i = start; i < p->len; i++) {
        char c = p->buf[i];
        if (c == p->sep) {
            *f = (struct tg_csv_field){ p->buf + start, i - start, false, false, p->line };
            p->pos = i + 1;
            p->in_record = true;
            return 1;
        }
        if (c == '\n') {
            size_t end = i > start && p->buf[i - 1] == '\r' ? i - 1 : i;
            *f = (struct tg_csv_field){ p->buf + start, end - start, false, true, p->line };
            p->pos = i + 1;
            p->line++;
            p->in_record = false;
            return 1;
        }
        if (c == '"') {
            return fail(p,
                        "a quote inside an unquoted field (quote the field and double the quote)",
                        p->line);
        }
    }
    *f = (struct tg_csv_field){ p->buf + start, p->len - start, false, true, p->line };
    p->pos = p->len;
    p->in_record = false;
    return 1;
}

/* A quoted field from p->pos (at its opening quote). */
static int quoted(struct tg_csv_parse *p, struct tg_csv_field *f)
{
    size_t open_line = p->line;
    size_t start = p->pos + 1;
    size_t i = start;
    bool escaped = false;
    for (;;) {
        if (i >= p->len) {
            return fail(p, "a quoted field is not closed", open_line);
        }
        if (p->buf[i] == '"') {
            if (i + 1 < p->len && p->buf[i + 1] == '"') {
                escaped = true;
                i += 2;
                continue;
            }
            break;
        }
        if (p->buf[i] == '\n') {
            p->line++;
        }
        i++;
    }
    *f = (struct tg_csv_field){ p->buf + start, i - start, escaped, true, open_line };
    size_t j = i + 1; /* after the closing quote */
    if (j == p->len) {
        p->pos = j;
        p->in_record = false;
    } else if (p->buf[j] == p->sep) {
        f->last = false;
        p->pos = j + 1;
        p->in_record = true;
    } else if (p->buf[j] == '\n' ||
               (p->buf[j] == '\r' && j + 1 < p->len && p->buf[j + 1] == '\n')) {
        p->pos = j + (p->buf[j] == '\r' ? 2 : 1);
        p->line++;
        p->in_record = false;
    } else {
        return fail(p,
                    "a closing quote is followed by something other than the separator or "
                    "the end of the line",
                    p->line);
    }
    return 1;
}

/* Every record has the first record's number of fields. */
static int count(struct tg_csv_parse *p, const struct tg_csv_field *f)
{
    p->n_fields++;
    if (p->width && p->n_fields > p->width) {
        return fail(p, "this record has more fields than the first one", f->line);
    }
    if (!f->last) {
        return 1;
    }
    if (!p->width) {
        p->width = p->n_fields;
    } else if (p->n_fields < p->width) {
        return fail(p, "this record has fewer fields than the first one", p->record_line);
    }
    p->n_fields = 0;
    return 1;
}

int tg_csv_parse_next(struct tg_csv_parse *p, struct tg_csv_field *f)
{
    if (p->error) {
        return TG_EPROTO;
    }
    if (!p->in_record) {
        if (!skip_empty_lines(p)) {
            return 0;
        }
        p->record_line = p->line;
    }
    int rc = p->pos < p->len && p->buf[p->pos] == '"' ? quoted(p, f) : plain(p, f);
    return rc < 0 ? rc : count(p, f);
}

size_t tg_csv_parse_unescape(const char *raw, size_t len, char *dst)
{
    size_t out = 0;
    for (size_t i = 0; i < len; i++) {
        dst[out++] = raw[i]; /* out <= i: safe in place */
        if (raw[i] == '"' && i + 1 < len && raw[i + 1] == '"') {
            i++;
        }
    }
    return out;
}

/*
 * csv_parse — a CSV tokenizer (RFC 4180, with the usual leniencies) over a
 * complete buffer, for tailgate.csv. It hands out one field at a time as a
 * view into the buffer, says which field ends a record, and reports the line
 * where anything is malformed, including a record whose number of fields
 * differs from the first record's (the header's, when there is one). It
 * never allocates and never reads past len; building rows is the caller's
 * job.
 *
 * Grammar (RFC 4180 section 2, with sep for the comma):
 *   file        = [BOM] *(empty-line) [record *(eol *(empty-line) record)] [eol]
 *   record      = field *(sep field)
 *   field       = quoted / plain
 *   quoted      = DQUOTE *(any byte but DQUOTE / DQUOTE DQUOTE) DQUOTE
 *   plain       = *(any byte but sep, LF, DQUOTE)
 *   eol         = LF / CR LF
 *   empty-line  = eol                  ; skipped: it is no record
 *   BOM         = %xEF.BB.BF           ; skipped at the very start
 * Leniencies: LF alone ends a record as CRLF does; a CR not followed by LF
 * is data (as Go's encoding/csv); quoted fields may hold sep, CR and LF.
 * Errors: a DQUOTE inside a plain field, a byte other than sep or eol after
 * a closing DQUOTE, a quoted field still open at the end of the input, a
 * record with more or fewer fields than the first.
 *
 * Cost: one pass over the bytes; a field costs O(its length).
 */
#ifndef TG_SCRIPT_CSV_PARSE_H
#define TG_SCRIPT_CSV_PARSE_H

#include "tg.h"

#include <stdbool.h>
#include <stddef.h>

struct tg_csv_parse {
    const char *buf; /* the input, borrowed for the parser's lifetime */
    size_t len;
    size_t pos;         /* next byte to read */
    size_t line;        /* 1-based line of pos (LFs seen + 1) */
    char sep;           /* the field separator */
    bool in_record;     /* a separator was read: a field follows, even at the end */
    size_t width;       /* fields of the first record (0 until it ends) */
    size_t n_fields;    /* fields read so far of the current record */
    size_t record_line; /* the line the current record starts on */
    const char *error;  /* after TG_EPROTO: what is wrong (static text) */
    size_t error_line;  /* after TG_EPROTO: where */
};

struct tg_csv_field {
    const char *ptr; /* the field's bytes in buf; for a quoted field, inside the quotes */
    size_t len;
    bool escaped; /* quoted and holding "" pairs: collapse with tg_csv_parse_unescape */
    bool last;    /* the last field of its record */
    size_t line;  /* the line the field starts on */
};

/* Starts parsing buf[0..len) with separator sep (not '"', CR or LF). Skips a UTF-8 BOM. */
void tg_csv_parse_init(struct tg_csv_parse *p, const char *buf, size_t len, char sep);
/*
 * The next field into f: 1, or 0 at the end of the input (no more records),
 * or TG_EPROTO with p->error and p->error_line set. After TG_EPROTO every
 * call returns TG_EPROTO again.
 */
int tg_csv_parse_next(struct tg_csv_parse *p, struct tg_csv_field *f);
/*
 * Writes the value of an escaped field (raw = f->ptr, len = f->len) with each
 * "" collapsed to " into dst (room for len bytes; dst may be raw itself).
 * Returns the value's length.
 */
size_t tg_csv_parse_unescape(const char *raw, size_t len, char *dst);

#endif

/*
 * fuzz_csv_parse — libFuzzer target for the CSV tokenizer (script/csv_parse).
 * Seeds: tests/fuzz/corpus/csv_parse. The first input byte picks the
 * separator (',' ';' '\t' or '|'); the rest is parsed from an exact-size
 * heap copy (ASan catches a read past len).
 *
 * Invariants: results are 1, 0 or TG_EPROTO (then sticky, with a message and
 * a line within the input's lines); fields lie inside the input, lines never
 * go backwards, there are at most len + 1 fields, every record has the
 * first's width; an unescaped value is no longer than its raw bytes. A parse
 * that succeeds round-trips: writing every field quoted (quotes doubled) and
 * parsing that again gives the same fields and record ends.
 */
#include "script/csv_parse.h"

#include "fuzz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct field {
    char *val; /* unescaped, owned */
    size_t len;
    bool last;
};

/* Parses in[0..n) into *out (count *n_out); returns the final result (0 or TG_EPROTO). */
static int parse_all(const char *in, size_t n, char sep, struct field **out, size_t *n_out)
{
    struct tg_csv_parse p;
    tg_csv_parse_init(&p, in, n, sep);
    size_t lines = 1;
    for (size_t i = 0; i < n; i++) {
        lines += in[i] == '\n';
    }
    struct field *fs = malloc((n + 2) * sizeof(*fs));
    CHECK(fs != NULL);
    size_t k = 0;
    size_t width = 0;
    size_t in_rec = 0;
    size_t last_line = 1;
    struct tg_csv_field f;
    int rc;
    while ((rc = tg_csv_parse_next(&p, &f)) == 1) {
        CHECK(k < n + 1);
        CHECK(f.ptr >= in && f.ptr + f.len <= in + n);
        CHECK(f.line >= last_line && f.line <= lines);
        last_line = f.line;
        fs[k].val = malloc(f.len ? f.len : 1);
        CHECK(fs[k].val != NULL);
        fs[k].len = f.escaped ? tg_csv_parse_unescape(f.ptr, f.len, fs[k].val) : f.len;
        if (!f.escaped) {
            memcpy(fs[k].val, f.ptr, f.len);
        }
        CHECK(fs[k].len <= f.len);
        fs[k].last = f.last;
        in_rec++;
        if (f.last) {
            width = width ? width : in_rec;
            CHECK(in_rec == width);
            in_rec = 0;
        }
        k++;
    }
    CHECK(rc == 0 || rc == TG_EPROTO);
    if (rc == 0) {
        CHECK(in_rec == 0);
    } else {
        CHECK(p.error != NULL && p.error_line >= 1 && p.error_line <= lines);
    }
    CHECK(tg_csv_parse_next(&p, &f) == rc);
    *out = fs;
    *n_out = k;
    return rc;
}

static void free_fields(struct field *fs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(fs[i].val);
    }
    free(fs);
}

/* Writes fs quoted, one record a line. */
static char *write_quoted(const struct field *fs, size_t n, char sep, size_t *len)
{
    size_t cap = 1;
    for (size_t i = 0; i < n; i++) {
        cap += 2 * fs[i].len + 3;
    }
    char *s = malloc(cap);
    CHECK(s != NULL);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        s[o++] = '"';
        for (size_t j = 0; j < fs[i].len; j++) {
            s[o++] = fs[i].val[j];
            if (fs[i].val[j] == '"') {
                s[o++] = '"';
            }
        }
        s[o++] = '"';
        s[o++] = fs[i].last ? '\n' : sep;
    }
    CHECK(o <= cap);
    *len = o;
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char seps[] = { ',', ';', '\t', '|' };
    char sep = size > 0 ? seps[data[0] % 4] : ',';
    size_t n = size > 0 ? size - 1 : 0;
    char *in = malloc(n ? n : 1);
    CHECK(in != NULL);
    memcpy(in, data + (size > 0), n);
    struct field *fs;
    size_t k;
    if (parse_all(in, n, sep, &fs, &k) == 0) {
        size_t wlen;
        char *w = write_quoted(fs, k, sep, &wlen);
        struct field *again;
        size_t k2;
        CHECK(parse_all(w, wlen, sep, &again, &k2) == 0);
        CHECK(k2 == k);
        for (size_t i = 0; i < k; i++) {
            CHECK(again[i].len == fs[i].len && again[i].last == fs[i].last);
            CHECK(memcmp(again[i].val, fs[i].val, fs[i].len) == 0);
        }
        free_fields(again, k2);
        free(w);
    }
    free_fields(fs, k);
    free(in);
    return 0;
}

/*
 * test_sse_parse — the event stream parser (sse/sse_parse) against the data
 * cases in tests/data/sse, plus plain tests of the buffer contract, the
 * limits and error stickiness.
 *
 * A case is NAME.sse:
 *   # comment
 *   max N                     data buffer limit (default 1 MiB)
 *   > "STRING"                input bytes; C escapes \r \n \t \0 \\ \" \xHH
 *   > rep N "STRING"          the string N times
 *   = event "TYPE" "ID" DATA  an expected event; DATA is one or more parts,
 *                             "STRING" or rep N "STRING", joined
 *   = error                   the feed fails with TG_E2BIG (then nothing more)
 *   = id "ID"                 after the input: the published last event ID
 *   = retry N                 after the input: retry_ms (-1 when none came)
 *
 * Each case's input is parsed whole, in two pieces split at every point
 * (at chosen points for inputs over 4 KiB), and byte by byte (in pieces of
 * 1-17 bytes for large inputs), once with a data buffer grown on
 * TG_SSE_EV_NEED_ROOM from nothing and once with a fixed buffer of max
 * bytes (which must never see NEED_ROOM); every run must give exactly the
 * expected events. Each piece is copied so its last byte sits just before
 * a PROT_NONE page and is overwritten by the next piece, so the parser can
 * neither read past len nor keep a pointer into its input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sse/sse_parse.h"
#include "unit/guard.h"
#include "unit/prng.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SMALL_INPUT 4096
#define LINE_MAX_   8192

struct bytes {
    char *p;
    size_t len;
};

static void bytes_put(struct bytes *b, const void *p, size_t n)
{
    b->p = realloc(b->p, b->len + n + 1);
    if (!b->p) {
        abort();
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
    b->p[b->len] = '\0';
}

struct ev {
    bool error;
    struct bytes name;
    struct bytes id;
    struct bytes data;
};

struct evlist {
    struct ev *v;
    size_t n;
};

static void evlist_add(struct evlist *l, const struct tg_sse_event *e)
{
    l->v = realloc(l->v, (l->n + 1) * sizeof(*l->v));
    if (!l->v) {
        abort();
    }
    struct ev *x = &l->v[l->n++];
    *x = (struct ev){ e == NULL, { 0 }, { 0 }, { 0 } };
    if (e) {
        bytes_put(&x->name, e->name.ptr, e->name.len);
        bytes_put(&x->id, e->id.ptr, e->id.len);
        bytes_put(&x->data, e->data.ptr, e->data.len);
    }
}

static void evlist_free(struct evlist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].name.p);
        free(l->v[i].id.p);
        free(l->v[i].data.p);
    }
    free(l->v);
    *l = (struct evlist){ 0 };
}

struct sse_case {
    char name[128];
    size_t max;
    struct bytes in;
    struct evlist want;
    bool check_id;
    struct bytes id;
    bool check_retry;
    int64_t retry;
};

/* ---- case files ---------------------------------------------------------- */

/* Parses a quoted string with escapes at *s into b; advances *s past it. */
static void unquote(const char **s, struct bytes *b, const char *file)
{
    const char *p = *s;
    while (*p == ' ') {
        p++;
    }
    if (*p++ != '"') {
        (void)fprintf(stderr, "%s: expected a quoted string at \"%s\"\n", file, *s);
        abort();
    }
    bytes_put(b, "", 0);
    while (*p && *p != '"') {
        char c = *p++;
        if (c == '\\') {
            char e = *p++;
            static const char from[] = "rnt0\\\"";
            static const char to[] = "\r\n\t\0\\\"";
            const char *k = e ? strchr(from, e) : NULL;
            if (e == 'x') {
                char hex[3] = { p[0], p[1], 0 };
                c = (char)strtol(hex, NULL, 16);
                p += 2;
            } else if (k) {
                c = to[k - from];
            } else {
                (void)fprintf(stderr, "%s: bad escape \\%c\n", file, e);
                abort();
            }
        }
        bytes_put(b, &c, 1);
    }
    if (*p != '"') {
        (void)fprintf(stderr, "%s: unterminated string\n", file);
        abort();
    }
    *s = p + 1;
}

/* The parts of an expected event's data: "STRING" or rep N "STRING", up to the line's end. */
static void data_parts(const char **s, struct bytes *b, const char *file)
{
    bytes_put(b, "", 0);
    for (;;) {
        while (**s == ' ') {
            (*s)++;
        }
        if (**s == '\0') {
            return;
        }
        unsigned long n = 1;
        if (strncmp(*s, "rep ", 4) == 0) {
            char *end;
            n = strtoul(*s + 4, &end, 10);
            *s = end;
        }
        struct bytes one = { 0 };
        unquote(s, &one, file);
        for (unsigned long i = 0; i < n; i++) {
            bytes_put(b, one.p, one.len);
        }
        free(one.p);
    }
}

static void load_line(struct sse_case *c, const char *line, const char *file)
{
    if (strncmp(line, "max ", 4) == 0) {
        c->max = (size_t)strtoull(line + 4, NULL, 10);
    } else if (strncmp(line, "> rep ", 6) == 0) {
        char *end;
        unsigned long n = strtoul(line + 6, &end, 10);
        const char *s = end;
        struct bytes one = { 0 };
        unquote(&s, &one, file);
        for (unsigned long i = 0; i < n; i++) {
            bytes_put(&c->in, one.p, one.len);
        }
        free(one.p);
    } else if (strncmp(line, "> ", 2) == 0) {
        const char *s = line + 2;
        unquote(&s, &c->in, file);
    } else if (strncmp(line, "= event ", 8) == 0) {
        struct tg_sse_event e = { .type = TG_SSE_EV_EVENT };
        struct bytes f[3] = { { 0 }, { 0 }, { 0 } };
        const char *s = line + 8;
        for (int i = 0; i < 2; i++) {
            unquote(&s, &f[i], file);
        }
        data_parts(&s, &f[2], file);
        e.name = (struct tg_span){ f[0].p, f[0].len };
        e.id = (struct tg_span){ f[1].p, f[1].len };
        e.data = (struct tg_span){ f[2].p, f[2].len };
        evlist_add(&c->want, &e);
        for (int i = 0; i < 3; i++) {
            free(f[i].p);
        }
    } else if (strcmp(line, "= error") == 0) {
        evlist_add(&c->want, NULL);
    } else if (strncmp(line, "= id ", 5) == 0) {
        const char *s = line + 5;
        c->check_id = true;
        unquote(&s, &c->id, file);
    } else if (strncmp(line, "= retry ", 8) == 0) {
        c->check_retry = true;
        c->retry = strtoll(line + 8, NULL, 10);
    } else {
        (void)fprintf(stderr, "%s: cannot read \"%s\"\n", file, line);
        abort();
    }
}

static void load_case(struct sse_case *c, FILE *f, const char *name, const char *file)
{
    *c = (struct sse_case){ .max = 1 << 20 };
    (void)snprintf(c->name, sizeof(c->name), "%s", name);
    char line[LINE_MAX_];
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0] != '\0' && line[0] != '#') {
            load_line(c, line, file);
        }
    }
    bytes_put(&c->in, "", 0);
}

/* ---- running a case ------------------------------------------------------ */

struct runner {
    struct tg_sse p;
    bool fixed;
    bool failed;
    struct evlist got;
};

/* Feeds one piece (already in guard memory) until it is consumed or the parser fails. */
static void feed_piece(struct runner *r, const char *in, size_t n)
{
    size_t off = 0;
    while (!r->failed) {
        struct tg_sse_event ev;
        int rc = tg_sse_feed(&r->p, in + off, n - off, &ev);
        if (rc < 0) {
            assert_int_equal(rc, TG_E2BIG);
            evlist_add(&r->got, NULL);
            r->failed = true;
            return;
        }
        assert_true((size_t)rc <= n - off);
        off += (size_t)rc;
        switch (ev.type) {
        case TG_SSE_EV_NONE:
            assert_int_equal(off, n);
            return;
        case TG_SSE_EV_NEED_ROOM:
            assert_false(r->fixed);
            assert_true(ev.need > r->p.cap && ev.need <= r->p.max);
            r->p.buf = realloc(r->p.buf, ev.need);
            assert_non_null(r->p.buf);
            r->p.cap = ev.need;
            break;
        default:
            assert_true(ev.data.len < r->p.max);
            evlist_add(&r->got, &ev);
            break;
        }
    }
}

static bool same_bytes(const struct bytes *a, const struct bytes *b)
{
    return a->len == b->len && (a->len == 0 || memcmp(a->p, b->p, a->len) == 0);
}

static bool same_events(const struct evlist *a, const struct evlist *b)
{
    if (a->n != b->n) {
        return false;
    }
    for (size_t i = 0; i < a->n; i++) {
        const struct ev *x = &a->v[i];
        const struct ev *y = &b->v[i];
        if (x->error != y->error || !same_bytes(&x->name, &y->name) ||
            !same_bytes(&x->id, &y->id) || !same_bytes(&x->data, &y->data)) {
            return false;
        }
    }
    return true;
}

static void describe(const struct evlist *l, const char *what)
{
    (void)fprintf(stderr, "  %s:\n", what);
    for (size_t i = 0; i < l->n; i++) {
        const struct ev *e = &l->v[i];
        if (e->error) {
            (void)fprintf(stderr, "    error\n");
        } else {
            (void)fprintf(stderr, "    event \"%s\" id \"%s\" data(%zu) \"%.60s\"\n", e->name.p,
                          e->id.p, e->data.len, e->data.p);
        }
    }
}

static void run_cuts(const struct sse_case *c, const size_t *cuts, size_t ncuts, bool fixed)
{
    struct runner r = { .fixed = fixed };
    tg_sse_init(&r.p, c->max);
    if (fixed) {
        r.p.cap = c->max;
        r.p.buf = malloc(c->max ? c->max : 1);
    }
    size_t start = 0;
    for (size_t i = 0; i <= ncuts && !r.failed; i++) {
        size_t end = i < ncuts ? cuts[i] : c->in.len;
        feed_piece(&r, guard_put(c->in.p + start, end - start), end - start);
        start = end;
    }
    bool ok = same_events(&r.got, &c->want);
    if (c->check_id && !r.failed) {
        struct bytes id = { r.p.id, r.p.id_len };
        ok = ok && same_bytes(&id, &c->id);
    }
    if (c->check_retry && !r.failed) {
        ok = ok && r.p.retry_ms == c->retry;
    }
    if (!ok) {
        (void)fprintf(stderr, "%s: %zu cuts (first %zu), %s buffer; id \"%.*s\" retry %lld\n",
                      c->name, ncuts, ncuts ? cuts[0] : 0, fixed ? "fixed" : "growing",
                      (int)r.p.id_len, r.p.id, (long long)r.p.retry_ms);
        describe(&c->want, "want");
        describe(&r.got, "got");
        fail();
    }
    free(r.p.buf);
    evlist_free(&r.got);
}

static void test_sse_case(void **state)
{
    const struct sse_case *c = *state;
    size_t len = c->in.len;
    rng_seed(7);
    for (int fixed = 0; fixed < 2; fixed++) {
        run_cuts(c, NULL, 0, fixed);
        for (size_t k = 1; k < len; k++) {
            if (len <= SMALL_INPUT || k < 64 || len - k < 64 || rng_next() % 500 == 0) {
                run_cuts(c, &k, 1, fixed);
            }
        }
        size_t *cuts = malloc((len + 1) * sizeof(*cuts));
        assert_non_null(cuts);
        size_t n = 0;
        for (size_t at = 1; at < len; at += len <= SMALL_INPUT ? 1 : 1 + rng_next() % 17) {
            cuts[n++] = at;
        }
        run_cuts(c, cuts, n, fixed);
        free(cuts);
    }
}

/* ---- plain tests ----------------------------------------------------------- */

static void test_tg_sse_feed_error_is_sticky(void **state)
{
    (void)state;
    struct tg_sse p;
    char buf[4];
    tg_sse_init(&p, sizeof(buf));
    p.buf = buf;
    p.cap = sizeof(buf);
    struct tg_sse_event ev;
    assert_int_equal(tg_sse_feed(&p, "data: 12345\n\n", 13, &ev), TG_E2BIG);
    assert_int_equal(tg_sse_feed(&p, "data: 1\n\n", 9, &ev), TG_E2BIG);
}

static void test_tg_sse_feed_stops_after_event(void **state)
{
    (void)state;
    struct tg_sse p;
    char buf[64];
    tg_sse_init(&p, sizeof(buf));
    p.buf = buf;
    p.cap = sizeof(buf);
    struct tg_sse_event ev;
    const char in[] = "id: 1\ndata: a\n\nid: 2\ndata: b\n\n";
    int rc = tg_sse_feed(&p, in, sizeof(in) - 1, &ev);
    assert_int_equal(rc, 15); /* up to the first blank line */
    assert_int_equal(ev.type, TG_SSE_EV_EVENT);
    assert_memory_equal(ev.data.ptr, "a", 1);
    assert_memory_equal(ev.id.ptr, "1", 1);
    rc = tg_sse_feed(&p, in + 15, sizeof(in) - 1 - 15, &ev);
    assert_int_equal(rc, (int)sizeof(in) - 1 - 15);
    assert_int_equal(ev.type, TG_SSE_EV_EVENT);
    assert_memory_equal(ev.data.ptr, "b", 1);
    assert_memory_equal(ev.id.ptr, "2", 1);
    rc = tg_sse_feed(&p, "", 0, &ev);
    assert_int_equal(rc, 0);
    assert_int_equal(ev.type, TG_SSE_EV_NONE);
}

static void test_tg_sse_feed_need_room_bounded(void **state)
{
    (void)state;
    struct tg_sse p;
    tg_sse_init(&p, 10);
    struct tg_sse_event ev;
    int rc = tg_sse_feed(&p, "data: abc", 9, &ev);
    assert_int_equal(rc, 6); /* the name, colon and space: the value waits for room */
    assert_int_equal(ev.type, TG_SSE_EV_NEED_ROOM);
    assert_int_equal(ev.need, 3);
    char buf[10];
    p.buf = buf;
    p.cap = sizeof(buf);
    rc = tg_sse_feed(&p, "abc\n\n", 5, &ev);
    assert_int_equal(rc, 5);
    assert_int_equal(ev.type, TG_SSE_EV_EVENT);
    assert_int_equal(ev.data.len, 3);
}

static void test_tg_sse_set_last_id_carried(void **state)
{
    (void)state;
    struct tg_sse p;
    char buf[64];
    tg_sse_init(&p, sizeof(buf));
    p.buf = buf;
    p.cap = sizeof(buf);
    tg_sse_set_last_id(&p, "41", 2);
    assert_int_equal(p.id_len, 2);
    struct tg_sse_event ev;
    const char in[] = "data: a\n\nid: 42\ndata: b\n\n";
    int rc = tg_sse_feed(&p, in, sizeof(in) - 1, &ev);
    assert_int_equal(ev.type, TG_SSE_EV_EVENT);
    assert_int_equal(ev.id.len, 2);
    assert_memory_equal(ev.id.ptr, "41", 2); /* the resumed ID, until the server sets one */
    rc = tg_sse_feed(&p, in + rc, sizeof(in) - 1 - (size_t)rc, &ev);
    assert_int_equal(ev.type, TG_SSE_EV_EVENT);
    assert_memory_equal(ev.id.ptr, "42", 2);
    assert_memory_equal(p.id, "42", 2);
}

static char g_data_dir[4096];

static void find_data_dir(void)
{
    const char *env = getenv("TG_DATA_DIR");
    if (env != NULL && *env != '\0') {
        (void)snprintf(g_data_dir, sizeof(g_data_dir), "%s/sse", env);
        return;
    }
    const char *slash = strrchr(__FILE__, '/');
    int dir_len = slash ? (int)(slash - __FILE__) : 1;
    (void)snprintf(g_data_dir, sizeof(g_data_dir), "%.*s/../../data/sse", dir_len,
                   slash ? __FILE__ : ".");
    DIR *d = opendir(g_data_dir);
    if (d != NULL) {
        closedir(d);
        return;
    }
    (void)snprintf(g_data_dir, sizeof(g_data_dir), "tests/data/sse");
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(((const struct sse_case *)a)->name, ((const struct sse_case *)b)->name);
}

static int load_cases(struct sse_case **out, size_t *max_len)
{
    DIR *d = opendir(g_data_dir);
    if (d == NULL) {
        (void)fprintf(stderr, "test_sse_parse: cannot open %s (set TG_DATA_DIR)\n", g_data_dir);
        return -1;
    }
    struct sse_case *cases = NULL;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".sse") != 0) {
            continue;
        }
        char path[8192];
        (void)snprintf(path, sizeof(path), "%s/%s", g_data_dir, e->d_name);
        FILE *f = fopen(path, "r");
        if (!f) {
            continue;
        }
        cases = realloc(cases, (size_t)(n + 1) * sizeof(*cases));
        assert_non_null(cases);
        char name[128];
        (void)snprintf(name, sizeof(name), "%.*s", (int)(len - 4), e->d_name);
        load_case(&cases[n], f, name, path);
        (void)fclose(f);
        *max_len = TG_MAX(*max_len, cases[n].in.len);
        n++;
    }
    closedir(d);
    qsort(cases, (size_t)n, sizeof(*cases), cmp_names);
    *out = cases;
    return n;
}

int main(void)
{
    find_data_dir();
    struct sse_case *cases = NULL;
    size_t max_len = 0;
    int n = load_cases(&cases, &max_len);
    if (guard_init(TG_MAX(max_len, (size_t)1 << 16)) != 0) {
        (void)fprintf(stderr, "test_sse_parse: cannot map the guard page\n");
        return 1;
    }
    const struct CMUnitTest unit[] = {
        cmocka_unit_test(test_tg_sse_feed_error_is_sticky),
        cmocka_unit_test(test_tg_sse_feed_stops_after_event),
        cmocka_unit_test(test_tg_sse_feed_need_room_bounded),
        cmocka_unit_test(test_tg_sse_set_last_id_carried),
    };
    int failed = cmocka_run_group_tests_name("sse_parse", unit, NULL, NULL);
    if (n <= 0) {
        (void)fprintf(stderr, "test_sse_parse: no cases in %s\n", g_data_dir);
        return 1;
    }
    struct CMUnitTest *data = calloc((size_t)n, sizeof(*data));
    if (data == NULL) {
        return 1;
    }
    for (int i = 0; i < n; i++) {
        data[i] = (struct CMUnitTest){ cases[i].name, test_sse_case, NULL, NULL, &cases[i] };
    }
    failed += _cmocka_run_group_tests("sse_cases", data, (size_t)n, NULL, NULL);
    for (int i = 0; i < n; i++) {
        free(cases[i].in.p);
        free(cases[i].id.p);
        evlist_free(&cases[i].want);
    }
    free(cases);
    free(data);
    guard_fini();
    return failed ? 1 : 0;
}

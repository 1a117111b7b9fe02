/*
 * test_ws_msg — the session receive decoder (ws/ws_msg) against the data
 * cases in tests/data/ws, a random model test, and plain tests of the
 * buffer contract and error stickiness.
 *
 * A case is NAME.ws:
 *   # comment
 *   role server|client     who decodes: server = frames come from a client
 *   max N                  message limit (default 1 MiB)
 *   > hex AA BB ...        input bytes
 *   > data PAYLOAD         raw input bytes (payload grammar in wsfix.h)
 *   > frame [more] OP [mask=HHHHHHHH|nomask] [rsv=N] [ext16|ext64] PAYLOAD
 *                          a frame from the reference encoder; OP is text,
 *                          binary, cont, close, ping, pong or op=N; masked
 *                          by default when role is server
 *   = text|binary|ping|pong PAYLOAD     an expected event
 *   = close CODE PAYLOAD                the close event (PAYLOAD = reason)
 *   = error CODE                        the feed fails with that close code
 *                                       (TG_E2BIG for 1009, else TG_EPROTO)
 *
 * Each case's input is decoded whole, in two pieces split at every point
 * (at chosen points for inputs over 4 KiB), byte by byte (in pieces of 1-17
 * bytes for large inputs), once with a message buffer grown on
 * TG_WS_EV_NEED_ROOM from nothing and once with a fixed buffer of max bytes
 * (which must never see NEED_ROOM); every run must give exactly the expected
 * events. Each piece is copied so its last byte sits just before a
 * PROT_NONE page, and the copy is overwritten by the next piece, so the
 * decoder can neither read past len nor keep a pointer into its input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "unit/guard.h"
#include "unit/prng.h"
#include "unit/ws/wscase.h"
#include "unit/ws/wsfix.h"
#include "ws/ws_close.h"
#include "ws/ws_msg.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SMALL_INPUT 4096

/* ---- running a case ------------------------------------------------------ */

struct runner {
    struct tg_ws_msg m;
    bool fixed;  /* a fixed buffer of max bytes: NEED_ROOM must not happen */
    bool failed; /* an error was recorded: ignore the rest */
    struct evlist got;
};

static void runner_init(struct runner *r, const struct ws_case *c, bool fixed)
{
    *r = (struct runner){ .fixed = fixed };
    tg_ws_msg_init(&r->m, c->from_client, c->max);
    if (fixed) {
        r->m.cap = (size_t)c->max;
        r->m.buf = malloc(r->m.cap ? r->m.cap : 1);
    }
}

static void runner_fini(struct runner *r)
{
    free(r->m.buf);
    evlist_free(&r->got);
}

/* Feeds one piece (already in guard memory) until it is consumed or the decoder fails. */
static void feed_piece(struct runner *r, const char *p, size_t n)
{
    size_t off = 0;
    while (!r->failed) {
        struct tg_ws_event ev;
        int rc = tg_ws_msg_feed(&r->m, p + off, n - off, &ev);
        if (rc < 0) {
            assert_true(rc == (r->m.close_code == TG_WS_CLOSE_TOO_BIG ? TG_E2BIG : TG_EPROTO));
            evlist_add(&r->got, -1, r->m.close_code, NULL, 0);
            r->failed = true;
            return;
        }
        assert_true((size_t)rc <= n - off);
        off += (size_t)rc;
        switch (ev.type) {
        case TG_WS_EV_NONE:
            assert_int_equal(off, n); /* NONE means everything was consumed */
            return;
        case TG_WS_EV_NEED_ROOM:
            assert_false(r->fixed);
            assert_true(ev.need > r->m.cap && ev.need <= r->m.max);
            r->m.buf = realloc(r->m.buf, (size_t)ev.need);
            assert_non_null(r->m.buf);
            r->m.cap = (size_t)ev.need;
            break;
        default:
            evlist_add(&r->got, ev.type, ev.type == TG_WS_EV_CLOSE ? ev.close_code : 0, ev.data.ptr,
                       ev.data.len);
            break;
        }
    }
}

static void describe(const struct evlist *l, const char *what)
{
    (void)fprintf(stderr, "  %s:\n", what);
    for (size_t i = 0; i < l->n; i++) {
        (void)fprintf(stderr, "    type %d code %u len %zu \"%.40s\"\n", l->v[i].type, l->v[i].code,
                      l->v[i].data.len, l->v[i].data.p ? (const char *)l->v[i].data.p : "");
    }
}

static bool same_events(const struct evlist *a, const struct evlist *b)
{
    if (a->n != b->n) {
        return false;
    }
    for (size_t i = 0; i < a->n; i++) {
        const struct ev *x = &a->v[i];
        const struct ev *y = &b->v[i];
        if (x->type != y->type || x->code != y->code || x->data.len != y->data.len ||
            (x->data.len && memcmp(x->data.p, y->data.p, x->data.len) != 0)) {
            return false;
        }
    }
    return true;
}

/* Decodes c's input cut at cuts[0..ncuts) (increasing, inside (0, len)) and checks the events. */
static void run_cuts(const struct ws_case *c, const size_t *cuts, size_t ncuts, bool fixed)
{
    struct runner r;
    runner_init(&r, c, fixed);
    size_t start = 0;
    for (size_t i = 0; i <= ncuts && !r.failed; i++) {
        size_t end = i < ncuts ? cuts[i] : c->in.len;
        feed_piece(&r, guard_put((const char *)c->in.p + start, end - start), end - start);
        start = end;
    }
    if (!same_events(&r.got, &c->want)) {
        (void)fprintf(stderr, "%s: %zu cuts (first %zu), %s buffer\n", c->name, ncuts,
                      ncuts ? cuts[0] : 0, fixed ? "fixed" : "growing");
        describe(&c->want, "want");
        describe(&r.got, "got");
        fail();
    }
    runner_fini(&r);
}

static void run_all_ways(const struct ws_case *c, bool fixed)
{
    size_t len = c->in.len;
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

static void test_ws_case(void **state)
{
    const struct ws_case *c = *state;
    rng_seed(42);
    run_all_ways(c, false);
    if (c->max <= (1 << 20)) {
        run_all_ways(c, true);
    }
}

/* ---- the random model test ----------------------------------------------- */

/* Appends one random code point, UTF-8 encoded (1 to 4 bytes, no surrogates). */
static void random_char(struct bytes *b)
{
    uint64_t r = rng_next();
    uint32_t cp;
    switch (r % 4) {
    case 0:
        cp = 0x20 + (uint32_t)(r >> 8) % 0x5f;
        bytes_byte(b, cp);
        return;
    case 1:
        cp = 0x80 + (uint32_t)(r >> 8) % (0x800 - 0x80);
        bytes_byte(b, 0xc0 | (cp >> 6));
        break;
    case 2:
        cp = 0x800 + (uint32_t)(r >> 8) % (0x10000 - 0x800 - 0x800);
        cp = cp >= 0xd800 ? cp + 0x800 : cp; /* skip the surrogates */
        bytes_byte(b, 0xe0 | (cp >> 12));
        bytes_byte(b, 0x80 | ((cp >> 6) & 0x3f));
        break;
    default:
        cp = 0x10000 + (uint32_t)(r >> 8) % (0x110000 - 0x10000);
        bytes_byte(b, 0xf0 | (cp >> 18));
        bytes_byte(b, 0x80 | ((cp >> 12) & 0x3f));
        bytes_byte(b, 0x80 | ((cp >> 6) & 0x3f));
        break;
    }
    bytes_byte(b, 0x80 | (cp & 0x3f));
}

static void random_key(struct ref_frame *f)
{
    uint64_t k = rng_next();
    memcpy(f->key, &k, 4);
}

/* A random control frame between fragments; its event goes to want. */
static void random_control(struct ws_case *c)
{
    struct ref_frame f = { .fin = true,
                           .opcode = rng_next() % 2 ? 9 : 10,
                           .masked = c->from_client };
    random_key(&f);
    unsigned char p[125];
    size_t n = rng_next() % 126;
    for (size_t i = 0; i < n; i++) {
        p[i] = (unsigned char)rng_next();
    }
    ref_encode(&c->in, &f, p, n);
    evlist_add(&c->want, f.opcode == 9 ? TG_WS_EV_PING : TG_WS_EV_PONG, 0, p, n);
}

/* One random message in 1-4 fragments with control frames between them. */
static void random_message(struct ws_case *c)
{
    bool text = rng_next() % 2;
    struct bytes msg = { 0 };
    size_t target = rng_next() % 3 == 0 ? rng_next() % 70000 : rng_next() % 300;
    while (msg.len < target) {
        if (text) {
            random_char(&msg);
        } else {
            bytes_byte(&msg, (unsigned)rng_next());
        }
    }
    size_t nfrag = 1 + rng_next() % 4;
    size_t at = 0;
    for (size_t i = 0; i < nfrag; i++) {
        size_t end = i + 1 == nfrag ? msg.len : at + rng_next() % (msg.len - at + 1);
        struct ref_frame f = { .fin = i + 1 == nfrag,
                               .opcode = i == 0 ? (text ? 1u : 2u) : 0u,
                               .masked = c->from_client };
        random_key(&f);
        ref_encode(&c->in, &f, msg.p + at, end - at);
        at = end;
        if (f.fin) {
            evlist_add(&c->want, text ? TG_WS_EV_TEXT : TG_WS_EV_BINARY, 0, msg.p, msg.len);
        }
        if (rng_next() % 3 == 0) {
            random_control(c);
        }
    }
    free(msg.p);
}

static void test_tg_ws_msg_feed_random_model(void **state)
{
    (void)state;
    rng_seed(7);
    for (int session = 0; session < 150; session++) {
        struct ws_case c = { .from_client = rng_next() % 2, .max = 1 << 20 };
        (void)snprintf(c.name, sizeof(c.name), "random session %d", session);
        int nmsg = 1 + (int)(rng_next() % 12);
        for (int i = 0; i < nmsg; i++) {
            random_message(&c);
        }
        if (rng_next() % 2) {
            static const unsigned char close[] = { 0x0f, 0xa0, 'b', 'y', 'e' }; /* 4000 */
            struct ref_frame f = { .fin = true, .opcode = 8, .masked = c.from_client };
            random_key(&f);
            ref_encode(&c.in, &f, close, sizeof(close));
            evlist_add(&c.want, TG_WS_EV_CLOSE, 4000, "bye", 3);
        }
        size_t *cuts = malloc((c.in.len + 1) * sizeof(*cuts));
        assert_non_null(cuts);
        size_t n = 0;
        for (size_t at = 1 + rng_next() % 20; at < c.in.len; at += 1 + rng_next() % 4000) {
            cuts[n++] = at;
        }
        run_cuts(&c, cuts, n, false);
        run_cuts(&c, NULL, 0, true);
        free(cuts);
        free(c.in.p);
        evlist_free(&c.want);
    }
}

/* ---- plain tests --------------------------------------------------------- */

static void test_tg_ws_msg_feed_error_is_sticky(void **state)
{
    (void)state;
    struct tg_ws_msg m;
    tg_ws_msg_init(&m, false, 100);
    struct tg_ws_event ev;
    assert_int_equal(tg_ws_msg_feed(&m, "\x83\x00", 2, &ev), TG_EPROTO);
    assert_int_equal(m.close_code, TG_WS_CLOSE_PROTOCOL);
    assert_int_equal(tg_ws_msg_feed(&m,
                                    "\x81\x01"
                                    "a",
                                    3, &ev),
                     TG_EPROTO);
    tg_ws_msg_init(&m, false, 4);
    assert_int_equal(tg_ws_msg_feed(&m, "\x82\x05", 2, &ev), TG_E2BIG);
    assert_int_equal(m.close_code, TG_WS_CLOSE_TOO_BIG);
    assert_int_equal(tg_ws_msg_feed(&m,
                                    "\x81\x01"
                                    "a",
                                    3, &ev),
                     TG_E2BIG);
}

static void test_tg_ws_msg_feed_stops_after_event(void **state)
{
    (void)state;
    struct tg_ws_msg m;
    char buf[16];
    tg_ws_msg_init(&m, false, sizeof(buf));
    m.buf = buf;
    m.cap = sizeof(buf);
    const char in[] = "\x81\x02hi\x89\x00\x82\x01z";
    struct tg_ws_event ev;
    assert_int_equal(tg_ws_msg_feed(&m, in, sizeof(in) - 1, &ev), 4);
    assert_int_equal(ev.type, TG_WS_EV_TEXT);
    assert_int_equal(ev.data.len, 2);
    assert_memory_equal(ev.data.ptr, "hi", 2);
    assert_int_equal(tg_ws_msg_feed(&m, in + 4, sizeof(in) - 5, &ev), 2);
    assert_int_equal(ev.type, TG_WS_EV_PING);
    assert_int_equal(ev.data.len, 0);
    assert_int_equal(tg_ws_msg_feed(&m, in + 6, sizeof(in) - 7, &ev), 3);
    assert_int_equal(ev.type, TG_WS_EV_BINARY);
    assert_int_equal(tg_ws_msg_feed(&m, in + 9, 0, &ev), 0);
    assert_int_equal(ev.type, TG_WS_EV_NONE);
}

static void test_tg_ws_msg_feed_need_room_whole_frame(void **state)
{
    (void)state;
    struct tg_ws_msg m;
    char buf[64];
    tg_ws_msg_init(&m, false, sizeof(buf));
    struct tg_ws_event ev;
    /* A first fragment of 5: the header is consumed, then room for 5 is asked. */
    const char in[] = "\x01\x05"
                      "abcde"
                      "\x80\x0a"
                      "0123456789";
    assert_int_equal(tg_ws_msg_feed(&m, in, sizeof(in) - 1, &ev), 2);
    assert_int_equal(ev.type, TG_WS_EV_NEED_ROOM);
    assert_int_equal(ev.need, 5);
    assert_true(tg_ws_msg_busy(&m));
    m.buf = buf;
    m.cap = 5;
    assert_int_equal(tg_ws_msg_feed(&m, in + 2, sizeof(in) - 3, &ev), 7);
    assert_int_equal(ev.type, TG_WS_EV_NEED_ROOM);
    assert_int_equal(ev.need, 15); /* the 5 kept plus the whole next frame */
    m.cap = sizeof(buf);
    assert_int_equal(tg_ws_msg_feed(&m, in + 9, sizeof(in) - 10, &ev), 10);
    assert_int_equal(ev.type, TG_WS_EV_TEXT);
    assert_int_equal(ev.data.len, 15);
    assert_memory_equal(ev.data.ptr, "abcde0123456789", 15);
    assert_false(tg_ws_msg_busy(&m));
}

static void test_tg_ws_msg_feed_empty_without_buffer(void **state)
{
    (void)state;
    struct tg_ws_msg m;
    tg_ws_msg_init(&m, true, 10);
    struct tg_ws_event ev;
    /* An empty masked text message needs no buffer at all. */
    assert_int_equal(tg_ws_msg_feed(&m,
                                    "\x81\x80"
                                    "abcd",
                                    6, &ev),
                     6);
    assert_int_equal(ev.type, TG_WS_EV_TEXT);
    assert_int_equal(ev.data.len, 0);
    assert_non_null(ev.data.ptr);
}

/* ---- main ---------------------------------------------------------------- */

static char g_data_dir[4096];

static void find_data_dir(void)
{
    const char *env = getenv("TG_DATA_DIR");
    if (env != NULL && *env != '\0') {
        (void)snprintf(g_data_dir, sizeof(g_data_dir), "%s/ws", env);
        return;
    }
    const char *slash = strrchr(__FILE__, '/');
    int dir_len = slash ? (int)(slash - __FILE__) : 1;
    (void)snprintf(g_data_dir, sizeof(g_data_dir), "%.*s/../../data/ws", dir_len,
                   slash ? __FILE__ : ".");
    DIR *d = opendir(g_data_dir);
    if (d != NULL) {
        closedir(d);
        return;
    }
    (void)snprintf(g_data_dir, sizeof(g_data_dir), "tests/data/ws");
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(((const struct ws_case *)a)->name, ((const struct ws_case *)b)->name);
}

/* Loads every NAME.ws; returns the number of cases (-1 when the directory is missing). */
static int load_cases(struct ws_case **out, size_t *max_len)
{
    DIR *d = opendir(g_data_dir);
    if (d == NULL) {
        (void)fprintf(stderr, "test_ws_msg: cannot open %s (set TG_DATA_DIR)\n", g_data_dir);
        return -1;
    }
    struct ws_case *cases = NULL;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 4 || strcmp(e->d_name + len - 3, ".ws") != 0) {
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
        struct ws_case *c = &cases[n++];
        *c = (struct ws_case){ 0 };
        (void)snprintf(c->name, sizeof(c->name), "ws_case_%.*s", (int)(len - 3), e->d_name);
        load_case(c, f);
        fclose(f);
        *max_len = TG_MAX(*max_len, c->in.len);
    }
    closedir(d);
    qsort(cases, (size_t)n, sizeof(*cases), cmp_names);
    *out = cases;
    return n;
}

int main(void)
{
    find_data_dir();
    struct ws_case *cases = NULL;
    size_t max_len = 0;
    int n = load_cases(&cases, &max_len);
    if (guard_init(TG_MAX(max_len, (size_t)4 << 20)) != 0) {
        (void)fprintf(stderr, "test_ws_msg: cannot map the guard page\n");
        return 1;
    }
    const struct CMUnitTest unit[] = {
        cmocka_unit_test(test_tg_ws_msg_feed_error_is_sticky),
        cmocka_unit_test(test_tg_ws_msg_feed_stops_after_event),
        cmocka_unit_test(test_tg_ws_msg_feed_need_room_whole_frame),
        cmocka_unit_test(test_tg_ws_msg_feed_empty_without_buffer),
        cmocka_unit_test(test_tg_ws_msg_feed_random_model),
    };
    int failed = cmocka_run_group_tests_name("ws_msg", unit, NULL, NULL);
    if (n <= 0) {
        (void)fprintf(stderr, "test_ws_msg: no cases in %s\n", g_data_dir);
        return 1;
    }
    struct CMUnitTest *data = calloc((size_t)n, sizeof(*data));
    if (data == NULL) {
        return 1;
    }
    for (int i = 0; i < n; i++) {
        data[i] = (struct CMUnitTest){ cases[i].name, test_ws_case, NULL, NULL, &cases[i] };
    }
    failed += _cmocka_run_group_tests("ws_cases", data, (size_t)n, NULL, NULL);
    for (int i = 0; i < n; i++) {
        free(cases[i].in.p);
        evlist_free(&cases[i].want);
    }
    free(data);
    free(cases);
    guard_fini();
    return failed != 0;
}

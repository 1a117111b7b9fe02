/*
 * test_fifo — the bounded record queue against a naive model (an array of
 * copied records and a byte count): random pushes and pops of random sizes
 * give the same records in the same order; a push is refused exactly when
 * the bytes waiting plus the record would pass max; into an empty queue
 * every record up to max - overhead fits; the buffer never passes max;
 * trim gives an empty queue's buffer back; popped views survive until the
 * next push.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/fifo.h"
#include "unit/prng.h"

#include <stdlib.h>
#include <string.h>

static const int64_t zero[TG_FIFO_AUX] = { 0, 0 };
static const int64_t aux[TG_FIFO_AUX] = { -3, 5 };

struct model_rec {
    uint8_t kind;
    int64_t aux[TG_FIFO_AUX];
    size_t len[TG_FIFO_PARTS];
    char *p[TG_FIFO_PARTS];
};

static size_t rec_bytes(const struct model_rec *r)
{
    return TG_FIFO_REC_OVERHEAD + r->len[0] + r->len[1] + r->len[2];
}

static void fill(char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        p[i] = (char)rng_next();
    }
}

static void test_fifo_model(void **state)
{
    (void)state;
    rng_seed(11);
    const size_t max = 4096;
    struct tg_fifo q;
    tg_fifo_init(&q, max);
    struct model_rec *m = calloc(10000, sizeof(*m));
    assert_non_null(m);
    size_t m_head = 0;
    size_t m_tail = 0;
    size_t m_bytes = 0;
    for (int step = 0; step < 200000; step++) {
        if (rng_next() % 2 == 0 && m_tail < 10000) {
            struct model_rec r = {
                (uint8_t)rng_next(), { (int64_t)rng_next(), -(int64_t)step }, { 0 }, { 0 }
            };
            size_t parts = 1 + rng_next() % TG_FIFO_PARTS;
            struct tg_span sp[TG_FIFO_PARTS];
            for (size_t i = 0; i < parts; i++) {
                r.len[i] = rng_next() % 4 == 0 ? rng_next() % 2000 : rng_next() % 40;
                r.p[i] = malloc(r.len[i] + 1);
                fill(r.p[i], r.len[i]);
                sp[i] = (struct tg_span){ r.p[i], r.len[i] };
            }
            int rc = tg_fifo_push(&q, r.kind, r.aux, sp, parts);
            bool fits = m_bytes + rec_bytes(&r) <= max;
            assert_int_equal(rc, fits ? 0 : TG_E2BIG);
            if (fits) {
                m[m_tail++] = r;
                m_bytes += rec_bytes(&r);
            } else {
                for (size_t i = 0; i < parts; i++) {
                    free(r.p[i]);
                }
            }
        } else {
            struct tg_fifo_rec got;
            bool ok = tg_fifo_pop(&q, &got);
            assert_int_equal(ok, m_head < m_tail);
            if (!ok) {
                continue;
            }
            struct model_rec *w = &m[m_head++];
            assert_int_equal(got.kind, w->kind);
            assert_true(got.aux[0] == w->aux[0] && got.aux[1] == w->aux[1]);
            for (size_t i = 0; i < TG_FIFO_PARTS; i++) {
                assert_int_equal(got.part[i].len, w->len[i]);
                if (w->len[i]) {
                    assert_memory_equal(got.part[i].ptr, w->p[i], w->len[i]);
                }
                free(w->p[i]);
            }
            m_bytes -= rec_bytes(w);
        }
        assert_true(q.cap <= max);
        assert_int_equal(q.n, m_tail - m_head);
        if (m_tail == 10000 && m_head == m_tail) {
            m_head = m_tail = 0;
        }
    }
    for (size_t i = m_head; i < m_tail; i++) {
        for (size_t k = 0; k < TG_FIFO_PARTS; k++) {
            free(m[i].p[k]);
        }
    }
    free(m);
    tg_fifo_fini(&q);
}

static void test_fifo_push_whole_max_when_empty(void **state)
{
    (void)state;
    struct tg_fifo q;
    tg_fifo_init(&q, 1000);
    char big[1000];
    memset(big, 'x', sizeof(big));
    struct tg_span one = { big, 1000 - TG_FIFO_REC_OVERHEAD };
    assert_int_equal(tg_fifo_push(&q, 1, zero, &one, 1), 0);
    struct tg_span small = { "a", 1 };
    assert_int_equal(tg_fifo_push(&q, 1, zero, &small, 1), TG_E2BIG);
    struct tg_fifo_rec r;
    assert_true(tg_fifo_pop(&q, &r));
    assert_int_equal(r.part[0].len, one.len);
    assert_int_equal(tg_fifo_push(&q, 1, zero, &small, 1), 0);
    one.len++;
    assert_true(tg_fifo_pop(&q, &r));
    assert_int_equal(tg_fifo_push(&q, 1, zero, &one, 1), TG_E2BIG); /* larger than max: never */
    tg_fifo_fini(&q);
}

static void test_fifo_pop_view_survives_until_push(void **state)
{
    (void)state;
    struct tg_fifo q;
    tg_fifo_init(&q, 1 << 16);
    struct tg_span parts[3] = { { "id-1", 4 }, { "tick", 4 }, { "payload", 7 } };
    assert_int_equal(tg_fifo_push(&q, 7, aux, parts, 3), 0);
    struct tg_fifo_rec r;
    assert_true(tg_fifo_pop(&q, &r));
    struct tg_fifo_rec none;
    assert_false(tg_fifo_pop(&q, &none)); /* empty now; the views of r stay */
    assert_int_equal(r.kind, 7);
    assert_true(r.aux[0] == -3 && r.aux[1] == 5);
    assert_memory_equal(r.part[0].ptr, "id-1", 4);
    assert_memory_equal(r.part[1].ptr, "tick", 4);
    assert_memory_equal(r.part[2].ptr, "payload", 7);
    tg_fifo_trim(&q, 0);
    assert_null(q.buf);
    assert_int_equal(q.cap, 0);
    assert_int_equal(tg_fifo_push(&q, 1, zero, parts, 1), 0); /* usable after trim */
    tg_fifo_trim(&q, 0);
    assert_non_null(q.buf); /* not empty: kept */
    tg_fifo_fini(&q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fifo_model),
        cmocka_unit_test(test_fifo_push_whole_max_when_empty),
        cmocka_unit_test(test_fifo_pop_view_survives_until_push),
    };
    return cmocka_run_group_tests_name("fifo", tests, NULL, NULL);
}

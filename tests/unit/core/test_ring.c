/*
 * test_ring — the SPSC pointer ring: FIFO order, the capacity bound, the
 * empty case, index wrap-around, and a real producer/consumer pair of
 * threads passing 1,000,000 sequence numbers with the consumer checking that
 * every one arrives exactly once and in order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/ring.h"
#include "tg.h"

#include <pthread.h>
#include <sched.h>

/* Sequence numbers travel as pointers; 0 is never sent so NULL stays "empty". */
static void *seq_ptr(uintptr_t k)
{
    return (void *)(k + 1);
}

static uintptr_t ptr_seq(void *p)
{
    return (uintptr_t)p - 1;
}

static void test_ring_init_empty(void **state)
{
    (void)state;
    struct tg_ring r;
    tg_ring_init(&r);
    assert_null(tg_ring_pop(&r));
    assert_null(tg_ring_pop(&r)); /* popping empty has no side effect */
    assert_true(tg_ring_push(&r, seq_ptr(0)));
    assert_ptr_equal(tg_ring_pop(&r), seq_ptr(0));
    assert_null(tg_ring_pop(&r));
}

static void test_ring_push_pop_order(void **state)
{
    (void)state;
    struct tg_ring r;
    tg_ring_init(&r);
    for (uintptr_t k = 0; k < 10; k++) {
        assert_true(tg_ring_push(&r, seq_ptr(k)));
    }
    for (uintptr_t k = 0; k < 10; k++) {
        void *p = tg_ring_pop(&r);
        assert_non_null(p);
        assert_int_equal(ptr_seq(p), k);
    }
    assert_null(tg_ring_pop(&r));
}

static void test_ring_push_full_at_cap(void **state)
{
    (void)state;
    struct tg_ring r;
    tg_ring_init(&r);
    for (uintptr_t k = 0; k < TG_RING_CAP; k++) {
        assert_true(tg_ring_push(&r, seq_ptr(k)));
    }
    /* Full: the push fails and does not overwrite the oldest slot. */
    assert_false(tg_ring_push(&r, seq_ptr(999)));
    assert_false(tg_ring_push(&r, seq_ptr(998)));
    assert_int_equal(ptr_seq(tg_ring_pop(&r)), 0);
    /* One slot free again: exactly one push fits. */
    assert_true(tg_ring_push(&r, seq_ptr(TG_RING_CAP)));
    assert_false(tg_ring_push(&r, seq_ptr(999)));
    for (uintptr_t k = 1; k <= TG_RING_CAP; k++) {
        void *p = tg_ring_pop(&r);
        assert_non_null(p);
        assert_int_equal(ptr_seq(p), k);
    }
    assert_null(tg_ring_pop(&r));
}

/* Many laps around the slot array with a varying fill level. */
static void test_ring_push_wraps_around(void **state)
{
    (void)state;
    struct tg_ring r;
    tg_ring_init(&r);
    uintptr_t next_in = 0;
    uintptr_t next_out = 0;
    for (int lap = 0; lap < 1000; lap++) {
        size_t burst = (size_t)(lap * 7 % (TG_RING_CAP / 2)) + 1;
        for (size_t i = 0; i < burst; i++) {
            assert_true(tg_ring_push(&r, seq_ptr(next_in++)));
        }
        size_t drain = (size_t)(lap * 5 % (int)burst) + 1;
        for (size_t i = 0; i < drain; i++) {
            void *p = tg_ring_pop(&r);
            assert_non_null(p);
            assert_int_equal(ptr_seq(p), next_out++);
        }
        /* Keep the fill level below capacity so the next burst fits. */
        while (next_in - next_out > TG_RING_CAP / 2) {
            assert_int_equal(ptr_seq(tg_ring_pop(&r)), next_out++);
        }
    }
    void *p;
    while ((p = tg_ring_pop(&r)) != NULL) {
        assert_int_equal(ptr_seq(p), next_out++);
    }
    assert_int_equal(next_out, next_in);
    assert_true(next_in > 100 * TG_RING_CAP);
}

#define SPSC_COUNT 1000000u

struct spsc_run {
    struct tg_ring ring;
    uintptr_t received;
    uintptr_t first_bad; /* UINTPTR_MAX when every value arrived in order */
    uintptr_t bad_value;
    uint64_t full_spins;
    uint64_t empty_spins;
};

static void *producer(void *arg)
{
    struct spsc_run *run = arg;
    for (uintptr_t k = 0; k < SPSC_COUNT; k++) {
        while (!tg_ring_push(&run->ring, seq_ptr(k))) {
            run->full_spins++;
            sched_yield();
        }
    }
    return NULL;
}

static void *consumer(void *arg)
{
    struct spsc_run *run = arg;
    while (run->received < SPSC_COUNT) {
        void *p = tg_ring_pop(&run->ring);
        if (!p) {
            run->empty_spins++;
            sched_yield();
            continue;
        }
        uintptr_t k = ptr_seq(p);
        if (k != run->received && run->first_bad == UINTPTR_MAX) {
            run->first_bad = run->received;
            run->bad_value = k;
        }
        run->received++;
    }
    return NULL;
}

static void test_ring_two_threads_in_order(void **state)
{
    (void)state;
    static struct spsc_run run; /* ~200 bytes of aligned ring: keep it off the stack */
    tg_ring_init(&run.ring);
    run.received = 0;
    run.first_bad = UINTPTR_MAX;
    run.full_spins = 0;
    run.empty_spins = 0;

    pthread_t prod;
    pthread_t cons;
    assert_int_equal(pthread_create(&cons, NULL, consumer, &run), 0);
    assert_int_equal(pthread_create(&prod, NULL, producer, &run), 0);
    assert_int_equal(pthread_join(prod, NULL), 0);
    assert_int_equal(pthread_join(cons, NULL), 0);

    if (run.first_bad != UINTPTR_MAX) {
        print_error("item %lu arrived as %lu\n", (unsigned long)run.first_bad,
                    (unsigned long)run.bad_value);
    }
    assert_int_equal(run.first_bad, UINTPTR_MAX);
    assert_int_equal(run.received, SPSC_COUNT);
    assert_null(tg_ring_pop(&run.ring)); /* nothing extra was delivered */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ring_init_empty),
        cmocka_unit_test(test_ring_push_pop_order),
        cmocka_unit_test(test_ring_push_full_at_cap),
        cmocka_unit_test(test_ring_push_wraps_around),
        cmocka_unit_test(test_ring_two_threads_in_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

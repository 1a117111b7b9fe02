/*
 * test_bank — a worker's per-tick metric deltas: sync gives one sink of the
 * right kind per registry series and keeps existing sinks' data while it
 * grows; declare copies (owns) the descriptions of new series; reset empties
 * sinks and drops declarations but keeps memory, so a steady-state tick
 * allocates nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/alloc.h"
#include "metrics/bank.h"
#include "metrics/hist.h"
#include "metrics/registry.h"
#include "tg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fixture {
    struct tg_registry reg;
    struct tg_bank bank;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    if (!f || tg_registry_init(&f->reg, 0) != 0) {
        free(f);
        return -1;
    }
    tg_bank_init(&f->bank, 3);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    tg_bank_fini(&f->bank);
    tg_registry_fini(&f->reg);
    free(f);
    return 0;
}

/* Adds series (metric m, tag "i"=i) to the registry; returns its id. */
static uint32_t add_series(struct tg_registry *r, uint32_t m, int i)
{
    char key[32];
    snprintf(key, sizeof(key), "i\x1f%d", i);
    int ts = tg_registry_tagset(r, key);
    assert_true(ts >= 0);
    bool created;
    int s = tg_registry_series(r, m, (uint32_t)ts, &created);
    assert_true(s >= 0);
    assert_true(created);
    return (uint32_t)s;
}

static const uint32_t METRICS[] = { TG_M_HTTP_REQS, TG_M_VUS, TG_M_HTTP_REQ_FAILED,
                                    TG_M_HTTP_REQ_DURATION };

static void test_bank_init_empty(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(f->bank.worker, 3);
    assert_int_equal(f->bank.n, 0);
    assert_int_equal(f->bank.n_decls, 0);
    assert_false(f->bank.final);
    /* Syncing with an empty registry is a no-op. */
    assert_int_equal(tg_bank_sync(&f->bank, &f->reg), 0);
    assert_int_equal(f->bank.n, 0);
    assert_int_equal(tg_bank_declare(&f->bank, &f->reg, 0), 0);
    assert_int_equal(f->bank.n_decls, 0);
}

static void test_bank_sync_kinds(void **state)
{
    struct fixture *f = *state;
    for (int i = 0; i < 8; i++) {
        add_series(&f->reg, METRICS[i % 4], i);
    }
    assert_int_equal(tg_bank_sync(&f->bank, &f->reg), 0);
    assert_int_equal(f->bank.n, 8);
    for (uint32_t s = 0; s < 8; s++) {
        struct tg_sink *sink = tg_bank_sink(&f->bank, s);
        assert_ptr_equal(sink, &f->bank.sinks[s]);
        assert_int_equal(sink->kind, f->reg.metrics[f->reg.series[s].metric].kind);
        assert_int_equal(sink->n, 0);
    }
    /* Syncing again changes nothing. */
    assert_int_equal(tg_bank_sync(&f->bank, &f->reg), 0);
    assert_int_equal(f->bank.n, 8);
}

/* Growing past the initial capacity keeps every recorded value. */
static void test_bank_sync_grow_keeps_data(void **state)
{
    struct fixture *f = *state;
    int next = 0;
    for (; next < 4; next++) {
        add_series(&f->reg, METRICS[next % 4], next);
    }
    assert_int_equal(tg_bank_sync(&f->bank, &f->reg), 0);
    tg_sink_add_counter(tg_bank_sink(&f->bank, 0), 17);
    tg_sink_add_gauge(tg_bank_sink(&f->bank, 1), 4, 99);
    tg_sink_add_rate(tg_bank_sink(&f->bank, 2), true);
    tg_sink_add_trend_ns(tg_bank_sink(&f->bank, 3), 777777);
    for (int round = 0; round < 5; round++) {
        int upto = next + 150;
        for (; next < upto; next++) {
            add_series(&f->reg, METRICS[next % 4], next);
        }
        assert_int_equal(tg_bank_sync(&f->bank, &f->reg), 0);
        assert_int_equal(f->bank.n, f->reg.n_series);
        assert_true(f->bank.cap >= f->bank.n);
        assert_true(f->bank.sinks[0].u.sum == 17);
        assert_true(f->bank.sinks[1].u.gauge.last == 4);
        assert_int_equal(f->bank.sinks[2].u.rate.nonzero, 1);
        assert_int_equal(tg_hist_min(&f->bank.sinks[3].u.hist), 777777);
        assert_int_equal(tg_hist_count(&f->bank.sinks[3].u.hist), 1);
        /* New sinks start empty and of the right kind. */
        for (size_t s = 4; s < f->bank.n; s++) {
            assert_int_equal(f->bank.sinks[s].n, 0);
            assert_int_equal(f->bank.sinks[s].kind, f->reg.metrics[f->reg.series[s].metric].kind);
        }
    }
    /* The trend sink, moved by realloc, still records into its pages. */
    tg_sink_add_trend_ns(tg_bank_sink(&f->bank, 3), 777778);
    assert_int_equal(tg_hist_count(&f->bank.sinks[3].u.hist), 2);
}

static void test_bank_declare_copies(void **state)
{
    struct fixture *f = *state;
    int custom = tg_registry_metric(&f->reg, "my_trend", TG_KIND_TREND, TG_CONTAINS_TIME);
    assert_true(custom >= 0);
    add_series(&f->reg, TG_M_HTTP_REQS, 0);
    add_series(&f->reg, (uint32_t)custom, 1);
    add_series(&f->reg, TG_M_VUS, 2);
    assert_int_equal(tg_bank_declare(&f->bank, &f->reg, 0), 0);
    assert_int_equal(f->bank.n_decls, 3);
    static const char *const names[] = { "http_reqs", "my_trend", "vus" };
    for (uint32_t i = 0; i < 3; i++) {
        const struct tg_bank_decl *d = &f->bank.decls[i];
        assert_int_equal(d->series, i);
        assert_string_equal(d->def.name, names[i]);
        const struct tg_metric_def *m = &f->reg.metrics[f->reg.series[i].metric];
        assert_int_equal(d->def.kind, m->kind);
        assert_int_equal(d->def.contains, m->contains);
        char want[16];
        snprintf(want, sizeof(want), "i\x1f%u", i);
        assert_string_equal(d->tagset, want);
        /* Owned copies, not pointers into the registry. */
        assert_ptr_not_equal(d->def.name, m->name);
        assert_ptr_not_equal(d->tagset, f->reg.tagsets[f->reg.series[i].tagset]);
    }
    /* They outlive the registry. */
    tg_registry_fini(&f->reg);
    assert_string_equal(f->bank.decls[1].def.name, "my_trend");
    assert_string_equal(f->bank.decls[2].tagset, "i\x1f"
                                                 "2");
    assert_int_equal(tg_registry_init(&f->reg, 0), 0); /* for teardown */
}

static void test_bank_declare_from(void **state)
{
    struct fixture *f = *state;
    for (int i = 0; i < 5; i++) {
        add_series(&f->reg, TG_M_HTTP_REQS, i);
    }
    assert_int_equal(tg_bank_declare(&f->bank, &f->reg, 3), 0);
    assert_int_equal(f->bank.n_decls, 2);
    assert_int_equal(f->bank.decls[0].series, 3);
    assert_int_equal(f->bank.decls[1].series, 4);
    /* from == n_series declares nothing; declarations accumulate across calls. */
    assert_int_equal(tg_bank_declare(&f->bank, &f->reg, 5), 0);
    assert_int_equal(f->bank.n_decls, 2);
    for (int i = 5; i < 45; i++) {
        add_series(&f->reg, TG_M_HTTP_REQS, i);
    }
    assert_int_equal(tg_bank_declare(&f->bank, &f->reg, 5), 0);
    assert_int_equal(f->bank.n_decls, 42);
    for (size_t i = 2; i < 42; i++) {
        assert_int_equal(f->bank.decls[i].series, i + 3);
    }
}

static void test_bank_reset_empties(void **state)
{
    struct fixture *f = *state;
    for (int i = 0; i < 8; i++) {
        add_series(&f->reg, METRICS[i % 4], i);
    }
    assert_int_equal(tg_bank_sync(&f->bank, &f->reg), 0);
    assert_int_equal(tg_bank_declare(&f->bank, &f->reg, 0), 0);
    for (uint32_t s = 0; s < 8; s++) {
        struct tg_sink *k = tg_bank_sink(&f->bank, s);
        switch (k->kind) {
        case TG_KIND_COUNTER:
            tg_sink_add_counter(k, 5);
            break;
        case TG_KIND_GAUGE:
            tg_sink_add_gauge(k, 5, 5);
            break;
        case TG_KIND_RATE:
            tg_sink_add_rate(k, true);
            break;
        case TG_KIND_TREND:
            tg_sink_add_trend_ns(k, 5000000);
            break;
        }
    }
    f->bank.final = true;
    f->bank.t_from = 10;
    f->bank.t_to = 20;
    size_t cap = f->bank.cap;
    tg_bank_reset(&f->bank);
    assert_int_equal(f->bank.n, 8); /* sinks kept */
    assert_int_equal(f->bank.cap, cap);
    assert_int_equal(f->bank.n_decls, 0);
    assert_false(f->bank.final);
    assert_int_equal(f->bank.worker, 3);
    for (uint32_t s = 0; s < 8; s++) {
        const struct tg_sink *k = &f->bank.sinks[s];
        assert_int_equal(k->n, 0);
        if (k->kind == TG_KIND_TREND) {
            assert_int_equal(tg_hist_count(&k->u.hist), 0);
        } else if (k->kind == TG_KIND_COUNTER) {
            assert_true(k->u.sum == 0);
        } else if (k->kind == TG_KIND_RATE) {
            assert_int_equal(k->u.rate.nonzero, 0);
        }
    }
}

static void record_all(struct tg_bank *b, int64_t v)
{
    for (uint32_t s = 0; s < b->n; s++) {
        struct tg_sink *k = tg_bank_sink(b, s);
        switch (k->kind) {
        case TG_KIND_COUNTER:
            tg_sink_add_counter(k, (double)v);
            break;
        case TG_KIND_GAUGE:
            tg_sink_add_gauge(k, (double)v, v);
            break;
        case TG_KIND_RATE:
            tg_sink_add_rate(k, v & 1);
            break;
        case TG_KIND_TREND:
            tg_sink_add_trend_ns(k, v);
            break;
        }
    }
}

/* Steady-state ticks (record, reset, sync) allocate nothing once the pages are warm. */
static void test_bank_reset_no_alloc_steady_state(void **state)
{
    struct fixture *f = *state;
    for (int i = 0; i < 8; i++) {
        add_series(&f->reg, METRICS[i % 4], i);
    }
    assert_int_equal(tg_bank_sync(&f->bank, &f->reg), 0);
    record_all(&f->bank, 5000000); /* warm-up tick touches the trend pages */
    tg_bank_reset(&f->bank);
    uint64_t before = tg_alloc_count();
    for (int tick = 1; tick <= 3; tick++) {
        record_all(&f->bank, 5000000 + tick);
        assert_int_equal(f->bank.sinks[3].n, 1);
        tg_bank_reset(&f->bank);
        assert_int_equal(tg_bank_sync(&f->bank, &f->reg), 0);
    }
    assert_int_equal(tg_alloc_count(), before);
}

static void test_bank_sync_enomem(void **state)
{
    struct fixture *f = *state;
    for (int i = 0; i < 100; i++) {
        add_series(&f->reg, METRICS[i % 4], i);
    }
    tg_alloc_fail_after(1);
    int rc = tg_bank_sync(&f->bank, &f->reg);
    tg_alloc_fail_after(0);
    assert_int_equal(rc, TG_ENOMEM);
    assert_int_equal(f->bank.n, 0);
    /* It recovers on the next try. */
    assert_int_equal(tg_bank_sync(&f->bank, &f->reg), 0);
    assert_int_equal(f->bank.n, 100);
}

static void test_bank_declare_enomem(void **state)
{
    struct fixture *f = *state;
    for (int i = 0; i < 3; i++) {
        add_series(&f->reg, TG_M_HTTP_REQS, i);
    }
    /* Fail the second string copy: the first declaration stays, nothing leaks. */
    tg_alloc_fail_after(4);
    int rc = tg_bank_declare(&f->bank, &f->reg, 0);
    tg_alloc_fail_after(0);
    assert_int_equal(rc, TG_ENOMEM);
    assert_true(f->bank.n_decls < 3);
    for (size_t i = 0; i < f->bank.n_decls; i++) {
        assert_string_equal(f->bank.decls[i].def.name, "http_reqs");
        assert_non_null(f->bank.decls[i].tagset);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_bank_init_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bank_sync_kinds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bank_sync_grow_keeps_data, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bank_declare_copies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bank_declare_from, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bank_reset_empties, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bank_reset_no_alloc_steady_state, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bank_sync_enomem, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bank_declare_enomem, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

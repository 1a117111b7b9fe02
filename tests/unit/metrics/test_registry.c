/*
 * test_registry — metric, tag-set and series interning. Built-ins sit at
 * their enum ids; custom metrics are registered once per name and kind;
 * tag sets and series are interned against a naive reference (a linear
 * table of what was interned, in order) across enough entries to force the
 * hash maps and arrays to grow many times; and the per-metric series cap
 * folds new tag sets into one overflow series.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/alloc.h"
#include "metrics/metric.h"
#include "metrics/registry.h"
#include "metrics/tags.h"
#include "tg.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OVERFLOW_KEY "overflow\x1ftrue"

static int setup(void **state)
{
    struct tg_registry *r = malloc(sizeof(*r));
    if (!r || tg_registry_init(r, 0) != 0) {
        free(r);
        return -1;
    }
    *state = r;
    return 0;
}

static int teardown(void **state)
{
    struct tg_registry *r = *state;
    tg_registry_fini(r);
    free(r);
    return 0;
}

static void test_registry_init_builtins(void **state)
{
    struct tg_registry *r = *state;
    assert_int_equal(r->n_metrics, TG_M_BUILTIN_COUNT);
    assert_int_equal(r->n_tagsets, 0);
    assert_int_equal(r->n_series, 0);
    assert_false(r->overflowed);
    assert_int_equal(r->max_series_per_metric, 1000); /* 0 means the default */
    for (int i = 0; i < TG_M_BUILTIN_COUNT; i++) {
        const struct tg_metric_def *b = &tg_metric_builtins[i];
        assert_int_equal(tg_registry_find_metric(r, b->name), i);
        assert_string_equal(r->metrics[i].name, b->name);
        assert_int_equal(r->metrics[i].kind, b->kind);
        assert_int_equal(r->metrics[i].contains, b->contains);
        /* Registering a built-in again with its own type returns its enum id. */
        assert_int_equal(tg_registry_metric(r, b->name, b->kind, b->contains), i);
    }
    assert_int_equal(tg_registry_find_metric(r, "http_req_duration"), TG_M_HTTP_REQ_DURATION);
    assert_int_equal(tg_registry_find_metric(r, "vus_max"), TG_M_VUS_MAX);
    assert_int_equal(r->n_metrics, TG_M_BUILTIN_COUNT);
}

static void test_registry_metric_custom(void **state)
{
    struct tg_registry *r = *state;
    int a = tg_registry_metric(r, "my_counter", TG_KIND_COUNTER, TG_CONTAINS_DEFAULT);
    assert_int_equal(a, TG_M_BUILTIN_COUNT);
    int b = tg_registry_metric(r, "my_trend", TG_KIND_TREND, TG_CONTAINS_TIME);
    assert_int_equal(b, TG_M_BUILTIN_COUNT + 1);
    /* Same name, same type: same id, nothing added. */
    assert_int_equal(tg_registry_metric(r, "my_counter", TG_KIND_COUNTER, TG_CONTAINS_DEFAULT), a);
    assert_int_equal(tg_registry_metric(r, "my_trend", TG_KIND_TREND, TG_CONTAINS_TIME), b);
    assert_int_equal(r->n_metrics, TG_M_BUILTIN_COUNT + 2);
    assert_int_equal(tg_registry_find_metric(r, "my_trend"), b);
    assert_int_equal(tg_registry_find_metric(r, "my_gauge"), TG_ENOENT);
    assert_int_equal(tg_registry_find_metric(r, ""), TG_ENOENT);
    /* The name is copied. */
    char name[] = "stack_name";
    int c = tg_registry_metric(r, name, TG_KIND_RATE, TG_CONTAINS_DEFAULT);
    assert_true(c >= 0);
    memcpy(name, "xxxxx", 5);
    assert_string_equal(r->metrics[c].name, "stack_name");
    assert_int_equal(tg_registry_find_metric(r, "stack_name"), c);
}

static void test_registry_metric_kind_conflict(void **state)
{
    struct tg_registry *r = *state;
    int a = tg_registry_metric(r, "my_metric", TG_KIND_COUNTER, TG_CONTAINS_DEFAULT);
    assert_true(a >= 0);
    assert_int_equal(tg_registry_metric(r, "my_metric", TG_KIND_TREND, TG_CONTAINS_DEFAULT),
                     TG_EINVAL);
    assert_int_equal(tg_registry_metric(r, "my_metric", TG_KIND_GAUGE, TG_CONTAINS_DEFAULT),
                     TG_EINVAL);
    assert_int_equal(tg_registry_metric(r, "my_metric", TG_KIND_COUNTER, TG_CONTAINS_DATA),
                     TG_EINVAL);
    /* Built-ins cannot be redefined either. */
    assert_int_equal(tg_registry_metric(r, "http_reqs", TG_KIND_TREND, TG_CONTAINS_DEFAULT),
                     TG_EINVAL);
    assert_int_equal(tg_registry_metric(r, "http_req_duration", TG_KIND_TREND, TG_CONTAINS_DEFAULT),
                     TG_EINVAL);
    /* The failed attempts changed nothing. */
    assert_int_equal(r->metrics[a].kind, TG_KIND_COUNTER);
    assert_int_equal(r->metrics[a].contains, TG_CONTAINS_DEFAULT);
    assert_int_equal(r->n_metrics, TG_M_BUILTIN_COUNT + 1);
}

static void test_registry_metric_invalid_names(void **state)
{
    struct tg_registry *r = *state;
    char long_ok[130];
    memset(long_ok, 'a', 129);
    long_ok[129] = '\0';
    char too_long[131];
    memset(too_long, 'b', 130);
    too_long[130] = '\0';
    const char *const bad[] = {
        "", "a", "1abc", "has-dash", "has space", "dot.ted", "uni\xc3\xa9", "tab\t", too_long,
    };
    for (size_t i = 0; i < TG_ARRAY_LEN(bad); i++) {
        int rc = tg_registry_metric(r, bad[i], TG_KIND_COUNTER, TG_CONTAINS_DEFAULT);
        if (rc != TG_EINVAL) {
            print_error("name \"%s\": %d\n", bad[i], rc);
        }
        assert_int_equal(rc, TG_EINVAL);
    }
    assert_int_equal(r->n_metrics, TG_M_BUILTIN_COUNT);
    const char *const good[] = { "ab", "_x", "A1", "__", "x_9_Y", long_ok };
    for (size_t i = 0; i < TG_ARRAY_LEN(good); i++) {
        int rc = tg_registry_metric(r, good[i], TG_KIND_GAUGE, TG_CONTAINS_DEFAULT);
        assert_int_equal(rc, (int)(TG_M_BUILTIN_COUNT + i));
    }
}

/* Many custom metrics: ids stay dense and stable while the table grows. */
static void test_registry_metric_many(void **state)
{
    struct tg_registry *r = *state;
    char name[32];
    for (int i = 0; i < 500; i++) {
        snprintf(name, sizeof(name), "m_%d", i);
        assert_int_equal(
            tg_registry_metric(r, name, (enum tg_metric_kind)(i % 4), TG_CONTAINS_DEFAULT),
            TG_M_BUILTIN_COUNT + i);
    }
    for (int i = 499; i >= 0; i--) {
        snprintf(name, sizeof(name), "m_%d", i);
        assert_int_equal(tg_registry_find_metric(r, name), TG_M_BUILTIN_COUNT + i);
        assert_int_equal(r->metrics[TG_M_BUILTIN_COUNT + i].kind, (enum tg_metric_kind)(i % 4));
    }
    /* Series on the last metric work (the per-metric counters grew too). */
    int ts = tg_registry_tagset(r, "");
    bool created;
    int s = tg_registry_series(r, TG_M_BUILTIN_COUNT + 499, (uint32_t)ts, &created);
    assert_int_equal(s, 0);
    assert_true(created);
}

static void make_tags(uint32_t i, char store[3][24], struct tg_tag t[3])
{
    snprintf(store[0], 24, "/api/item/%u", i);
    snprintf(store[1], 24, "%u", 200 + i % 7);
    snprintf(store[2], 24, "%s", i % 2 ? "GET" : "POST");
    t[0] = (struct tg_tag){ "name", store[0] };
    t[1] = (struct tg_tag){ "status", store[1] };
    t[2] = (struct tg_tag){ "method", store[2] };
}

/* 10,000 tag sets: dense ids in first-seen order, stable across the maps' growth. */
static void test_registry_tagset_interning_stable(void **state)
{
    struct tg_registry *r = *state;
    enum { N = 10000 };
    for (uint32_t i = 0; i < N; i++) {
        char store[3][24];
        struct tg_tag t[3];
        make_tags(i, store, t);
        assert_int_equal(tg_registry_tagset_of(r, t, 3), (int)i);
        /* Re-interning right away, in another order, finds it. */
        struct tg_tag rev[3] = { t[2], t[0], t[1] };
        assert_int_equal(tg_registry_tagset_of(r, rev, 3), (int)i);
    }
    assert_int_equal(r->n_tagsets, N);
    /* After all the growth every set still maps to its id and stores its canonical key. */
    for (uint32_t i = N; i-- > 0;) {
        char store[3][24];
        struct tg_tag t[3];
        make_tags(i, store, t);
        struct tg_tag perm[3] = { t[1], t[2], t[0] };
        assert_int_equal(tg_registry_tagset_of(r, perm, 3), (int)i);
        char canon[128];
        assert_true(tg_tags_canonical(t, 3, canon, sizeof(canon)) > 0);
        assert_string_equal(r->tagsets[i], canon);
        assert_int_equal(tg_registry_tagset(r, canon), (int)i);
    }
    assert_int_equal(r->n_tagsets, N);
}

static void test_registry_tagset_raw_keys(void **state)
{
    struct tg_registry *r = *state;
    assert_int_equal(tg_registry_tagset(r, ""), 0);
    assert_int_equal(tg_registry_tagset(r, "a\x1f"
                                           "1"),
                     1);
    assert_int_equal(tg_registry_tagset(r, "a\x1f"
                                           "10"),
                     2);
    assert_int_equal(tg_registry_tagset(r, ""), 0);
    assert_int_equal(tg_registry_tagset(r, "a\x1f"
                                           "1"),
                     1);
    /* The key is copied. */
    char key[] = "b\x1f"
                 "2";
    int id = tg_registry_tagset(r, key);
    assert_int_equal(id, 3);
    key[0] = 'c';
    assert_string_equal(r->tagsets[id], "b\x1f"
                                        "2");
    assert_int_equal(tg_registry_tagset(r, "b\x1f"
                                           "2"),
                     3);
    assert_int_equal(tg_registry_tagset(r, key), 4);
}

static void test_registry_tagset_of_errors(void **state)
{
    struct tg_registry *r = *state;
    const struct tg_tag bad[] = { { "k", "v\x1e" } };
    assert_int_equal(tg_registry_tagset_of(r, bad, 1), TG_EINVAL);
    static char keys[TG_TAGS_MAX + 1][8];
    struct tg_tag many[TG_TAGS_MAX + 1];
    for (size_t i = 0; i <= TG_TAGS_MAX; i++) {
        snprintf(keys[i], sizeof(keys[i]), "k%zu", i);
        many[i] = (struct tg_tag){ keys[i], "v" };
    }
    assert_int_equal(tg_registry_tagset_of(r, many, TG_TAGS_MAX + 1), TG_E2BIG);
    assert_int_equal(r->n_tagsets, 0);
    /* Tag sets whose key exceeds the interning buffer are refused, not truncated. */
    static char big[TG_TAGS_MAX][200];
    for (size_t i = 0; i < TG_TAGS_MAX; i++) {
        memset(big[i], 'v', sizeof(big[i]) - 1);
        big[i][sizeof(big[i]) - 1] = '\0';
        many[i].value = big[i];
    }
    assert_int_equal(tg_registry_tagset_of(r, many, TG_TAGS_MAX), TG_E2BIG);
    assert_int_equal(r->n_tagsets, 0);
}

/* Series against a reference table: every (metric, tagset) pair in first-seen order. */
static void test_registry_series_interning(void **state)
{
    struct tg_registry *r = *state;
    enum { NT = 300 };
    int metrics[4] = { TG_M_HTTP_REQS, TG_M_HTTP_REQ_DURATION };
    metrics[2] = tg_registry_metric(r, "custom_a", TG_KIND_RATE, TG_CONTAINS_DEFAULT);
    metrics[3] = tg_registry_metric(r, "custom_b", TG_KIND_GAUGE, TG_CONTAINS_DEFAULT);
    char key[32];
    for (int i = 0; i < NT; i++) {
        snprintf(key, sizeof(key), "t\x1f%d", i);
        assert_int_equal(tg_registry_tagset(r, key), i);
    }
    static struct tg_series_desc ref[4 * NT];
    size_t n_ref = 0;
    uint64_t rng = 12345;
    for (int step = 0; step < 20000; step++) {
        rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
        uint32_t m = (uint32_t)metrics[(rng >> 33) % 4];
        uint32_t t = (uint32_t)((rng >> 40) % NT);
        size_t want = n_ref;
        for (size_t j = 0; j < n_ref; j++) {
            if (ref[j].metric == m && ref[j].tagset == t) {
                want = j;
                break;
            }
        }
        bool created = !(want == n_ref);
        int id = tg_registry_series(r, m, t, &created);
        assert_int_equal(id, (int)want);
        assert_int_equal(created, want == n_ref);
        if (want == n_ref) {
            ref[n_ref++] = (struct tg_series_desc){ m, t };
        }
    }
    assert_int_equal(r->n_series, n_ref);
    assert_true(n_ref > 1000);
    for (size_t j = 0; j < n_ref; j++) {
        assert_int_equal(r->series[j].metric, ref[j].metric);
        assert_int_equal(r->series[j].tagset, ref[j].tagset);
    }
    assert_false(r->overflowed);
}

static void test_registry_series_overflow_cap(void **state)
{
    (void)state;
    struct tg_registry r;
    assert_int_equal(tg_registry_init(&r, 3), 0);
    int m = tg_registry_metric(&r, "capped", TG_KIND_COUNTER, TG_CONTAINS_DEFAULT);
    int other = tg_registry_metric(&r, "other", TG_KIND_COUNTER, TG_CONTAINS_DEFAULT);
    int ts[10];
    char key[32];
    for (int i = 0; i < 10; i++) {
        snprintf(key, sizeof(key), "k\x1f%d", i);
        ts[i] = tg_registry_tagset(&r, key);
    }
    bool created;
    int s[10];
    for (int i = 0; i < 3; i++) {
        s[i] = tg_registry_series(&r, (uint32_t)m, (uint32_t)ts[i], &created);
        assert_int_equal(s[i], i);
        assert_true(created);
    }
    assert_false(r.overflowed); /* exactly at the cap is fine */
    /* The 4th distinct tag set folds into a new overflow series... */
    s[3] = tg_registry_series(&r, (uint32_t)m, (uint32_t)ts[3], &created);
    assert_true(r.overflowed);
    assert_true(created);
    assert_int_equal(s[3], 3);
    assert_int_equal(r.series[s[3]].metric, (uint32_t)m);
    assert_string_equal(r.tagsets[r.series[s[3]].tagset], OVERFLOW_KEY);
    /* ...and so do all later ones, without creating more series. */
    for (int i = 4; i < 10; i++) {
        s[i] = tg_registry_series(&r, (uint32_t)m, (uint32_t)ts[i], &created);
        assert_int_equal(s[i], s[3]);
        assert_false(created);
    }
    /* Tag sets seen before the cap keep their own series. */
    for (int i = 0; i < 3; i++) {
        assert_int_equal(tg_registry_series(&r, (uint32_t)m, (uint32_t)ts[i], &created), i);
        assert_false(created);
    }
    assert_int_equal(r.n_series, 4);
    /* The cap is per metric: another metric still gets its own series. */
    int o = tg_registry_series(&r, (uint32_t)other, (uint32_t)ts[5], &created);
    assert_true(created);
    assert_int_equal(r.series[o].tagset, (uint32_t)ts[5]);
    assert_int_equal(r.series[o].metric, (uint32_t)other);
    tg_registry_fini(&r);
}

/* With a cap of 1, the overflow tag set itself as the second set is not a loop. */
static void test_registry_series_overflow_tagset_direct(void **state)
{
    (void)state;
    struct tg_registry r;
    assert_int_equal(tg_registry_init(&r, 1), 0);
    int a = tg_registry_tagset(&r, "a\x1f"
                                   "1");
    int ov = tg_registry_tagset(&r, OVERFLOW_KEY);
    bool created;
    assert_int_equal(tg_registry_series(&r, TG_M_VUS, (uint32_t)a, &created), 0);
    int s = tg_registry_series(&r, TG_M_VUS, (uint32_t)ov, &created);
    assert_int_equal(s, 1);
    assert_true(created);
    assert_true(r.overflowed);
    int b = tg_registry_tagset(&r, "b\x1f"
                                   "2");
    assert_int_equal(tg_registry_series(&r, TG_M_VUS, (uint32_t)b, &created), 1);
    assert_false(created);
    assert_int_equal(r.n_series, 2);
    tg_registry_fini(&r);
}

/*
 * Allocation failure while registering a metric must leave the registry
 * consistent: the per-metric series counters must cover cap_metrics entries
 * (tg_registry_series indexes them by metric id). The 33rd metric grows the
 * metric table from 32 to 64; we fail the second allocation of that call
 * (the counters' realloc).
 */
static void test_registry_metric_enomem_keeps_counters(void **state)
{
    struct tg_registry *r = *state;
    char name[32];
    while (r->n_metrics < r->cap_metrics) {
        snprintf(name, sizeof(name), "fill_%zu", r->n_metrics);
        assert_true(tg_registry_metric(r, name, TG_KIND_COUNTER, TG_CONTAINS_DEFAULT) >= 0);
    }
    size_t old_cap = r->cap_metrics;
    tg_alloc_fail_after(2);
    int rc = tg_registry_metric(r, "grows", TG_KIND_COUNTER, TG_CONTAINS_DEFAULT);
    tg_alloc_fail_after(0);
    assert_int_equal(rc, TG_ENOMEM);
    assert_int_equal(tg_registry_find_metric(r, "grows"), TG_ENOENT);
    /* Whatever cap the table now reports, the counters array must be that long. */
    size_t have = malloc_usable_size(r->series_per_metric) / sizeof(uint32_t);
    if (have < r->cap_metrics) {
        print_error("cap_metrics %zu (was %zu) but series_per_metric holds %zu\n", r->cap_metrics,
                    old_cap, have);
    }
    assert_true(have >= r->cap_metrics);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_registry_init_builtins, setup, teardown),
        cmocka_unit_test_setup_teardown(test_registry_metric_custom, setup, teardown),
        cmocka_unit_test_setup_teardown(test_registry_metric_kind_conflict, setup, teardown),
        cmocka_unit_test_setup_teardown(test_registry_metric_invalid_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_registry_metric_many, setup, teardown),
        cmocka_unit_test_setup_teardown(test_registry_tagset_interning_stable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_registry_tagset_raw_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_registry_tagset_of_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_registry_series_interning, setup, teardown),
        cmocka_unit_test(test_registry_series_overflow_cap),
        cmocka_unit_test(test_registry_series_overflow_tagset_direct),
        cmocka_unit_test_setup_teardown(test_registry_metric_enomem_keeps_counters, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

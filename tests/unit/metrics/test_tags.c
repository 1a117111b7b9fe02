/*
 * test_tags — canonical tag-set keys: the exact byte format, independence
 * from input order (every permutation of small sets, fixed-seed shuffles of
 * large ones), last-wins de-duplication, rejection of reserved bytes and of
 * too many tags or too small a buffer; and reading keys back with get,
 * contains (k6 submetric subset matching) and next.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "metrics/tags.h"
#include "tg.h"
#include "unit/prng.h"

#include <stdio.h>
#include <string.h>

static void shuffle(struct tg_tag *t, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)(rng_next() % i);
        struct tg_tag tmp = t[i - 1];
        t[i - 1] = t[j];
        t[j] = tmp;
    }
}

static void test_tags_canonical_format(void **state)
{
    (void)state;
    const struct tg_tag tags[] = { { "status", "200" }, { "method", "GET" }, { "name", "" } };
    char buf[128];
    int len = tg_tags_canonical(tags, 3, buf, sizeof(buf));
    static const char want[] = "method\x1fGET\x1ename\x1f\x1estatus\x1f"
                               "200";
    assert_int_equal(len, (int)strlen(want));
    assert_string_equal(buf, want);

    /* One pair, and the empty set. */
    assert_int_equal(tg_tags_canonical(tags, 1, buf, sizeof(buf)), 10);
    assert_string_equal(buf, "status\x1f"
                             "200");
    assert_int_equal(tg_tags_canonical(NULL, 0, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "");
}

/* Keys sort bytewise (strcmp): upper case before lower, prefixes first. */
static void test_tags_canonical_byte_order(void **state)
{
    (void)state;
    const struct tg_tag tags[] = { { "ab", "3" }, { "a", "2" }, { "B", "1" }, { "a_", "4" } };
    char buf[128];
    assert_true(tg_tags_canonical(tags, 4, buf, sizeof(buf)) > 0);
    assert_string_equal(buf, "B\x1f"
                             "1\x1e"
                             "a\x1f"
                             "2\x1e"
                             "a_\x1f"
                             "4\x1e"
                             "ab\x1f"
                             "3");
}

/* All 120 orders of a 5-tag set give the same key. */
static void test_tags_canonical_order_independent(void **state)
{
    (void)state;
    const struct tg_tag base[] = {
        { "url", "http://h/a" }, { "method", "POST" }, { "status", "201" },
        { "group", "::g1" },     { "name", "create" },
    };
    char ref[256];
    int ref_len = tg_tags_canonical(base, 5, ref, sizeof(ref));
    assert_true(ref_len > 0);
    size_t idx[5] = { 0, 1, 2, 3, 4 };
    int perms = 0;
    /* Heap's algorithm, iterative. */
    size_t c[5] = { 0 };
    for (size_t i = 0; i < 5;) {
        struct tg_tag t[5];
        for (size_t j = 0; j < 5; j++) {
            t[j] = base[idx[j]];
        }
        char buf[256];
        assert_int_equal(tg_tags_canonical(t, 5, buf, sizeof(buf)), ref_len);
        assert_string_equal(buf, ref);
        perms++;
        while (i < 5) {
            if (c[i] < i) {
                size_t a = i % 2 ? c[i] : 0;
                size_t tmp = idx[a];
                idx[a] = idx[i];
                idx[i] = tmp;
                c[i]++;
                i = 0;
                break;
            }
            c[i] = 0;
            i++;
        }
    }
    assert_int_equal(perms, 120);
}

static void test_tags_canonical_shuffled_max(void **state)
{
    (void)state;
    rng_seed(42);
    static char keys[TG_TAGS_MAX][16];
    static char vals[TG_TAGS_MAX][16];
    struct tg_tag t[TG_TAGS_MAX];
    for (size_t i = 0; i < TG_TAGS_MAX; i++) {
        snprintf(keys[i], sizeof(keys[i]), "k%02zu", i);
        snprintf(vals[i], sizeof(vals[i]), "v%zu", i * 7);
        t[i] = (struct tg_tag){ keys[i], vals[i] };
    }
    char ref[1024];
    int ref_len = tg_tags_canonical(t, TG_TAGS_MAX, ref, sizeof(ref));
    assert_true(ref_len > 0);
    for (int round = 0; round < 200; round++) {
        shuffle(t, TG_TAGS_MAX);
        char buf[1024];
        assert_int_equal(tg_tags_canonical(t, TG_TAGS_MAX, buf, sizeof(buf)), ref_len);
        assert_string_equal(buf, ref);
    }
}

static void test_tags_canonical_duplicates_last_wins(void **state)
{
    (void)state;
    const struct tg_tag tags[] = {
        { "a", "1" }, { "b", "2" }, { "a", "3" }, { "c", "4" }, { "b", "5" }, { "a", "6" },
    };
    char buf[128];
    int len = tg_tags_canonical(tags, TG_ARRAY_LEN(tags), buf, sizeof(buf));
    assert_int_equal(len, (int)strlen(buf));
    assert_string_equal(buf, "a\x1f"
                             "6\x1e"
                             "b\x1f"
                             "5\x1e"
                             "c\x1f"
                             "4");
    /* A duplicate set equals the de-duplicated one. */
    const struct tg_tag dedup[] = { { "c", "4" }, { "b", "5" }, { "a", "6" } };
    char buf2[128];
    assert_int_equal(tg_tags_canonical(dedup, 3, buf2, sizeof(buf2)), len);
    assert_string_equal(buf, buf2);
}

/* Duplicates count toward TG_TAGS_MAX inputs but not toward the key. */
static void test_tags_canonical_many_duplicates(void **state)
{
    (void)state;
    struct tg_tag t[TG_TAGS_MAX];
    for (size_t i = 0; i < TG_TAGS_MAX; i++) {
        t[i] = (struct tg_tag){ "k", i + 1 == TG_TAGS_MAX ? "last" : "x" };
    }
    char buf[64];
    assert_int_equal(tg_tags_canonical(t, TG_TAGS_MAX, buf, sizeof(buf)), 6);
    assert_string_equal(buf, "k\x1flast");
}

static void test_tags_canonical_reserved_bytes(void **state)
{
    (void)state;
    static const struct tg_tag bad[][2] = {
        { { "a\x1e", "v" }, { "b", "v" } },
        { { "a", "v\x1f" }, { "b", "v" } },
        { { "a", "v" }, { "\x1f", "v" } },
        { { "a", "v" }, { "b", "x\x1ey" } },
    };
    for (size_t i = 0; i < TG_ARRAY_LEN(bad); i++) {
        char buf[64];
        assert_int_equal(tg_tags_canonical(bad[i], 2, buf, sizeof(buf)), TG_EINVAL);
    }
    /* Other control and high bytes are allowed. */
    const struct tg_tag ok[] = { { "k\x01", "\x7f\xff\t" } };
    char buf[64];
    assert_int_equal(tg_tags_canonical(ok, 1, buf, sizeof(buf)), 6);
}

static void test_tags_canonical_too_many(void **state)
{
    (void)state;
    static char keys[TG_TAGS_MAX + 1][8];
    struct tg_tag t[TG_TAGS_MAX + 1];
    for (size_t i = 0; i <= TG_TAGS_MAX; i++) {
        snprintf(keys[i], sizeof(keys[i]), "k%zu", i);
        t[i] = (struct tg_tag){ keys[i], "v" };
    }
    char buf[1024];
    assert_true(tg_tags_canonical(t, TG_TAGS_MAX, buf, sizeof(buf)) > 0);
    assert_int_equal(tg_tags_canonical(t, TG_TAGS_MAX + 1, buf, sizeof(buf)), TG_E2BIG);
    /* Even when duplicates would bring the count down. */
    t[TG_TAGS_MAX] = t[0];
    assert_int_equal(tg_tags_canonical(t, TG_TAGS_MAX + 1, buf, sizeof(buf)), TG_E2BIG);
}

static void test_tags_canonical_buffer_too_small(void **state)
{
    (void)state;
    const struct tg_tag tags[] = { { "method", "GET" }, { "status", "200" } };
    char buf[64];
    int len = tg_tags_canonical(tags, 2, buf, sizeof(buf));
    assert_int_equal(len, 21);
    for (size_t cap = 0; cap <= (size_t)len; cap++) {
        char small[64];
        memset(small, 'Z', sizeof(small));
        assert_int_equal(tg_tags_canonical(tags, 2, small, cap), TG_E2BIG);
        /* Never writes past cap. */
        for (size_t i = cap; i < sizeof(small); i++) {
            assert_int_equal(small[i], 'Z');
        }
    }
    /* len + 1 (room for the NUL) fits exactly. */
    char exact[22];
    assert_int_equal(tg_tags_canonical(tags, 2, exact, sizeof(exact)), len);
    assert_string_equal(exact, buf);
    char none[1];
    assert_int_equal(tg_tags_canonical(NULL, 0, none, 0), TG_E2BIG);
    assert_int_equal(tg_tags_canonical(NULL, 0, none, 1), 0);
    assert_int_equal(none[0], '\0');
}

/* The exact-fit rule holds for a one-pair set too: "a\x1fb" needs 4 bytes. */
static void test_tags_canonical_single_pair_exact_fit(void **state)
{
    (void)state;
    const struct tg_tag one[] = { { "a", "b" } };
    char buf[4];
    int rc = tg_tags_canonical(one, 1, buf, sizeof(buf));
    assert_int_equal(rc, 3);
    assert_string_equal(buf, "a\x1f"
                             "b");
}

static void test_tags_get_values(void **state)
{
    (void)state;
    const struct tg_tag tags[] = { { "name", "" }, { "a", "1" }, { "ab", "2" }, { "b", "xyz" } };
    char canon[128];
    assert_true(tg_tags_canonical(tags, 4, canon, sizeof(canon)) > 0);
    const char *v;
    size_t vl;
    assert_true(tg_tags_get(canon, "a", &v, &vl));
    assert_int_equal(vl, 1);
    assert_memory_equal(v, "1", 1);
    assert_true(v >= canon && v < canon + strlen(canon)); /* a view into canon */
    assert_true(tg_tags_get(canon, "ab", &v, &vl));
    assert_int_equal(vl, 1);
    assert_memory_equal(v, "2", 1);
    assert_true(tg_tags_get(canon, "b", &v, &vl));
    assert_int_equal(vl, 3);
    assert_memory_equal(v, "xyz", 3);
    assert_true(tg_tags_get(canon, "name", &v, &vl));
    assert_int_equal(vl, 0);
    /* Prefixes, suffixes and values are not keys. */
    assert_false(tg_tags_get(canon, "", &v, &vl));
    assert_false(tg_tags_get(canon, "na", &v, &vl));
    assert_false(tg_tags_get(canon, "abc", &v, &vl));
    assert_false(tg_tags_get(canon, "xyz", &v, &vl));
    assert_false(tg_tags_get(canon, "1", &v, &vl));
    assert_false(tg_tags_get("", "a", &v, &vl));
}

static void test_tags_contains_subset(void **state)
{
    (void)state;
    const struct tg_tag tags[] = {
        { "method", "GET" }, { "status", "200" }, { "name", "home" }, { "empty", "" }
    };
    char canon[128];
    assert_true(tg_tags_canonical(tags, 4, canon, sizeof(canon)) > 0);
    const struct tg_tag s1[] = { { "status", "200" } };
    const struct tg_tag s2[] = { { "status", "200" }, { "method", "GET" } };
    const struct tg_tag s3[] = { { "status", "20" } };
    const struct tg_tag s4[] = { { "status", "2000" } };
    const struct tg_tag s5[] = { { "status", "200" }, { "method", "POST" } };
    const struct tg_tag s6[] = { { "missing", "" } };
    const struct tg_tag s7[] = { { "empty", "" } };
    const struct tg_tag s8[] = {
        { "name", "home" }, { "empty", "" }, { "status", "200" }, { "method", "GET" }
    };
    assert_true(tg_tags_contains(canon, NULL, 0)); /* the empty selector matches all */
    assert_true(tg_tags_contains(canon, s1, 1));
    assert_true(tg_tags_contains(canon, s2, 2));
    assert_false(tg_tags_contains(canon, s3, 1));
    assert_false(tg_tags_contains(canon, s4, 1));
    assert_false(tg_tags_contains(canon, s5, 2));
    assert_false(tg_tags_contains(canon, s6, 1));
    assert_true(tg_tags_contains(canon, s7, 1));
    assert_true(tg_tags_contains(canon, s8, 4));
    assert_false(tg_tags_contains("", s1, 1));
    assert_true(tg_tags_contains("", NULL, 0));
}

static void test_tags_next_iterates_sorted(void **state)
{
    (void)state;
    const struct tg_tag tags[] = { { "z", "26" }, { "a", "" }, { "m", "13" } };
    char canon[64];
    assert_true(tg_tags_canonical(tags, 3, canon, sizeof(canon)) > 0);
    static const char *const want_k[] = { "a", "m", "z" };
    static const char *const want_v[] = { "", "13", "26" };
    size_t pos = 0;
    const char *k;
    const char *v;
    size_t kl;
    size_t vl;
    size_t i = 0;
    while (tg_tags_next(canon, &pos, &k, &kl, &v, &vl)) {
        assert_true(i < 3);
        assert_int_equal(kl, strlen(want_k[i]));
        assert_memory_equal(k, want_k[i], kl);
        assert_int_equal(vl, strlen(want_v[i]));
        assert_memory_equal(v, want_v[i], vl);
        i++;
    }
    assert_int_equal(i, 3);
    assert_int_equal(pos, strlen(canon));
    /* At the end it stays at the end. */
    assert_false(tg_tags_next(canon, &pos, &k, &kl, &v, &vl));
    pos = 0;
    assert_false(tg_tags_next("", &pos, &k, &kl, &v, &vl));
    assert_int_equal(pos, 0);
}

/* Round trip: iterating a key and re-canonicalising the pairs gives the key back. */
static void test_tags_next_round_trip(void **state)
{
    (void)state;
    rng_seed(7);
    for (int round = 0; round < 500; round++) {
        size_t n = (size_t)(rng_next() % 8);
        char store[8][2][12];
        struct tg_tag t[8];
        for (size_t i = 0; i < n; i++) {
            snprintf(store[i][0], sizeof(store[i][0]), "k%u", (unsigned)(rng_next() % 10));
            snprintf(store[i][1], sizeof(store[i][1]), "%u", (unsigned)(rng_next() % 1000));
            t[i] = (struct tg_tag){ store[i][0], store[i][1] };
        }
        char canon[512];
        int len = tg_tags_canonical(t, n, canon, sizeof(canon));
        assert_true(len >= 0);
        char back[8][2][12];
        struct tg_tag bt[8];
        size_t m = 0;
        size_t pos = 0;
        const char *k;
        const char *v;
        size_t kl;
        size_t vl;
        while (tg_tags_next(canon, &pos, &k, &kl, &v, &vl)) {
            assert_true(m < n);
            snprintf(back[m][0], sizeof(back[m][0]), "%.*s", (int)kl, k);
            snprintf(back[m][1], sizeof(back[m][1]), "%.*s", (int)vl, v);
            bt[m] = (struct tg_tag){ back[m][0], back[m][1] };
            /* Every pair read back is the last value given for its key. */
            const char *gv;
            size_t gl;
            assert_true(tg_tags_get(canon, back[m][0], &gv, &gl));
            for (size_t i = n; i-- > 0;) {
                if (strcmp(t[i].key, back[m][0]) == 0) {
                    assert_string_equal(t[i].value, back[m][1]);
                    break;
                }
            }
            m++;
        }
        char again[512];
        assert_int_equal(tg_tags_canonical(bt, m, again, sizeof(again)), len);
        assert_string_equal(again, canon);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tags_canonical_format),
        cmocka_unit_test(test_tags_canonical_byte_order),
        cmocka_unit_test(test_tags_canonical_order_independent),
        cmocka_unit_test(test_tags_canonical_shuffled_max),
        cmocka_unit_test(test_tags_canonical_duplicates_last_wins),
        cmocka_unit_test(test_tags_canonical_many_duplicates),
        cmocka_unit_test(test_tags_canonical_reserved_bytes),
        cmocka_unit_test(test_tags_canonical_too_many),
        cmocka_unit_test(test_tags_canonical_buffer_too_small),
        cmocka_unit_test(test_tags_canonical_single_pair_exact_fit),
        cmocka_unit_test(test_tags_get_values),
        cmocka_unit_test(test_tags_contains_subset),
        cmocka_unit_test(test_tags_next_iterates_sorted),
        cmocka_unit_test(test_tags_next_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

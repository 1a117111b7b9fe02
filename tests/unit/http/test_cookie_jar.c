/*
 * test_cookie_jar — the storage model: host-only and domain cookies, the
 * Domain rules (another site, a bare suffix), default and explicit paths,
 * Secure, Max-Age/Expires expiry and deletion, replacement, sending order,
 * the bounds (size, count: dropped, never partly stored), clear keeping the
 * buffers, and a random sequence of sets checked against a naive model.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/alloc.h"
#include "http/cookie_jar.h"
#include "tg.h"
#include "unit/prng.h"

#include <stdio.h>
#include <string.h>

#define NOW 1700000000

static struct tg_cookie_url url(const char *host, const char *path, bool https)
{
    return (struct tg_cookie_url){ host, strlen(host), path, strlen(path), https };
}

static int set(struct tg_cookie_jar *j, const char *host, const char *path, const char *sc)
{
    struct tg_cookie_url u = url(host, path, false);
    return tg_cookie_jar_set(j, &u, sc, strlen(sc), NOW);
}

/* The Cookie header a request would carry: "a=1; b=2". */
static const char *header(struct tg_cookie_jar *j, const char *host, const char *path, bool https)
{
    static char buf[8192];
    const struct tg_cookie_jar_entry *m[TG_COOKIE_JAR_MAX];
    struct tg_cookie_url u = url(host, path, https);
    size_t n = tg_cookie_jar_match(j, &u, NOW, m);
    size_t off = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s=%s", i ? "; " : "",
                                tg_cookie_jar_name(m[i]), tg_cookie_jar_value(m[i]));
    }
    return buf;
}

static void test_host_and_domain(void **state)
{
    (void)state;
    struct tg_cookie_jar j;
    tg_cookie_jar_init(&j);
    assert_int_equal(set(&j, "Example.com", "/", "h=1"), 0);
    assert_int_equal(set(&j, "example.com", "/", "d=2; Domain=.EXAMPLE.com"), 0);
    assert_string_equal(header(&j, "example.com", "/", false), "h=1; d=2");
    assert_string_equal(header(&j, "www.example.com", "/", false), "d=2");
    assert_string_equal(header(&j, "other.com", "/", false), "");
    assert_int_equal(set(&j, "www.example.com", "/", "x=1; Domain=other.com"), TG_EINVAL);
    assert_int_equal(set(&j, "www.example.com", "/", "x=1; Domain=com"), TG_EINVAL);
    assert_int_equal(set(&j, "www.example.com", "/", "x=1; Domain=ww.example.com"), TG_EINVAL);
    assert_int_equal(set(&j, "localhost", "/", "l=1; Domain=localhost"), 0);
    assert_string_equal(header(&j, "localhost", "/", false), "l=1");
    assert_string_equal(header(&j, "a.localhost", "/", false), ""); /* host-only */
    assert_int_equal(set(&j, "127.0.0.1", "/", "ip=1; Domain=127.0.0.1"), 0);
    assert_string_equal(header(&j, "127.0.0.1", "/", false), "ip=1");
    assert_int_equal(set(&j, "127.0.0.1", "/", "ip2=1; Domain=0.0.1"), TG_EINVAL);
    assert_int_equal(set(&j, "h", "/", "garbage"), TG_EPROTO);
    tg_cookie_jar_fini(&j);
}

static void test_paths_secure_order(void **state)
{
    (void)state;
    struct tg_cookie_jar j;
    tg_cookie_jar_init(&j);
    assert_int_equal(set(&j, "h", "/app/login", "dflt=1"), 0); /* default path /app */
    assert_int_equal(set(&j, "h", "/", "root=1; Path=/"), 0);
    assert_int_equal(set(&j, "h", "/", "deep=1; Path=/app/x/"), 0);
    assert_int_equal(set(&j, "h", "/", "sec=1; Secure"), 0);
    assert_string_equal(header(&j, "h", "/", false), "root=1");
    assert_string_equal(header(&j, "h", "/", true), "root=1; sec=1");
    assert_string_equal(header(&j, "h", "/app", false), "dflt=1; root=1");
    assert_string_equal(header(&j, "h", "/apple", false), "root=1");
    assert_string_equal(header(&j, "h", "/app/x/y", true), "deep=1; dflt=1; root=1; sec=1");
    tg_cookie_jar_fini(&j);
}

static void test_expiry_and_replace(void **state)
{
    (void)state;
    struct tg_cookie_jar j;
    tg_cookie_jar_init(&j);
    assert_int_equal(set(&j, "h", "/", "a=1"), 0);
    assert_int_equal(set(&j, "h", "/", "b=1; Max-Age=10"), 0);
    assert_int_equal(set(&j, "h", "/", "a=2"), 0); /* replaces, keeps its place */
    assert_string_equal(header(&j, "h", "/", false), "a=2; b=1");
    assert_int_equal(j.n, 2);
    assert_int_equal(set(&j, "h", "/", "a=x; Max-Age=0"), 0); /* deletes */
    assert_string_equal(header(&j, "h", "/", false), "b=1");
    assert_int_equal(set(&j, "h", "/", "c=1; Expires=Thu, 01 Jan 1970 00:00:01 GMT"), 0);
    assert_string_equal(header(&j, "h", "/", false), "b=1");
    assert_int_equal(set(&j, "h", "/", "d=1; Expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=5"), 0);
    assert_string_equal(header(&j, "h", "/", false), "b=1; d=1"); /* Max-Age wins */
    struct tg_cookie_url u = url("h", "/", false);
    const struct tg_cookie_jar_entry *m[TG_COOKIE_JAR_MAX];
    assert_int_equal(tg_cookie_jar_match(&j, &u, NOW + 5, m), 1); /* d expired at NOW+5 */
    assert_int_equal(j.n, 1);
    assert_int_equal(tg_cookie_jar_match(&j, &u, NOW + 10, m), 0);
    assert_int_equal(j.n, 0);
    tg_cookie_jar_fini(&j);
}

static void test_bounds_and_clear(void **state)
{
    (void)state;
    struct tg_cookie_jar j;
    tg_cookie_jar_init(&j);
    static char big[TG_COOKIE_MAX_BYTES + 16];
    memset(big, 'v', sizeof(big) - 1);
    memcpy(big, "n=", 2);
    big[TG_COOKIE_MAX_BYTES + 1] = '\0'; /* name 1 + value 4095 bytes: exactly the bound */
    assert_int_equal(set(&j, "h", "/", big), 0);
    big[TG_COOKIE_MAX_BYTES + 1] = 'v'; /* one byte more */
    big[TG_COOKIE_MAX_BYTES + 2] = '\0';
    assert_int_equal(set(&j, "h", "/", big), TG_E2BIG);
    assert_int_equal(j.n, 1);
    char sc[32];
    for (int i = 1; i < TG_COOKIE_JAR_MAX; i++) {
        snprintf(sc, sizeof(sc), "c%d=%d", i, i);
        assert_int_equal(set(&j, "h", "/", sc), 0);
    }
    assert_int_equal(j.n, TG_COOKIE_JAR_MAX);
    assert_int_equal(set(&j, "h", "/", "one=too-many"), TG_E2BIG);
    assert_int_equal(set(&j, "h", "/", "c7=replaced"), 0); /* replacing still works */
    assert_int_equal(set(&j, "h", "/", "c8=; Max-Age=0"), 0);
    assert_int_equal(set(&j, "h", "/", "fits=now"), 0);
    tg_cookie_jar_clear(&j);
    assert_int_equal(j.n, 0);
    assert_string_equal(header(&j, "h", "/", false), "");
    uint64_t before = tg_alloc_count();
    for (int i = 0; i < TG_COOKIE_JAR_MAX; i++) {
        snprintf(sc, sizeof(sc), "again%d=%d", i, i);
        assert_int_equal(set(&j, "h", "/", sc), 0);
    }
    assert_int_equal(tg_alloc_count(), before); /* the buffers were kept */
    struct tg_cookie_url u = url("h", "/", false);
    tg_cookie_jar_remove(&j, &u, "again3", NOW);
    assert_int_equal(j.n, TG_COOKIE_JAR_MAX - 1);
    tg_cookie_jar_remove(&j, &u, NULL, NOW);
    assert_int_equal(j.n, 0);
    tg_cookie_jar_fini(&j);
}

/* Random sets of 70 names on one host against a model: name -> value, at most 50, in order. */
static void test_random_against_model(void **state)
{
    (void)state;
    struct tg_cookie_jar j;
    tg_cookie_jar_init(&j);
    struct entry {
        int value;
        uint64_t order;
        bool live;
    } model[70] = { { 0, 0, false } };
    uint64_t order = 0;
    int live = 0;
    rng_seed(7);
    for (int step = 0; step < 20000; step++) {
        int name = (int)(rng_next() % 70);
        int value = (int)(rng_next() % 1000);
        bool del = rng_next() % 5 == 0;
        char sc[64];
        snprintf(sc, sizeof(sc), "k%d=%d%s", name, value, del ? "; Max-Age=0" : "");
        int rc = set(&j, "h", "/", sc);
        if (del) {
            live -= model[name].live;
            model[name].live = false;
        } else if (model[name].live) {
            model[name].value = value;
        } else if (live < TG_COOKIE_JAR_MAX) {
            model[name] = (struct entry){ value, order++, true };
            live++;
        } else {
            assert_int_equal(rc, TG_E2BIG);
            continue;
        }
        assert_int_equal(rc, 0);
        assert_int_equal((int)j.n, live);
    }
    char want[8192];
    size_t off = 0;
    for (uint64_t o = 0; o < order; o++) {
        for (int k = 0; k < 70; k++) {
            if (model[k].live && model[k].order == o) {
                off += (size_t)snprintf(want + off, sizeof(want) - off, "%sk%d=%d", off ? "; " : "",
                                        k, model[k].value);
            }
        }
    }
    want[off] = '\0';
    assert_string_equal(header(&j, "h", "/", false), want);
    tg_cookie_jar_fini(&j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_host_and_domain),      cmocka_unit_test(test_paths_secure_order),
        cmocka_unit_test(test_expiry_and_replace),   cmocka_unit_test(test_bounds_and_clear),
        cmocka_unit_test(test_random_against_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

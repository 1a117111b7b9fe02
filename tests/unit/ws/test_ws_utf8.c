/*
 * test_ws_utf8 — the incremental UTF-8 validator (ws/ws_utf8) against a
 * textbook decoder (the reference model): every string of one, two and
 * three bytes, four-byte strings over every lead and second byte, and
 * random texts fed whole, in random pieces and byte by byte, where the
 * validator must fail at exactly the first byte after which no valid
 * continuation exists (fail fast).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tg.h"
#include "unit/prng.h"
#include "ws/ws_utf8.h"

#include <string.h>

/* Textbook UTF-8 decoding: code points, lengths, overlongs, surrogates, range. */
static bool ref_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t len;
        uint32_t cp;
        uint32_t min;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xc0 && c < 0xe0) {
            len = 2, cp = c & 0x1f, min = 0x80;
        } else if (c >= 0xe0 && c < 0xf0) {
            len = 3, cp = c & 0x0f, min = 0x800;
        } else if (c >= 0xf0 && c < 0xf8) {
            len = 4, cp = c & 0x07, min = 0x10000;
        } else {
            return false;
        }
        if (i + len > n) {
            return false;
        }
        for (size_t j = 1; j < len; j++) {
            if ((s[i + j] & 0xc0) != 0x80) {
                return false;
            }
            cp = cp << 6 | (s[i + j] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
            return false;
        }
        i += len;
    }
    return true;
}

/* Whether some completion of up to 3 more bytes makes s[0..n) valid. */
static bool ref_viable(const unsigned char *s, size_t n)
{
    static const unsigned char cand[] = { 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf };
    unsigned char t[256];
    memcpy(t, s, n);
    if (ref_valid(t, n)) {
        return true;
    }
    for (size_t k = 1; k <= 3; k++) {
        size_t combos = 1;
        for (size_t j = 0; j < k; j++) {
            combos *= sizeof(cand);
        }
        for (size_t x = 0; x < combos; x++) {
            size_t y = x;
            for (size_t j = 0; j < k; j++) {
                t[n + j] = cand[y % sizeof(cand)];
                y /= sizeof(cand);
            }
            if (ref_valid(t, n + k)) {
                return true;
            }
        }
    }
    return false;
}

static void test_tg_ws_utf8_valid_short_strings(void **state)
{
    (void)state;
    unsigned char s[4];
    for (unsigned a = 0; a < 256; a++) {
        s[0] = (unsigned char)a;
        assert_int_equal(tg_ws_utf8_valid((const char *)s, 1), ref_valid(s, 1));
        for (unsigned b = 0; b < 256; b++) {
            s[1] = (unsigned char)b;
            assert_int_equal(tg_ws_utf8_valid((const char *)s, 2), ref_valid(s, 2));
            for (unsigned c = 0; c < 256; c++) {
                s[2] = (unsigned char)c;
                if (tg_ws_utf8_valid((const char *)s, 3) != ref_valid(s, 3)) {
                    fail_msg("3-byte %02x %02x %02x", a, b, c);
                }
            }
        }
    }
}

static void test_tg_ws_utf8_valid_four_bytes(void **state)
{
    (void)state;
    static const unsigned char last[] = { 0x00, 0x7f, 0x80, 0xbf, 0xc0, 0xff };
    unsigned char s[4];
    for (unsigned a = 0xf0; a < 0x100; a++) {
        for (unsigned b = 0; b < 256; b++) {
            for (unsigned c = 0x70; c < 0xd0; c++) {
                for (size_t d = 0; d < sizeof(last); d++) {
                    s[0] = (unsigned char)a;
                    s[1] = (unsigned char)b;
                    s[2] = (unsigned char)c;
                    s[3] = last[d];
                    if (tg_ws_utf8_valid((const char *)s, 4) != ref_valid(s, 4)) {
                        fail_msg("4-byte %02x %02x %02x %02x", a, b, c, last[d]);
                    }
                }
            }
        }
    }
}

/* A random text: mostly valid characters of every length, sometimes a bad byte. */
static size_t random_text(unsigned char *s, size_t cap)
{
    size_t n = 0;
    while (n + 4 <= cap && rng_next() % 40 != 0) {
        uint64_t r = rng_next();
        switch (r % 6) {
        case 0:
            s[n++] = (unsigned char)(r >> 8); /* any byte at all */
            break;
        case 1:
            s[n++] = 0xc3, s[n++] = 0xa9;
            break;
        case 2:
            s[n++] = 0xe2, s[n++] = 0x82, s[n++] = 0xac;
            break;
        case 3:
            s[n++] = 0xf0, s[n++] = 0x9f, s[n++] = 0x98, s[n++] = 0x80;
            break;
        default:
            for (int k = 0; k < 9 && n < cap; k++) {
                s[n++] = (unsigned char)('a' + k);
            }
            break;
        }
    }
    return n;
}

static void test_tg_ws_utf8_feed_incremental(void **state)
{
    (void)state;
    rng_seed(11);
    unsigned char s[200];
    for (int trial = 0; trial < 3000; trial++) {
        size_t n = random_text(s, sizeof(s));
        bool want = ref_valid(s, n);
        /* Random pieces. */
        struct tg_ws_utf8 u;
        tg_ws_utf8_init(&u);
        bool ok = true;
        for (size_t at = 0; at < n && ok;) {
            size_t step = 1 + rng_next() % 20;
            size_t k = TG_MIN(n - at, step);
            ok = tg_ws_utf8_feed(&u, (const char *)s + at, k);
            at += k;
        }
        assert_int_equal(ok && tg_ws_utf8_complete(&u), want);
        /* Byte by byte: fails exactly where the prefix stops being viable. */
        tg_ws_utf8_init(&u);
        for (size_t i = 0; i < n; i++) {
            bool step = tg_ws_utf8_feed(&u, (const char *)s + i, 1);
            if (step != ref_viable(s, i + 1)) {
                fail_msg("trial %d: byte %zu (%02x) fed %d", trial, i, s[i], step);
            }
            if (!step) {
                break;
            }
        }
    }
}

static void test_tg_ws_utf8_long_ascii_runs(void **state)
{
    (void)state;
    char s[100];
    memset(s, 'x', sizeof(s));
    for (size_t bad = 0; bad < sizeof(s); bad++) {
        s[bad] = (char)0x80;
        assert_false(tg_ws_utf8_valid(s, sizeof(s)));
        s[bad] = 'x';
    }
    assert_true(tg_ws_utf8_valid(s, sizeof(s)));
    assert_true(tg_ws_utf8_valid(s, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tg_ws_utf8_valid_short_strings),
        cmocka_unit_test(test_tg_ws_utf8_valid_four_bytes),
        cmocka_unit_test(test_tg_ws_utf8_feed_incremental),
        cmocka_unit_test(test_tg_ws_utf8_long_ascii_runs),
    };
    return cmocka_run_group_tests_name("ws_utf8", tests, NULL, NULL);
}

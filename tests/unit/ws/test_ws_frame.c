/*
 * test_ws_frame — the frame layer (ws/ws_frame): the RFC 6455 §5.7 examples
 * built byte for byte and parsed back, every prefix of a header against a
 * guard page, a sweep of every first two bytes against a reference model of
 * the validation rules, length encodings at their boundaries, masking
 * against a byte-at-a-time reference at every offset, length and alignment,
 * and the builder's errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "unit/guard.h"
#include "unit/prng.h"
#include "ws/ws_frame.h"

#include <stdlib.h>
#include <string.h>

static const uint8_t rfc_key[4] = { 0x37, 0xfa, 0x21, 0x3d };

/* Builds f + payload and compares with want[0..n). */
static void expect_build(const struct tg_ws_frame *f, const char *payload, const char *want,
                         size_t n)
{
    char out[80];
    assert_int_equal(tg_ws_frame_build(out, sizeof(out), f, payload), (int)n);
    assert_memory_equal(out, want, n);
}

static void test_tg_ws_frame_build_rfc_examples(void **state)
{
    (void)state;
    struct tg_ws_frame f = { .fin = true, .opcode = TG_WS_OP_TEXT, .payload_len = 5 };
    expect_build(&f, "Hello", "\x81\x05\x48\x65\x6c\x6c\x6f", 7);
    f.masked = true;
    memcpy(f.mask, rfc_key, 4);
    expect_build(&f, "Hello", "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", 11);
    struct tg_ws_frame frag1 = { .fin = false, .opcode = TG_WS_OP_TEXT, .payload_len = 3 };
    expect_build(&frag1, "Hel", "\x01\x03\x48\x65\x6c", 5);
    struct tg_ws_frame frag2 = { .fin = true, .opcode = TG_WS_OP_CONT, .payload_len = 2 };
    expect_build(&frag2, "lo", "\x80\x02\x6c\x6f", 4);
    struct tg_ws_frame ping = { .fin = true, .opcode = TG_WS_OP_PING, .payload_len = 5 };
    expect_build(&ping, "Hello", "\x89\x05\x48\x65\x6c\x6c\x6f", 7);
    struct tg_ws_frame pong = {
        .fin = true, .opcode = TG_WS_OP_PONG, .payload_len = 5, .masked = true
    };
    memcpy(pong.mask, rfc_key, 4);
    expect_build(&pong, "Hello", "\x8a\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", 11);
}

static void test_tg_ws_frame_head_rfc_lengths(void **state)
{
    (void)state;
    char h[TG_WS_FRAME_HEAD_MAX];
    assert_int_equal(tg_ws_frame_head(h, true, TG_WS_OP_BINARY, 256, NULL), 4);
    assert_memory_equal(h, "\x82\x7e\x01\x00", 4);
    assert_int_equal(tg_ws_frame_head(h, true, TG_WS_OP_BINARY, 65536, NULL), 10);
    assert_memory_equal(h, "\x82\x7f\x00\x00\x00\x00\x00\x01\x00\x00", 10);
}

/* Parses in[0..n) whole (must give want_rc) and checks every shorter prefix is TG_EAGAIN. */
static void expect_parse(const char *in, size_t n, bool from_client, int want_rc,
                         struct tg_ws_frame *f)
{
    for (size_t k = 0; k < (size_t)want_rc; k++) {
        assert_int_equal(tg_ws_frame_parse(guard_put(in, k), k, from_client, f), TG_EAGAIN);
    }
    assert_int_equal(tg_ws_frame_parse(guard_put(in, n), n, from_client, f), want_rc);
}

static void test_tg_ws_frame_parse_rfc_examples(void **state)
{
    (void)state;
    struct tg_ws_frame f;
    expect_parse("\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", 11, true, 6, &f);
    assert_true(f.fin && f.masked);
    assert_int_equal(f.opcode, TG_WS_OP_TEXT);
    assert_int_equal(f.payload_len, 5);
    assert_memory_equal(f.mask, rfc_key, 4);
    char p[5];
    tg_ws_mask(p, "\x7f\x9f\x4d\x51\x58", 5, f.mask, 0);
    assert_memory_equal(p, "Hello", 5);
    expect_parse("\x01\x03\x48\x65\x6c", 5, false, 2, &f);
    assert_false(f.fin);
    assert_int_equal(f.payload_len, 3);
    expect_parse("\x82\x7e\x01\x00", 4, false, 4, &f);
    assert_int_equal(f.payload_len, 256);
    expect_parse("\x82\x7f\x00\x00\x00\x00\x00\x01\x00\x00", 10, false, 10, &f);
    assert_int_equal(f.payload_len, 65536);
    /* The largest legal 64-bit length, masked. */
    expect_parse("\x82\xff\x7f\xff\xff\xff\xff\xff\xff\xff\x01\x02\x03\x04", 14, true, 14, &f);
    assert_int_equal(f.payload_len, INT64_MAX);
    assert_memory_equal(f.mask, "\x01\x02\x03\x04", 4);
}

/* Reference model: the result of parsing exactly the two bytes b0 b1. */
static int model_two_bytes(unsigned b0, unsigned b1, bool from_client)
{
    unsigned op = b0 & 0xf;
    bool known = op <= 2 || (op >= 8 && op <= 10);
    bool control = op >= 8;
    if ((b0 & 0x70) || !known || (control && !(b0 & 0x80))) {
        return TG_EPROTO;
    }
    bool masked = (b1 & 0x80) != 0;
    unsigned len7 = b1 & 0x7f;
    if (masked != from_client || (control && len7 > 125)) {
        return TG_EPROTO;
    }
    size_t head = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + (masked ? 4 : 0);
    return head == 2 ? 2 : TG_EAGAIN;
}

static void test_tg_ws_frame_parse_first_bytes_sweep(void **state)
{
    (void)state;
    for (unsigned b0 = 0; b0 < 256; b0++) {
        for (unsigned b1 = 0; b1 < 256; b1++) {
            for (int side = 0; side < 2; side++) {
                char in[2] = { (char)b0, (char)b1 };
                struct tg_ws_frame f;
                int want = model_two_bytes(b0, b1, side);
                assert_int_equal(tg_ws_frame_parse(guard_put(in, 2), 2, side, &f), want);
                /* The first byte alone is rejected already when it alone is bad. */
                int one = tg_ws_frame_parse(guard_put(in, 1), 1, side, &f);
                assert_true(one == TG_EAGAIN || (one == TG_EPROTO && want == TG_EPROTO));
            }
        }
    }
}

static void test_tg_ws_frame_parse_top_bit_early(void **state)
{
    (void)state;
    struct tg_ws_frame f;
    /* Rejected as soon as the first length byte shows the top bit. */
    assert_int_equal(tg_ws_frame_parse(guard_put("\x82\x7f\x80", 3), 3, false, &f), TG_EPROTO);
    assert_int_equal(tg_ws_frame_parse(guard_put("\x82\x7f\x7f", 3), 3, false, &f), TG_EAGAIN);
}

static void test_tg_ws_frame_head_roundtrip(void **state)
{
    (void)state;
    static const uint64_t lens[] = { 0,        1,     125,   126,        127,
                                     65535,    65536, 65537, UINT32_MAX, (uint64_t)UINT32_MAX + 1,
                                     INT64_MAX };
    static const size_t sizes[] = { 2, 2, 2, 4, 4, 4, 10, 10, 10, 10, 10 };
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        for (int masked = 0; masked < 2; masked++) {
            char h[TG_WS_FRAME_HEAD_MAX];
            size_t n =
                tg_ws_frame_head(h, i % 2, TG_WS_OP_BINARY, lens[i], masked ? rfc_key : NULL);
            assert_int_equal(n, sizes[i] + (masked ? 4 : 0));
            struct tg_ws_frame f;
            assert_int_equal(tg_ws_frame_parse(guard_put(h, n), n, masked, &f), (int)n);
            assert_int_equal(f.payload_len, lens[i]);
            assert_int_equal(f.fin, i % 2);
            assert_int_equal(f.masked, masked);
        }
    }
}

static void test_tg_ws_mask_matches_reference(void **state)
{
    (void)state;
    rng_seed(3);
    char src[80];
    char want[80];
    char got[80];
    char inplace[80];
    for (int trial = 0; trial < 2000; trial++) {
        uint8_t key[4];
        uint64_t r = rng_next();
        memcpy(key, &r, 4);
        size_t align = rng_next() % 8;
        size_t n = rng_next() % (sizeof(src) - 8);
        uint64_t offset = rng_next() % 1000;
        for (size_t i = 0; i < n; i++) {
            src[align + i] = (char)rng_next();
            want[i] = (char)(src[align + i] ^ key[(offset + i) % 4]);
        }
        tg_ws_mask(got + (7 - align), src + align, n, key, offset);
        assert_memory_equal(got + (7 - align), want, n);
        memcpy(inplace, src + align, n);
        tg_ws_mask(inplace, inplace, n, key, offset);
        assert_memory_equal(inplace, want, n);
        tg_ws_mask(inplace, inplace, n, key, offset); /* twice restores */
        assert_memory_equal(inplace, src + align, n);
    }
}

static void test_tg_ws_mask_in_pieces(void **state)
{
    (void)state;
    char whole[1000];
    char pieces[1000];
    for (size_t i = 0; i < sizeof(whole); i++) {
        whole[i] = pieces[i] = (char)(i * 7);
    }
    tg_ws_mask(whole, whole, sizeof(whole), rfc_key, 0);
    for (size_t at = 0; at < sizeof(pieces);) {
        size_t n = TG_MIN(sizeof(pieces) - at, 1 + at % 13);
        tg_ws_mask(pieces + at, pieces + at, n, rfc_key, at);
        at += n;
    }
    assert_memory_equal(whole, pieces, sizeof(whole));
}

static void test_tg_ws_frame_build_errors(void **state)
{
    (void)state;
    char out[300];
    char payload[200] = { 0 };
    struct tg_ws_frame f = { .fin = true, .opcode = TG_WS_OP_PING, .payload_len = 126 };
    assert_int_equal(tg_ws_frame_build(out, sizeof(out), &f, payload), TG_EINVAL);
    f.payload_len = 125;
    assert_int_equal(tg_ws_frame_build(out, sizeof(out), &f, payload), 127);
    f.fin = false;
    assert_int_equal(tg_ws_frame_build(out, sizeof(out), &f, payload), TG_EINVAL);
    f = (struct tg_ws_frame){ .fin = true, .opcode = 3, .payload_len = 1 };
    assert_int_equal(tg_ws_frame_build(out, sizeof(out), &f, payload), TG_EINVAL);
    f = (struct tg_ws_frame){ .fin = true, .opcode = TG_WS_OP_BINARY, .payload_len = 200 };
    assert_int_equal(tg_ws_frame_build(out, 203, &f, payload), TG_E2BIG);
    assert_int_equal(tg_ws_frame_build(out, 204, &f, payload), 204);
    f.payload_len = (uint64_t)1 << 40;
    assert_int_equal(tg_ws_frame_build(out, sizeof(out), &f, payload), TG_E2BIG);
}

int main(void)
{
    if (guard_init(64) != 0) {
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tg_ws_frame_build_rfc_examples),
        cmocka_unit_test(test_tg_ws_frame_head_rfc_lengths),
        cmocka_unit_test(test_tg_ws_frame_parse_rfc_examples),
        cmocka_unit_test(test_tg_ws_frame_parse_first_bytes_sweep),
        cmocka_unit_test(test_tg_ws_frame_parse_top_bit_early),
        cmocka_unit_test(test_tg_ws_frame_head_roundtrip),
        cmocka_unit_test(test_tg_ws_mask_matches_reference),
        cmocka_unit_test(test_tg_ws_mask_in_pieces),
        cmocka_unit_test(test_tg_ws_frame_build_errors),
    };
    int failed = cmocka_run_group_tests_name("ws_frame", tests, NULL, NULL);
    guard_fini();
    return failed != 0;
}

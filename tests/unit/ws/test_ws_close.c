/*
 * test_ws_close — close codes and payloads (ws/ws_close): every 16-bit code
 * against the table of wire-valid codes in ws_close.h, payload parsing with
 * the close code each failure maps to, and payload building with its limits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ws/ws_close.h"

#include <string.h>

/* The table, written out the other way round: the codes that are NOT valid on the wire. */
static bool model_invalid(unsigned c)
{
    return c < 1000 || c == 1004 || c == 1005 || c == 1006 || (c >= 1015 && c < 3000) || c >= 5000;
}

static void test_tg_ws_close_code_valid_every_code(void **state)
{
    (void)state;
    for (unsigned c = 0; c < 65536; c++) {
        assert_int_equal(tg_ws_close_code_valid(c), !model_invalid(c));
    }
}

static void test_tg_ws_close_parse_codes_on_the_wire(void **state)
{
    (void)state;
    for (unsigned c = 0; c < 65536; c++) {
        char p[2] = { (char)(c >> 8), (char)c };
        uint16_t code = 0;
        uint16_t fail = 0;
        struct tg_span reason;
        int rc = tg_ws_close_parse(p, 2, &code, &reason, &fail);
        if (model_invalid(c)) {
            assert_int_equal(rc, TG_EPROTO);
            assert_int_equal(fail, TG_WS_CLOSE_PROTOCOL);
        } else {
            assert_int_equal(rc, 0);
            assert_int_equal(code, c);
            assert_int_equal(reason.len, 0);
        }
    }
}

static void test_tg_ws_close_parse_payloads(void **state)
{
    (void)state;
    uint16_t code = 0;
    uint16_t fail = 0;
    struct tg_span reason;
    assert_int_equal(tg_ws_close_parse("", 0, &code, &reason, &fail), 0);
    assert_int_equal(code, TG_WS_CLOSE_NO_STATUS);
    assert_int_equal(tg_ws_close_parse("\x03", 1, &code, &reason, &fail), TG_EPROTO);
    assert_int_equal(fail, TG_WS_CLOSE_PROTOCOL);
    assert_int_equal(tg_ws_close_parse("\x03\xe8going", 7, &code, &reason, &fail), 0);
    assert_int_equal(code, 1000);
    assert_int_equal(reason.len, 5);
    assert_memory_equal(reason.ptr, "going", 5);
    assert_int_equal(tg_ws_close_parse("\x03\xe8\xc3\x28", 4, &code, &reason, &fail), TG_EPROTO);
    assert_int_equal(fail, TG_WS_CLOSE_INVALID_DATA);
    assert_int_equal(tg_ws_close_parse("\x03\xe8\xe2\x82", 4, &code, &reason, &fail), TG_EPROTO);
    assert_int_equal(fail, TG_WS_CLOSE_INVALID_DATA);
    /* The code is judged before the reason: a bad code with a bad reason is 1002. */
    assert_int_equal(tg_ws_close_parse("\x03\xed\xff", 3, &code, &reason, &fail), TG_EPROTO);
    assert_int_equal(fail, TG_WS_CLOSE_PROTOCOL);
    char max[125];
    memset(max, 'r', sizeof(max));
    max[0] = 0x0f;
    max[1] = (char)0xa0;
    assert_int_equal(tg_ws_close_parse(max, 125, &code, &reason, &fail), 0);
    assert_int_equal(code, 4000);
    assert_int_equal(reason.len, 123);
}

static void test_tg_ws_close_payload_build(void **state)
{
    (void)state;
    char dst[125];
    assert_int_equal(tg_ws_close_payload(dst, 0, "", 0), 0);
    assert_int_equal(tg_ws_close_payload(dst, 0, "x", 1), TG_EINVAL);
    assert_int_equal(tg_ws_close_payload(dst, 1000, "bye", 3), 5);
    assert_memory_equal(dst,
                        "\x03\xe8"
                        "bye",
                        5);
    assert_int_equal(tg_ws_close_payload(dst, 1008, "", 0), 2);
    assert_memory_equal(dst, "\x03\xf0", 2);
    assert_int_equal(tg_ws_close_payload(dst, 1005, "", 0), TG_EINVAL);
    assert_int_equal(tg_ws_close_payload(dst, 1006, "", 0), TG_EINVAL);
    assert_int_equal(tg_ws_close_payload(dst, 1015, "", 0), TG_EINVAL);
    assert_int_equal(tg_ws_close_payload(dst, 999, "", 0), TG_EINVAL);
    assert_int_equal(tg_ws_close_payload(dst, 1000, "\xff", 1), TG_EINVAL);
    char reason[124];
    memset(reason, 'r', sizeof(reason));
    assert_int_equal(tg_ws_close_payload(dst, 4999, reason, 123), 125);
    assert_int_equal(tg_ws_close_payload(dst, 4999, reason, 124), TG_EINVAL);
    /* What is built parses back. */
    uint16_t code = 0;
    uint16_t fail = 0;
    struct tg_span r;
    assert_int_equal(tg_ws_close_parse(dst, 125, &code, &r, &fail), 0);
    assert_int_equal(code, 4999);
    assert_int_equal(r.len, 123);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tg_ws_close_code_valid_every_code),
        cmocka_unit_test(test_tg_ws_close_parse_codes_on_the_wire),
        cmocka_unit_test(test_tg_ws_close_parse_payloads),
        cmocka_unit_test(test_tg_ws_close_payload_build),
    };
    return cmocka_run_group_tests_name("ws_close", tests, NULL, NULL);
}

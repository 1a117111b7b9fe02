/*
 * test_ws_handshake — the opening handshake (ws/ws_handshake): the RFC 6455
 * §1.3 / §4.2.2 key and accept example, the request bytes, extra-header
 * validation, and the check of server answers parsed by http/h1_parse:
 * accepted ones (tokens in any case, in lists) and each way an answer can
 * fail (status, Upgrade, Connection, a wrong, missing or doubled accept key,
 * an extension, a subprotocol that was not offered).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ws/ws_handshake.h"

#include <stdio.h>
#include <string.h>

#define RFC_KEY    "dGhlIHNhbXBsZSBub25jZQ=="
#define RFC_ACCEPT "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

static void test_tg_ws_handshake_rfc_example(void **state)
{
    (void)state;
    char key[TG_WS_KEY_LEN + 1];
    tg_ws_handshake_key((const uint8_t *)"the sample nonce", key);
    assert_string_equal(key, RFC_KEY);
    char acc[TG_WS_ACCEPT_LEN + 1];
    assert_int_equal(tg_ws_handshake_accept(key, strlen(key), acc), 0);
    assert_string_equal(acc, RFC_ACCEPT);
    char big[300] = { 0 };
    assert_int_equal(tg_ws_handshake_accept(big, sizeof(big), acc), TG_EINVAL);
}

static void test_tg_ws_handshake_key_ok_cases(void **state)
{
    (void)state;
    assert_true(tg_ws_handshake_key_ok(RFC_KEY, 24));
    assert_true(tg_ws_handshake_key_ok("AAAAAAAAAAAAAAAAAAAAA+/=", 24) == false); /* one '=' */
    assert_true(tg_ws_handshake_key_ok("AAAAAAAAAAAAAAAAAAAAA+==", 24));
    assert_false(tg_ws_handshake_key_ok("dGhlIHNhbXBsZSBub25jZQ", 22));
    assert_false(tg_ws_handshake_key_ok("dGhlIHNhbXBsZSBub25j-Q==", 24));
    assert_false(tg_ws_handshake_key_ok("dGhlIHNhbXBsZSBub25jZQ==x", 25));
    assert_false(tg_ws_handshake_key_ok("", 0));
}

static void test_tg_ws_handshake_request_bytes(void **state)
{
    (void)state;
    const char *hdrs[] = { "Origin: http://example.com",
                           "Sec-WebSocket-Protocol:  chat, superchat" };
    struct tg_ws_handshake_spec s = { .host = "server.example.com",
                                      .target = "/chat?x=1",
                                      .headers = hdrs,
                                      .n_headers = 2,
                                      .key = RFC_KEY };
    char out[512];
    struct tg_diag d = { { 0 } };
    static const char want[] = "GET /chat?x=1 HTTP/1.1\r\n"
                               "Host: server.example.com\r\n"
                               "Upgrade: websocket\r\n"
                               "Connection: Upgrade\r\n"
                               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                               "Sec-WebSocket-Version: 13\r\n"
                               "Origin: http://example.com\r\n"
                               "Sec-WebSocket-Protocol: chat, superchat\r\n"
                               "\r\n";
    assert_int_equal(tg_ws_handshake_request(out, sizeof(out), &s, &d), (int)sizeof(want) - 1);
    assert_memory_equal(out, want, sizeof(want) - 1);
    /* Exactly the size fits; one byte less does not. */
    assert_int_equal(tg_ws_handshake_request(out, sizeof(want) - 1, &s, &d), (int)sizeof(want) - 1);
    assert_int_equal(tg_ws_handshake_request(out, sizeof(want) - 2, &s, &d), TG_E2BIG);
    /* A Host header replaces the default one. */
    const char *host[] = { "host: other" };
    s.headers = host;
    s.n_headers = 1;
    int n = tg_ws_handshake_request(out, sizeof(out), &s, &d);
    assert_true(n > 0);
    out[n] = '\0';
    assert_non_null(strstr(out, "\r\nhost: other\r\n"));
    assert_null(strstr(out, "server.example.com"));
}

static void expect_bad_spec(struct tg_ws_handshake_spec *s, const char *msg_part)
{
    char out[512];
    struct tg_diag d = { { 0 } };
    assert_int_equal(tg_ws_handshake_request(out, sizeof(out), s, &d), TG_EINVAL);
    if (!strstr(d.msg, msg_part)) {
        fail_msg("diag \"%s\" lacks \"%s\"", d.msg, msg_part);
    }
}

static void test_tg_ws_handshake_request_rejects(void **state)
{
    (void)state;
    struct tg_ws_handshake_spec s = { .host = "h", .target = "/", .key = RFC_KEY };
    static const char *owned[] = { "Upgrade: h2c",
                                   "connection: close",
                                   "Sec-WebSocket-Key: x",
                                   "Sec-WebSocket-Version: 8",
                                   "Sec-WebSocket-Accept: x",
                                   "sec-websocket-extensions: deflate",
                                   "Content-Length: 1",
                                   "Transfer-Encoding: chunked" };
    for (size_t i = 0; i < sizeof(owned) / sizeof(owned[0]); i++) {
        s.headers = &owned[i];
        s.n_headers = 1;
        expect_bad_spec(&s, "set by the WebSocket handshake");
    }
    const char *ctl[] = { "X-A: a\r\nX-Injected: 1" };
    s.headers = ctl;
    expect_bad_spec(&s, "control characters");
    const char *noname[] = { "Bad Name: x" };
    s.headers = noname;
    expect_bad_spec(&s, "token name");
    const char *nocolon[] = { "X-A" };
    s.headers = nocolon;
    expect_bad_spec(&s, "token name");
    s.n_headers = 0;
    s.target = "no-slash";
    expect_bad_spec(&s, "target");
    s.target = "/a b";
    expect_bad_spec(&s, "target");
    s.target = "/";
    s.host = "";
    expect_bad_spec(&s, "host");
    s.host = "h\n";
    expect_bad_spec(&s, "host");
    s.host = "h";
    s.key = "short";
    expect_bad_spec(&s, "Sec-WebSocket-Key");
    struct tg_diag d = { { 0 } };
    const char *fine[] = { "Origin: x", "Cookie: a=b", "Sec-WebSocket-Protocol: chat" };
    assert_int_equal(tg_ws_handshake_check_headers(fine, 3, &d), 0);
}

/* Parses a response head and verifies it against spec; returns the verdict and *why. */
static int verify(const char *head, const struct tg_ws_handshake_spec *s, const char **why)
{
    struct tg_h1_resp r;
    int rc = tg_h1_parse_head(head, strlen(head), &r);
    assert_int_equal(rc, (int)strlen(head));
    *why = NULL;
    int v = tg_ws_handshake_verify(&r, s, why);
    assert_true(v == 0 ? *why == NULL : v == TG_EPROTO && *why != NULL);
    return v;
}

static void expect_verdict(const char *head, const struct tg_ws_handshake_spec *s, int want,
                           const char *why_part)
{
    const char *why;
    int v = verify(head, s, &why);
    if (v != want || (want && !strstr(why, why_part))) {
        fail_msg("verdict %d (%s) for:\n%s", v, why ? why : "-", head);
    }
}

static void test_tg_ws_handshake_verify_answers(void **state)
{
    (void)state;
    const char *offer[] = { "Sec-WebSocket-Protocol: chat, superchat" };
    struct tg_ws_handshake_spec s = { .host = "h", .target = "/", .key = RFC_KEY };
    struct tg_ws_handshake_spec p = s;
    p.headers = offer;
    p.n_headers = 1;
#define ACC "Sec-WebSocket-Accept: " RFC_ACCEPT "\r\n"
    expect_verdict("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                   "Connection: Upgrade\r\n" ACC "\r\n",
                   &s, 0, NULL);
    expect_verdict(
        "HTTP/1.1 101 OK\r\nupgrade: WebSocket\r\nconnection: keep-alive, UPGRADE\r\n" ACC "\r\n",
        &s, 0, NULL);
    expect_verdict("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", &s, TG_EPROTO, "not 101");
    expect_verdict("HTTP/1.1 101 X\r\nConnection: Upgrade\r\n" ACC "\r\n", &s, TG_EPROTO,
                   "Upgrade: websocket");
    expect_verdict("HTTP/1.1 101 X\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n" ACC "\r\n", &s,
                   TG_EPROTO, "Upgrade: websocket");
    expect_verdict("HTTP/1.1 101 X\r\nUpgrade: websocket\r\nConnection: keep-alive\r\n" ACC "\r\n",
                   &s, TG_EPROTO, "Connection: Upgrade");
    expect_verdict("HTTP/1.1 101 X\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", &s,
                   TG_EPROTO, "Accept");
    expect_verdict("HTTP/1.1 101 X\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOO=\r\n\r\n",
                   &s, TG_EPROTO, "Accept");
    expect_verdict("HTTP/1.1 101 X\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Accept: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
                   &s, TG_EPROTO, "Accept");
    expect_verdict("HTTP/1.1 101 X\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" ACC ACC "\r\n",
                   &s, TG_EPROTO, "Accept");
    expect_verdict("HTTP/1.1 101 X\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" ACC
                   "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n",
                   &s, TG_EPROTO, "extension");
    expect_verdict("HTTP/1.1 101 X\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" ACC
                   "Sec-WebSocket-Protocol: chat\r\n\r\n",
                   &s, TG_EPROTO, "did not offer");
    expect_verdict("HTTP/1.1 101 X\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" ACC
                   "Sec-WebSocket-Protocol: superchat\r\n\r\n",
                   &p, 0, NULL);
    expect_verdict("HTTP/1.1 101 X\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" ACC
                   "Sec-WebSocket-Protocol: other\r\n\r\n",
                   &p, TG_EPROTO, "did not offer");
    expect_verdict("HTTP/1.1 101 X\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" ACC "\r\n", &p,
                   0, NULL);
#undef ACC
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tg_ws_handshake_rfc_example),
        cmocka_unit_test(test_tg_ws_handshake_key_ok_cases),
        cmocka_unit_test(test_tg_ws_handshake_request_bytes),
        cmocka_unit_test(test_tg_ws_handshake_request_rejects),
        cmocka_unit_test(test_tg_ws_handshake_verify_answers),
    };
    return cmocka_run_group_tests_name("ws_handshake", tests, NULL, NULL);
}

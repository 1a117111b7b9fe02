/*
 * ws_handshake — the opening handshake of RFC 6455 §4: the client's upgrade
 * request, the check of the server's 101 answer, and the server's side of
 * the key exchange. Used once per connection (and per reconnection) by the
 * script runtime's WebSocket client and by serve's /ws endpoint; not per
 * message.
 *
 * The client request (§4.1), extra headers after the fixed ones:
 *   GET <target> HTTP/1.1
 *   Host: <host>                        unless an extra header sets Host
 *   Upgrade: websocket
 *   Connection: Upgrade
 *   Sec-WebSocket-Key: <key>            base64 of 16 random bytes (24 chars)
 *   Sec-WebSocket-Version: 13
 *   <extra headers>                     e.g. Origin, Cookie, Sec-WebSocket-Protocol
 * Extra headers are "Name: value" strings, validated as http/h1_write does
 * (the name a token, the value without control characters), and may not
 * set what the handshake owns: Upgrade, Connection, Sec-WebSocket-Key,
 * Sec-WebSocket-Version, Sec-WebSocket-Accept, Sec-WebSocket-Extensions (no
 * extension is supported, so none may be offered), Content-Length and
 * Transfer-Encoding.
 *
 * The server's answer is accepted when (§4.1, client requirements 1-6):
 *   status 101; Upgrade has the token "websocket" and Connection the token
 *   "upgrade" (comma lists, tokens compared case-insensitively); exactly one
 *   Sec-WebSocket-Accept, equal to base64(SHA-1(key + GUID)) with GUID
 *   258EAFA5-E914-47DA-95CA-C5AB0DC85B11 (compared exactly: base64 is
 *   case-sensitive); no Sec-WebSocket-Extensions; a Sec-WebSocket-Protocol
 *   only when the request offered protocols, and then one of them.
 *
 * Cost: building and checking are a few hundred bytes of copying and
 * comparing; the accept value is one SHA-1 through OpenSSL's EVP interface
 * (OpenSSL may allocate a digest context per call: once per handshake).
 * No stdio; any thread.
 */
#ifndef TG_WS_WS_HANDSHAKE_H
#define TG_WS_WS_HANDSHAKE_H

#include "core/diag.h"
#include "http/h1_parse.h"
#include "tg.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TG_WS_KEY_LEN    24 /* base64 of 16 bytes */
#define TG_WS_ACCEPT_LEN 28 /* base64 of a 20-byte SHA-1 */
#define TG_WS_GUID       "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

struct tg_ws_handshake_spec {
    const char *host;           /* Host value, e.g. "127.0.0.1:8080" or "[::1]:80" */
    const char *target;         /* request target: "/" path ["?" query], VCHARs only */
    const char *const *headers; /* extra "Name: value" strings, n_headers of them */
    size_t n_headers;
    const char *key; /* TG_WS_KEY_LEN chars from tg_ws_handshake_key */
};

/* Writes the Sec-WebSocket-Key for 16 random bytes rnd (the caller's generator) into out. */
void tg_ws_handshake_key(const uint8_t rnd[16], char out[TG_WS_KEY_LEN + 1]);

/*
 * Server side: whether key[0..len) is a valid Sec-WebSocket-Key, i.e. the
 * base64 of 16 bytes: 22 base64 characters and "==".
 */
bool tg_ws_handshake_key_ok(const char *key, size_t len);

/*
 * Writes base64(SHA-1(key[0..key_len) + GUID)) and a NUL into out: the
 * Sec-WebSocket-Accept a server answers key with. Returns 0, TG_EINVAL when
 * key_len is over 256, or TG_EIO when OpenSSL fails.
 */
int tg_ws_handshake_accept(const char *key, size_t key_len, char out[TG_WS_ACCEPT_LEN + 1]);

/*
 * Checks extra headers against the rules above (for a script, at the call
 * that gives them). Returns 0, or TG_EINVAL with d naming the header and
 * the problem.
 */
int tg_ws_handshake_check_headers(const char *const *headers, size_t n, struct tg_diag *d);

/*
 * Writes the client's upgrade request for spec (borrowed) into dst[0..cap).
 * Returns its length (> 0); TG_EINVAL with d set when the target, host or a
 * header is invalid; TG_E2BIG when it does not fit cap.
 */
int tg_ws_handshake_request(char *dst, size_t cap, const struct tg_ws_handshake_spec *spec,
                            struct tg_diag *d);

/*
 * Checks the server's response head r (borrowed) to the request built from
 * spec (its key and the Sec-WebSocket-Protocol it offered, if any). Returns
 * 0 when the connection is a WebSocket now, or TG_EPROTO with *why set to a
 * static sentence naming the failed requirement.
 */
int tg_ws_handshake_verify(const struct tg_h1_resp *r, const struct tg_ws_handshake_spec *spec,
                           const char **why);

#endif

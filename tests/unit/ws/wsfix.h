/*
 * wsfix.h — the WebSocket tests' reference frame encoder and payload
 * grammar, written independently of src/ws so that the codec is checked
 * against something other than itself. Used by test_ws_msg (fixtures in
 * tests/data/ws and the random model test) and test_ws_frame.
 *
 * Payload grammar (fixture files):
 *   payload = '"' *( char / "\xHH" / "\\" / "\"" / "\n" / "\r" / "\t" ) '"'
 *           / "bytes:" N      N bytes, byte k = 'a' + k mod 26
 *
 * Header only, for tests; aborts on malformed fixtures (a broken test, not
 * a failure of the code under test).
 */
#ifndef TG_TESTS_UNIT_WS_WSFIX_H
#define TG_TESTS_UNIT_WS_WSFIX_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct bytes {
    unsigned char *p;
    size_t len;
    size_t cap;
};

static inline void bytes_put(struct bytes *b, const void *src, size_t n)
{
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
        if (!b->p) {
            abort();
        }
    }
    if (n) {
        memcpy(b->p + b->len, src, n);
    }
    b->len += n;
}

static inline void bytes_byte(struct bytes *b, unsigned c)
{
    unsigned char x = (unsigned char)c;
    bytes_put(b, &x, 1);
}

static inline int hexval(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

static inline void fix_die(const char *what, const char *at)
{
    (void)fprintf(stderr, "wsfix: %s at \"%.60s\"\n", what, at);
    abort();
}

/* Parses a payload at s into out; returns the rest of the string. */
static inline const char *parse_payload(const char *s, struct bytes *out)
{
    out->len = 0;
    if (strncmp(s, "bytes:", 6) == 0) {
        char *end;
        unsigned long n = strtoul(s + 6, &end, 10);
        for (unsigned long k = 0; k < n; k++) {
            bytes_byte(out, 'a' + (unsigned)(k % 26));
        }
        return end;
    }
    if (*s != '"') {
        fix_die("payload must be \"...\" or bytes:N", s);
    }
    s++;
    while (*s && *s != '"') {
        if (*s != '\\') {
            bytes_byte(out, (unsigned char)*s++);
            continue;
        }
        s++;
        switch (*s) {
        case 'x':
            if (hexval(s[1]) < 0 || hexval(s[2]) < 0) {
                fix_die("bad \\x escape", s);
            }
            bytes_byte(out, (unsigned)(hexval(s[1]) * 16 + hexval(s[2])));
            s += 3;
            break;
        case 'n':
            bytes_byte(out, '\n');
            s++;
            break;
        case 'r':
            bytes_byte(out, '\r');
            s++;
            break;
        case 't':
            bytes_byte(out, '\t');
            s++;
            break;
        default:
            bytes_byte(out, (unsigned char)*s++);
            break;
        }
    }
    if (*s != '"') {
        fix_die("unterminated string", s);
    }
    return s + 1;
}

/* How the reference encoder writes a frame. */
struct ref_frame {
    bool fin;
    unsigned opcode;
    unsigned rsv; /* 0..7, RSV1 = 4 */
    bool masked;
    unsigned char key[4];
    int ext; /* 0: minimal length encoding; 16 or 64: force that one */
};

/* Appends the frame f carrying payload p[0..n) to out (masking p as it goes). */
static inline void ref_encode(struct bytes *out, const struct ref_frame *f, const unsigned char *p,
                              size_t n)
{
    bytes_byte(out, (f->fin ? 0x80u : 0) | (f->rsv << 4) | (f->opcode & 0xf));
    unsigned mbit = f->masked ? 0x80u : 0;
    int ext = f->ext ? f->ext : n <= 125 ? 0 : n <= 0xffff ? 16 : 64;
    if (ext == 0) {
        bytes_byte(out, mbit | (unsigned)n);
    } else if (ext == 16) {
        bytes_byte(out, mbit | 126);
        bytes_byte(out, (unsigned)(n >> 8) & 0xff);
        bytes_byte(out, (unsigned)n & 0xff);
    } else {
        bytes_byte(out, mbit | 127);
        for (int i = 7; i >= 0; i--) {
            bytes_byte(out, (unsigned)((uint64_t)n >> (8 * i)) & 0xff);
        }
    }
    if (f->masked) {
        bytes_put(out, f->key, 4);
    }
    for (size_t i = 0; i < n; i++) {
        bytes_byte(out, p[i] ^ (f->masked ? f->key[i % 4] : 0));
    }
}

#endif

/*
 * chars — the byte classes of the HTTP/1.1 grammar, shared by the
 * response-head parser (http/h1_parse), the chunked decoder (http/chunked)
 * and serve's chunked-body validator (serve/req_chunked). Hot path.
 *
 * Classes (RFC 5234 core rules, RFC 9110 §5.5 and §5.6.2):
 *   DIGIT  = %x30-39
 *   HEXDIG = DIGIT / "A"-"F" / "a"-"f"   (either case)
 *   tchar  = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
 *            "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
 *   text   = HTAB / SP / VCHAR / obs-text = %x09 / %x20-7E / %x80-FF
 *            (what a field value, reason phrase or chunk extension may hold)
 *
 * Header only, so the checks inline into the parsers' byte loops. Each is a
 * pure function of one byte: ASCII only (no locale), no tables, no
 * allocation, no stdio; callable from any thread.
 */
#ifndef TG_HTTP_CHARS_H
#define TG_HTTP_CHARS_H

#include <stdbool.h>

/* DIGIT. */
static inline bool tg_chars_is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* The value of HEXDIG c, 0..15, or -1 when c is not a hex digit. */
static inline int tg_chars_hexval(unsigned char c)
{
    if (tg_chars_is_digit(c)) {
        return c - '0';
    }
    c |= 0x20;
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

/* tchar: a byte of a token (a method, a field name, a transfer coding). */
static inline bool tg_chars_is_tchar(unsigned char c)
{
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') {
        return true;
    }
    if (tg_chars_is_digit(c)) {
        return true;
    }
    switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
        return true;
    default:
        return false;
    }
}

/* text: HTAB, SP, VCHAR or obs-text; every byte but the other controls and DEL. */
static inline bool tg_chars_is_text(unsigned char c)
{
    return c == '\t' || (c >= 0x20 && c != 0x7f);
}

#endif

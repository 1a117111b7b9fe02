/*
 * srv_fmt — tiny appenders the serve module uses to serialise responses
 * without stdio: decimal and hexadecimal integers and raw bytes. Header only
 * so that they inline into the response path.
 *
 * Contract shared by all: dst must have room for the result (at most
 * TG_SRV_FMT_U64_MAX bytes for a number); they return the number of bytes
 * written and never write a terminating NUL.
 */
#ifndef TG_SERVE_SRV_FMT_H
#define TG_SERVE_SRV_FMT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define TG_SRV_FMT_U64_MAX 20 /* digits of UINT64_MAX */

/* Writes v in decimal. */
static inline size_t tg_srv_fmt_u64(char *dst, uint64_t v)
{
    char tmp[TG_SRV_FMT_U64_MAX];
    size_t n = 0;
    do {
        tmp[sizeof(tmp) - 1 - n] = (char)('0' + v % 10);
        v /= 10;
        n++;
    } while (v);
    memcpy(dst, tmp + sizeof(tmp) - n, n);
    return n;
}

/* Writes v in lower-case hexadecimal, no prefix. */
static inline size_t tg_srv_fmt_hex(char *dst, uint64_t v)
{
    static const char digits[] = "0123456789abcdef";
    char tmp[16];
    size_t n = 0;
    do {
        tmp[sizeof(tmp) - 1 - n] = digits[v & 15];
        v >>= 4;
        n++;
    } while (v);
    memcpy(dst, tmp + sizeof(tmp) - n, n);
    return n;
}

/* Copies the NUL-terminated string s (without its NUL). */
static inline size_t tg_srv_fmt_str(char *dst, const char *s)
{
    size_t n = strlen(s);
    memcpy(dst, s, n);
    return n;
}

/* Number of decimal digits of v (1 for 0). */
static inline size_t tg_srv_fmt_u64_len(uint64_t v)
{
    size_t n = 1;
    while (v >= 10) {
        v /= 10;
        n++;
    }
    return n;
}

#endif

/*
 * ws_utf8 — incremental UTF-8 validation; grammar in ws_utf8.h. The state
 * is the number of continuation bytes still due and the range the next one
 * must fall in (narrower than 80..BF only right after E0, ED, F0 and F4).
 */
#include "ws/ws_utf8.h"

#include <string.h>

#define ASCII_MASK UINT64_C(0x8080808080808080)

void tg_ws_utf8_init(struct tg_ws_utf8 *u)
{
    *u = (struct tg_ws_utf8){ 0, 0x80, 0xbf };
}

/* Starts the sequence whose lead byte is c. false: c cannot lead one. */
static bool lead(struct tg_ws_utf8 *u, unsigned char c)
{
    u->lo = 0x80;
    u->hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
        u->need = 1;
    } else if (c >= 0xe0 && c <= 0xef) {
        u->need = 2;
        if (c == 0xe0) {
            u->lo = 0xa0; /* no overlong 3-byte forms */
        } else if (c == 0xed) {
            u->hi = 0x9f; /* no surrogates */
        }
    } else if (c >= 0xf0 && c <= 0xf4) {
        u->need = 3;
        if (c == 0xf0) {
            u->lo = 0x90; /* no overlong 4-byte forms */
        } else if (c == 0xf4) {
            u->hi = 0x8f; /* nothing above U+10FFFF */
        }
    } else {
        return false; /* 80..C1 (a stray tail, overlong 2-byte lead), F5..FF */
    }
    return true;
}

bool tg_ws_utf8_feed(struct tg_ws_utf8 *u, const char *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0;
    while (i < n) {
        if (u->need == 0) {
            while (i + 8 <= n) {
                uint64_t w;
                memcpy(&w, s + i, 8);
                if (w & ASCII_MASK) {
                    break;
                }
                i += 8;
            }
            if (i == n) {
                break;
            }
            unsigned char c = s[i++];
            if (c >= 0x80 && !lead(u, c)) {
                return false;
            }
            continue;
        }
        unsigned char c = s[i++];
        if (c < u->lo || c > u->hi) {
            return false;
        }
        u->lo = 0x80;
        u->hi = 0xbf;
        u->need--;
    }
    return true;
}

bool tg_ws_utf8_valid(const char *p, size_t n)
{
    struct tg_ws_utf8 u;
    tg_ws_utf8_init(&u);
    return tg_ws_utf8_feed(&u, p, n) && tg_ws_utf8_complete(&u);
}

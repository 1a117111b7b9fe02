/*
 * ws_utf8 — an incremental UTF-8 validator for WebSocket text: the payload
 * of a text message may be split across frames, and a frame across reads,
 * at any byte, even inside a character, so the validator carries the state
 * of an unfinished sequence from one piece to the next. Used by ws/ws_msg
 * (text messages and close reasons); a failure there is close code 1007.
 *
 * Grammar (RFC 3629 §4; what "valid UTF-8" means in RFC 6455 §8.1):
 *   UTF8-char = %x00-7F
 *             / %xC2-DF tail
 *             / %xE0 %xA0-BF tail / %xE1-EC 2tail / %xED %x80-9F tail
 *             / %xEE-EF 2tail
 *             / %xF0 %x90-BF 2tail / %xF1-F3 3tail / %xF4 %x80-8F 2tail
 *   tail      = %x80-BF
 * So overlong forms, UTF-16 surrogates (U+D800..DFFF) and code points above
 * U+10FFFF are invalid. Invalid input is reported at the first byte that
 * cannot continue any valid sequence (fail fast, §8.1), not at the end.
 *
 * Invariants: never allocates, never reads past n; once a feed has failed
 * the state is unspecified (start again with _init). Any thread. Cost: ASCII
 * runs are checked 8 bytes per step, other bytes one table-free branch each.
 */
#ifndef TG_WS_WS_UTF8_H
#define TG_WS_WS_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tg_ws_utf8 {
    uint8_t need; /* continuation bytes still expected by the current sequence (0..3) */
    uint8_t lo;   /* the next byte's allowed range while need > 0 */
    uint8_t hi;
};

/* Prepares u (caller's storage) for a new text. */
void tg_ws_utf8_init(struct tg_ws_utf8 *u);

/* Validates the next n bytes of the text at p (borrowed). false: not UTF-8. */
bool tg_ws_utf8_feed(struct tg_ws_utf8 *u, const char *p, size_t n);

/* Whether the text fed so far ends on a character boundary (a complete text is valid). */
static inline bool tg_ws_utf8_complete(const struct tg_ws_utf8 *u)
{
    return u->need == 0;
}

/* Whether p[0..n) is, as a whole, valid UTF-8. */
bool tg_ws_utf8_valid(const char *p, size_t n);

#endif

/*
 * ws_frame — the RFC 6455 §5.2 frame layer: parsing and writing frame
 * headers, masking payloads, building whole frames. Used by ws/ws_msg (the
 * receive side of a session), by serve's stream endpoints (server frames)
 * and by the script runtime's WebSocket client (client frames). Hot path:
 * every frame in either direction goes through it.
 *
 * Header layout (network byte order):
 *   byte 0   FIN(1) RSV1(1) RSV2(1) RSV3(1) opcode(4)
 *   byte 1   MASK(1) len7(7)
 *   len7 = 0..125: the payload length
 *        = 126:    2 more bytes of length (16-bit unsigned)
 *        = 127:    8 more bytes of length (64-bit; the top bit must be 0)
 *   then 4 bytes of masking key when MASK is set, then the payload.
 *
 * Strictness of the parser (each violation → TG_EPROTO, which a session
 * answers with close code 1002):
 *   - any RSV bit set (tailgate negotiates no extension, so none may be used);
 *   - a reserved opcode (3-7 and 0xB-0xF);
 *   - a control frame (close, ping, pong) with a payload over 125 bytes or
 *     without FIN (control frames must not be fragmented);
 *   - a 64-bit length with its most significant bit set;
 *   - the wrong masking for the direction: frames from a client must be
 *     masked, frames from a server must not be (§5.1).
 * Non-minimal length encodings (e.g. 126 followed by a 16-bit 5) are
 * accepted: §5.2 tells the sender to use the minimal form but gives the
 * receiver no duty to reject, and rejecting costs interoperability for no
 * safety (the length is still exact).
 *
 * Masking (§5.3): payload byte i is XORed with key[i mod 4]. Client frames
 * are always masked with a key the caller supplies (it comes from the
 * caller's per-worker generator: this file keeps no state); server frames
 * are never masked.
 *
 * Invariants: stateless, never allocates, never reads buf[len] or beyond,
 * no stdio; any thread. Cost: header parse and write are a handful of byte
 * operations; masking handles 8 bytes per step with unaligned word loads.
 */
#ifndef TG_WS_WS_FRAME_H
#define TG_WS_WS_FRAME_H

#include "tg.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TG_WS_FRAME_HEAD_MAX 14  /* 2 + 8 length bytes + 4 key bytes */
#define TG_WS_CONTROL_MAX    125 /* payload bytes of a control frame, at most */

enum tg_ws_opcode {
    TG_WS_OP_CONT = 0x0,   /* continuation of a fragmented message */
    TG_WS_OP_TEXT = 0x1,   /* first frame of a text message (UTF-8) */
    TG_WS_OP_BINARY = 0x2, /* first frame of a binary message */
    TG_WS_OP_CLOSE = 0x8,  /* close: [code(2) [reason]] */
    TG_WS_OP_PING = 0x9,
    TG_WS_OP_PONG = 0xA,
};

struct tg_ws_frame {
    uint64_t payload_len; /* bytes of payload after the header, < 2^63 */
    uint8_t mask[4];      /* masking key; meaningful when masked */
    uint8_t opcode;       /* enum tg_ws_opcode */
    bool fin;             /* the last frame of its message */
    bool masked;          /* a key follows the length */
};

/* Whether op is a control opcode (close, ping, pong). */
static inline bool tg_ws_frame_is_control(unsigned op)
{
    return (op & 0x8) != 0;
}

/*
 * Parses the frame header at the start of buf[0..len) (borrowed) into *f
 * (caller's storage). from_client: the frame was sent by a client (we are
 * the server), so it must be masked; otherwise it must not be. Returns the
 * header length (2..14) when complete, TG_EAGAIN when buf holds only part of
 * it, TG_EPROTO when it breaks a rule listed above (as soon as the offending
 * byte is in buf). *f is unspecified unless the result is > 0. Any thread.
 */
int tg_ws_frame_parse(const char *buf, size_t len, bool from_client, struct tg_ws_frame *f);

/*
 * Writes a frame header into dst (room for TG_WS_FRAME_HEAD_MAX bytes):
 * fin, opcode op, payload_len (< 2^63) in its minimal encoding, and mask
 * (4 bytes, borrowed) with the MASK bit when mask is not NULL (client
 * frames); NULL writes an unmasked server frame. Does not check the
 * control-frame rules (tg_ws_frame_build does). Returns the header length.
 */
size_t tg_ws_frame_head(char *dst, bool fin, enum tg_ws_opcode op, uint64_t payload_len,
                        const uint8_t *mask);

/*
 * XORs src[0..n) with key (4 bytes) into dst, as payload bytes that start
 * offset bytes into their frame's payload (so a payload can be masked in
 * pieces). dst may equal src (in place) but must not otherwise overlap it.
 * Masking twice with the same key and offset restores the input.
 */
void tg_ws_mask(char *dst, const char *src, size_t n, const uint8_t key[4], uint64_t offset);

/*
 * Builds a whole frame into dst[0..cap): the header of f (fin, opcode,
 * masked, mask; f->payload_len is the length of payload, borrowed) followed
 * by the payload, masked with f->mask when f->masked. Returns the frame's
 * length in bytes; TG_EINVAL when f breaks a rule (reserved opcode, control
 * frame over 125 bytes or without fin); TG_E2BIG when it does not fit cap or
 * would be longer than INT32_MAX. dst must not overlap payload.
 */
int tg_ws_frame_build(char *dst, size_t cap, const struct tg_ws_frame *f, const char *payload);

#endif

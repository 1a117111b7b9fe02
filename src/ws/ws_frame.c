/*
 * ws_frame — frame header parse and write, masking, frame building; the
 * header layout and the validation rules are in ws_frame.h.
 */
#include "ws/ws_frame.h"

#include <string.h>

static bool opcode_known(unsigned op)
{
    return op == TG_WS_OP_CONT || op == TG_WS_OP_TEXT || op == TG_WS_OP_BINARY ||
           op == TG_WS_OP_CLOSE || op == TG_WS_OP_PING || op == TG_WS_OP_PONG;
}

int tg_ws_frame_parse(const char *buf, size_t len, bool from_client, struct tg_ws_frame *f)
{
    const unsigned char *p = (const unsigned char *)buf;
    if (len < 1) {
        return TG_EAGAIN;
    }
    unsigned op = p[0] & 0x0f;
    f->fin = (p[0] & 0x80) != 0;
    f->opcode = (uint8_t)op;
    if ((p[0] & 0x70) != 0 || !opcode_known(op)) {
        return TG_EPROTO; /* RSV bit without an extension, or a reserved opcode */
    }
    if (tg_ws_frame_is_control(op) && !f->fin) {
        return TG_EPROTO;
    }
    if (len < 2) {
        return TG_EAGAIN;
    }
    f->masked = (p[1] & 0x80) != 0;
    if (f->masked != from_client) {
        return TG_EPROTO;
    }
    unsigned len7 = p[1] & 0x7f;
    if (tg_ws_frame_is_control(op) && len7 > TG_WS_CONTROL_MAX) {
        return TG_EPROTO;
    }
    size_t ext = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
    if (ext == 8 && len > 2 && (p[2] & 0x80) != 0) {
        return TG_EPROTO; /* a 64-bit length must have its top bit clear */
    }
    size_t head = 2 + ext + (f->masked ? 4 : 0);
    if (len < head) {
        return TG_EAGAIN;
    }
    uint64_t n = len7;
    if (ext) {
        n = 0;
        for (size_t i = 0; i < ext; i++) {
            n = (n << 8) | p[2 + i];
        }
    }
    f->payload_len = n;
    if (f->masked) {
        memcpy(f->mask, p + 2 + ext, 4);
    }
    return (int)head;
}

size_t tg_ws_frame_head(char *dst, bool fin, enum tg_ws_opcode op, uint64_t payload_len,
                        const uint8_t *mask)
{
    unsigned char *p = (unsigned char *)dst;
    p[0] = (unsigned char)((fin ? 0x80 : 0) | ((unsigned)op & 0x0f));
    unsigned char mbit = mask ? 0x80 : 0;
    size_t n;
    if (payload_len <= 125) {
        p[1] = (unsigned char)(mbit | payload_len);
        n = 2;
    } else if (payload_len <= 0xffff) {
        p[1] = mbit | 126;
        p[2] = (unsigned char)(payload_len >> 8);
        p[3] = (unsigned char)payload_len;
        n = 4;
    } else {
        p[1] = mbit | 127;
        for (int i = 0; i < 8; i++) {
            p[2 + i] = (unsigned char)(payload_len >> (56 - 8 * i));
        }
        n = 10;
    }
    if (mask) {
        memcpy(p + n, mask, 4);
        n += 4;
    }
    return n;
}

void tg_ws_mask(char *dst, const char *src, size_t n, const uint8_t key[4], uint64_t offset)
{
    /* The key rotated to this offset, repeated over 8 bytes: word i of the
     * payload piece always starts at a multiple of 8, so the pattern holds. */
    unsigned char k8[8];
    for (int j = 0; j < 8; j++) {
        k8[j] = key[(offset + (uint64_t)j) & 3];
    }
    uint64_t k64;
    memcpy(&k64, k8, 8);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, src + i, 8);
        w ^= k64;
        memcpy(dst + i, &w, 8);
    }
    for (size_t j = 0; i < n; i++, j++) {
        dst[i] = (char)((unsigned char)src[i] ^ k8[j]);
    }
}

int tg_ws_frame_build(char *dst, size_t cap, const struct tg_ws_frame *f, const char *payload)
{
    if (!opcode_known(f->opcode)) {
        return TG_EINVAL;
    }
    if (tg_ws_frame_is_control(f->opcode) && (!f->fin || f->payload_len > TG_WS_CONTROL_MAX)) {
        return TG_EINVAL;
    }
    if (f->payload_len > (uint64_t)INT32_MAX - TG_WS_FRAME_HEAD_MAX) {
        return TG_E2BIG;
    }
    size_t plen = (size_t)f->payload_len;
    char head[TG_WS_FRAME_HEAD_MAX];
    size_t hlen = tg_ws_frame_head(head, f->fin, (enum tg_ws_opcode)f->opcode, plen,
                                   f->masked ? f->mask : NULL);
    if (cap < hlen || cap - hlen < plen) {
        return TG_E2BIG;
    }
    memcpy(dst, head, hlen);
    if (f->masked) {
        tg_ws_mask(dst + hlen, payload, plen, f->mask, 0);
    } else if (plen) {
        memcpy(dst + hlen, payload, plen);
    }
    return (int)(hlen + plen);
}

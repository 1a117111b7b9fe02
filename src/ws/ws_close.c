/*
 * ws_close — close codes and close payloads; rules in ws_close.h.
 */
#include "ws/ws_close.h"

#include "ws/ws_frame.h"
#include "ws/ws_utf8.h"

#include <string.h>

bool tg_ws_close_code_valid(unsigned code)
{
    if (code >= 3000 && code <= 4999) {
        return true;
    }
    if (code < 1000 || code > 1014) {
        return false;
    }
    return code != 1004 && code != TG_WS_CLOSE_NO_STATUS && code != TG_WS_CLOSE_ABNORMAL;
}

int tg_ws_close_parse(const char *p, size_t n, uint16_t *code, struct tg_span *reason,
                      uint16_t *fail_code)
{
    *reason = (struct tg_span){ p, 0 };
    if (n == 0) {
        *code = TG_WS_CLOSE_NO_STATUS;
        return 0;
    }
    const unsigned char *b = (const unsigned char *)p;
    if (n == 1 || n > TG_WS_CONTROL_MAX) {
        *fail_code = TG_WS_CLOSE_PROTOCOL;
        return TG_EPROTO;
    }
    unsigned c = (unsigned)b[0] << 8 | b[1];
    if (!tg_ws_close_code_valid(c)) {
        *fail_code = TG_WS_CLOSE_PROTOCOL;
        return TG_EPROTO;
    }
    if (!tg_ws_utf8_valid(p + 2, n - 2)) {
        *fail_code = TG_WS_CLOSE_INVALID_DATA;
        return TG_EPROTO;
    }
    *code = (uint16_t)c;
    *reason = (struct tg_span){ p + 2, n - 2 };
    return 0;
}

int tg_ws_close_payload(char *dst, unsigned code, const char *reason, size_t reason_len)
{
    if (code == 0) {
        return reason_len == 0 ? 0 : TG_EINVAL;
    }
    if (!tg_ws_close_code_valid(code) || reason_len > TG_WS_CLOSE_REASON_MAX ||
        !tg_ws_utf8_valid(reason, reason_len)) {
        return TG_EINVAL;
    }
    dst[0] = (char)(code >> 8);
    dst[1] = (char)(code & 0xff);
    if (reason_len) {
        memcpy(dst + 2, reason, reason_len);
    }
    return (int)(2 + reason_len);
}

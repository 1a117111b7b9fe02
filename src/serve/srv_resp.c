/*
 * srv_resp — response heads and canned responses; layout and contracts in
 * srv_resp.h.
 */
#include "serve/srv_resp.h"

#include "serve/srv_fmt.h"

#include <assert.h>
#include <string.h>

static const struct {
    uint16_t status;
    const char *reason;
} reasons[] = {
    { 200, "OK" },
    { 201, "Created" },
    { 202, "Accepted" },
    { 204, "No Content" },
    { 206, "Partial Content" },
    { 301, "Moved Permanently" },
    { 302, "Found" },
    { 303, "See Other" },
    { 304, "Not Modified" },
    { 307, "Temporary Redirect" },
    { 308, "Permanent Redirect" },
    { 400, "Bad Request" },
    { 401, "Unauthorized" },
    { 403, "Forbidden" },
    { 404, "Not Found" },
    { 405, "Method Not Allowed" },
    { 408, "Request Timeout" },
    { 409, "Conflict" },
    { 413, "Content Too Large" },
    { 429, "Too Many Requests" },
    { 431, "Request Header Fields Too Large" },
    { 500, "Internal Server Error" },
    { 501, "Not Implemented" },
    { 502, "Bad Gateway" },
    { 503, "Service Unavailable" },
    { 504, "Gateway Timeout" },
};

const char *tg_srv_resp_reason(unsigned status)
{
    for (size_t i = 0; i < TG_ARRAY_LEN(reasons); i++) {
        if (reasons[i].status == status) {
            return reasons[i].reason;
        }
    }
    return "Status";
}

size_t tg_srv_resp_head(char *dst, unsigned status, const char *content_type,
                        int64_t content_length, enum tg_srv_conn_mode mode)
{
    assert(status >= 100 && status <= 999);
    char *p = dst;
    p += tg_srv_fmt_str(p, "HTTP/1.1 ");
    p += tg_srv_fmt_u64(p, status);
    *p++ = ' ';
    p += tg_srv_fmt_str(p, tg_srv_resp_reason(status));
    p += tg_srv_fmt_str(p, "\r\nServer: tailgate\r\nContent-Type: ");
    p += tg_srv_fmt_str(p, content_type);
    if (content_length >= 0) {
        p += tg_srv_fmt_str(p, "\r\nContent-Length: ");
        p += tg_srv_fmt_u64(p, (uint64_t)content_length);
    } else if (content_length == TG_SRV_RESP_CHUNKED) {
        p += tg_srv_fmt_str(p, "\r\nTransfer-Encoding: chunked");
    }
    if (mode == TG_SRV_MODE_CLOSE) {
        p += tg_srv_fmt_str(p, "\r\nConnection: close");
    } else if (mode == TG_SRV_MODE_KEEP10) {
        p += tg_srv_fmt_str(p, "\r\nConnection: keep-alive");
    }
    p += tg_srv_fmt_str(p, "\r\n\r\n");
    assert((size_t)(p - dst) <= TG_SRV_RESP_HEAD_MAX);
    return (size_t)(p - dst);
}

static const struct {
    unsigned status;
    const char *type;
    const char *body;
} canned_defs[TG_SRV_CANNED_COUNT] = {
    [TG_SRV_CANNED_ROOT] = { 200, "text/plain", "ok\n" },
    [TG_SRV_CANNED_HEALTH] = { 200, "application/json", "{\"status\":\"ok\"}" },
    [TG_SRV_CANNED_NOT_FOUND] = { 404, "text/plain", "not found\n" },
    [TG_SRV_CANNED_INJECTED] = { 500, "text/plain", "injected error\n" },
    [TG_SRV_CANNED_RESET] = { 200, "application/json", "{\"reset\":true}" },
    [TG_SRV_CANNED_BAD_REQUEST] = { 400, "text/plain", "bad request: malformed request\n" },
    [TG_SRV_CANNED_TOO_LARGE] = { 413, "text/plain", "request body too large\n" },
    [TG_SRV_CANNED_HEAD_LARGE] = { 431, "text/plain", "request header fields too large\n" },
};

void tg_srv_resp_canned_init(struct tg_srv_canned_set *cs)
{
    size_t off = 0;
    for (int c = 0; c < TG_SRV_CANNED_COUNT; c++) {
        size_t body_len = strlen(canned_defs[c].body);
        cs->status[c] = (uint16_t)canned_defs[c].status;
        for (int m = 0; m < TG_SRV_MODE_COUNT; m++) {
            assert(off + TG_SRV_RESP_HEAD_MAX + body_len <= sizeof(cs->buf));
            size_t head =
                tg_srv_resp_head(cs->buf + off, canned_defs[c].status, canned_defs[c].type,
                                 (int64_t)body_len, (enum tg_srv_conn_mode)m);
            memcpy(cs->buf + off + head, canned_defs[c].body, body_len);
            cs->entry[c][m] = (struct tg_srv_canned_entry){
                .off = (uint16_t)off,
                .len = (uint16_t)(head + body_len),
                .head_len = (uint16_t)head,
            };
            off += head + body_len;
        }
    }
}

struct tg_span tg_srv_resp_canned(const struct tg_srv_canned_set *cs, enum tg_srv_canned c,
                                  enum tg_srv_conn_mode m, bool head_only)
{
    const struct tg_srv_canned_entry *e = &cs->entry[c][m];
    return (struct tg_span){ cs->buf + e->off, head_only ? e->head_len : e->len };
}

/*
 * req_parse — request-head parser; grammar, limits and invariants in
 * req_parse.h. Each step returns the new cursor or NULL with *err set, so
 * that "need more input" and "malformed" travel the same way.
 */
#include "serve/req_parse.h"

#include <string.h>

/* tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" /
 * "~" / DIGIT / ALPHA, as a 256-bit set. */
static const uint64_t tchar_set[4] = {
    UINT64_C(0x03ff6cfa00000000), /* 0x00-0x3f: ! # $ % & ' * + - . 0-9 */
    UINT64_C(0x57ffffffc7fffffe), /* 0x40-0x7f: A-Z ^ _ ` a-z | ~ */
    0,
    0,
};

static bool is_tchar(unsigned char c)
{
    return (tchar_set[c >> 6] >> (c & 63)) & 1;
}

static bool is_vchar(unsigned char c)
{
    return c > 0x20 && c < 0x7f;
}

struct cursor {
    const char *p;
    const char *end;
    int err; /* TG_EAGAIN or TG_EPROTO once a step failed */
};

static bool fail(struct cursor *c, int err)
{
    c->err = err;
    return false;
}

/* Consumes an eol (CRLF or LF). */
static bool eat_eol(struct cursor *c)
{
    if (c->p == c->end) {
        return fail(c, TG_EAGAIN);
    }
    if (*c->p == '\n') {
        c->p++;
        return true;
    }
    if (*c->p != '\r') {
        return fail(c, TG_EPROTO);
    }
    if (c->p + 1 == c->end) {
        return fail(c, TG_EAGAIN);
    }
    if (c->p[1] != '\n') {
        return fail(c, TG_EPROTO);
    }
    c->p += 2;
    return true;
}

/* Reads 1*tchar up to (not including) stop. */
static bool read_token(struct cursor *c, char stop, struct tg_span *out)
{
    const char *start = c->p;
    while (c->p < c->end && is_tchar((unsigned char)*c->p)) {
        c->p++;
    }
    if (c->p == c->end) {
        return fail(c, TG_EAGAIN);
    }
    if (*c->p != stop || c->p == start) {
        return fail(c, TG_EPROTO);
    }
    *out = (struct tg_span){ start, (size_t)(c->p - start) };
    c->p++;
    return true;
}

static bool read_request_line(struct cursor *c, struct tg_req_head *h)
{
    /* RFC 9112 §2.2: ignore empty lines (CRLF or LF) before the request line */
    for (;;) {
        if (c->p < c->end && *c->p == '\n') {
            c->p++;
        } else if (c->end - c->p >= 2 && c->p[0] == '\r' && c->p[1] == '\n') {
            c->p += 2;
        } else if (c->end - c->p == 1 && c->p[0] == '\r') {
            return fail(c, TG_EAGAIN); /* CR of a CRLF still to come */
        } else {
            break;
        }
    }
    if (!read_token(c, ' ', &h->method)) {
        return false;
    }
    const char *start = c->p;
    while (c->p < c->end && is_vchar((unsigned char)*c->p)) {
        c->p++;
    }
    if (c->p == c->end) {
        return fail(c, TG_EAGAIN);
    }
    if (*c->p != ' ' || c->p == start) {
        return fail(c, TG_EPROTO);
    }
    h->target = (struct tg_span){ start, (size_t)(c->p - start) };
    c->p++;
    static const char version[] = "HTTP/1.";
    size_t avail = (size_t)(c->end - c->p);
    size_t cmp = TG_MIN(avail, sizeof(version) - 1);
    if (memcmp(c->p, version, cmp) != 0) {
        return fail(c, TG_EPROTO);
    }
    if (avail < sizeof(version)) {
        return fail(c, TG_EAGAIN);
    }
    unsigned char digit = (unsigned char)c->p[sizeof(version) - 1];
    if (digit < '0' || digit > '9') {
        return fail(c, TG_EPROTO);
    }
    h->minor = (uint8_t)(digit - '0');
    c->p += sizeof(version);
    return eat_eol(c);
}

/* Case-insensitive equality with lit, which is lower case. */
static bool span_ieq(struct tg_span s, const char *lit)
{
    size_t n = strlen(lit);
    if (s.len != n) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char a = (unsigned char)s.ptr[i];
        if (a >= 'A' && a <= 'Z') {
            a = (unsigned char)(a + ('a' - 'A'));
        }
        if (a != (unsigned char)lit[i]) {
            return false;
        }
    }
    return true;
}

static int set_content_length(struct tg_req_head *h, struct tg_span v)
{
    if (v.len == 0 || v.len > 18) {
        return TG_EPROTO;
    }
    int64_t n = 0;
    for (size_t i = 0; i < v.len; i++) {
        if (v.ptr[i] < '0' || v.ptr[i] > '9') {
            return TG_EPROTO;
        }
        n = n * 10 + (v.ptr[i] - '0');
    }
    if (h->content_length >= 0 && h->content_length != n) {
        return TG_EPROTO;
    }
    h->content_length = n;
    return 0;
}

/* Records the close / keep-alive / upgrade tokens of a Connection list, or (upgrade) the
 * websocket token of an Upgrade list. */
static void read_tokens(struct tg_req_head *h, struct tg_span v, bool upgrade)
{
    const char *p = v.ptr;
    const char *end = v.ptr + v.len;
    while (p < end) {
        while (p < end && (*p == ',' || *p == ' ' || *p == '\t')) {
            p++;
        }
        const char *start = p;
        while (p < end && *p != ',' && *p != ' ' && *p != '\t') {
            p++;
        }
        struct tg_span tok = { start, (size_t)(p - start) };
        if (upgrade) {
            h->upgrade_websocket |= span_ieq(tok, "websocket");
        } else if (span_ieq(tok, "close")) {
            h->conn_close = true;
        } else if (span_ieq(tok, "keep-alive")) {
            h->conn_keep_alive = true;
        } else if (span_ieq(tok, "upgrade")) {
            h->conn_upgrade = true;
        }
    }
}

/* The fields only the stream endpoints read. 0 or TG_EPROTO. */
static int apply_stream_field(struct tg_req_head *h, struct tg_span name, struct tg_span v)
{
    if (span_ieq(name, "upgrade")) {
        read_tokens(h, v, true);
    } else if (span_ieq(name, "sec-websocket-key")) {
        if (h->ws_key.ptr) {
            return TG_EPROTO;
        }
        h->ws_key = v;
    } else if (span_ieq(name, "sec-websocket-version")) {
        if (!h->ws_version.ptr) {
            h->ws_version = v;
        }
    } else if (span_ieq(name, "last-event-id")) {
        h->last_event_id = v;
    }
    return 0;
}

/* Applies one field to h. 0 or TG_EPROTO. */
static int apply_field(struct tg_req_head *h, struct tg_span name, struct tg_span v)
{
    if (span_ieq(name, "content-length")) {
        return set_content_length(h, v);
    }
    if (span_ieq(name, "transfer-encoding")) {
        if (h->chunked || !span_ieq(v, "chunked")) {
            return TG_EPROTO;
        }
        h->chunked = true;
    } else if (span_ieq(name, "connection")) {
        read_tokens(h, v, false);
    } else if (span_ieq(name, "expect")) {
        h->expect_continue = span_ieq(v, "100-continue");
    } else if (span_ieq(name, "host")) {
        if (h->has_host) {
            return TG_EPROTO;
        }
        h->has_host = true;
    } else {
        return apply_stream_field(h, name, v);
    }
    return 0;
}

/* Reads one field line; the caller has checked it does not start with an eol. */
static bool read_field(struct cursor *c, struct tg_req_head *h)
{
    struct tg_span name;
    if (!read_token(c, ':', &name)) {
        return false;
    }
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t')) {
        c->p++;
    }
    const char *start = c->p;
    const char *last = c->p; /* one past the last non-OWS byte */
    for (; c->p < c->end; c->p++) {
        unsigned char ch = (unsigned char)*c->p;
        if (ch == '\r' || ch == '\n') {
            break;
        }
        if (ch != ' ' && ch != '\t') {
            if (ch < 0x21 || ch == 0x7f) {
                return fail(c, TG_EPROTO);
            }
            last = c->p + 1;
        }
    }
    if (!eat_eol(c)) {
        return false;
    }
    struct tg_span value = { start, (size_t)(last - start) };
    if (apply_field(h, name, value) < 0) {
        return fail(c, TG_EPROTO);
    }
    return true;
}

int tg_req_parse_head(const char *buf, size_t len, struct tg_req_head *h)
{
    memset(h, 0, sizeof(*h));
    h->content_length = -1;
    struct cursor c = { buf, buf + len, 0 };
    if (!read_request_line(&c, h)) {
        return c.err;
    }
    for (;;) {
        if (c.p == c.end) {
            return TG_EAGAIN;
        }
        if (*c.p == '\r' || *c.p == '\n') {
            if (!eat_eol(&c)) {
                return c.err;
            }
            break;
        }
        if (!read_field(&c, h)) {
            return c.err;
        }
    }
    if (h->chunked && h->content_length >= 0) {
        return TG_EPROTO;
    }
    if (c.p - buf > INT32_MAX) {
        return TG_EPROTO;
    }
    return (int)(c.p - buf);
}

/*
 * srv_echo — answers built from the request; routes and rules in srv_echo.h.
 */
#include "serve/srv_echo.h"

#include "serve/srv_fmt.h"

#include <string.h>
#include <strings.h>

#define MAX_LINES 256

/* A bounded writer: an overflow is remembered, not written. */
struct w {
    char *p;
    size_t len;
    size_t cap;
    bool full;
};

static void put(struct w *w, const char *s, size_t n)
{
    if (w->full || w->len + n > w->cap) {
        w->full = true;
        return;
    }
    memcpy(w->p + w->len, s, n);
    w->len += n;
}

static void puts_(struct w *w, const char *s)
{
    put(w, s, strlen(s));
}

static void put_u64(struct w *w, uint64_t v)
{
    char d[TG_SRV_FMT_U64_MAX];
    put(w, d, tg_srv_fmt_u64(d, v));
}

/* A JSON string body: '"' and '\' escaped, bytes outside 0x20..0x7e as \u00XX. */
static void put_json(struct w *w, const char *s, size_t n, bool lower)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            char e[2] = { '\\', (char)c };
            put(w, e, 2);
        } else if (c < 0x20 || c > 0x7e) {
            char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
            put(w, e, 6);
        } else {
            char ch = (char)(lower && c >= 'A' && c <= 'Z' ? c + 32 : c);
            put(w, &ch, 1);
        }
    }
}

static int unhex(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = (char)(c | 0x20);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decodes v into w ('+' stays '+'); false on a bad escape or a control byte. */
static bool put_decoded(struct w *w, struct tg_span v)
{
    for (size_t i = 0; i < v.len; i++) {
        unsigned char c = (unsigned char)v.ptr[i];
        if (c == '%') {
            int hi = i + 2 < v.len ? unhex(v.ptr[i + 1]) : -1;
            int lo = hi >= 0 ? unhex(v.ptr[i + 2]) : -1;
            if (lo < 0) {
                return false;
            }
            c = (unsigned char)(hi * 16 + lo);
            i += 2;
        }
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            return false;
        }
        put(w, (const char *)&c, 1);
    }
    return true;
}

/* Iterates "key=value" pairs of a query: true while one is found (*pos advances). */
static bool next_param(struct tg_span q, size_t *pos, struct tg_span *key, struct tg_span *val)
{
    while (*pos < q.len) {
        const char *p = q.ptr + *pos;
        const char *amp = memchr(p, '&', q.len - *pos);
        size_t len = amp ? (size_t)(amp - p) : q.len - *pos;
        *pos += len + 1;
        if (len == 0) {
            continue;
        }
        const char *eq = memchr(p, '=', len);
        *key = (struct tg_span){ p, eq ? (size_t)(eq - p) : len };
        *val = eq ? (struct tg_span){ eq + 1, len - key->len - 1 } : (struct tg_span){ p + len, 0 };
        return true;
    }
    return false;
}

static bool key_is(struct tg_span k, const char *lit)
{
    return k.len == strlen(lit) && memcmp(k.ptr, lit, k.len) == 0;
}

/* Parses a decimal status in lo..hi; false otherwise. */
static bool parse_status(struct tg_span v, unsigned lo, unsigned hi, uint16_t *out)
{
    unsigned x = 0;
    if (v.len == 0 || v.len > 3) {
        return false;
    }
    for (size_t i = 0; i < v.len; i++) {
        if (v.ptr[i] < '0' || v.ptr[i] > '9') {
            return false;
        }
        x = x * 10 + (unsigned)(v.ptr[i] - '0');
    }
    *out = (uint16_t)x;
    return x >= lo && x <= hi;
}

/* Splits the raw head into header lines (name: value), trimmed; -1 when there are too many. */
static int header_lines(struct tg_span head, struct tg_span *name, struct tg_span *value)
{
    const char *p = head.ptr;
    const char *end = head.ptr + head.len;
    const char *nl = memchr(p, '\n', head.len);
    int n = 0;
    for (p = nl ? nl + 1 : end; p < end;) {
        nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl ? nl : end;
        const char *e = stop > p && stop[-1] == '\r' ? stop - 1 : stop;
        const char *colon = memchr(p, ':', (size_t)(e - p));
        if (e == p || !colon) {
            break;
        }
        if (n == MAX_LINES) {
            return -1;
        }
        const char *v = colon + 1;
        while (v < e && (*v == ' ' || *v == '\t')) {
            v++;
        }
        const char *ve = e;
        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t')) {
            ve--;
        }
        name[n] = (struct tg_span){ p, (size_t)(colon - p) };
        value[n] = (struct tg_span){ v, (size_t)(ve - v) };
        n++;
        p = stop + 1;
    }
    return n;
}

static bool same_name(struct tg_span a, struct tg_span b)
{
    return a.len == b.len && strncasecmp(a.ptr, b.ptr, a.len) == 0;
}

static void build_echo(struct tg_span method, struct tg_span target, struct tg_span head,
                       struct w *w, struct tg_srv_echo *out)
{
    struct tg_span name[MAX_LINES];
    struct tg_span value[MAX_LINES];
    int n = header_lines(head, name, value);
    if (n < 0) {
        out->error = "too many header lines to echo";
        return;
    }
    puts_(w, "{\"method\":\"");
    put_json(w, method.ptr, method.len, false);
    puts_(w, "\",\"target\":\"");
    put_json(w, target.ptr, target.len, false);
    puts_(w, "\",\"headers\":{");
    bool comma = false;
    for (int i = 0; i < n; i++) {
        bool seen = false;
        for (int k = 0; k < i && !seen; k++) {
            seen = same_name(name[k], name[i]);
        }
        if (seen) {
            continue;
        }
        puts_(w, comma ? ",\"" : "\"");
        put_json(w, name[i].ptr, name[i].len, true);
        puts_(w, "\":\"");
        put_json(w, value[i].ptr, value[i].len, false);
        for (int k = i + 1; k < n; k++) {
            if (same_name(name[k], name[i])) {
                puts_(w, ", ");
                put_json(w, value[k].ptr, value[k].len, false);
            }
        }
        puts_(w, "\"");
        comma = true;
    }
    puts_(w, "},");
    out->status = 200;
    out->echo = true;
    out->ctype = "application/json";
    out->body_len = (uint32_t)w->len;
}

/* The Host header's value, or an empty span. */
static struct tg_span host_of(struct tg_span head)
{
    struct tg_span name[MAX_LINES];
    struct tg_span value[MAX_LINES];
    int n = header_lines(head, name, value);
    for (int i = 0; i < n; i++) {
        if (same_name(name[i], (struct tg_span){ "Host", 4 })) {
            return value[i];
        }
    }
    return (struct tg_span){ "", 0 };
}

static void build_redirect(uint64_t n, struct tg_span query, struct tg_span head, struct w *w,
                           struct tg_srv_echo *out)
{
    out->status = 302;
    bool abs = false;
    size_t pos = 0;
    struct tg_span k;
    struct tg_span v;
    while (next_param(query, &pos, &k, &v)) {
        if (key_is(k, "status") && !parse_status(v, 301, 308, &out->status)) {
            out->error = "status must be 301, 302, 303, 307 or 308";
            return;
        }
        if (key_is(k, "status") && out->status > 303 && out->status < 307) {
            out->error = "status must be 301, 302, 303, 307 or 308";
            return;
        }
        abs = abs || (key_is(k, "abs") && v.len == 1 && v.ptr[0] == '1');
    }
    puts_(w, "Location: ");
    if (abs) {
        struct tg_span host = host_of(head);
        puts_(w, "http://");
        put(w, host.ptr, host.len);
    }
    puts_(w, "/redirect/");
    put_u64(w, n - 1);
    if (query.len) {
        puts_(w, "?");
        put(w, query.ptr, query.len);
    }
    puts_(w, "\r\n");
    out->hdr_len = (uint32_t)w->len;
}

static void build_redirect_to(struct tg_span query, struct w *w, struct tg_srv_echo *out)
{
    out->status = 302;
    size_t pos = 0;
    struct tg_span k;
    struct tg_span v;
    bool have_url = false;
    puts_(w, "Location: ");
    while (next_param(query, &pos, &k, &v)) {
        if (key_is(k, "status") && !parse_status(v, 300, 399, &out->status)) {
            out->error = "status must be in 300..399";
            return;
        }
        if (key_is(k, "url") && !have_url) {
            have_url = true;
            if (!put_decoded(w, v)) {
                out->error = "url: bad percent-encoding or a control character";
                return;
            }
        }
    }
    if (!have_url) {
        out->error = "/redirect-to needs ?url=";
        return;
    }
    puts_(w, "\r\n");
    out->hdr_len = (uint32_t)w->len;
}

static void build_cookies(struct tg_span query, struct w *w, struct tg_srv_echo *out)
{
    size_t pos = 0;
    struct tg_span k;
    struct tg_span v;
    int count = 0;
    while (next_param(query, &pos, &k, &v)) {
        if (!key_is(k, "c")) {
            continue;
        }
        if (++count > TG_SRV_ECHO_MAX_COOKIES) {
            out->error = "at most 1000 cookies";
            return;
        }
        puts_(w, "Set-Cookie: ");
        if (!put_decoded(w, v)) {
            out->error = "c: bad percent-encoding or a control character";
            return;
        }
        puts_(w, "\r\n");
    }
    out->hdr_len = (uint32_t)w->len;
    puts_(w, "ok\n");
    out->body_len = 3;
    out->status = 200;
}

void tg_srv_echo_build(enum tg_srv_route r, uint64_t n, struct tg_span method,
                       struct tg_span target, struct tg_span head, char *aux, size_t cap,
                       struct tg_srv_echo *out)
{
    *out = (struct tg_srv_echo){ .status = 200, .ctype = "text/plain" };
    struct w w = { aux, 0, cap, false };
    const char *q = memchr(target.ptr, '?', target.len);
    struct tg_span query = q ? (struct tg_span){ q + 1, target.len - (size_t)(q + 1 - target.ptr) }
                             : (struct tg_span){ target.ptr + target.len, 0 };
    switch (r) {
    case TG_SRV_ROUTE_REDIRECT:
        if (n > 0) {
            build_redirect(n, query, head, &w, out);
            break;
        }
        build_echo(method, target, head, &w, out);
        break;
    case TG_SRV_ROUTE_REDIRECT_TO:
        build_redirect_to(query, &w, out);
        break;
    case TG_SRV_ROUTE_COOKIES:
        build_cookies(query, &w, out);
        break;
    default:
        build_echo(method, target, head, &w, out);
        break;
    }
    if (w.full && !out->error) {
        out->error = "the answer would be too large";
    }
}

size_t tg_srv_echo_finish(char *dst, uint64_t body_bytes)
{
    char *p = dst;
    p += tg_srv_fmt_str(p, "\"body_bytes\":");
    p += tg_srv_fmt_u64(p, body_bytes);
    *p++ = '}';
    return (size_t)(p - dst);
}

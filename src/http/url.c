/*
 * url — absolute URL splitting; grammar in url.h.
 */
#include "http/url.h"

#include "tg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int parse_port(const char *p, size_t len, int *port)
{
    if (len == 0 || len > 5) {
        return TG_EINVAL;
    }
    int v = 0;
    for (size_t i = 0; i < len; i++) {
        if (p[i] < '0' || p[i] > '9') {
            return TG_EINVAL;
        }
        v = v * 10 + (p[i] - '0');
    }
    if (v < 1 || v > 65535) {
        return TG_EINVAL;
    }
    *port = v;
    return 0;
}

static int parse_authority(const char *a, size_t len, struct tg_url *u, struct tg_diag *d,
                           const char *s)
{
    if (memchr(a, '@', len)) {
        tg_diag_set(d,
                    "URL \"%.200s\": credentials in the URL are not supported; "
                    "send an Authorization header instead",
                    s);
        return TG_EINVAL;
    }
    const char *host = a;
    size_t host_len;
    const char *rest;
    if (len > 0 && a[0] == '[') {
        const char *close = memchr(a, ']', len);
        if (!close) {
            tg_diag_set(d, "URL \"%.200s\": unterminated '[' in IPv6 host", s);
            return TG_EINVAL;
        }
        host = a + 1;
        host_len = (size_t)(close - host);
        rest = close + 1;
        u->host_is_ipv6 = true;
    } else {
        const char *colon = memchr(a, ':', len);
        host_len = colon ? (size_t)(colon - a) : len;
        rest = a + host_len;
    }
    size_t rest_len = len - (size_t)(rest - a);
    if (host_len == 0 || host_len >= sizeof(u->host)) {
        tg_diag_set(d, "URL \"%.200s\": %s host", s, host_len ? "overlong" : "missing");
        return TG_EINVAL;
    }
    memcpy(u->host, host, host_len);
    u->host[host_len] = '\0';
    for (size_t i = 0; i < host_len; i++) {
        unsigned char c = (unsigned char)u->host[i];
        if (c <= ' ' || c == '/' || c == '?' || c == '#' || c >= 0x7f) {
            tg_diag_set(d, "URL \"%.200s\": invalid character in host", s);
            return TG_EINVAL;
        }
    }
    if (rest_len > 0) {
        if (rest[0] != ':' || parse_port(rest + 1, rest_len - 1, &u->port) < 0) {
            tg_diag_set(d, "URL \"%.200s\": invalid port (expected 1-65535)", s);
            return TG_EINVAL;
        }
        u->port_explicit = true;
    }
    return 0;
}

int tg_url_parse(const char *s, struct tg_url *u, struct tg_diag *d)
{
    /* field by field: clearing the 8 KiB target would cost more than the parse */
    u->tls = false;
    u->host[0] = '\0';
    u->host_is_ipv6 = false;
    u->port = 0;
    u->port_explicit = false;
    u->target[0] = '\0';
    const char *p;
    if (strncasecmp(s, "http://", 7) == 0) {
        p = s + 7;
        u->port = 80;
    } else if (strncasecmp(s, "https://", 8) == 0) {
        p = s + 8;
        u->tls = true;
        u->port = 443;
    } else {
        tg_diag_set(d, "URL \"%.200s\": expected http:// or https://", s);
        return TG_EINVAL;
    }
    size_t auth_len = strcspn(p, "/?#");
    if (parse_authority(p, auth_len, u, d, s) < 0) {
        return TG_EINVAL;
    }
    const char *t = p + auth_len;
    size_t t_len = strcspn(t, "#");
    for (size_t i = 0; i < t_len; i++) {
        unsigned char c = (unsigned char)t[i];
        if (c <= ' ' || c == 0x7f) {
            tg_diag_set(d, "URL \"%.200s\": spaces and control characters must be percent-encoded",
                        s);
            return TG_EINVAL;
        }
    }
    size_t need = t_len + (t_len == 0 || t[0] == '?' ? 1 : 0);
    if (need >= sizeof(u->target)) {
        tg_diag_set(d, "URL \"%.200s\": path and query longer than %zu bytes", s,
                    sizeof(u->target) - 1);
        return TG_EINVAL;
    }
    size_t off = 0;
    if (t_len == 0 || t[0] == '?') {
        u->target[off++] = '/';
    }
    memcpy(u->target + off, t, t_len);
    u->target[off + t_len] = '\0';
    return 0;
}

void tg_url_host_header(const struct tg_url *u, char *buf, size_t n)
{
    const char *lb = u->host_is_ipv6 ? "[" : "";
    const char *rb = u->host_is_ipv6 ? "]" : "";
    bool default_port = (u->tls && u->port == 443) || (!u->tls && u->port == 80);
    if (default_port) {
        snprintf(buf, n, "%s%s%s", lb, u->host, rb);
    } else {
        snprintf(buf, n, "%s%s%s:%d", lb, u->host, rb, u->port);
    }
}

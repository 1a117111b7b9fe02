/*
 * allow — the host allow-list; see allow.h.
 */
#include "net/allow.h"

#include "tg.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool host_chars_ok(const char *h)
{
    for (const char *p = h; *p; p++) {
        if (!isalnum((unsigned char)*p) && !strchr(".-_:*", *p)) {
            return false;
        }
    }
    return *h != '\0';
}

int tg_allow_add(struct tg_allow *a, const char *pattern, struct tg_diag *d)
{
    if (a->n == TG_ALLOW_MAX) {
        tg_diag_set(d, "--allow-host: at most %d hosts", TG_ALLOW_MAX);
        return TG_E2BIG;
    }
    char host[256];
    int port = 0;
    const char *colon = strrchr(pattern, ':');
    size_t hlen = strlen(pattern);
    if (pattern[0] == '[') { /* [v6] or [v6]:port */
        const char *close = strchr(pattern, ']');
        if (!close) {
            goto bad;
        }
        hlen = (size_t)(close - pattern - 1);
        colon = close[1] == ':' ? close + 1 : NULL;
        if (close[1] && !colon) {
            goto bad;
        }
        pattern++;
    } else if (colon && strchr(pattern, ':') == colon) { /* host:port (one colon) */
        hlen = (size_t)(colon - pattern);
    } else {
        colon = NULL; /* no port, or a bare IPv6 address */
    }
    if (hlen == 0 || hlen >= sizeof(host)) {
        goto bad;
    }
    memcpy(host, pattern, hlen);
    host[hlen] = '\0';
    if (colon) {
        char *end;
        long p = strtol(colon + 1, &end, 10);
        if (*end || end == colon + 1 || p < 1 || p > 65535) {
            goto bad;
        }
        port = (int)p;
    }
    if (!host_chars_ok(host) ||
        (strchr(host, '*') && (strncmp(host, "*.", 2) != 0 || strchr(host + 1, '*')))) {
        goto bad;
    }
    for (char *p = host; *p; p++) {
        *p = (char)tolower((unsigned char)*p);
    }
    snprintf(a->pat[a->n].host, sizeof(a->pat[0].host), "%s", host);
    a->pat[a->n++].port = port;
    return 0;
bad:
    tg_diag_set(d,
                "--allow-host \"%s\": expected HOST, HOST:PORT, *.DOMAIN[:PORT] or "
                "[IPv6]:PORT",
                pattern);
    return TG_EINVAL;
}

static bool host_match(const char *pat, const char *host)
{
    if (strncmp(pat, "*.", 2) != 0) {
        return strcasecmp(pat, host) == 0;
    }
    size_t pl = strlen(pat + 1); /* ".rest" */
    size_t hl = strlen(host);
    return hl > pl && strcasecmp(host + hl - pl, pat + 1) == 0;
}

bool tg_allow_match(const struct tg_allow *a, const char *host, int port)
{
    if (a->n == 0) {
        return true;
    }
    for (size_t i = 0; i < a->n; i++) {
        if ((a->pat[i].port == 0 || a->pat[i].port == port) && host_match(a->pat[i].host, host)) {
            return true;
        }
    }
    return false;
}

/*
 * allow — the host allow-list (--allow-host HOST[:PORT], repeatable): which
 * origins a run may send to. A pattern is a host name or address, optionally
 * with a port; "*." at its start matches any number of labels before the
 * rest ("*.staging.example.com" matches "api.staging.example.com" and
 * "a.b.staging.example.com", not "staging.example.com"). Names compare
 * case-insensitively; IPv6 addresses are written in brackets with a port
 * ("[::1]:8080") or bare without one. An empty list allows everything.
 *
 * Pure functions; the list is read-only once the run starts.
 */
#ifndef TG_NET_ALLOW_H
#define TG_NET_ALLOW_H

#include "core/diag.h"

#include <stdbool.h>
#include <stddef.h>

#define TG_ALLOW_MAX 32

struct tg_allow {
    struct {
        char host[256]; /* lower case, without brackets; "*.x" for a wildcard */
        int port;       /* 0: any */
    } pat[TG_ALLOW_MAX];
    size_t n;
    bool strict; /* a request off the list aborts the run instead of being counted */
};

/* Adds one "HOST[:PORT]" pattern. 0, or TG_EINVAL / TG_E2BIG with d set. */
int tg_allow_add(struct tg_allow *a, const char *pattern, struct tg_diag *d);
/* Whether host:port may be sent to. */
bool tg_allow_match(const struct tg_allow *a, const char *host, int port);

#endif

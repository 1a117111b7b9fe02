/*
 * url — splits an absolute http(s) URL into the parts a request needs.
 *
 * Grammar (the subset of RFC 3986 a load target uses):
 *   url       -> scheme "://" [userinfo "@"] host [":" port] [path-abempty] ["?" query] ["#" frag]
 *   scheme    -> "http" | "https"              (case-insensitive)
 *   host      -> reg-name | IPv4 | "[" IPv6 "]"
 *   port      -> 1*5DIGIT (1..65535)
 * The fragment is dropped; an empty path becomes "/". Userinfo is rejected
 * (credentials belong in an Authorization header, where they are redacted).
 * Owns nothing: the fields are fixed-size copies.
 */
#ifndef TG_HTTP_URL_H
#define TG_HTTP_URL_H

#include "core/diag.h"

#include <stdbool.h>
#include <stddef.h>

struct tg_url {
    bool tls;           /* https */
    char host[256];     /* without brackets for IPv6 */
    bool host_is_ipv6;  /* host was written in brackets */
    int port;           /* explicit or the scheme's default */
    bool port_explicit; /* the URL named the port */
    char target[8192];  /* path and query, starts with '/' */
};

/* Parses s into *u. 0, or TG_EINVAL with a message in d. */
int tg_url_parse(const char *s, struct tg_url *u, struct tg_diag *d);
/* Writes the Host header value ("host", "host:port", "[::1]:port") into buf. */
void tg_url_host_header(const struct tg_url *u, char *buf, size_t n);

#endif

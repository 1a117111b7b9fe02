/*
 * cookie_jar — a bounded RFC 6265 cookie store (one per script VU): it takes
 * Set-Cookie values from responses (storage model, section 5.3) and picks the
 * cookies a request carries (5.4). Parsing and the matching rules are
 * http/cookie.
 *
 * Rules, as browsers and k6 (Go's cookiejar) apply them, minus the public
 * suffix list: a Domain attribute must domain-match the request host and
 * contain a dot unless it is the host itself (so "Domain=com" is refused);
 * without one the cookie is host-only. Path defaults to the request path's
 * directory. Max-Age wins over Expires; either in the past deletes the
 * cookie. A cookie with the same name, domain and path replaces the old one
 * (keeping its creation order). Secure cookies are kept from any origin but
 * sent over https only. Cookies go out longest path first, then oldest first.
 *
 * Bounds: at most TG_COOKIE_JAR_MAX cookies; name + value at most
 * TG_COOKIE_MAX_BYTES, a path at most TG_COOKIE_PATH_MAX. A cookie over a
 * bound is dropped, never stored partly. Each slot's buffer is kept when a
 * cookie goes away (tg_cookie_jar_clear included), so a jar that has warmed
 * up stores and replaces cookies without allocating.
 *
 * Time is Unix seconds passed in by the caller. Owned by one thread.
 */
#ifndef TG_HTTP_COOKIE_JAR_H
#define TG_HTTP_COOKIE_JAR_H

#include "http/cookie.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TG_COOKIE_JAR_MAX   50
#define TG_COOKIE_MAX_BYTES 4096 /* name + value */
#define TG_COOKIE_PATH_MAX  1024

/* The request a cookie comes from or goes to. */
struct tg_cookie_url {
    const char *host; /* as in the URL, without brackets or port */
    size_t host_len;
    const char *path; /* the request target's path, '?' and after excluded; starts with '/' */
    size_t path_len;
    bool https;
};

struct tg_cookie_jar_entry {
    char *buf;    /* name, value, domain and path, each NUL-terminated; owned, reused */
    uint32_t cap; /* bytes of buf */
    uint16_t name_len;
    uint16_t value_len;
    uint16_t domain_len; /* lower case */
    uint16_t path_len;
    int64_t expires_s; /* Unix seconds; INT64_MAX for a session cookie */
    uint64_t created;  /* creation order */
    bool host_only;
    bool secure;
};

struct tg_cookie_jar {
    struct tg_cookie_jar_entry c[TG_COOKIE_JAR_MAX]; /* [0, n) live; the rest keep spare buffers */
    size_t n;
    uint64_t seq; /* next creation number */
};

static inline const char *tg_cookie_jar_name(const struct tg_cookie_jar_entry *c)
{
    return c->buf;
}

static inline const char *tg_cookie_jar_value(const struct tg_cookie_jar_entry *c)
{
    return c->buf + c->name_len + 1;
}

static inline const char *tg_cookie_jar_domain(const struct tg_cookie_jar_entry *c)
{
    return c->buf + c->name_len + c->value_len + 2;
}

static inline const char *tg_cookie_jar_path(const struct tg_cookie_jar_entry *c)
{
    return c->buf + c->name_len + c->value_len + c->domain_len + 3;
}

/* Empties j (caller's storage). */
void tg_cookie_jar_init(struct tg_cookie_jar *j);
/* Frees every buffer of j. */
void tg_cookie_jar_fini(struct tg_cookie_jar *j);
/* Forgets every cookie, keeping the buffers for reuse. */
void tg_cookie_jar_clear(struct tg_cookie_jar *j);

/*
 * Stores the Set-Cookie value s[0..len) received in answer to u at time
 * now_s (or deletes the cookie it expires). 0 (stored or deleted);
 * TG_EPROTO: malformed, ignored; TG_EINVAL: not allowed for u's host
 * (Domain); TG_E2BIG: over a bound (size, or the jar is full), dropped;
 * TG_ENOMEM.
 */
int tg_cookie_jar_set(struct tg_cookie_jar *j, const struct tg_cookie_url *u, const char *s,
                      size_t len, int64_t now_s);
/* The same for attributes parsed or built by the caller (spans borrowed for the call). */
int tg_cookie_jar_store(struct tg_cookie_jar *j, const struct tg_cookie_url *u,
                        const struct tg_cookie_attrs *a, int64_t now_s);

/*
 * Fills out (room for TG_COOKIE_JAR_MAX) with the cookies a request to u
 * carries at now_s, in sending order; returns how many. Expired cookies are
 * removed on the way. The pointers die at the jar's next change.
 */
size_t tg_cookie_jar_match(struct tg_cookie_jar *j, const struct tg_cookie_url *u, int64_t now_s,
                           const struct tg_cookie_jar_entry **out);

/* Removes the cookies named name (all of them when name is NULL) that u would carry. */
void tg_cookie_jar_remove(struct tg_cookie_jar *j, const struct tg_cookie_url *u, const char *name,
                          int64_t now_s);

#endif

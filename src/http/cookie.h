/*
 * cookie — the pieces of RFC 6265 a client needs, as pure functions: parsing
 * a Set-Cookie value (section 5.2), cookie dates (5.1.1), and the
 * domain-match, path-match and default-path rules (5.1.3, 5.1.4). The jar
 * that stores cookies and picks them for a request is http/cookie_jar.
 *
 * Set-Cookie grammar, as a user agent parses it (lenient, like browsers):
 *   set-cookie  -> name-value *( ";" attribute )
 *   name-value  -> name "=" value          (WSP around both trimmed)
 *   attribute   -> attr-name [ "=" attr-value ]
 *   attr-name   -> "Expires" | "Max-Age" | "Domain" | "Path" | "Secure" | "HttpOnly" | other
 * Names are case-insensitive; unknown attributes (SameSite, Priority...) are
 * skipped; of a repeated attribute the last one counts. A name-value without
 * "=", an empty name, or a control byte (other than TAB) in the name or value
 * makes the whole header invalid (RFC 6265bis), so nothing a server sends can
 * put a line break into a later Cookie header.
 *
 * Cookie dates (5.1.1): tokens split at delimiters; the first time
 * (h:m:s), day of month (1-2 digits), month (first 3 letters) and year
 * (2-4 digits; 70-99 -> 19xx, 0-69 -> 20xx) found are used; a missing part,
 * a year before 1601 or an impossible date (31 Feb) is invalid.
 *
 * Pure: spans point into the caller's string; nothing allocates. Any thread.
 */
#ifndef TG_HTTP_COOKIE_H
#define TG_HTTP_COOKIE_H

#include "tg.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tg_cookie_attrs {
    struct tg_span name;
    struct tg_span value;
    struct tg_span domain; /* without a leading '.'; len 0 when absent */
    struct tg_span path;   /* len 0 when absent or not starting with '/' (the default applies) */
    bool has_max_age;
    int64_t max_age_s; /* <= 0: expired at once */
    bool has_expires;
    int64_t expires_s; /* Unix seconds */
    bool secure;
    bool http_only;
};

/* Parses the Set-Cookie value s[0..len) into *a (spans into s). 0, or TG_EPROTO (ignore it). */
int tg_cookie_parse(const char *s, size_t len, struct tg_cookie_attrs *a);

/* Parses a cookie date into Unix seconds. 0, or TG_EPROTO. */
int tg_cookie_parse_date(const char *s, size_t len, int64_t *unix_s);

/*
 * Whether host domain-matches domain (5.1.3), both case-insensitive: equal,
 * or host ends with "." domain and host is a name, not an IP address.
 */
bool tg_cookie_domain_match(const char *host, size_t host_len, const char *domain,
                            size_t domain_len);

/* Whether the request path path-matches the cookie path (5.1.4). */
bool tg_cookie_path_match(const char *req_path, size_t req_len, const char *cookie_path,
                          size_t cookie_len);

/*
 * The default path of a request path (5.1.4): the length of its prefix up to
 * (not including) the last '/', at least 1 ("/"). req_path starts with '/'.
 */
size_t tg_cookie_default_path(const char *req_path, size_t req_len);

/* Whether host is an IPv4 or IPv6 address literal (no domain matching for those). */
bool tg_cookie_host_is_ip(const char *host, size_t host_len);

#endif

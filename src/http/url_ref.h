/*
 * url_ref — URLs relative to another one: a redirect's Location resolved
 * against the URL that was requested (RFC 3986 section 5.2, "reference
 * resolution"), and a script client's path joined to its base_url.
 *
 * Grammar of a reference (RFC 3986 section 4.1, the forms a Location takes):
 *   ref       -> scheme ":" rest        absolute; only http and https follow
 *              | "//" authority [path]   network-path: the base's scheme
 *              | "/" path                absolute-path: the base's authority
 *              | path                    relative-path: merged with the base's directory
 *              | "?" query | "#" frag | ""
 *   scheme    -> ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
 * Dot segments ("." and "..") of the resulting path are removed (5.2.4);
 * the query is kept as written; the fragment is dropped. Control bytes
 * (< 0x20, 0x7f) make a reference invalid, and so do spaces and bytes >= 0x80
 * in its authority; elsewhere those are percent-encoded, as browsers do.
 *
 * Pure: no allocation, no state; results go to the caller's buffer. Used by
 * script/ (redirects, http.client). Cost: one pass over base and reference.
 */
#ifndef TG_HTTP_URL_REF_H
#define TG_HTTP_URL_REF_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Resolves ref against base (an absolute http or https URL) into out (cap
 * bytes, NUL-terminated). 0; TG_EINVAL when base is not an absolute http(s)
 * URL, ref names another scheme or holds a control byte; TG_E2BIG when the
 * result does not fit. The result is not otherwise validated: parse it with
 * tg_url_parse. Any thread.
 */
int tg_url_ref_resolve(const char *base, const char *ref, char *out, size_t cap);

/*
 * Joins path to base_url the way Locust's HttpSession does, without its
 * pitfalls: an absolute http(s) URL is used as given; otherwise base_url
 * (one trailing '/' dropped) and path are joined by exactly one '/' ("users"
 * and "/users" give the same URL), and a path that is empty or starts with
 * '?' is appended as is. 0, or TG_E2BIG when out (cap bytes) is too small.
 * Any thread.
 */
int tg_url_ref_join(const char *base_url, const char *path, char *out, size_t cap);

/* Whether s starts with "http://" or "https://" (case-insensitive). Any thread. */
bool tg_url_ref_is_absolute(const char *s);

#endif

/*
 * h1_write — serialises an HTTP/1.1 request once, at plan time, so the hot
 * path only copies a prepared byte string into the socket (wrk's "static
 * request"). The result is owned by the caller and is read-only afterwards,
 * so every connection of a worker can send the same bytes.
 */
#ifndef TG_HTTP_H1_WRITE_H
#define TG_HTTP_H1_WRITE_H

#include "core/diag.h"
#include "http/url.h"

#include <stdbool.h>
#include <stddef.h>

struct tg_h1_request_spec {
    const char *method;         /* e.g. "GET"; validated as a token */
    const struct tg_url *url;   /* target and Host */
    const char *const *headers; /* "Name: value" strings, n_headers of them */
    size_t n_headers;
    const char *body; /* may be NULL */
    size_t body_len;
};

/*
 * Builds the request bytes into a new buffer (*out, *out_len; the caller
 * frees *out with tg_free). Adds Host (unless given), User-Agent (unless
 * given) and Content-Length (when there is a body or the method usually
 * carries one). 0, TG_EINVAL (bad method or header, message in d) or
 * TG_ENOMEM.
 */
int tg_h1_write_request(const struct tg_h1_request_spec *spec, char **out, size_t *out_len,
                        struct tg_diag *d);
/* Whether s[0..len) is an HTTP token (a method or header name). */
bool tg_h1_write_token_ok(const char *s, size_t len);
/* Whether s[0..len) may be a header value: no CR, LF or other control character but tab. */
bool tg_h1_write_value_ok(const char *s, size_t len);
/* Whether the method's response never has a body (HEAD). */
bool tg_h1_write_is_head(const char *method);

#endif

/*
 * h1_write — request serialisation at plan time; see h1_write.h.
 */
#include "http/h1_write.h"

#include "core/alloc.h"
#include "http/chars.h"
#include "tg.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define TG_USER_AGENT "tailgate/0.1"

bool tg_h1_write_token_ok(const char *s, size_t len)
{
    if (len == 0) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (!tg_chars_is_tchar((unsigned char)s[i])) {
            return false;
        }
    }
    return true;
}

bool tg_h1_write_value_ok(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (!tg_chars_is_text((unsigned char)s[i])) {
            return false;
        }
    }
    return true;
}

static int check_header(const char *h, struct tg_diag *d, size_t *name_len)
{
    const char *colon = strchr(h, ':');
    if (!colon || !tg_h1_write_token_ok(h, (size_t)(colon - h))) {
        tg_diag_set(d, "header \"%s\": expected \"Name: value\" with a token name", h);
        return TG_EINVAL;
    }
    if (!tg_h1_write_value_ok(colon + 1, strlen(colon + 1))) {
        tg_diag_set(d, "header \"%.*s\": control characters in the value", (int)(colon - h), h);
        return TG_EINVAL;
    }
    *name_len = (size_t)(colon - h);
    return 0;
}

static bool has_header(const struct tg_h1_request_spec *spec, const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < spec->n_headers; i++) {
        if (strncasecmp(spec->headers[i], name, len) == 0 && spec->headers[i][len] == ':') {
            return true;
        }
    }
    return false;
}

bool tg_h1_write_is_head(const char *method)
{
    return strcmp(method, "HEAD") == 0;
}

int tg_h1_write_request(const struct tg_h1_request_spec *spec, char **out, size_t *out_len,
                        struct tg_diag *d)
{
    if (!tg_h1_write_token_ok(spec->method, strlen(spec->method))) {
        tg_diag_set(d, "method \"%s\": not an HTTP token", spec->method);
        return TG_EINVAL;
    }
    size_t cap = strlen(spec->method) + strlen(spec->url->target) + 512 + spec->body_len;
    for (size_t i = 0; i < spec->n_headers; i++) {
        size_t name_len;
        if (check_header(spec->headers[i], d, &name_len) < 0) {
            return TG_EINVAL;
        }
        cap += strlen(spec->headers[i]) + 4;
    }
    char *buf = tg_alloc(cap);
    if (!buf) {
        return TG_ENOMEM;
    }
    size_t off = 0;
    off += (size_t)snprintf(buf + off, cap - off, "%s %s HTTP/1.1\r\n", spec->method,
                            spec->url->target);
    if (!has_header(spec, "Host")) {
        char host[300];
        tg_url_host_header(spec->url, host, sizeof(host));
        off += (size_t)snprintf(buf + off, cap - off, "Host: %s\r\n", host);
    }
    if (!has_header(spec, "User-Agent")) {
        off += (size_t)snprintf(buf + off, cap - off, "User-Agent: %s\r\n", TG_USER_AGENT);
    }
    for (size_t i = 0; i < spec->n_headers; i++) {
        const char *h = spec->headers[i];
        const char *colon = strchr(h, ':');
        const char *v = colon + 1;
        while (*v == ' ' || *v == '\t') {
            v++;
        }
        off += (size_t)snprintf(buf + off, cap - off, "%.*s: %s\r\n", (int)(colon - h), h, v);
    }
    bool wants_length = spec->body || strcmp(spec->method, "POST") == 0 ||
                        strcmp(spec->method, "PUT") == 0 || strcmp(spec->method, "PATCH") == 0;
    if (wants_length && !has_header(spec, "Content-Length")) {
        off += (size_t)snprintf(buf + off, cap - off, "Content-Length: %zu\r\n", spec->body_len);
    }
    memcpy(buf + off, "\r\n", 2);
    off += 2;
    if (spec->body_len) {
        memcpy(buf + off, spec->body, spec->body_len);
        off += spec->body_len;
    }
    *out = buf;
    *out_len = off;
    return 0;
}

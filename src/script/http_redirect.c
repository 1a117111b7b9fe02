/*
 * http_redirect — following redirects, as k6 does (it is Go's net/http):
 *
 * - 301, 302, 303, 307 and 308 with a Location are followed, up to the
 *   exchange's limit (params.redirects, default 10; 0 = none). Another 3xx,
 *   or one without a Location, is the final response.
 * - 301, 302 and 303 turn any method but GET and HEAD into GET, without the
 *   body (and its Content-Type and Content-Length); 307 and 308 keep the
 *   method and the body.
 * - Location is resolved against the URL just requested (http/url_ref); a
 *   new origin gets its own connection of the VU. Going to another host
 *   (not the same one or a subdomain of it) drops Authorization and the
 *   script's own cookies for the rest of the chain; the jar's cookies go
 *   wherever they match.
 * - Reaching the limit returns the last redirect response with error_code
 *   1706 (too_many_redirects); a Location that does not resolve to an
 *   http(s) URL returns it with 1707 (bad_redirect_location).
 *
 * Each hop is a request of its own in the metrics, recorded before the next
 * one is sent. Runs in the completion of the previous hop: no Lua.
 */
#include "core/alloc.h"
#include "http/cookie.h"
#include "http/url_ref.h"
#include "net/errcode.h"
#include "script/internal.h"

#include <string.h>
#include <strings.h>

static bool followed(int status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

static const struct tg_span *location(const struct tg_h1_resp *r)
{
    for (size_t i = 0; i < r->num_headers; i++) {
        const struct tg_h1_header *h = &r->headers[i];
        if (h->name.len == 8 && strncasecmp(h->name.ptr, "Location", 8) == 0) {
            return &h->value;
        }
    }
    return NULL;
}

bool tg_http_redirect__check(struct tg_http_xchg *x, const struct tg_h1_resp *r, char *next,
                             size_t cap)
{
    if (!r || x->res.error_code || !followed(x->res.status) || x->redirects_max == 0) {
        return false;
    }
    const struct tg_span *loc = location(r);
    if (!loc || loc->len == 0) {
        return false; /* nowhere to go: this is the response */
    }
    if (x->redirects_left == 0) {
        x->error_code = TG_ERR_TOO_MANY_REDIRECTS;
        return false;
    }
    char base[TG_HTTP_URL_MAX];
    char ref[TG_HTTP_URL_MAX];
    struct tg_diag d = { "" };
    if (loc->len >= sizeof(ref) || tg_http_xchg__base_url(x, base, sizeof(base)) == 0) {
        x->error_code = TG_ERR_BAD_REDIRECT;
        return false;
    }
    memcpy(ref, loc->ptr, loc->len);
    ref[loc->len] = '\0';
    if (strlen(ref) != loc->len || tg_url_ref_resolve(base, ref, next, cap) < 0 ||
        tg_url_parse(next, x->vu->rt->url, &d) < 0) {
        x->error_code = TG_ERR_BAD_REDIRECT;
        return false;
    }
    return true;
}

/* Whether a header line (name at p) is named name. */
static bool line_is(const char *p, size_t n, const char *name)
{
    size_t k = strlen(name);
    return n > k && p[k] == ':' && strncasecmp(p, name, k) == 0;
}

/* The script's header lines of x's last request minus those the next hop drops. */
static int filter_headers(struct tg_http_xchg *x, uint8_t drop, struct tg_http_rt *h)
{
    h->hdrs_len = 0;
    const char *p = x->req + x->hdr_off;
    const char *end = p + x->hdr_len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl + 1 - p) : (size_t)(end - p);
        bool gone = ((drop & TG_HTTP_F_HOST) && line_is(p, n, "Host")) ||
                    ((drop & TG_HTTP_F_PRIVATE) && line_is(p, n, "Authorization")) ||
                    ((drop & TG_HTTP_F_CT) && line_is(p, n, "Content-Type")) ||
                    ((drop & TG_HTTP_F_CL) && line_is(p, n, "Content-Length"));
        if (!gone) {
            if (h->hdrs_len + n > h->hdrs_cap) {
                size_t cap = h->hdrs_cap ? h->hdrs_cap * 2 : 512;
                while (cap < h->hdrs_len + n) {
                    cap *= 2;
                }
                char *q = tg_realloc(h->hdrs, cap, 1);
                if (!q) {
                    return TG_ENOMEM;
                }
                h->hdrs = q;
                h->hdrs_cap = cap;
            }
            memcpy(h->hdrs + h->hdrs_len, p, n);
            h->hdrs_len += n;
        }
        p += n;
    }
    return 0;
}

int tg_http_redirect__follow(struct tg_http_xchg *x, const char *next)
{
    struct tg_rt *rt = x->vu->rt;
    struct tg_http_rt *h = rt->http;
    const struct tg_url *u = rt->url; /* next, parsed by tg_http_redirect__check */
    int st = x->res.status;
    bool to_get = st <= 303 && strcmp(x->method, "GET") != 0 && strcmp(x->method, "HEAD") != 0;
    const char *old = tg_http_xchg__host(x);
    bool same_site = tg_cookie_domain_match(u->host, strlen(u->host), old, strlen(old));
    uint8_t drop = (tg_http_xchg__same_origin(x, u) ? 0 : TG_HTTP_F_HOST) |
                   (same_site ? 0 : TG_HTTP_F_PRIVATE) |
                   (to_get ? TG_HTTP_F_CT | TG_HTTP_F_CL | TG_HTTP_F_JSON : 0);
    if (filter_headers(x, drop, h) < 0) {
        return TG_ENOMEM;
    }
    uint8_t flags = (uint8_t)((x->flags & ~drop) | (drop & TG_HTTP_F_PRIVATE));
    bool private_gone = flags & TG_HTTP_F_PRIVATE;
    struct tg_http_parts p = {
        to_get ? "GET" : x->method,
        u,
        { h->hdrs, h->hdrs_len },
        { private_gone ? "" : x->req + x->ck_off, private_gone ? 0 : x->ck_len },
        { to_get ? "" : x->req + x->req_len - x->body_len, to_get ? 0 : x->body_len },
        flags,
    };
    size_t len;
    if (tg_http_build__compose(x, &p, &h->buf, &h->buf_cap, &len) < 0) {
        return TG_ENOMEM;
    }
    struct tg_origin *o = tg_http_xchg__origin(rt, u);
    if (!o) {
        return TG_ENOMEM;
    }
    char *swap =
        x->req; /* the composed request becomes the exchange's; its old buffer the scratch */
    size_t swap_cap = x->req_cap;
    x->req = h->buf;
    x->req_cap = h->buf_cap;
    x->req_len = len;
    h->buf = swap;
    h->buf_cap = swap_cap;
    if (to_get) {
        memcpy(x->method, "GET", 4);
    }
    x->origin = o;
    tg_http_build__set_url(x, next);
    x->redirects_left--;
    x->creq.bytes = x->req;
    x->creq.len = len;
    x->creq.head_request = strcmp(x->method, "HEAD") == 0;
    return tg_http_xchg__dispatch(x);
}

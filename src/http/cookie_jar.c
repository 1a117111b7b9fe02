/*
 * cookie_jar — the bounded cookie store; rules in cookie_jar.h.
 */
#include "http/cookie_jar.h"

#include "core/alloc.h"

#include <string.h>
#include <strings.h>

void tg_cookie_jar_init(struct tg_cookie_jar *j)
{
    memset(j, 0, sizeof(*j));
}

void tg_cookie_jar_fini(struct tg_cookie_jar *j)
{
    for (size_t i = 0; i < TG_COOKIE_JAR_MAX; i++) {
        tg_free(j->c[i].buf);
    }
    memset(j, 0, sizeof(*j));
}

void tg_cookie_jar_clear(struct tg_cookie_jar *j)
{
    j->n = 0;
}

/* Removes live entry i; its buffer moves to the spare part. */
static void drop(struct tg_cookie_jar *j, size_t i)
{
    struct tg_cookie_jar_entry tmp = j->c[i];
    j->c[i] = j->c[j->n - 1];
    j->c[j->n - 1] = tmp;
    j->n--;
}

static bool expired(const struct tg_cookie_jar_entry *c, int64_t now_s)
{
    return c->expires_s <= now_s;
}

/* Whether the cookie goes with a request to u (5.4 step 1, expiry aside). */
static bool applies(const struct tg_cookie_jar_entry *c, const struct tg_cookie_url *u)
{
    const char *dom = tg_cookie_jar_domain(c);
    bool host_ok =
        c->host_only ? (u->host_len == c->domain_len && strncasecmp(u->host, dom, u->host_len) == 0)
                     : tg_cookie_domain_match(u->host, u->host_len, dom, c->domain_len);
    return host_ok && (!c->secure || u->https) &&
           tg_cookie_path_match(u->path, u->path_len, tg_cookie_jar_path(c), c->path_len);
}

/* The cookie's domain (lower case, into dom) and host-only flag; < 0 when refused. */
static int pick_domain(const struct tg_cookie_url *u, const struct tg_cookie_attrs *a, char *dom,
                       size_t *dom_len, bool *host_only)
{
    struct tg_span d = a->domain.len ? a->domain : (struct tg_span){ u->host, u->host_len };
    if (d.len >= 256) {
        return TG_EINVAL;
    }
    for (size_t i = 0; i < d.len; i++) {
        char ch = d.ptr[i];
        dom[i] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
    }
    *dom_len = d.len;
    bool same_as_host = d.len == u->host_len && strncasecmp(d.ptr, u->host, d.len) == 0;
    *host_only = a->domain.len == 0;
    if (*host_only || same_as_host) {
        *host_only = *host_only || !memchr(dom, '.', d.len); /* a single label: like a suffix */
        return 0;
    }
    if (!memchr(dom, '.', d.len) || !tg_cookie_domain_match(u->host, u->host_len, dom, d.len)) {
        return TG_EINVAL; /* another site's domain, or a bare suffix such as "com" */
    }
    return 0;
}

static int64_t expiry(const struct tg_cookie_attrs *a, int64_t now_s)
{
    if (a->has_max_age) {
        return a->max_age_s <= 0 ? INT64_MIN : now_s + a->max_age_s;
    }
    return a->has_expires ? a->expires_s : INT64_MAX;
}

static int fill(struct tg_cookie_jar_entry *c, const struct tg_cookie_attrs *a, const char *dom,
                size_t dom_len, struct tg_span path)
{
    size_t need = a->name.len + a->value.len + dom_len + path.len + 4;
    if (need > c->cap) {
        size_t cap = (need + 63) & ~(size_t)63;
        char *b = tg_realloc(c->buf, cap, 1);
        if (!b) {
            return TG_ENOMEM;
        }
        c->buf = b;
        c->cap = (uint32_t)cap;
    }
    char *p = c->buf;
    const struct tg_span parts[] = { a->name, a->value, { dom, dom_len }, path };
    for (size_t i = 0; i < 4; i++) {
        if (parts[i].len) {
            memcpy(p, parts[i].ptr, parts[i].len);
        }
        p[parts[i].len] = '\0';
        p += parts[i].len + 1;
    }
    c->name_len = (uint16_t)a->name.len;
    c->value_len = (uint16_t)a->value.len;
    c->domain_len = (uint16_t)dom_len;
    c->path_len = (uint16_t)path.len;
    return 0;
}

static size_t find(const struct tg_cookie_jar *j, const struct tg_cookie_attrs *a, const char *dom,
                   size_t dom_len, struct tg_span path)
{
    for (size_t i = 0; i < j->n; i++) {
        const struct tg_cookie_jar_entry *c = &j->c[i];
        if (c->name_len == a->name.len && c->domain_len == dom_len && c->path_len == path.len &&
            memcmp(c->buf, a->name.ptr, a->name.len) == 0 &&
            memcmp(tg_cookie_jar_domain(c), dom, dom_len) == 0 &&
            memcmp(tg_cookie_jar_path(c), path.ptr, path.len) == 0) {
            return i;
        }
    }
    return j->n;
}

static void purge_expired(struct tg_cookie_jar *j, int64_t now_s)
{
    for (size_t i = 0; i < j->n;) {
        if (expired(&j->c[i], now_s)) {
            drop(j, i);
        } else {
            i++;
        }
    }
}

int tg_cookie_jar_store(struct tg_cookie_jar *j, const struct tg_cookie_url *u,
                        const struct tg_cookie_attrs *a, int64_t now_s)
{
    if (a->name.len + a->value.len > TG_COOKIE_MAX_BYTES || a->path.len > TG_COOKIE_PATH_MAX) {
        return TG_E2BIG;
    }
    char dom[256];
    size_t dom_len;
    bool host_only;
    int rc = pick_domain(u, a, dom, &dom_len, &host_only);
    if (rc < 0) {
        return rc;
    }
    struct tg_span path = a->path.len
                              ? a->path
                              : (struct tg_span){ u->path_len ? u->path : "/",
                                                  tg_cookie_default_path(u->path, u->path_len) };
    int64_t exp = expiry(a, now_s);
    size_t i = find(j, a, dom, dom_len, path);
    if (exp <= now_s) {
        if (i < j->n) {
            drop(j, i);
        }
        return 0;
    }
    bool fresh = i == j->n;
    if (fresh) {
        if (j->n == TG_COOKIE_JAR_MAX) {
            purge_expired(j, now_s);
        }
        if (j->n == TG_COOKIE_JAR_MAX) {
            return TG_E2BIG;
        }
        i = j->n;
        j->c[i].created = j->seq++;
    }
    rc = fill(&j->c[i], a, dom, dom_len, path);
    if (rc < 0) {
        return rc;
    }
    j->c[i].expires_s = exp;
    j->c[i].host_only = host_only;
    j->c[i].secure = a->secure;
    if (fresh) {
        j->n++;
    }
    return 0;
}

int tg_cookie_jar_set(struct tg_cookie_jar *j, const struct tg_cookie_url *u, const char *s,
                      size_t len, int64_t now_s)
{
    struct tg_cookie_attrs a;
    if (tg_cookie_parse(s, len, &a) < 0) {
        return TG_EPROTO;
    }
    return tg_cookie_jar_store(j, u, &a, now_s);
}

size_t tg_cookie_jar_match(struct tg_cookie_jar *j, const struct tg_cookie_url *u, int64_t now_s,
                           const struct tg_cookie_jar_entry **out)
{
    size_t n = 0;
    for (size_t i = 0; i < j->n;) {
        if (expired(&j->c[i], now_s)) {
            drop(j, i);
            continue;
        }
        if (applies(&j->c[i], u)) {
            out[n++] = &j->c[i];
        }
        i++;
    }
    /* sending order: longer paths first, then older first (insertion sort: n <= 50) */
    for (size_t i = 1; i < n; i++) {
        const struct tg_cookie_jar_entry *c = out[i];
        size_t k = i;
        while (k > 0 &&
               (out[k - 1]->path_len < c->path_len ||
                (out[k - 1]->path_len == c->path_len && out[k - 1]->created > c->created))) {
            out[k] = out[k - 1];
            k--;
        }
        out[k] = c;
    }
    return n;
}

void tg_cookie_jar_remove(struct tg_cookie_jar *j, const struct tg_cookie_url *u, const char *name,
                          int64_t now_s)
{
    for (size_t i = 0; i < j->n;) {
        struct tg_cookie_jar_entry *c = &j->c[i];
        if (expired(c, now_s) || (applies(c, u) && (!name || strcmp(c->buf, name) == 0))) {
            drop(j, i);
        } else {
            i++;
        }
    }
}

/*
 * url_ref — reference resolution and base_url joining; grammar in url_ref.h.
 */
#include "http/url_ref.h"

#include "tg.h"

#include <string.h>
#include <strings.h>

/* An output buffer that remembers overflow instead of failing at each append. */
struct out {
    char *p;
    size_t len;
    size_t cap; /* bytes, the NUL included */
    bool full;
};

static void put(struct out *o, const char *s, size_t n)
{
    if (o->full || o->len + n + 1 > o->cap) {
        o->full = true;
        return;
    }
    memcpy(o->p + o->len, s, n);
    o->len += n;
    o->p[o->len] = '\0';
}

static int finish(struct out *o)
{
    return o->full ? TG_E2BIG : 0;
}

bool tg_url_ref_is_absolute(const char *s)
{
    return strncasecmp(s, "http://", 7) == 0 || strncasecmp(s, "https://", 8) == 0;
}

/* Length of a leading "scheme:" (the colon included), 0 when ref has none. */
static size_t scheme_len(const char *ref)
{
    char c = ref[0];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
        return 0;
    }
    for (size_t i = 1; ref[i]; i++) {
        c = ref[i];
        if (c == ':') {
            return i + 1;
        }
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '+' || c == '-' || c == '.';
        if (!ok) {
            return 0;
        }
    }
    return 0;
}

/* Whether ref's authority (after "scheme://" or "//") holds a space or a non-ASCII byte. */
static bool bad_authority(const char *ref)
{
    size_t sl = scheme_len(ref);
    const char *a = ref[sl] == '/' && ref[sl + 1] == '/' ? ref + sl + 2 : NULL;
    for (; a && *a && *a != '/' && *a != '?' && *a != '#'; a++) {
        if ((unsigned char)*a <= ' ' || (unsigned char)*a >= 0x7f) {
            return true;
        }
    }
    return false;
}

/* Copies ref into o without its fragment, percent-encoding spaces and non-ASCII bytes. */
static int clean_ref(const char *ref, struct out *o)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)ref; *p && *p != '#'; p++) {
        if (*p < 0x20 || *p == 0x7f) {
            return TG_EINVAL;
        }
        if (*p == ' ' || *p >= 0x80) {
            char esc[3] = { '%', hex[*p >> 4], hex[*p & 15] };
            put(o, esc, 3);
        } else {
            put(o, (const char *)p, 1);
        }
    }
    return finish(o);
}

/* Appends path (n bytes, starting with '/') to o with its dot segments removed (5.2.4). */
static void put_path(struct out *o, const char *path, size_t n)
{
    size_t start = o->len;
    for (size_t i = 1;;) {
        const char *seg = path + i;
        size_t left = i <= n ? n - i : 0;
        const char *slash = memchr(seg, '/', left);
        size_t seg_len = slash ? (size_t)(slash - seg) : left;
        bool dot = seg_len == 1 && seg[0] == '.';
        bool dotdot = seg_len == 2 && seg[0] == '.' && seg[1] == '.';
        if (dotdot && !o->full && o->len > start) {
            char *cut = memrchr(o->p + start, '/', o->len - start);
            o->len = cut ? (size_t)(cut - o->p) : start;
            o->p[o->len] = '\0';
        }
        if (!dot && !dotdot) {
            put(o, "/", 1);
            put(o, seg, seg_len);
        } else if (!slash) {
            put(o, "/", 1); /* "a/." and "a/.." name a directory */
        }
        if (!slash) {
            break;
        }
        i += seg_len + 1;
    }
    if (o->len == start) {
        put(o, "/", 1);
    }
}

struct base_parts {
    size_t scheme;    /* "http:" or "https:" length, colon included */
    size_t authority; /* end of "//authority" (offset) */
    size_t path_end;  /* end of the path (start of '?' or '#' or the end) */
    size_t query_end; /* end of the query (start of '#' or the end) */
};

static int split_base(const char *base, struct base_parts *b)
{
    if (!tg_url_ref_is_absolute(base)) {
        return TG_EINVAL;
    }
    b->scheme = (size_t)(strchr(base, ':') - base) + 1;
    b->authority = b->scheme + 2 + strcspn(base + b->scheme + 2, "/?#");
    b->path_end = b->authority + strcspn(base + b->authority, "?#");
    b->query_end = b->path_end + strcspn(base + b->path_end, "#");
    return 0;
}

/* Merges a relative path with the base's directory (5.2.3), then removes dot segments. */
static void put_merged(struct out *o, const char *base, const struct base_parts *b, const char *rel,
                       size_t rel_len, char *tmp, size_t tmp_cap)
{
    struct out t = { tmp, 0, tmp_cap, false };
    const char *bp = base + b->authority;
    size_t bp_len = b->path_end - b->authority;
    const char *dir_end = bp_len ? memrchr(bp, '/', bp_len) : NULL;
    if (dir_end) {
        put(&t, bp, (size_t)(dir_end - bp) + 1);
    } else {
        put(&t, "/", 1);
    }
    put(&t, rel, rel_len);
    if (t.full) {
        o->full = true;
        return;
    }
    put_path(o, t.p, t.len);
}

int tg_url_ref_resolve(const char *base, const char *ref, char *out, size_t cap)
{
    struct base_parts b;
    if (cap == 0 || split_base(base, &b) < 0) {
        return TG_EINVAL;
    }
    if (bad_authority(ref)) {
        return TG_EINVAL; /* a host name cannot hold spaces, and is not percent-encoded */
    }
    char r[8448];
    struct out ro = { r, 0, sizeof(r), false };
    r[0] = '\0';
    int rc = clean_ref(ref, &ro);
    if (rc < 0) {
        return rc;
    }
    struct out o = { out, 0, cap, false };
    out[0] = '\0';
    size_t sl = scheme_len(r);
    if (sl) {
        if (!tg_url_ref_is_absolute(r)) {
            return TG_EINVAL; /* ftp:, javascript:, mailto:... are not followed */
        }
        size_t auth_end = sl + 2 + strcspn(r + sl + 2, "/?");
        put(&o, r, auth_end);
        size_t path_len = strcspn(r + auth_end, "?");
        if (path_len) {
            put_path(&o, r + auth_end, path_len);
        }
        put(&o, r + auth_end + path_len, strlen(r + auth_end + path_len));
        return finish(&o);
    }
    const char *q = strchr(r, '?');
    size_t path_len = q ? (size_t)(q - r) : strlen(r);
    if (r[0] == '/' && r[1] == '/') {
        put(&o, base, b.scheme);
        size_t auth_end = 2 + strcspn(r + 2, "/?");
        put(&o, r, auth_end);
        if (path_len > auth_end) {
            put_path(&o, r + auth_end, path_len - auth_end);
        }
    } else {
        put(&o, base, b.authority);
        if (path_len == 0) {
            put(&o, base + b.authority, b.path_end - b.authority);
            if (!q) {
                put(&o, base + b.path_end, b.query_end - b.path_end); /* "" keeps the query */
            }
        } else if (r[0] == '/') {
            put_path(&o, r, path_len);
        } else {
            char tmp[8448];
            put_merged(&o, base, &b, r, path_len, tmp, sizeof(tmp));
        }
    }
    if (q) {
        put(&o, q, strlen(q));
    }
    return finish(&o);
}

int tg_url_ref_join(const char *base_url, const char *path, char *out, size_t cap)
{
    struct out o = { out, 0, cap, cap == 0 };
    if (cap) {
        out[0] = '\0';
    }
    if (tg_url_ref_is_absolute(path)) {
        put(&o, path, strlen(path));
        return finish(&o);
    }
    size_t bl = strlen(base_url);
    if (bl && base_url[bl - 1] == '/') {
        bl--;
    }
    put(&o, base_url, bl);
    if (path[0] != '\0' && path[0] != '?' && path[0] != '/') {
        put(&o, "/", 1);
    }
    put(&o, path, strlen(path));
    return finish(&o);
}

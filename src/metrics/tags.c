/*
 * tags — canonical tag-set keys; see tags.h.
 */
#include "metrics/tags.h"

#include "tg.h"

#include <stdlib.h>
#include <string.h>

static int cmp_tag(const void *a, const void *b)
{
    const struct tg_tag *x = a;
    const struct tg_tag *y = b;
    return strcmp(x->key, y->key);
}

static bool clean(const char *s)
{
    return strpbrk(s, "\x1e\x1f") == NULL;
}

int tg_tags_canonical(const struct tg_tag *tags, size_t n, char *buf, size_t cap)
{
    if (n > TG_TAGS_MAX) {
        return TG_E2BIG;
    }
    struct tg_tag sorted[TG_TAGS_MAX];
    /* Stable de-duplication: a later pair with the same key wins. */
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (!clean(tags[i].key) || !clean(tags[i].value)) {
            return TG_EINVAL;
        }
        size_t j = 0;
        while (j < m && strcmp(sorted[j].key, tags[i].key) != 0) {
            j++;
        }
        sorted[j] = tags[i];
        if (j == m) {
            m++;
        }
    }
    qsort(sorted, m, sizeof(sorted[0]), cmp_tag);
    size_t off = 0;
    for (size_t i = 0; i < m; i++) {
        size_t kl = strlen(sorted[i].key);
        size_t vl = strlen(sorted[i].value);
        if (off + (i > 0 ? 1 : 0) + kl + vl + 2 > cap) {
            return TG_E2BIG;
        }
        if (i > 0) {
            buf[off++] = '\x1e';
        }
        memcpy(buf + off, sorted[i].key, kl);
        off += kl;
        buf[off++] = '\x1f';
        memcpy(buf + off, sorted[i].value, vl);
        off += vl;
    }
    if (cap == 0) {
        return TG_E2BIG;
    }
    buf[off] = '\0';
    return (int)off;
}

bool tg_tags_next(const char *canon, size_t *pos, const char **k, size_t *klen, const char **v,
                  size_t *vlen)
{
    const char *p = canon + *pos;
    if (*p == '\0') {
        return false;
    }
    if (*p == '\x1e') {
        p++;
    }
    const char *sep = strchr(p, '\x1f');
    if (!sep) {
        return false;
    }
    const char *end = sep + 1 + strcspn(sep + 1, "\x1e");
    *k = p;
    *klen = (size_t)(sep - p);
    *v = sep + 1;
    *vlen = (size_t)(end - (sep + 1));
    *pos = (size_t)(end - canon);
    return true;
}

bool tg_tags_get(const char *canon, const char *key, const char **value, size_t *value_len)
{
    size_t pos = 0;
    const char *k;
    const char *v;
    size_t kl;
    size_t vl;
    size_t want = strlen(key);
    while (tg_tags_next(canon, &pos, &k, &kl, &v, &vl)) {
        if (kl == want && memcmp(k, key, kl) == 0) {
            *value = v;
            *value_len = vl;
            return true;
        }
    }
    return false;
}

bool tg_tags_contains(const char *canon, const struct tg_tag *want, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *v;
        size_t vl;
        if (!tg_tags_get(canon, want[i].key, &v, &vl)) {
            return false;
        }
        if (vl != strlen(want[i].value) || memcmp(v, want[i].value, vl) != 0) {
            return false;
        }
    }
    return true;
}

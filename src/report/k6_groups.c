/*
 * k6_groups — k6's root_group; see k6_groups.h.
 */
#include "report/k6_groups.h"

#include "metrics/metric.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

static void md5_hex(const char *s, char out[33])
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (!EVP_Digest(s, strlen(s), d, &n, EVP_md5(), NULL)) {
        n = 0;
    }
    for (unsigned int i = 0; i < n && i < 16; i++) {
        snprintf(out + 2 * i, 3, "%02x", d[i]);
    }
    out[2 * (n < 16 ? n : 16)] = '\0';
}

static json_t *node(const char *name, const char *path)
{
    char id[33];
    md5_hex(path, id);
    return json_pack("{s:s, s:s, s:s, s:{}, s:{}}", "name", name, "path", path, "id", id, "groups",
                     "checks");
}

/* The node of group path "::a::b" under root, created as needed. */
static json_t *group_of(json_t *root, const char *path, size_t len)
{
    json_t *g = root;
    size_t pos = 0;
    char name[256];
    char sub[512];
    while (g && pos + 2 <= len && strncmp(path + pos, "::", 2) == 0) {
        size_t start = pos + 2;
        const char *next = memmem(path + start, len - start, "::", 2);
        size_t end = next ? (size_t)(next - path) : len;
        snprintf(name, sizeof(name), "%.*s", (int)(end - start), path + start);
        snprintf(sub, sizeof(sub), "%.*s", (int)end, path);
        json_t *groups = json_object_get(g, "groups");
        json_t *child = json_object_get(groups, name);
        if (!child) {
            child = node(name, sub);
            if (!child || json_object_set_new(groups, name, child) < 0) {
                return NULL;
            }
        }
        g = child;
        pos = end;
    }
    return g;
}

static void add_check(json_t *g, const char *name, uint64_t passes, uint64_t fails)
{
    json_t *checks = json_object_get(g, "checks");
    json_t *c = json_object_get(checks, name);
    if (!c) {
        char path[768];
        char id[33];
        snprintf(path, sizeof(path), "%s::%s", json_string_value(json_object_get(g, "path")), name);
        md5_hex(path, id);
        c = json_pack("{s:s, s:s, s:s, s:I, s:I}", "name", name, "path", path, "id", id, "passes",
                      (json_int_t)0, "fails", (json_int_t)0);
        if (!c || json_object_set_new(checks, name, c) < 0) {
            return;
        }
    }
    json_int_t p = json_integer_value(json_object_get(c, "passes"));
    json_int_t f = json_integer_value(json_object_get(c, "fails"));
    json_object_set_new(c, "passes", json_integer(p + (json_int_t)passes));
    json_object_set_new(c, "fails", json_integer(f + (json_int_t)fails));
}

/* handleSummary's layout: groups and checks as arrays, recursively. */
static json_t *to_arrays(json_t *g)
{
    const char *k;
    json_t *v;
    const char *const lists[] = { "groups", "checks" };
    for (size_t i = 0; i < 2; i++) {
        json_t *arr = json_array();
        json_object_foreach(json_object_get(g, lists[i]), k, v)
        {
            json_array_append(arr, i == 0 ? to_arrays(v) : v);
        }
        json_object_set_new(g, lists[i], arr);
    }
    return g;
}

json_t *tg_k6_groups_json(const struct tg_results *res, bool arrays)
{
    const struct tg_registry *reg = &res->reg;
    json_t *root = node("", "");
    for (size_t i = 0; root && i < reg->n_series; i++) {
        uint32_t m = reg->series[i].metric;
        if (m != TG_M_CHECKS && m != TG_M_GROUP_DURATION) {
            continue;
        }
        const char *canon = reg->tagsets[reg->series[i].tagset];
        const char *gv = "";
        size_t glen = 0;
        tg_tags_get(canon, "group", &gv, &glen);
        json_t *g = group_of(root, gv, glen);
        const char *cv;
        size_t clen;
        if (g && m == TG_M_CHECKS && i < res->total.n && tg_tags_get(canon, "check", &cv, &clen)) {
            const struct tg_sink *s = &res->total.sinks[i];
            char name[256];
            snprintf(name, sizeof(name), "%.*s", (int)clen, cv);
            add_check(g, name, s->u.rate.nonzero, s->n - s->u.rate.nonzero);
        }
    }
    return root && arrays ? to_arrays(root) : root;
}

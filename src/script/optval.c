/*
 * optval — typed option readers; see optval.h.
 */
#include "script/optval.h"

#include "core/alloc.h"
#include "core/units.h"

#include <lauxlib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

int tg_optval_type_error(struct tg_optval *r, const char *path, const char *want)
{
    tg_diag_set(r->d, "%s: expected %s, got %s", path, want, luaL_typename(r->L, -1));
    return TG_EINVAL;
}

/* ---- scalar readers: value at the top of the stack ----------------------- */

int tg_optval_string(struct tg_optval *r, const char *path, char **out)
{
    if (lua_type(r->L, -1) != LUA_TSTRING) {
        return tg_optval_type_error(r, path, "a string");
    }
    char *s = tg_strdup(lua_tostring(r->L, -1));
    if (!s) {
        return TG_ENOMEM;
    }
    tg_free(*out);
    *out = s;
    return 0;
}

int tg_optval_number(struct tg_optval *r, const char *path, double min, double *out)
{
    if (lua_type(r->L, -1) != LUA_TNUMBER) {
        return tg_optval_type_error(r, path, "a number");
    }
    double v = lua_tonumber(r->L, -1);
    if (!isfinite(v) || v < min) {
        tg_diag_set(r->d, "%s: %g is out of range (at least %g)", path, v, min);
        return TG_EINVAL;
    }
    *out = v;
    return 0;
}

int tg_optval_count(struct tg_optval *r, const char *path, double min, double max, uint64_t *out)
{
    double v;
    int rc = tg_optval_number(r, path, min, &v);
    if (rc < 0) {
        return rc;
    }
    if (v != floor(v) || v > max) {
        tg_diag_set(r->d, "%s: expected a whole number from %g to %g, got %g", path, min, max, v);
        return TG_EINVAL;
    }
    *out = (uint64_t)v;
    return 0;
}

int tg_optval_u32(struct tg_optval *r, const char *path, double min, uint32_t *out)
{
    uint64_t v;
    int rc = tg_optval_count(r, path, min, 10000000, &v);
    if (rc == 0) {
        *out = (uint32_t)v;
    }
    return rc;
}

int tg_optval_duration(struct tg_optval *r, const char *path, tg_ns *out)
{
    int t = lua_type(r->L, -1);
    if (t == LUA_TNUMBER) {
        double ms = lua_tonumber(r->L, -1);
        if (!isfinite(ms) || ms < 0 || ms > 9e12) {
            tg_diag_set(r->d, "%s: %g ms is not a duration", path, ms);
            return TG_EINVAL;
        }
        *out = (tg_ns)(ms * 1e6);
        return 0;
    }
    if (t != LUA_TSTRING) {
        return tg_optval_type_error(r, path, "a duration (\"30s\", \"1m30s\" or milliseconds)");
    }
    const char *s = lua_tostring(r->L, -1);
    if (tg_units_parse_duration(s, TG_NS_PER_MS, out) < 0) {
        tg_diag_set(r->d, "%s: \"%s\" is not a duration (e.g. \"500ms\", \"30s\", \"1m30s\")", path,
                    s);
        return TG_EINVAL;
    }
    return 0;
}

int tg_optval_bool(struct tg_optval *r, const char *path, bool *out)
{
    if (lua_type(r->L, -1) != LUA_TBOOLEAN) {
        return tg_optval_type_error(r, path, "true or false");
    }
    *out = lua_toboolean(r->L, -1);
    return 0;
}

/* ---- tables ------------------------------------------------------------- */

int tg_optval_each(struct tg_optval *r, const char *path, tg_optval_field_fn fn, void *ctx)
{
    if (lua_type(r->L, -1) != LUA_TTABLE) {
        return tg_optval_type_error(r, path, "a table");
    }
    lua_pushnil(r->L);
    while (lua_next(r->L, -2) != 0) {
        if (lua_type(r->L, -2) != LUA_TSTRING) {
            tg_diag_set(r->d, "%s: keys must be names, found a %s key", path,
                        luaL_typename(r->L, -2));
            lua_pop(r->L, 2);
            return TG_EINVAL;
        }
        const char *key = lua_tostring(r->L, -2);
        char sub[512];
        snprintf(sub, sizeof(sub), "%s.%s", path, key);
        int rc = fn(r, key, sub, ctx);
        lua_pop(r->L, 1);
        if (rc < 0) {
            lua_pop(r->L, 1);
            return rc;
        }
    }
    return 0;
}

int tg_optval_unknown(struct tg_optval *r, const char *path)
{
    tg_diag_set(r->d, "%s: unknown option", path);
    return TG_EINVAL;
}

static int kv_field(struct tg_optval *r, const char *key, const char *path, void *ctx)
{
    struct {
        struct tg_kv **arr;
        size_t *n;
    } *t = ctx;
    if (lua_type(r->L, -1) != LUA_TSTRING && lua_type(r->L, -1) != LUA_TNUMBER) {
        return tg_optval_type_error(r, path, "a string");
    }
    struct tg_kv *arr = tg_realloc(*t->arr, *t->n + 1, sizeof(*arr));
    if (!arr) {
        return TG_ENOMEM;
    }
    *t->arr = arr;
    arr[*t->n].key = tg_strdup(key);
    arr[*t->n].value = tg_strdup(lua_tostring(r->L, -1));
    (*t->n)++;
    return arr[*t->n - 1].key && arr[*t->n - 1].value ? 0 : TG_ENOMEM;
}

int tg_optval_kv(struct tg_optval *r, const char *path, struct tg_kv **arr, size_t *n)
{
    struct {
        struct tg_kv **arr;
        size_t *n;
    } t = { arr, n };
    return tg_optval_each(r, path, kv_field, &t);
}

int tg_optval_stages(struct tg_optval *r, const char *path, struct tg_stage **stages,
                     size_t *n_stages)
{
    if (lua_type(r->L, -1) != LUA_TTABLE) {
        return tg_optval_type_error(r, path, "a list of { duration = ..., target = ... }");
    }
    size_t n = lua_objlen(r->L, -1);
    if (n == 0) {
        tg_diag_set(r->d, "%s: at least one stage is needed", path);
        return TG_EINVAL;
    }
    tg_free(*stages);
    *n_stages = 0;
    struct tg_stage *st = tg_calloc(n, sizeof(*st));
    *stages = st;
    if (!st) {
        return TG_ENOMEM;
    }
    *n_stages = n;
    for (size_t i = 0; i < n; i++) {
        char sp[512];
        snprintf(sp, sizeof(sp), "%s[%zu]", path, i + 1);
        lua_rawgeti(r->L, -1, (int)i + 1);
        if (lua_type(r->L, -1) != LUA_TTABLE) {
            int rc = tg_optval_type_error(r, sp, "a table { duration = ..., target = ... }");
            lua_pop(r->L, 1);
            return rc;
        }
        int rc = 0;
        bool have_d = false;
        bool have_t = false;
        lua_pushnil(r->L);
        while (rc == 0 && lua_next(r->L, -2) != 0) {
            const char *k = lua_type(r->L, -2) == LUA_TSTRING ? lua_tostring(r->L, -2) : "?";
            char fp[600];
            snprintf(fp, sizeof(fp), "%s.%s", sp, k);
            if (strcmp(k, "duration") == 0) {
                rc = tg_optval_duration(r, fp, &st[i].duration);
                have_d = true;
            } else if (strcmp(k, "target") == 0) {
                rc = tg_optval_number(r, fp, 0, &st[i].target);
                have_t = true;
            } else {
                rc = tg_optval_unknown(r, fp);
            }
            lua_pop(r->L, rc == 0 ? 1 : 2);
        }
        lua_pop(r->L, 1);
        if (rc < 0) {
            return rc;
        }
        if (!have_d || !have_t) {
            tg_diag_set(r->d, "%s: needs both duration and target", sp);
            return TG_EINVAL;
        }
    }
    return 0;
}

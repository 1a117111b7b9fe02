/*
 * options — the script's `options` table to a validated configuration; see
 * options.h. Each reader takes the value at the top of the Lua stack and the
 * option path of that value, and names the path in every error.
 */
#include "script/options.h"

#include "http/h1_write.h"

#include "core/alloc.h"
#include "core/units.h"
#include "report/values.h"
#include "script/lua_scenario.h"
#include "script/opt_scenario.h"
#include "script/optval.h"

#include <lauxlib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *tg_executor_name(enum tg_executor e)
{
    return tg_opt_executor_names[e];
}

static int cmp_scenario(const void *a, const void *b)
{
    return strcmp(((const struct tg_scenario *)a)->name, ((const struct tg_scenario *)b)->name);
}

static int scenarios_field(struct tg_optval *r, const char *key, const char *path, void *ctx)
{
    struct tg_options *o = ctx;
    struct tg_scenario *arr = tg_realloc(o->scenarios, o->n_scenarios + 1, sizeof(*arr));
    if (!arr) {
        return TG_ENOMEM;
    }
    o->scenarios = arr;
    memset(&arr[o->n_scenarios], 0, sizeof(*arr));
    o->n_scenarios++;
    return tg_opt_scenario_read(r, key, path, &arr[o->n_scenarios - 1]);
}

/* ---- thresholds --------------------------------------------------------- */

static int add_threshold(struct tg_optval *r, struct tg_options *o, const struct tg_selector *sel,
                         const char *path)
{
    struct tg_plan_threshold t = { 0 };
    t.sel = *sel;
    int ty = lua_type(r->L, -1);
    const char *expr = NULL;
    if (ty == LUA_TSTRING) {
        expr = lua_tostring(r->L, -1);
    } else if (ty == LUA_TTABLE) {
        lua_pushnil(r->L);
        while (lua_next(r->L, -2) != 0) {
            const char *k = lua_type(r->L, -2) == LUA_TSTRING ? lua_tostring(r->L, -2) : "?";
            char fp[600];
            snprintf(fp, sizeof(fp), "%s.%s", path, k);
            int rc = 0;
            if (strcmp(k, "threshold") == 0) {
                rc =
                    lua_type(r->L, -1) == LUA_TSTRING ? 0 : tg_optval_type_error(r, fp, "a string");
                expr = rc == 0 ? lua_tostring(r->L, -1) : NULL;
            } else if (strcmp(k, "abortOnFail") == 0) {
                rc = tg_optval_bool(r, fp, &t.abort_on_fail);
            } else if (strcmp(k, "delayAbortEval") == 0) {
                rc = tg_optval_duration(r, fp, &t.delay_abort_eval);
            } else {
                rc = tg_optval_unknown(r, fp);
            }
            lua_pop(r->L, 1);
            if (rc < 0) {
                lua_pop(r->L, 1);
                return rc;
            }
        }
        /* expr points into the table, which stays on the stack meanwhile */
    } else {
        return tg_optval_type_error(r, path,
                                    "a threshold string or { threshold = ..., abortOnFail = ... }");
    }
    if (!expr) {
        tg_diag_set(r->d, "%s.threshold: required", path);
        return TG_EINVAL;
    }
    if (tg_threshold_parse_expr(expr, &t.expr, r->d) < 0) {
        tg_diag_prefix(r->d, "%s", path);
        return TG_EINVAL;
    }
    struct tg_plan_threshold *arr = tg_realloc(o->thresholds, o->n_thresholds + 1, sizeof(*arr));
    if (!arr) {
        return TG_ENOMEM;
    }
    o->thresholds = arr;
    arr[o->n_thresholds++] = t;
    return 0;
}

static int thresholds_field(struct tg_optval *r, const char *key, const char *path, void *ctx)
{
    struct tg_options *o = ctx;
    struct tg_selector sel;
    if (tg_threshold_parse_selector(key, &sel, r->d) < 0) {
        tg_diag_prefix(r->d, "%s", path);
        return TG_EINVAL;
    }
    if (lua_type(r->L, -1) != LUA_TTABLE || lua_objlen(r->L, -1) == 0) {
        /* a single string or object instead of a list */
        return add_threshold(r, o, &sel, path);
    }
    size_t n = lua_objlen(r->L, -1);
    for (size_t i = 1; i <= n; i++) {
        char ip[560];
        snprintf(ip, sizeof(ip), "%s[%zu]", path, i);
        lua_rawgeti(r->L, -1, (int)i);
        int rc = add_threshold(r, o, &sel, ip);
        lua_pop(r->L, 1);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

/* ---- top level ---------------------------------------------------------- */

struct shortcuts {
    bool vus;
    bool duration;
    bool iterations;
    bool stages;
    struct tg_scenario s; /* what the shortcuts configure */
};

static int synthetic_header(struct tg_optval *r, const char *path, struct tg_options *o)
{
    int rc = tg_optval_string(r, path, &o->synthetic_header);
    if (rc < 0) {
        return rc;
    }
    const char *h = o->synthetic_header;
    const char *colon = strchr(h, ':');
    const char *v = colon ? colon + 1 + strspn(colon + 1, " \t") : NULL;
    if (!colon || colon == h || !tg_h1_write_token_ok(h, (size_t)(colon - h)) || !*v ||
        !tg_h1_write_value_ok(v, strlen(v))) {
        tg_diag_set(r->d, "%s: expected \"Name: value\", got \"%s\"", path, h);
        return TG_EINVAL;
    }
    return 0;
}

static int allow_hosts(struct tg_optval *r, const char *path, struct tg_options *o)
{
    if (lua_type(r->L, -1) != LUA_TTABLE) {
        return tg_optval_type_error(r, path,
                                    "a list of hosts such as { \"*.staging.example.com\" }");
    }
    size_t n = lua_objlen(r->L, -1);
    for (size_t i = 1; i <= n; i++) {
        char ip[560];
        snprintf(ip, sizeof(ip), "%s[%zu]", path, i);
        lua_rawgeti(r->L, -1, (int)i);
        char *h = NULL;
        int rc = tg_optval_string(r, ip, &h);
        lua_pop(r->L, 1);
        struct tg_diag d = { "" };
        if (rc == 0 && tg_allow_add(&o->allow, h, &d) < 0) {
            tg_diag_set(r->d, "%s: %s", ip, d.msg);
            rc = TG_EINVAL;
        }
        tg_free(h);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

static int trend_stats(struct tg_optval *r, const char *path, struct tg_options *o)
{
    if (lua_type(r->L, -1) != LUA_TTABLE) {
        return tg_optval_type_error(r, path, "a list of statistics such as { \"avg\", \"p(95)\" }");
    }
    size_t n = lua_objlen(r->L, -1);
    if (n == 0 || n > TG_PLAN_MAX_STATS) {
        tg_diag_set(r->d, "%s: between 1 and %d statistics", path, TG_PLAN_MAX_STATS);
        return TG_EINVAL;
    }
    for (size_t i = 1; i <= n; i++) {
        char ip[560];
        snprintf(ip, sizeof(ip), "%s[%zu]", path, i);
        lua_rawgeti(r->L, -1, (int)i);
        char *st = NULL;
        int rc = tg_optval_string(r, ip, &st);
        lua_pop(r->L, 1);
        if (rc < 0) {
            return rc;
        }
        o->trend_stats[o->n_trend_stats++] = st;
        if (!tg_values_stat_valid(st)) {
            tg_diag_set(r->d, "%s: \"%s\" is not avg, min, med, max, count or p(N)", ip, st);
            return TG_EINVAL;
        }
    }
    return 0;
}

static int top_field(struct tg_optval *r, const char *key, const char *path, void *ctx)
{
    void **c = ctx;
    struct tg_options *o = c[0];
    struct shortcuts *sc = c[1];
    if (strcmp(key, "scenarios") == 0) {
        return tg_optval_each(r, path, scenarios_field, o);
    }
    if (strcmp(key, "thresholds") == 0) {
        return tg_optval_each(r, path, thresholds_field, o);
    }
    if (strcmp(key, "tags") == 0) {
        return tg_optval_kv(r, path, &o->tags, &o->n_tags);
    }
    if (strcmp(key, "setupTimeout") == 0) {
        return tg_optval_duration(r, path, &o->setup_timeout);
    }
    if (strcmp(key, "handleSummaryTimeout") == 0) {
        return tg_optval_duration(r, path, &o->handle_summary_timeout);
    }
    if (strcmp(key, "teardownTimeout") == 0) {
        return tg_optval_duration(r, path, &o->teardown_timeout);
    }
    if (strcmp(key, "syntheticHeader") == 0) {
        return synthetic_header(r, path, o);
    }
    if (strcmp(key, "maxRPS") == 0) {
        int rc = tg_optval_number(r, path, 0, &o->max_rps);
        if (rc == 0 && !(o->max_rps > 0)) {
            tg_diag_set(r->d, "%s: expected requests per second, > 0", path);
            return TG_EINVAL;
        }
        return rc;
    }
    if (strcmp(key, "allowHosts") == 0) {
        return allow_hosts(r, path, o);
    }
    if (strcmp(key, "allowHostsStrict") == 0) {
        return tg_optval_bool(r, path, &o->allow.strict);
    }
    if (strcmp(key, "summaryTrendStats") == 0) {
        return trend_stats(r, path, o);
    }
    if (strcmp(key, "vus") == 0) {
        sc->vus = true;
        return tg_optval_u32(r, path, 1, &sc->s.vus);
    }
    if (strcmp(key, "duration") == 0) {
        sc->duration = true;
        return tg_optval_duration(r, path, &sc->s.duration);
    }
    if (strcmp(key, "iterations") == 0) {
        sc->iterations = true;
        return tg_optval_count(r, path, 1, 1e15, &sc->s.iterations);
    }
    if (strcmp(key, "stages") == 0) {
        sc->stages = true;
        return tg_optval_stages(r, path, &sc->s.stages, &sc->s.n_stages);
    }
    return tg_optval_unknown(r, path);
}

/* Turns the shortcuts into the one "default" scenario, as k6 does. */
static int apply_shortcuts(struct tg_optval *r, struct tg_options *o, struct shortcuts *sc)
{
    struct tg_scenario *s = &sc->s;
    bool any = sc->vus || sc->duration || sc->iterations || sc->stages;
    if (o->n_scenarios > 0) {
        if (any) {
            tg_diag_set(r->d, "options: vus, duration, iterations and stages cannot be combined "
                              "with options.scenarios");
            return TG_EINVAL;
        }
        return 0;
    }
    uint32_t vus = s->vus;
    tg_ns duration = s->duration;
    if (sc->stages) {
        s->executor = TG_EXECUTOR_RAMPING_VUS;
        s->start_vus = sc->vus ? vus : 1;
    } else if (sc->iterations) {
        s->executor = TG_EXECUTOR_SHARED_ITERATIONS;
        s->max_duration = sc->duration ? duration : 10 * 60 * TG_NS_PER_S;
    } else if (sc->duration) {
        s->executor = TG_EXECUTOR_CONSTANT_VUS;
        if (duration == 0) {
            tg_diag_set(r->d, "options.duration: must be longer than 0");
            return TG_EINVAL;
        }
    } else {
        s->executor = TG_EXECUTOR_SHARED_ITERATIONS;
        s->iterations = 1;
    }
    s->vus = sc->vus ? vus : 1;
    s->graceful_stop = 30 * TG_NS_PER_S;
    s->graceful_ramp_down = 30 * TG_NS_PER_S;
    s->time_unit = TG_NS_PER_S;
    if (sc->iterations && s->iterations < s->vus) {
        s->vus = (uint32_t)s->iterations; /* k6 caps VUs at the iteration count */
    }
    s->name = tg_strdup("default");
    s->exec = tg_strdup("default");
    o->scenarios = tg_calloc(1, sizeof(*o->scenarios));
    if (!s->name || !s->exec || !o->scenarios) {
        return TG_ENOMEM;
    }
    o->scenarios[0] = *s;
    memset(s, 0, sizeof(*s));
    o->n_scenarios = 1;
    return 0;
}

void tg_options_fini(struct tg_options *o)
{
    for (size_t i = 0; i < o->n_scenarios; i++) {
        tg_opt_scenario_fini(&o->scenarios[i]);
    }
    for (size_t i = 0; i < o->n_tags; i++) {
        tg_free(o->tags[i].key);
        tg_free(o->tags[i].value);
    }
    for (size_t i = 0; i < o->n_trend_stats; i++) {
        tg_free(o->trend_stats[i]);
    }
    tg_free(o->synthetic_header);
    tg_free(o->tags);
    tg_free(o->scenarios);
    tg_free(o->thresholds);
    memset(o, 0, sizeof(*o));
}

int tg_options_read(lua_State *L, struct tg_options *o, struct tg_diag *d)
{
    memset(o, 0, sizeof(*o));
    o->setup_timeout = 60 * TG_NS_PER_S;
    o->handle_summary_timeout = 120 * TG_NS_PER_S;
    o->teardown_timeout = 60 * TG_NS_PER_S;
    struct tg_optval r = { L, d };
    struct shortcuts sc = { 0 };
    int top = lua_gettop(L);
    lua_getglobal(L, "options");
    int rc = 0;
    if (!lua_isnil(L, -1)) {
        void *ctx[2] = { o, &sc };
        rc = tg_optval_each(&r, "options", top_field, ctx);
    }
    if (rc == 0 && o->n_scenarios > 1) {
        qsort(o->scenarios, o->n_scenarios, sizeof(*o->scenarios), cmp_scenario);
    }
    if (rc == 0) {
        rc = apply_shortcuts(&r, o, &sc);
    }
    if (rc == 0) {
        rc = tg_lua_scenario_check_tags(o, d);
    }
    tg_opt_scenario_fini(&sc.s);
    lua_settop(L, top);
    return rc;
}

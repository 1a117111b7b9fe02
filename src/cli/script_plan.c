/*
 * script_plan — the planning pass over a script; see script_plan.h.
 */
#include "cli/script_plan.h"

#include "check/window_eval.h"
#include "core/alloc.h"
#include "metrics/registry.h"
#include "net/conn.h"
#include "script/options.h"
#include "script/runtime.h"

#include "script/lua.h"

#include <lauxlib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* k6's CLI execution flags replace the script's scenarios with the shortcuts. */
static void apply_overrides(lua_State *L, const struct tg_script_overrides *ov)
{
    if (!ov->vus && !ov->duration_ns && !ov->iterations) {
        return;
    }
    lua_getglobal(L, "options");
    if (lua_type(L, -1) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_setglobal(L, "options");
    }
    lua_pushnil(L);
    lua_setfield(L, -2, "scenarios");
    lua_pushnil(L);
    lua_setfield(L, -2, "stages");
    if (ov->vus) {
        lua_pushnumber(L, ov->vus);
        lua_setfield(L, -2, "vus");
    }
    if (ov->duration_ns) {
        lua_pushnumber(L, (double)ov->duration_ns / 1e6);
        lua_setfield(L, -2, "duration");
    }
    if (ov->iterations) {
        lua_pushnumber(L, (double)ov->iterations);
        lua_setfield(L, -2, "iterations");
    }
    lua_pop(L, 1);
}

/* Every scenario's exec must name a function the init context defined. */
static int check_execs(lua_State *L, const struct tg_options *o, struct tg_diag *d)
{
    for (size_t i = 0; i < o->n_scenarios; i++) {
        lua_getglobal(L, o->scenarios[i].exec);
        bool fn = lua_type(L, -1) == LUA_TFUNCTION;
        lua_pop(L, 1);
        if (!fn) {
            tg_diag_set(d, "options.scenarios.%s.exec: the script defines no function \"%s\"",
                        o->scenarios[i].name, o->scenarios[i].exec);
            return TG_EINVAL;
        }
    }
    return 0;
}

/*
 * The shape executor: samples the script's function second by second (up to
 * a day) for how long it runs and, for closed shapes without maxVUs, its peak
 * users; the workers size their VU pools from that.
 */
/* Keeps the shape's value at second t, for the plan view's chart. */
static int keep_sample(struct tg_scenario *sc, size_t t, double v)
{
    if (t % 256 == 0) {
        float *p = tg_realloc(sc->shape_load, t + 256, sizeof(*p));
        if (!p) {
            return TG_ENOMEM;
        }
        sc->shape_load = p;
    }
    sc->shape_load[t] = (float)v;
    sc->n_shape_load = t + 1;
    return 0;
}

static int plan_shapes(lua_State *L, struct tg_options *o, struct tg_diag *d)
{
    for (size_t i = 0; i < o->n_scenarios; i++) {
        struct tg_scenario *sc = &o->scenarios[i];
        if (sc->executor != TG_EXECUTOR_SHAPE) {
            continue;
        }
        double peak = 0;
        long t = 0;
        for (; t <= 86400; t++) {
            lua_getglobal(L, sc->shape);
            if (lua_type(L, -1) != LUA_TFUNCTION) {
                lua_pop(L, 1);
                tg_diag_set(d, "options.scenarios.%s.shape: the script defines no function \"%s\"",
                            sc->name, sc->shape);
                return TG_EINVAL;
            }
            lua_pushnumber(L, (double)t);
            if (tg_lua_pcall(L, 1, 1, d) < 0) {
                return TG_EPROTO;
            }
            bool over = lua_isnil(L, -1);
            double v = lua_tonumber(L, -1);
            lua_pop(L, 1);
            if (over) {
                break;
            }
            if (keep_sample(sc, (size_t)t, v) < 0) {
                tg_diag_set(d, "out of memory");
                return TG_ENOMEM;
            }
            peak = v > peak ? v : peak;
        }
        if (t > 86400) {
            tg_diag_set(d,
                        "options.scenarios.%s.shape: \"%s\" still returns a load after 24 h; "
                        "return nil to end the test",
                        sc->name, sc->shape);
            return TG_EINVAL;
        }
        sc->duration = (tg_ns)t * TG_NS_PER_S;
        if (sc->max_vus == 0 && sc->open) {
            tg_diag_set(d,
                        "options.scenarios.%s: an open shape (an arrival rate) needs "
                        "preAllocatedVUs or maxVUs",
                        sc->name);
            return TG_EINVAL;
        }
        if (sc->max_vus == 0) {
            sc->max_vus = (uint32_t)ceil(peak);
        }
    }
    return 0;
}

/* Adds the script's thresholds after the flags' and checks every metric and method. */
static int merge_thresholds(struct tg_plan *p, const struct tg_options *o,
                            const struct tg_registry *reg, struct tg_diag *d)
{
    for (size_t i = 0; i < o->n_thresholds; i++) {
        if (p->n_thresholds == TG_PLAN_MAX_THRESHOLDS) {
            tg_diag_set(d, "options.thresholds: at most %d thresholds", TG_PLAN_MAX_THRESHOLDS);
            return TG_EINVAL;
        }
        p->thresholds[p->n_thresholds++] = o->thresholds[i];
    }
    for (size_t i = 0; i < p->n_thresholds; i++) {
        const struct tg_plan_threshold *t = &p->thresholds[i];
        int m = tg_registry_find_metric(reg, t->sel.name);
        if (m < 0) {
            tg_diag_set(d,
                        "threshold on \"%s\": no such metric (built-in, or defined by the "
                        "script's init context)",
                        t->sel.raw);
            return TG_EINVAL;
        }
        enum tg_metric_kind k = reg->metrics[m].kind;
        if (!tg_threshold_agg_allowed(k, t->expr.agg)) {
            tg_diag_set(d, "threshold \"%s: %s\": %s is a %s; its thresholds use %s", t->sel.raw,
                        t->expr.source, t->sel.name, tg_metric_kind_name(k),
                        tg_threshold_agg_names(k));
            return TG_EINVAL;
        }
        if (tg_window_eval_check(t, d) < 0) {
            return TG_EINVAL;
        }
    }
    return 0;
}

/* The script's rail options, where no flag set them (the flags win). */
static void merge_rails(struct tg_plan *p, const struct tg_options *o)
{
    if (!p->rails.synthetic) {
        p->rails.synthetic = o->synthetic_header;
    }
    if (p->rails.max_rps <= 0) {
        p->rails.max_rps = o->max_rps;
    }
    if (p->rails.allow.n == 0) {
        bool strict = p->rails.allow.strict;
        p->rails.allow = o->allow;
        p->rails.allow.strict = strict || o->allow.strict;
    }
}

int tg_script_plan(struct tg_plan *p, const struct tg_script_overrides *ov, struct tg_diag *d)
{
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct tg_conn_env env;
    struct tg_registry reg;
    struct tg_rt rt;
    memset(&rt, 0, sizeof(rt));
    p->options = tg_calloc(1, sizeof(*p->options));
    if (!loop || !p->options || tg_conn_env_init(&env, loop, p->max_head, p->max_body) < 0 ||
        tg_registry_init(&reg, 1000) < 0) {
        tg_diag_set(d, "out of memory");
        return TG_ENOMEM; /* the process exits; nothing to unwind */
    }
    struct tg_rt_opts o = { p->script, !p->insecure, &reg, NULL, NULL };
    int rc = tg_rt_init(&rt, loop, &env, &o, d);
    if (rc == TG_EINVAL) {
        rc = rt.aborted ? TG_ECANCELED : TG_EPROTO; /* tailgate.abort: 108; an error: 107 */
    } else if (rc == 0) {
        apply_overrides(rt.L, ov);
        rc = tg_options_read(rt.L, p->options, d);
        lua_getglobal(rt.L, "handleSummary");
        p->handle_summary = lua_type(rt.L, -1) == LUA_TFUNCTION;
        lua_pop(rt.L, 1);
        if (rc == 0) {
            rc = plan_shapes(rt.L, p->options, d);
        }
        if (rc == 0) {
            rc = check_execs(rt.L, p->options, d);
        }
        if (rc == 0) {
            rc = merge_thresholds(p, p->options, &reg, d);
        }
        if (rc == 0) {
            merge_rails(p, p->options);
        }
        if (rc == 0 && p->options->n_trend_stats > 0) {
            for (size_t i = 0; i < p->options->n_trend_stats; i++) {
                p->trend_stats[i] = p->options->trend_stats[i];
            }
            p->n_trend_stats = p->options->n_trend_stats;
        }
    }
    tg_rt_fini(&rt);
    tg_registry_fini(&reg);
    tg_conn_env_fini(&env);
    ev_loop_destroy(loop);
    return rc;
}

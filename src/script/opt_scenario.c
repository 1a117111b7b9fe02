/*
 * opt_scenario — one scenario of a script's options; see opt_scenario.h.
 */
#include "script/opt_scenario.h"

#include "core/alloc.h"

#include <lauxlib.h>
#include <stdio.h>
#include <string.h>

const char *const tg_opt_executor_names[] = {
    [TG_EXECUTOR_SHARED_ITERATIONS] = "shared-iterations",
    [TG_EXECUTOR_PER_VU_ITERATIONS] = "per-vu-iterations",
    [TG_EXECUTOR_CONSTANT_VUS] = "constant-vus",
    [TG_EXECUTOR_RAMPING_VUS] = "ramping-vus",
    [TG_EXECUTOR_CONSTANT_ARRIVAL_RATE] = "constant-arrival-rate",
    [TG_EXECUTOR_RAMPING_ARRIVAL_RATE] = "ramping-arrival-rate",
    [TG_EXECUTOR_SHAPE] = "shape",
};

/* Which executor accepts which scenario key (beyond the common ones). */
struct key_rule {
    const char *key;
    unsigned executors; /* bit per enum tg_executor */
};

#define EXB(e) (1u << (e))
#define ITERS  (EXB(TG_EXECUTOR_SHARED_ITERATIONS) | EXB(TG_EXECUTOR_PER_VU_ITERATIONS))
#define ARR    (EXB(TG_EXECUTOR_CONSTANT_ARRIVAL_RATE) | EXB(TG_EXECUTOR_RAMPING_ARRIVAL_RATE))

static const struct key_rule key_rules[] = {
    { "vus", ITERS | EXB(TG_EXECUTOR_CONSTANT_VUS) },
    { "iterations", ITERS },
    { "maxDuration", ITERS },
    { "duration", EXB(TG_EXECUTOR_CONSTANT_VUS) | EXB(TG_EXECUTOR_CONSTANT_ARRIVAL_RATE) },
    { "startVUs", EXB(TG_EXECUTOR_RAMPING_VUS) },
    { "stages", EXB(TG_EXECUTOR_RAMPING_VUS) | EXB(TG_EXECUTOR_RAMPING_ARRIVAL_RATE) },
    { "gracefulRampDown", EXB(TG_EXECUTOR_RAMPING_VUS) | EXB(TG_EXECUTOR_SHAPE) },
    { "rate", EXB(TG_EXECUTOR_CONSTANT_ARRIVAL_RATE) },
    { "startRate", EXB(TG_EXECUTOR_RAMPING_ARRIVAL_RATE) },
    { "timeUnit", ARR },
    { "preAllocatedVUs", ARR | EXB(TG_EXECUTOR_SHAPE) },
    { "maxVUs", ARR | EXB(TG_EXECUTOR_SHAPE) },
    { "shape", EXB(TG_EXECUTOR_SHAPE) },
    { "open", EXB(TG_EXECUTOR_SHAPE) },
};

static int scenario_key(struct tg_optval *r, const char *key, const char *path,
                        struct tg_scenario *s)
{
    if (strcmp(key, "executor") == 0) {
        return 0; /* read first, see read_scenario */
    }
    if (strcmp(key, "exec") == 0) {
        return tg_optval_string(r, path, &s->exec);
    }
    if (strcmp(key, "startTime") == 0) {
        return tg_optval_duration(r, path, &s->start_time);
    }
    if (strcmp(key, "gracefulStop") == 0) {
        return tg_optval_duration(r, path, &s->graceful_stop);
    }
    if (strcmp(key, "env") == 0) {
        return tg_optval_kv(r, path, &s->env, &s->n_env);
    }
    if (strcmp(key, "tags") == 0) {
        return tg_optval_kv(r, path, &s->tags, &s->n_tags);
    }
    const struct key_rule *rule = NULL;
    for (size_t i = 0; i < TG_ARRAY_LEN(key_rules); i++) {
        if (strcmp(key_rules[i].key, key) == 0) {
            rule = &key_rules[i];
        }
    }
    if (!rule) {
        return tg_optval_unknown(r, path);
    }
    if (!(rule->executors & EXB(s->executor))) {
        tg_diag_set(r->d, "%s: not an option of the %s executor", path,
                    tg_opt_executor_names[s->executor]);
        return TG_EINVAL;
    }
    uint64_t u;
    int rc;
    switch (key[0]) {
    case 'v': /* vus */
        return tg_optval_u32(r, path, 1, &s->vus);
    case 'i': /* iterations */
        return tg_optval_count(r, path, 1, 1e15, &s->iterations);
    case 'm': /* maxDuration, maxVUs */
        if (strcmp(key, "maxVUs") == 0) {
            return tg_optval_u32(r, path, 1, &s->max_vus);
        }
        return tg_optval_duration(r, path, &s->max_duration);
    case 'd': /* duration */
        return tg_optval_duration(r, path, &s->duration);
    case 's': /* startVUs, stages, startRate, shape */
        if (strcmp(key, "startVUs") == 0) {
            return tg_optval_u32(r, path, 0, &s->start_vus);
        }
        if (strcmp(key, "stages") == 0) {
            return tg_optval_stages(r, path, &s->stages, &s->n_stages);
        }
        if (strcmp(key, "startRate") == 0) {
            return tg_optval_number(r, path, 0, &s->start_rate);
        }
        return tg_optval_string(r, path, &s->shape);
    case 'g': /* gracefulRampDown */
        return tg_optval_duration(r, path, &s->graceful_ramp_down);
    case 'r': /* rate */
        return tg_optval_number(r, path, 0, &s->rate);
    case 't': /* timeUnit */
        rc = tg_optval_duration(r, path, &s->time_unit);
        if (rc == 0 && s->time_unit == 0) {
            tg_diag_set(r->d, "%s: must be longer than 0", path);
            return TG_EINVAL;
        }
        return rc;
    case 'p': /* preAllocatedVUs */
        rc = tg_optval_count(r, path, 0, 10000000, &u);
        s->pre_allocated_vus = (uint32_t)u;
        return rc;
    case 'o': /* open */
        return tg_optval_bool(r, path, &s->open);
    default:
        return tg_optval_unknown(r, path);
    }
}

static int scenario_field(struct tg_optval *r, const char *key, const char *path, void *ctx)
{
    return scenario_key(r, key, path, ctx);
}

static void scenario_defaults(struct tg_scenario *s, enum tg_executor e)
{
    s->executor = e;
    s->graceful_stop = 30 * TG_NS_PER_S;
    s->vus = 1;
    s->start_vus = 1;
    s->iterations = 1;
    s->max_duration = 10 * 60 * TG_NS_PER_S;
    s->graceful_ramp_down = 30 * TG_NS_PER_S;
    s->time_unit = TG_NS_PER_S;
}

/* Checks the keys an executor requires and the relations between them. */
static int scenario_check(struct tg_optval *r, const char *path, struct tg_scenario *s,
                          bool seen_dur, bool seen_rate, bool seen_pre)
{
    const char *missing = NULL;
    switch (s->executor) {
    case TG_EXECUTOR_CONSTANT_VUS:
        missing = !seen_dur ? "duration" : NULL;
        break;
    case TG_EXECUTOR_RAMPING_VUS:
        missing = s->n_stages == 0 ? "stages" : NULL;
        break;
    case TG_EXECUTOR_CONSTANT_ARRIVAL_RATE:
        missing = !seen_dur    ? "duration"
                  : !seen_rate ? "rate"
                  : !seen_pre  ? "preAllocatedVUs"
                               : NULL;
        break;
    case TG_EXECUTOR_RAMPING_ARRIVAL_RATE:
        missing = s->n_stages == 0 ? "stages" : !seen_pre ? "preAllocatedVUs" : NULL;
        break;
    case TG_EXECUTOR_SHAPE:
        missing = !s->shape ? "shape" : NULL;
        break;
    default:
        break;
    }
    if (missing) {
        tg_diag_set(r->d, "%s.%s: required by the %s executor", path, missing,
                    tg_opt_executor_names[s->executor]);
        return TG_EINVAL;
    }
    if (s->max_vus == 0) {
        s->max_vus = s->pre_allocated_vus;
    }
    if (s->max_vus < s->pre_allocated_vus) {
        tg_diag_set(r->d, "%s.maxVUs: %u is less than preAllocatedVUs (%u)", path, s->max_vus,
                    s->pre_allocated_vus);
        return TG_EINVAL;
    }
    if ((s->executor == TG_EXECUTOR_CONSTANT_VUS ||
         s->executor == TG_EXECUTOR_CONSTANT_ARRIVAL_RATE) &&
        s->duration == 0) {
        tg_diag_set(r->d, "%s.duration: must be longer than 0", path);
        return TG_EINVAL;
    }
    if (s->executor == TG_EXECUTOR_SHARED_ITERATIONS && s->iterations < s->vus) {
        tg_diag_set(r->d, "%s.iterations: %llu is less than vus (%u)", path,
                    (unsigned long long)s->iterations, s->vus);
        return TG_EINVAL;
    }
    if (!s->exec && !(s->exec = tg_strdup("default"))) {
        return TG_ENOMEM;
    }
    return 0;
}

static bool has_key(lua_State *L, const char *key)
{
    lua_getfield(L, -1, key);
    bool has = !lua_isnil(L, -1);
    lua_pop(L, 1);
    return has;
}

int tg_opt_scenario_read(struct tg_optval *r, const char *name, const char *path,
                         struct tg_scenario *s)
{
    if (lua_type(r->L, -1) != LUA_TTABLE) {
        return tg_optval_type_error(r, path, "a table");
    }
    for (const char *p = name; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '-')) {
            tg_diag_set(r->d, "%s: scenario names use letters, digits, '_' and '-'", path);
            return TG_EINVAL;
        }
    }
    s->name = tg_strdup(name);
    if (!s->name) {
        return TG_ENOMEM;
    }
    char ep[560];
    snprintf(ep, sizeof(ep), "%s.executor", path);
    lua_getfield(r->L, -1, "executor");
    int found = -1;
    if (lua_type(r->L, -1) == LUA_TSTRING) {
        for (size_t i = 0; i < TG_EXECUTOR_COUNT; i++) {
            if (strcmp(tg_opt_executor_names[i], lua_tostring(r->L, -1)) == 0) {
                found = (int)i;
            }
        }
    }
    if (found < 0) {
        int rc =
            lua_isnil(r->L, -1)
                ? (tg_diag_set(r->d, "%s: required (e.g. \"constant-vus\")", ep), TG_EINVAL)
            : lua_type(r->L, -1) != LUA_TSTRING
                ? tg_optval_type_error(r, ep, "a string")
                : (tg_diag_set(r->d, "%s: unknown executor \"%s\"", ep, lua_tostring(r->L, -1)),
                   TG_EINVAL);
        lua_pop(r->L, 1);
        return rc;
    }
    lua_pop(r->L, 1);
    scenario_defaults(s, (enum tg_executor)found);
    bool seen_dur = has_key(r->L, "duration");
    bool seen_rate = has_key(r->L, "rate");
    bool seen_pre = has_key(r->L, "preAllocatedVUs");
    int rc = tg_optval_each(r, path, scenario_field, s);
    return rc < 0 ? rc : scenario_check(r, path, s, seen_dur, seen_rate, seen_pre);
}

void tg_opt_scenario_fini(struct tg_scenario *s)
{
    tg_free(s->name);
    tg_free(s->exec);
    tg_free(s->shape);
    tg_free(s->shape_load);
    tg_free(s->stages);
    for (size_t i = 0; i < s->n_tags; i++) {
        tg_free(s->tags[i].key);
        tg_free(s->tags[i].value);
    }
    for (size_t i = 0; i < s->n_env; i++) {
        tg_free(s->env[i].key);
        tg_free(s->env[i].value);
    }
    tg_free(s->tags);
    tg_free(s->env);
}

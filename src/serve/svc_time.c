/*
 * svc_time — service-time distributions; grammar and invariants in
 * svc_time.h. Normal deviates come from Box-Muller (one of the pair is
 * dropped: sampling is rare enough that caching the other is not worth the
 * state).
 */
#include "serve/svc_time.h"

#include "core/units.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int parse_dur(const char *s, tg_ns *out, const char *what, struct tg_diag *d)
{
    if (tg_units_parse_duration(s, TG_NS_PER_S, out) < 0) {
        tg_diag_set(d, "bad %s \"%s\" (want a duration such as 2ms)", what, s);
        return TG_EINVAL;
    }
    return 0;
}

/* Splits "a:b" in place at the first ':'; returns b or NULL without one. */
static char *split(char *s)
{
    char *colon = strchr(s, ':');
    if (!colon) {
        return NULL;
    }
    *colon = '\0';
    return colon + 1;
}

static int parse_sigma(const char *s, double *out, struct tg_diag *d)
{
    char *end = NULL;
    double v = strtod(s, &end);
    if (!*s || *end || !(v >= 0 && v <= 10)) {
        tg_diag_set(d, "bad lognormal sigma \"%s\" (want a number in [0, 10])", s);
        return TG_EINVAL;
    }
    *out = v;
    return 0;
}

static int parse_args(enum tg_svc_time_kind kind, char *args, struct tg_svc_time *out,
                      struct tg_diag *d)
{
    char *second = split(args);
    bool want_second = kind == TG_SVC_TIME_UNIFORM || kind == TG_SVC_TIME_LOGNORMAL;
    if (want_second != (second != NULL) || (second && strchr(second, ':'))) {
        tg_diag_set(d, "wrong number of parameters (want fixed, uniform:LO:HI, exp:MEAN or "
                       "lognormal:MEDIAN:SIGMA)");
        return TG_EINVAL;
    }
    if (parse_dur(args, &out->a_ns, "duration", d) < 0) {
        return TG_EINVAL;
    }
    if (kind == TG_SVC_TIME_UNIFORM) {
        if (parse_dur(second, &out->b_ns, "duration", d) < 0) {
            return TG_EINVAL;
        }
        if (out->b_ns < out->a_ns) {
            tg_diag_set(d, "uniform: high bound is below low bound");
            return TG_EINVAL;
        }
    }
    if (kind == TG_SVC_TIME_LOGNORMAL) {
        if (out->a_ns == 0) {
            tg_diag_set(d, "lognormal: median must be > 0");
            return TG_EINVAL;
        }
        return parse_sigma(second, &out->sigma, d);
    }
    return 0;
}

int tg_svc_time_parse(const char *s, struct tg_svc_time *out, struct tg_diag *d)
{
    static const struct {
        const char *prefix;
        enum tg_svc_time_kind kind;
    } kinds[] = {
        { "uniform:", TG_SVC_TIME_UNIFORM },
        { "exp:", TG_SVC_TIME_EXP },
        { "lognormal:", TG_SVC_TIME_LOGNORMAL },
    };
    char tmp[128];
    if (strlen(s) >= sizeof(tmp)) {
        tg_diag_set(d, "value too long");
        return TG_EINVAL;
    }
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < TG_ARRAY_LEN(kinds); i++) {
        size_t n = strlen(kinds[i].prefix);
        if (strncmp(s, kinds[i].prefix, n) == 0) {
            out->kind = kinds[i].kind;
            memcpy(tmp, s + n, strlen(s + n) + 1);
            return parse_args(out->kind, tmp, out, d);
        }
    }
    out->kind = TG_SVC_TIME_FIXED;
    return parse_dur(s, &out->a_ns, "duration", d);
}

bool tg_svc_time_is_zero(const struct tg_svc_time *t)
{
    return t->kind == TG_SVC_TIME_FIXED && t->a_ns == 0;
}

static tg_ns clamp(double ns)
{
    if (!(ns > 0)) {
        return 0;
    }
    if (ns >= (double)TG_SVC_TIME_MAX_NS) {
        return TG_SVC_TIME_MAX_NS;
    }
    return (tg_ns)llround(ns);
}

static double std_normal(struct tg_srv_rng *rng)
{
    double u1 = 1.0 - tg_srv_rng_unit(rng); /* (0, 1]: log stays finite */
    double u2 = tg_srv_rng_unit(rng);
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

tg_ns tg_svc_time_sample(const struct tg_svc_time *t, struct tg_srv_rng *rng)
{
    switch (t->kind) {
    case TG_SVC_TIME_FIXED:
        return TG_MIN(t->a_ns, TG_SVC_TIME_MAX_NS);
    case TG_SVC_TIME_UNIFORM:
        return clamp((double)t->a_ns + (double)(t->b_ns - t->a_ns) * tg_srv_rng_unit(rng));
    case TG_SVC_TIME_EXP:
        return clamp(-(double)t->a_ns * log(1.0 - tg_srv_rng_unit(rng)));
    case TG_SVC_TIME_LOGNORMAL:
        return clamp((double)t->a_ns * exp(t->sigma * std_normal(rng)));
    }
    return 0;
}

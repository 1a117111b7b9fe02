/*
 * threshold_eval — threshold verdicts over a metric's aggregates; contracts
 * in threshold_eval.h.
 */
#include "check/threshold_eval.h"

#include <math.h>

/* Whether the aggregate exists, i.e. k6's sink map would have the key. */
static bool value_exists(const struct tg_threshold_expr *e, const struct tg_agg_values *v)
{
    if (v->empty || !tg_threshold_agg_allowed(v->type, e->agg)) {
        return false;
    }
    return e->agg != TG_AGG_PCT || v->percentile != NULL;
}

static double raw_value(const struct tg_threshold_expr *e, const struct tg_agg_values *v)
{
    switch (e->agg) {
    case TG_AGG_COUNT:
        return v->count;
    case TG_AGG_RATE:
        return v->rate;
    case TG_AGG_VALUE:
        return v->value;
    case TG_AGG_AVG:
        return v->avg;
    case TG_AGG_MIN:
        return v->min;
    case TG_AGG_MAX:
        return v->max;
    case TG_AGG_MED:
        return v->med;
    case TG_AGG_PCT:
        return v->percentile(v->ctx, e->pct);
    }
    return NAN;
}

double tg_threshold_value(const struct tg_threshold_expr *e, const struct tg_agg_values *v)
{
    return value_exists(e, v) ? raw_value(e, v) : NAN;
}

bool tg_threshold_check(const struct tg_threshold_expr *e, const struct tg_agg_values *v,
                        double *measured)
{
    if (!value_exists(e, v)) {
        if (measured) {
            *measured = NAN;
        }
        return true;
    }
    double lhs = raw_value(e, v);
    if (measured) {
        *measured = lhs;
    }
    return tg_threshold_cmp(e->cmp, lhs, e->rhs);
}

bool tg_threshold_cmp(enum tg_cmp c, double lhs, double rhs)
{
    switch (c) {
    case TG_CMP_LT:
        return lhs < rhs;
    case TG_CMP_LE:
        return lhs <= rhs;
    case TG_CMP_GT:
        return lhs > rhs;
    case TG_CMP_GE:
        return lhs >= rhs;
    case TG_CMP_EQ:
        return lhs == rhs;
    case TG_CMP_NE:
        return lhs != rhs;
    }
    return false;
}

/*
 * budget — regression budgets; see budget.h.
 */
#include "check/budget.h"

#include "check/threshold_eval.h"
#include "core/units.h"
#include "report/values.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define Z95 1.96

/* "+30%", "-10%", "+0.5pp", "+5ms", "+200" */
static int parse_change(const char *s, struct tg_budget *b, struct tg_diag *d)
{
    if (*s != '+' && *s != '-') {
        tg_diag_set(d,
                    "budget \"%s\": the change must start with + (higher is worse) or - "
                    "(lower is worse), e.g. +30%%",
                    b->raw);
        return TG_EINVAL;
    }
    b->worse = *s == '+' ? 1 : -1;
    char *end;
    b->limit = strtod(s + 1, &end);
    if (end == s + 1 || !(b->limit >= 0) || !isfinite(b->limit)) {
        tg_diag_set(d, "budget \"%s\": \"%s\" is not a number", b->raw, s);
        return TG_EINVAL;
    }
    if (strcmp(end, "%") == 0) {
        b->unit = TG_BUDGET_PCT;
    } else if (strcmp(end, "pp") == 0) {
        b->unit = TG_BUDGET_PP;
    } else if (*end == '\0') {
        b->unit = TG_BUDGET_ABS;
    } else {
        tg_ns ns;
        if (tg_units_parse_duration(s + 1, TG_NS_PER_MS, &ns) < 0) {
            tg_diag_set(d, "budget \"%s\": unknown unit \"%s\" (%%, pp, or a time: ms, s, us)",
                        b->raw, end);
            return TG_EINVAL;
        }
        b->unit = TG_BUDGET_ABS;
        b->limit = (double)ns / 1e6; /* time trends are compared in ms */
    }
    return 0;
}

int tg_budget_parse(const char *s, struct tg_budget *b, struct tg_diag *d)
{
    memset(b, 0, sizeof(*b));
    snprintf(b->raw, sizeof(b->raw), "%s", s);
    /* the selector ends at the first ':' outside braces */
    const char *colon = NULL;
    int depth = 0;
    for (const char *p = s; *p && !colon; p++) {
        depth += *p == '{' ? 1 : *p == '}' ? -1 : 0;
        colon = depth == 0 && *p == ':' ? p : NULL;
    }
    char sel[600];
    char stat[64];
    char change[64];
    char junk[2];
    if (!colon || (size_t)(colon - s) >= sizeof(sel) ||
        sscanf(colon + 1, " %63s %63s %1s", stat, change, junk) != 2) {
        tg_diag_set(d,
                    "budget \"%s\": expected METRIC{tags}: STAT CHANGE, e.g. "
                    "'http_req_duration: p(99) +30%%'",
                    s);
        return TG_EINVAL;
    }
    snprintf(sel, sizeof(sel), "%.*s", (int)(colon - s), s);
    if (tg_threshold_parse_selector(sel, &b->sel, d) < 0) {
        return TG_EINVAL;
    }
    char expr[80];
    snprintf(expr, sizeof(expr), "%s<0", stat);
    if (tg_threshold_parse_expr(expr, &b->stat, NULL) < 0) {
        tg_diag_set(d,
                    "budget \"%s\": unknown statistic \"%s\" (avg, min, max, med, p(N), rate, "
                    "count or value)",
                    s, stat);
        return TG_EINVAL;
    }
    snprintf(b->stat.source, sizeof(b->stat.source), "%s", stat);
    return parse_change(change, b, d);
}

int tg_budget_make(struct tg_budget *b, const char *sel, const char *stat, const char *change,
                   struct tg_diag *d)
{
    char s[700];
    snprintf(s, sizeof(s), "%s: %s %s", sel, stat, change);
    return tg_budget_parse(s, b, d);
}

/* Enough samples for the statistic to mean something? */
static bool enough(const struct tg_budget *b, enum tg_metric_kind k, uint64_t n)
{
    if (b->stat.agg == TG_AGG_PCT || b->stat.agg == TG_AGG_MED) {
        double p = b->stat.agg == TG_AGG_MED ? 0.5 : b->stat.pct / 100;
        return n >= 20 && (double)n * (1 - p) >= 5 && (double)n * p >= 5;
    }
    if (k == TG_KIND_RATE) {
        return n >= 100;
    }
    return k != TG_KIND_TREND || n >= 20;
}

struct side {
    double v, lo, hi;
    uint64_t n;
    bool present;
};

static int measure(const struct tg_budget *b, const struct tg_results *res, struct side *out,
                   enum tg_metric_kind *kind, struct tg_diag *d)
{
    *out = (struct side){ NAN, NAN, NAN, 0, false };
    int m = tg_registry_find_metric(&res->reg, b->sel.name);
    if (m < 0) {
        return 0;
    }
    const struct tg_metric_def *def = &res->reg.metrics[m];
    *kind = def->kind;
    if (!tg_threshold_agg_allowed(def->kind, b->stat.agg)) {
        tg_diag_set(d, "budget \"%s\": %s is a %s; its statistics are %s", b->raw, b->sel.name,
                    tg_threshold_type_name(def->kind), tg_threshold_agg_names(def->kind));
        return TG_EINVAL;
    }
    struct tg_tag want[TG_SEL_MAX_TAGS];
    for (size_t i = 0; i < b->sel.ntags; i++) {
        want[i] = (struct tg_tag){ b->sel.tags[i].key, b->sel.tags[i].value };
    }
    struct tg_sink s;
    int rc = tg_results_aggregate(res, m, want, b->sel.ntags, &s);
    if (rc < 0) {
        return rc == TG_ENOENT ? 0 : rc;
    }
    struct tg_agg_values v;
    tg_values_of(&s, def->contains, res->duration_ns, &v);
    out->n = s.n;
    out->present = s.n > 0;
    out->v = tg_threshold_value(&b->stat, &v);
    if (out->present && (b->stat.agg == TG_AGG_PCT || b->stat.agg == TG_AGG_MED) && v.percentile) {
        double p = b->stat.agg == TG_AGG_MED ? 0.5 : b->stat.pct / 100;
        double half = Z95 * sqrt(p * (1 - p) / (double)s.n);
        out->lo = v.percentile(v.ctx, 100 * fmax(0, p - half));
        out->hi = v.percentile(v.ctx, 100 * fmin(1, p + half));
    } else if (out->present && def->kind == TG_KIND_RATE) {
        double half = Z95 * sqrt(out->v * (1 - out->v) / (double)s.n);
        out->lo = fmax(0, out->v - half);
        out->hi = fmin(1, out->v + half);
    }
    tg_sink_fini(&s);
    return 0;
}

/* cur against base in the budget's unit. */
static double change(const struct tg_budget *b, double base, double cur)
{
    switch (b->unit) {
    case TG_BUDGET_PCT:
        return base != 0 ? (cur - base) / fabs(base) * 100 : cur == 0 ? 0 : copysign(INFINITY, cur);
    case TG_BUDGET_PP:
        return (cur - base) * 100;
    case TG_BUDGET_ABS:
        break;
    }
    return cur - base;
}

int tg_budget_eval(const struct tg_budget *b, const struct tg_results *base,
                   const struct tg_results *cur, struct tg_budget_outcome *out, struct tg_diag *d)
{
    struct side sb;
    struct side sc;
    enum tg_metric_kind kind = TG_KIND_TREND;
    int rc = measure(b, base, &sb, &kind, d);
    if (rc == 0) {
        rc = measure(b, cur, &sc, &kind, d);
    }
    if (rc < 0) {
        return rc;
    }
    if (tg_registry_find_metric(&base->reg, b->sel.name) < 0 &&
        tg_registry_find_metric(&cur->reg, b->sel.name) < 0) {
        tg_diag_set(d, "budget \"%s\": no metric %s in either run", b->raw, b->sel.name);
        return TG_ENOENT;
    }
    *out = (struct tg_budget_outcome){ sb.v,  sc.v, sb.lo, sb.hi, sc.lo,
                                       sc.hi, sb.n, sc.n,  NAN,   TG_BUDGET_WITHIN };
    if (!sb.present || !sc.present || isnan(sb.v) || isnan(sc.v)) {
        out->verdict = TG_BUDGET_ABSENT;
        return 0;
    }
    out->change = change(b, sb.v, sc.v);
    /* the verdict compares the interval ends least favourable to a regression */
    double lo_b = isnan(sb.hi) ? sb.v : b->worse > 0 ? sb.hi : sb.lo;
    double lo_c = isnan(sc.lo) ? sc.v : b->worse > 0 ? sc.lo : sc.hi;
    double firm = change(b, lo_b, lo_c);
    if (!enough(b, kind, sb.n) || !enough(b, kind, sc.n)) {
        out->verdict = TG_BUDGET_TOO_FEW;
    } else if ((double)b->worse * firm > b->limit) {
        out->verdict = TG_BUDGET_EXCEEDED;
    }
    return 0;
}

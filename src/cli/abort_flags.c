/*
 * abort_flags — --abort-on and --abort-on-grace; see abort_flags.h.
 */
#include "cli/abort_flags.h"

#include "check/window_eval.h"
#include "core/units.h"

#include <stdio.h>
#include <string.h>

int tg_abort_flags_check_builtin(const char *flag, const char *text,
                                 const struct tg_plan_threshold *t, struct tg_diag *d)
{
    const struct tg_metric_def *def = NULL;
    for (size_t i = 0; i < TG_M_BUILTIN_COUNT; i++) {
        if (strcmp(tg_metric_builtins[i].name, t->sel.name) == 0) {
            def = &tg_metric_builtins[i];
        }
    }
    if (!def) {
        tg_diag_set(d, "%s \"%s\": unknown metric \"%s\"", flag, text, t->sel.name);
        return TG_EINVAL;
    }
    if (!tg_threshold_agg_allowed(def->kind, t->expr.agg)) {
        tg_diag_set(d, "%s \"%s\": %s is a %s; its thresholds use %s", flag, text, def->name,
                    tg_metric_kind_name(def->kind), tg_threshold_agg_names(def->kind));
        return TG_EINVAL;
    }
    if (tg_window_eval_check(t, d) < 0) {
        tg_diag_prefix(d, "%s", flag);
        return TG_EINVAL;
    }
    return 0;
}

/*
 * --abort-on names the condition that aborts ("rate>0.05 over 10s"); the run
 * keeps, as a threshold, its negation — what must hold ("rate<=0.05 over
 * 10s") — with the operator in its source text swapped to match.
 */
static void negate(struct tg_threshold_expr *e)
{
    static const struct {
        enum tg_cmp from, to;
        const char *text, *neg;
    } ops[] = {
        { TG_CMP_LE, TG_CMP_GT, "<=", ">" },  { TG_CMP_GE, TG_CMP_LT, ">=", "<" },
        { TG_CMP_NE, TG_CMP_EQ, "!=", "==" }, { TG_CMP_EQ, TG_CMP_NE, "==", "!=" },
        { TG_CMP_LT, TG_CMP_GE, "<", ">=" },  { TG_CMP_GT, TG_CMP_LE, ">", "<=" },
    };
    for (size_t i = 0; i < TG_ARRAY_LEN(ops); i++) {
        if (e->cmp != ops[i].from) {
            continue;
        }
        char *at = strstr(e->source,
                          e->cmp == TG_CMP_EQ && strstr(e->source, "===") ? "===" : ops[i].text);
        if (at) {
            char rest[256];
            size_t oplen =
                e->cmp == TG_CMP_EQ && strncmp(at, "===", 3) == 0 ? 3 : strlen(ops[i].text);
            snprintf(rest, sizeof(rest), "%s", at + oplen);
            *at = '\0';
            char out[600];
            snprintf(out, sizeof(out), "%s%s%s", e->source, ops[i].neg, rest);
            snprintf(e->source, sizeof(e->source), "%.*s", (int)sizeof(e->source) - 1, out);
        }
        e->cmp = ops[i].to;
        return;
    }
}

static int abort_on(const char *arg, struct tg_plan *p, struct tg_diag *d)
{
    if (p->n_thresholds == TG_PLAN_MAX_THRESHOLDS) {
        tg_diag_set(d, "--abort-on: at most %d thresholds in all", TG_PLAN_MAX_THRESHOLDS);
        return TG_EINVAL;
    }
    struct tg_plan_threshold *t = &p->thresholds[p->n_thresholds];
    memset(t, 0, sizeof(*t));
    if (tg_threshold_parse_flag(arg, &t->sel, &t->expr, d) < 0) {
        tg_diag_prefix(d, "--abort-on");
        return TG_EINVAL;
    }
    if (t->expr.window_ns == 0) {
        tg_diag_set(d,
                    "--abort-on \"%s\": needs a window, e.g. 'http_req_failed: rate>0.05 over "
                    "10s' (a whole-run threshold is --threshold)",
                    arg);
        return TG_EINVAL;
    }
    negate(&t->expr);
    if (tg_abort_flags_check_builtin("--abort-on", arg, t, d) < 0) {
        return TG_EINVAL;
    }
    t->abort_on_fail = true;
    t->delay_abort_eval = p->rails.abort_grace_ns;
    p->n_thresholds++;
    return 0;
}

int tg_abort_flags_apply(int opt, const char *arg, struct tg_plan *p, struct tg_diag *d)
{
    switch (opt) {
    case TG_OPT_ABORT_ON:
        return abort_on(arg, p, d);
    case TG_OPT_BASELINE:
        p->baseline_file = arg;
        return 0;
    case TG_OPT_ABORT_GRACE:
        if (tg_units_parse_duration(arg, TG_NS_PER_S, &p->rails.abort_grace_ns) < 0) {
            tg_diag_set(d, "--abort-on-grace \"%s\": expected a duration such as 30s or 2m", arg);
            return TG_EINVAL;
        }
        /* flags come before the script's thresholds: every abortOnFail one so far is ours */
        for (size_t i = 0; i < p->n_thresholds; i++) {
            if (p->thresholds[i].abort_on_fail) {
                p->thresholds[i].delay_abort_eval = p->rails.abort_grace_ns;
            }
        }
        return 0;
    }
    return 1;
}

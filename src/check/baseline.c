/*
 * baseline — thresholds against a baseline run; see baseline.h.
 */
#include "check/baseline.h"

#include "check/threshold_eval.h"
#include "report/values.h"

#include <math.h>

bool tg_baseline_needed(const struct tg_plan_threshold *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (t[i].expr.baseline) {
            return true;
        }
    }
    return false;
}

int tg_baseline_resolve(struct tg_plan_threshold *t, size_t n, const struct tg_results *base,
                        struct tg_diag *d)
{
    for (size_t i = 0; i < n; i++) {
        struct tg_threshold_expr *e = &t[i].expr;
        if (!e->baseline) {
            continue;
        }
        const struct tg_selector *sel = &t[i].sel;
        int m = tg_registry_find_metric(&base->reg, sel->name);
        struct tg_tag want[TG_SEL_MAX_TAGS];
        for (size_t k = 0; k < sel->ntags; k++) {
            want[k] = (struct tg_tag){ sel->tags[k].key, sel->tags[k].value };
        }
        struct tg_sink s;
        double v = NAN;
        if (m >= 0 && tg_results_aggregate(base, m, want, sel->ntags, &s) == 0) {
            struct tg_agg_values vals;
            tg_values_of(&s, base->reg.metrics[m].contains, base->duration_ns, &vals);
            v = tg_threshold_value(e, &vals);
            tg_sink_fini(&s);
        }
        if (isnan(v)) {
            tg_diag_set(d,
                        "threshold \"%s: %s\": the baseline has no samples of %s to compare "
                        "with",
                        sel->raw, e->source, sel->raw);
            return TG_EINVAL;
        }
        e->rhs = v * e->base_mul + e->base_add;
    }
    return 0;
}

/*
 * verdict — threshold evaluation over results; see verdict.h.
 */
#include "check/verdict.h"

#include "check/threshold_eval.h"
#include "report/values.h"

#include <math.h>

/* A windowed threshold's verdict, from its log; true when it held (or was never evaluated). */
static bool window_verdict(const struct tg_results *res, struct tg_verdict *v)
{
    for (size_t k = 0; k < res->n_windows; k++) {
        if (res->windows[k].key == v->t) {
            v->window = &res->windows[k];
            v->ok = v->window->n_failed == 0;
            v->measured = v->window->worst;
        }
    }
    return v->ok;
}

size_t tg_verdict_eval(const struct tg_results *res, const struct tg_plan_threshold *t, size_t n,
                       struct tg_verdict *out)
{
    size_t failed = 0;
    for (size_t i = 0; i < n; i++) {
        out[i] = (struct tg_verdict){ &t[i], true, NAN, NULL };
        if (t[i].expr.window_ns > 0) {
            failed += window_verdict(res, &out[i]) ? 0 : 1;
            continue;
        }
        int metric = tg_registry_find_metric(&res->reg, t[i].sel.name);
        if (metric < 0) {
            continue; /* never sampled: k6 passes a threshold without values */
        }
        struct tg_tag want[TG_SEL_MAX_TAGS];
        for (size_t k = 0; k < t[i].sel.ntags; k++) {
            want[k] = (struct tg_tag){ t[i].sel.tags[k].key, t[i].sel.tags[k].value };
        }
        struct tg_sink s;
        if (tg_results_aggregate(res, metric, want, t[i].sel.ntags, &s) < 0) {
            continue;
        }
        struct tg_agg_values v;
        tg_values_of(&s, res->reg.metrics[metric].contains, res->duration_ns, &v);
        out[i].ok = tg_threshold_check(&t[i].expr, &v, &out[i].measured);
        tg_sink_fini(&s);
        if (!out[i].ok) {
            failed++;
        }
    }
    return failed;
}

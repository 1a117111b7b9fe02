/*
 * progress — live progress line; see progress.h.
 */
#include "report/progress.h"

#include "core/units.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

void tg_progress_init(struct tg_progress *p, const struct tg_plan *plan)
{
    memset(p, 0, sizeof(*p));
    p->plan = plan;
    p->enabled = !plan->quiet && isatty(STDERR_FILENO);
    tg_hist_init(&p->interval);
}

void tg_progress_fini(struct tg_progress *p)
{
    tg_hist_fini(&p->interval);
}

void tg_progress_add(struct tg_progress *p, const struct tg_results *res,
                     const struct tg_results_map *map, const struct tg_bank *b)
{
    if (!p->enabled) {
        return;
    }
    for (size_t i = 0; i < b->n; i++) {
        const struct tg_sink *s = &b->sinks[i];
        int64_t id = s->n ? tg_results_map_id(map, (uint32_t)i) : -1;
        if (id < 0) {
            continue;
        }
        switch (res->reg.series[id].metric) {
        case TG_M_HTTP_REQS:
            p->reqs += s->u.sum;
            break;
        case TG_M_HTTP_REQ_FAILED:
            p->failed += s->u.rate.nonzero;
            break;
        case TG_M_HTTP_REQ_DURATION:
            tg_hist_merge(&p->interval, &s->u.hist);
            break;
        default:
            break;
        }
    }
}

void tg_progress_print(struct tg_progress *p, tg_ns elapsed)
{
    if (!p->enabled) {
        return;
    }
    char el[32];
    char total[32] = "";
    char p95[32];
    tg_units_fmt_duration((double)elapsed, el, sizeof(el));
    if (p->plan->duration_ns) {
        char d[32];
        snprintf(total, sizeof(total), " / %s",
                 tg_units_fmt_duration((double)p->plan->duration_ns, d, sizeof(d)));
    }
    tg_units_fmt_duration(tg_hist_percentile(&p->interval, 95), p95, sizeof(p95));
    double err = p->reqs > 0 ? 100.0 * (double)p->failed / p->reqs : 0;
    fprintf(stderr, "\r\033[Krunning [%s%s]  %u conns  %.0f req/s  p95=%s  errors %.2f%%", el,
            total, p->plan->connections, p->reqs, tg_hist_count(&p->interval) ? p95 : "-", err);
    fflush(stderr);
    p->printed = true;
    p->reqs = 0;
    p->failed = 0;
    tg_hist_reset(&p->interval);
}

void tg_progress_done(struct tg_progress *p)
{
    if (p->enabled && p->printed) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
}

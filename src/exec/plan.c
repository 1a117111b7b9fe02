/*
 * plan — ownership of a run's fixed inputs; see plan.h.
 */
#include "exec/plan.h"

#include "core/alloc.h"
#include "script/options.h"

void tg_plan_fini(struct tg_plan *p)
{
    if (p->options) {
        tg_options_fini(p->options);
        tg_free(p->options);
        p->options = NULL;
    }
    tg_free(p->body);
    tg_free(p->request);
    tg_free(p->setup_data);
    p->setup_data = NULL;
    p->body = NULL;
    p->request = NULL;
}

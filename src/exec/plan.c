/*
 * plan — ownership of a run's fixed inputs; see plan.h.
 */
#include "exec/plan.h"

#include "core/alloc.h"

void tg_plan_fini(struct tg_plan *p)
{
    tg_free(p->body);
    tg_free(p->request);
    p->body = NULL;
    p->request = NULL;
}

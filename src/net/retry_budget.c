/*
 * retry_budget — the token bucket of a retry budget; see retry_budget.h.
 */
#include "net/retry_budget.h"

#include <math.h>

void tg_retry_budget_init(struct tg_retry_budget *b, uint32_t burst)
{
    b->cap_milli = (uint64_t)burst * 1000;
    b->milli = b->cap_milli;
    b->refused = 0;
}

uint32_t tg_retry_budget_milli(double ratio)
{
    if (!(ratio > 0) || ratio * 1000 > TG_RETRY_BUDGET_RATIO_MAX_MILLI + 0.5) {
        return 0;
    }
    long m = lround(ratio * 1000);
    return m < 1 ? 1 : (uint32_t)m; /* a positive ratio never rounds to "no budget" */
}

void tg_retry_budget_deposit(struct tg_retry_budget *b, uint32_t ratio_milli)
{
    b->milli += ratio_milli;
    if (b->milli > b->cap_milli) {
        b->milli = b->cap_milli;
    }
}

bool tg_retry_budget_withdraw(struct tg_retry_budget *b)
{
    if (b->milli < 1000) {
        b->refused++;
        return false;
    }
    b->milli -= 1000;
    return true;
}

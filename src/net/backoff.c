/*
 * backoff — exponential backoff with jitter; see backoff.h for the formulas.
 */
#include "net/backoff.h"

#include <string.h>

static const char *const jitter_names[] = { "none", "full", "equal", "decorrelated" };

void tg_backoff_rng_seed(struct tg_backoff_rng *r, uint64_t seed)
{
    r->s = seed;
}

double tg_backoff_rng_unit(struct tg_backoff_rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return (double)(z >> 11) * (1.0 / 9007199254740992.0);
}

bool tg_backoff_policy_ok(const struct tg_backoff_policy *p, const char **why)
{
    const char *w = NULL;
    if (p->initial_ns < 0) {
        w = "initial is negative";
    } else if (p->max_ns > TG_BACKOFF_MAX_NS) {
        w = "max is longer than 1h";
    } else if (p->max_ns < p->initial_ns) {
        w = "max is below initial";
    } else if (!(p->multiplier >= 1 && p->multiplier <= TG_BACKOFF_MULTIPLIER_MAX)) {
        w = "multiplier is not in 1..100";
    } else if ((unsigned)p->jitter >= sizeof(jitter_names) / sizeof(jitter_names[0])) {
        w = "unknown jitter";
    }
    if (why) {
        *why = w;
    }
    return w == NULL;
}

int tg_backoff_jitter_parse(const char *s, enum tg_backoff_jitter *out)
{
    for (size_t i = 0; i < sizeof(jitter_names) / sizeof(jitter_names[0]); i++) {
        if (strcmp(s, jitter_names[i]) == 0) {
            *out = (enum tg_backoff_jitter)i;
            return 0;
        }
    }
    return TG_EINVAL;
}

const char *tg_backoff_jitter_name(enum tg_backoff_jitter j)
{
    return (unsigned)j < sizeof(jitter_names) / sizeof(jitter_names[0]) ? jitter_names[j] : "?";
}

tg_ns tg_backoff_ceiling(const struct tg_backoff_policy *p, uint32_t n)
{
    /* multiplied step by step, so a huge n stops at the cap instead of overflowing */
    double c = (double)p->initial_ns;
    for (uint32_t i = 0; i < n && c < (double)p->max_ns; i++) {
        c *= p->multiplier;
    }
    return c < (double)p->max_ns ? (tg_ns)c : p->max_ns;
}

void tg_backoff_start(struct tg_backoff *b, const struct tg_backoff_policy *p)
{
    b->given = 0;
    b->prev_ns = p->initial_ns;
}

/* uniform in [lo, hi) (lo when the range is empty) */
static tg_ns uniform(struct tg_backoff_rng *r, tg_ns lo, tg_ns hi)
{
    return hi > lo ? lo + (tg_ns)((double)(hi - lo) * tg_backoff_rng_unit(r)) : lo;
}

int tg_backoff_next(struct tg_backoff *b, const struct tg_backoff_policy *p,
                    struct tg_backoff_rng *r, tg_ns *delay_ns)
{
    if (p->max_attempts && b->given >= p->max_attempts) {
        return TG_E2BIG;
    }
    tg_ns d;
    if (p->jitter == TG_BACKOFF_DECORRELATED) {
        /* 3 * prev cannot overflow: prev <= max_ns <= 1 h */
        tg_ns u = uniform(r, p->initial_ns, 3 * b->prev_ns);
        d = u < p->max_ns ? u : p->max_ns;
    } else {
        tg_ns c = tg_backoff_ceiling(p, b->given);
        if (p->jitter == TG_BACKOFF_FULL) {
            d = uniform(r, 0, c);
        } else if (p->jitter == TG_BACKOFF_EQUAL) {
            d = c / 2 + uniform(r, 0, c - c / 2);
        } else {
            d = c;
        }
    }
    b->prev_ns = d;
    b->given++;
    *delay_ns = d;
    return 0;
}

/*
 * backoff — how long a client waits before its next attempt after a failure:
 * exponential backoff with jitter, the policy real clients ship (AWS's
 * "Exponential Backoff And Jitter" names the four forms). Used by script
 * retries (script/http_retry) and meant for reconnects (WebSocket, SSE).
 *
 * The n-th delay (n = 0 for the first) has the ceiling
 *     c(n) = min(max, initial * multiplier^n)
 * and the jitter decides the delay from it:
 *     none          c(n)
 *     full          uniform(0, c(n))
 *     equal         c(n)/2 + uniform(0, c(n)/2)
 *     decorrelated  min(max, uniform(initial, 3 * prev)), prev = initial before the first
 * (decorrelated grows by its own factor of 3 and ignores the multiplier).
 * A sequence hands out at most max_attempts delays (0: no limit).
 *
 * Randomness comes from a seedable generator (splitmix64) the caller owns,
 * one per worker thread, so a run with the same seeds waits the same delays.
 * Pure arithmetic: no allocation, no clock, no I/O; any thread that owns the
 * structs.
 */
#ifndef TG_NET_BACKOFF_H
#define TG_NET_BACKOFF_H

#include "tg.h"

#include <stdbool.h>
#include <stdint.h>

/* Bounds a policy must keep (tg_backoff_policy_check). */
#define TG_BACKOFF_MAX_NS         (3600 * TG_NS_PER_S) /* no delay longer than an hour */
#define TG_BACKOFF_MULTIPLIER_MAX 100.0

enum tg_backoff_jitter {
    TG_BACKOFF_NONE,
    TG_BACKOFF_FULL,
    TG_BACKOFF_EQUAL,
    TG_BACKOFF_DECORRELATED,
};

struct tg_backoff_policy {
    tg_ns initial_ns;      /* c(0), the base; 0 <= initial_ns <= max_ns */
    double multiplier;     /* growth of the ceiling per attempt; 1..TG_BACKOFF_MULTIPLIER_MAX */
    tg_ns max_ns;          /* cap on every delay; <= TG_BACKOFF_MAX_NS */
    uint32_t max_attempts; /* delays a sequence hands out; 0 = no limit */
    enum tg_backoff_jitter jitter;
};

/* A seedable generator: splitmix64. Any seed, 0 included, is a good one. */
struct tg_backoff_rng {
    uint64_t s;
};

/* One sequence of attempts (a request's retries, a session's reconnects). */
struct tg_backoff {
    uint32_t given; /* delays handed out so far */
    tg_ns prev_ns;  /* the last delay (decorrelated); initial_ns before the first */
};

/* Seeds r: the same seed gives the same numbers. */
void tg_backoff_rng_seed(struct tg_backoff_rng *r, uint64_t seed);
/* A uniform number in [0, 1) with 53 random bits; advances r. */
double tg_backoff_rng_unit(struct tg_backoff_rng *r);

/*
 * Whether p is a policy tg_backoff_next accepts; when not, *why (if not NULL)
 * says what is wrong in a few words ("max is below initial").
 */
bool tg_backoff_policy_ok(const struct tg_backoff_policy *p, const char **why);
/* The jitter named s ("none", "full", "equal", "decorrelated"): 0, or TG_EINVAL. */
int tg_backoff_jitter_parse(const char *s, enum tg_backoff_jitter *out);
/* The name of a jitter, as tg_backoff_jitter_parse takes it. */
const char *tg_backoff_jitter_name(enum tg_backoff_jitter j);

/* The ceiling c(n) of p's n-th delay (0-based), without jitter. p must be ok. */
tg_ns tg_backoff_ceiling(const struct tg_backoff_policy *p, uint32_t n);
/* Starts a sequence of p in b (b is the caller's). */
void tg_backoff_start(struct tg_backoff *b, const struct tg_backoff_policy *p);
/*
 * The delay before the next attempt of b's sequence into *delay_ns, drawn
 * from r as p's jitter says. 0, or TG_E2BIG when p's max_attempts delays
 * were already handed out (*delay_ns untouched). p must be ok.
 */
int tg_backoff_next(struct tg_backoff *b, const struct tg_backoff_policy *p,
                    struct tg_backoff_rng *r, tg_ns *delay_ns);

#endif

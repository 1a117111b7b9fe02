/*
 * retry_budget — a cap on retries as a share of requests, as well-behaved
 * clients keep one (Finagle's RetryBudget, gRPC's retry throttling), so that
 * a failing server does not get its load multiplied by every client's retries.
 *
 * A token bucket, not a sliding window: every first attempt deposits `ratio`
 * tokens, every retry takes one, and a retry that finds less than a whole
 * token is refused. The bucket starts full and holds at most `burst` tokens,
 * so a client that has been quiet or healthy may retry a few requests at
 * once but never banks more. Over any stretch of a run:
 *     retries <= burst + ratio * first attempts
 * and the share tends to `ratio` while failures last.
 *
 * Integer arithmetic in thousandths of a token: exact for ratios given to
 * three decimals, the same on every machine. No allocation; the owner's
 * thread (scripts: one bucket per worker thread).
 */
#ifndef TG_NET_RETRY_BUDGET_H
#define TG_NET_RETRY_BUDGET_H

#include <stdbool.h>
#include <stdint.h>

/* Tokens a bucket starts with and holds at most, unless told otherwise. */
#define TG_RETRY_BUDGET_BURST 10
/* The largest ratio, in thousandths (10 retries per first attempt). */
#define TG_RETRY_BUDGET_RATIO_MAX_MILLI 10000

struct tg_retry_budget {
    uint64_t milli;     /* tokens in the bucket, in thousandths; <= cap_milli */
    uint64_t cap_milli; /* burst, in thousandths */
    uint64_t refused;   /* retries refused so far */
};

/* A full bucket of burst tokens in b (the caller's storage). */
void tg_retry_budget_init(struct tg_retry_budget *b, uint32_t burst);
/* A ratio as thousandths of a token per first attempt, rounded; 0 when not in (0, 10]. */
uint32_t tg_retry_budget_milli(double ratio);
/* A first attempt was sent: ratio_milli thousandths of a token more, up to the cap. */
void tg_retry_budget_deposit(struct tg_retry_budget *b, uint32_t ratio_milli);
/*
 * A retry wants to go: whether the bucket allows it. True takes a whole
 * token; false leaves the bucket as it is and counts the refusal.
 */
bool tg_retry_budget_withdraw(struct tg_retry_budget *b);

#endif

/*
 * http_retry — the retry policy of a script's request (params.retry, or an
 * http.client's retry as its default): which outcomes are retried, how many
 * times, how long to wait before each retry (net/backoff) and the share of
 * requests retries may add (net/retry_budget).
 *
 * A policy is copied into the exchange when the request is built
 * (lua_http_retry reads it from Lua); the exchange then retries on its own,
 * without Lua: a failed attempt that the policy retries waits its backoff on
 * a timer of the exchange (the VU stays yielded, the loop runs on) and goes
 * again, taking a --max-rps permit like any request (http_retry.c). Each
 * worker thread has one jitter generator and one retry budget.
 *
 * Threading: everything belongs to one worker thread.
 */
#ifndef TG_SCRIPT_HTTP_RETRY_H
#define TG_SCRIPT_HTTP_RETRY_H

#include "net/backoff.h"

#include <stdint.h>

/* The most retries a policy may ask for (attempts are 1..TG_HTTP_RETRY_MAX + 1). */
#define TG_HTTP_RETRY_MAX 10
/* Statuses or status ranges in a policy's `on`. */
#define TG_HTTP_RETRY_STATUS_MAX 16

/* Failures without a status that a policy may retry (struct tg_http_retry.on). */
enum {
    TG_HTTP_RETRY_TIMEOUT = 1u << 0, /* 1050 request timeout, 1211 connect timeout */
    TG_HTTP_RETRY_RESET = 1u << 1,   /* 1220 reset by the peer, 1201 broken pipe */
    TG_HTTP_RETRY_REFUSED = 1u << 2, /* 1212 connection refused */
    TG_HTTP_RETRY_DNS = 1u << 3,     /* 1100, 1101 name resolution failed */
};

struct tg_http_retry {
    uint8_t max;           /* retries after the first attempt, 0..TG_HTTP_RETRY_MAX; 0: no policy */
    uint8_t on;            /* TG_HTTP_RETRY_* */
    uint8_t n_status;      /* ranges in status */
    uint16_t budget_milli; /* tokens a first attempt deposits, in thousandths; 0: no budget */
    struct {
        uint16_t lo;
        uint16_t hi;
    } status[TG_HTTP_RETRY_STATUS_MAX]; /* inclusive ranges of statuses that retry */
    struct tg_backoff_policy backoff;   /* max_attempts == max */
};

struct tg_rt;

/*
 * Seeds the jitter of rt's retries: the same seed and the same outcomes give
 * the same delays. Each worker's runtime gets its own seed; unseeded, a
 * runtime uses a fixed one. The runtime's thread.
 */
void tg_http_retry_seed(struct tg_rt *rt, uint64_t seed);

#endif

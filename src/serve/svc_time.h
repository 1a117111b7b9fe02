/*
 * svc_time — the service-time distribution of serve's capacity model: how
 * long one request holds a worker slot. Parsed once from --service-time,
 * sampled once per modelled request with the server's seeded generator.
 *
 * Grammar of DIST (durations as in core/units.h; a bare number is seconds,
 * the command-line convention):
 *   dist      = duration                                  fixed (0 = none)
 *             | "uniform:" duration ":" duration          lo <= hi
 *             | "exp:" duration                           exponential, mean
 *             | "lognormal:" duration ":" sigma           median, sigma
 *   sigma     = number in [0, 10]
 * e.g. "0", "2ms", "uniform:1ms:5ms", "exp:2ms", "lognormal:2ms:0.5".
 *
 * Invariants: every sample is in [0, TG_SVC_TIME_MAX_NS]; longer draws from
 * the unbounded distributions are clamped. Cost: a fixed time costs nothing;
 * the others cost one to three libm calls per sample.
 */
#ifndef TG_SERVE_SVC_TIME_H
#define TG_SERVE_SVC_TIME_H

#include "core/diag.h"
#include "serve/srv_rng.h"
#include "tg.h"

#include <stdbool.h>

#define TG_SVC_TIME_MAX_NS (60 * TG_NS_PER_S) /* clamp for any one sample */

enum tg_svc_time_kind {
    TG_SVC_TIME_FIXED,
    TG_SVC_TIME_UNIFORM,
    TG_SVC_TIME_EXP,
    TG_SVC_TIME_LOGNORMAL,
};

struct tg_svc_time {
    enum tg_svc_time_kind kind;
    tg_ns a_ns;   /* FIXED: the time; UNIFORM: low; EXP: mean; LOGNORMAL: median */
    tg_ns b_ns;   /* UNIFORM: high (>= a_ns); unused otherwise */
    double sigma; /* LOGNORMAL: standard deviation of the log; unused otherwise */
};

/*
 * Parses s (grammar above) into *out. Returns 0, or TG_EINVAL with d set to
 * what is wrong (without the flag name; the caller prefixes it).
 */
int tg_svc_time_parse(const char *s, struct tg_svc_time *out, struct tg_diag *d);

/* Whether every sample is zero (a fixed time of 0): requests never wait. */
bool tg_svc_time_is_zero(const struct tg_svc_time *t);

/* Draws one service time in nanoseconds, in [0, TG_SVC_TIME_MAX_NS]. */
tg_ns tg_svc_time_sample(const struct tg_svc_time *t, struct tg_srv_rng *rng);

#endif

/*
 * srv_rng — the serve module's seeded pseudo-random generator: xoshiro256**
 * seeded through splitmix64. The same --seed gives the same sequence of
 * service times and injected errors, so a run against `tailgate serve` can be
 * repeated exactly (given the same request order).
 *
 * One generator per server, owned by the server context and used only by its
 * event-loop thread. Cost: a handful of integer operations per draw; header
 * only so that draws inline into the request path.
 */
#ifndef TG_SERVE_SRV_RNG_H
#define TG_SERVE_SRV_RNG_H

#include <stdint.h>

struct tg_srv_rng {
    uint64_t s[4]; /* xoshiro256** state; never all zero after seeding */
};

static inline uint64_t tg_srv_rng_splitmix(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* Seeds r (caller's storage) from seed; any seed, 0 included, is valid. */
static inline void tg_srv_rng_seed(struct tg_srv_rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++) {
        r->s[i] = tg_srv_rng_splitmix(&x);
    }
}

static inline uint64_t tg_srv_rng_rotl(uint64_t v, int k)
{
    return (v << k) | (v >> (64 - k));
}

/* The next 64 uniformly distributed bits. */
static inline uint64_t tg_srv_rng_next(struct tg_srv_rng *r)
{
    uint64_t *s = r->s;
    uint64_t out = tg_srv_rng_rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = tg_srv_rng_rotl(s[3], 45);
    return out;
}

/* A uniform double in [0, 1) with 53 random bits. */
static inline double tg_srv_rng_unit(struct tg_srv_rng *r)
{
    return (double)(tg_srv_rng_next(r) >> 11) * 0x1.0p-53;
}

#endif

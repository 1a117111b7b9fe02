/*
 * prng.h — the fixed-seed pseudo-random numbers tests draw their samples
 * from: splitmix64 (the generator behind Java's SplittableRandom, with the
 * constants of Vigna's C version), written here rather than taken from libc
 * so a seed gives the same sequence on every machine and every run.
 *
 * rng_step advances a state the caller keeps, for tests that want several
 * independent streams. rng_seed / rng_next / rng_unit work on one default
 * stream per test binary (rng_state), used from the main thread only.
 * Not for anything but tests: splitmix64 is fast and well mixed, not secure.
 *
 * Header only, for tests: each including file gets its own rng_state.
 */
#ifndef TG_TESTS_UNIT_PRNG_H
#define TG_TESTS_UNIT_PRNG_H

#include <stdint.h>

/* Advances *state and returns the next 64 random bits. */
static inline uint64_t rng_step(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static uint64_t rng_state; /* the default stream; 0 until rng_seed */

/* Restarts the default stream: the same seed gives the same sequence. */
static inline void rng_seed(uint64_t seed)
{
    rng_state = seed;
}

/* The next 64 random bits of the default stream. */
static inline uint64_t rng_next(void)
{
    return rng_step(&rng_state);
}

/* Uniform in [0, 1), from the top 53 bits of rng_next. */
static inline double rng_unit(void)
{
    return (double)(rng_next() >> 11) * 0x1.0p-53;
}

#endif

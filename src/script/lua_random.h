/*
 * lua_random — the randomness scripts use, with a per-state generator that
 * a seed makes reproducible:
 *   tailgate.between(lo, hi)  -> a number uniform in [lo, hi) (Locust's between,
 *                                for think time: tg.sleep(tg.between(0.1, 0.4)))
 *   tailgate.weighted{ {w, v}, ... } -> pick(...): picks entry i with
 *                                probability w_i / sum(w); a function entry is
 *                                called with pick's arguments and its results
 *                                returned, any other value is returned
 *                                (Locust's @task(w))
 */
#ifndef TG_SCRIPT_LUA_RANDOM_H
#define TG_SCRIPT_LUA_RANDOM_H

#include <lua.h>
#include <stdint.h>

/* Seeds L's generator (each worker's state gets its own seed). */
void tg_lua_random_seed(lua_State *L, uint64_t seed);
/* A uniform double in [0, 1) from L's generator. */
double tg_lua_random_unit(lua_State *L);
/* Sets fields between and weighted on the table at the top of the stack. */
void tg_lua_random_register(lua_State *L);

#endif

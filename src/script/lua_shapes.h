/*
 * lua_shapes — tailgate.shapes: ready-made stages for the ramping executors
 * (ramping-vus, ramping-arrival-rate), each returning (stages, start) — the
 * stages table and the value they start from (startVUs / startRate):
 *
 *   smoke{ target, duration }                       a little load, briefly
 *   soak{ target, ramp, hold, down }                ramp up, hold long, ramp down
 *   spike{ baseline, peak | factor, before, rise, hold, recover, after }
 *                                                   baseline -> peak fast -> baseline
 *   stress{ from, step, steps, ramp, hold, down }   a staircase of increasing load
 *   breakpoint{ target, duration }                  one long ramp, to be stopped by an
 *                                                   abortOnFail threshold
 *
 * Durations are strings ("30s") or milliseconds; targets are VUs or
 * iterations per timeUnit, whatever the executor counts. Usable in the init
 * context (options are read there).
 */
#ifndef TG_SCRIPT_LUA_SHAPES_H
#define TG_SCRIPT_LUA_SHAPES_H

#include <lua.h>

/* Sets field "shapes" (the table of builders) on the table at the top of the stack. */
void tg_lua_shapes_register(lua_State *L);

#endif

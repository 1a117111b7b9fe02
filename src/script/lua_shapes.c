/*
 * lua_shapes — stage builders; see lua_shapes.h.
 */
#include "script/lua_shapes.h"

#include "core/units.h"

#include <lauxlib.h>
#include <math.h>

/* Field k of the argument table: a duration in ms (dflt < 0: required). */
static double dur_field(lua_State *L, const char *fn, const char *k, double dflt)
{
    lua_getfield(L, 1, k);
    double ms = dflt;
    if (lua_type(L, -1) == LUA_TNUMBER) {
        ms = lua_tonumber(L, -1);
    } else if (lua_type(L, -1) == LUA_TSTRING) {
        tg_ns ns;
        if (tg_units_parse_duration(lua_tostring(L, -1), TG_NS_PER_MS, &ns) < 0) {
            luaL_error(L, "tailgate.shapes.%s: %s \"%s\" is not a duration", fn, k,
                       lua_tostring(L, -1));
        }
        ms = (double)ns / 1e6;
    } else if (!lua_isnil(L, -1) || dflt < 0) {
        luaL_error(L, "tailgate.shapes.%s: %s must be a duration (\"30s\" or milliseconds)", fn, k);
    }
    lua_pop(L, 1);
    if (!(ms >= 0) || !isfinite(ms)) {
        luaL_error(L, "tailgate.shapes.%s: %s must be a duration >= 0", fn, k);
    }
    return ms;
}

/* Field k: a number >= 0 (dflt < 0: required). */
static double num_field(lua_State *L, const char *fn, const char *k, double dflt)
{
    lua_getfield(L, 1, k);
    double v = dflt;
    if (lua_type(L, -1) == LUA_TNUMBER) {
        v = lua_tonumber(L, -1);
    } else if (!lua_isnil(L, -1) || dflt < 0) {
        luaL_error(L, "tailgate.shapes.%s: %s must be a number", fn, k);
    }
    lua_pop(L, 1);
    if (!(v >= 0) || !isfinite(v)) {
        luaL_error(L, "tailgate.shapes.%s: %s must be a number >= 0", fn, k);
    }
    return v;
}

/* Appends { duration = ms, target = t } to the stages table at -1 (when ms > 0). */
static void stage(lua_State *L, double ms, double target)
{
    if (ms <= 0) {
        return;
    }
    lua_createtable(L, 0, 2);
    lua_pushnumber(L, ms);
    lua_setfield(L, -2, "duration");
    lua_pushnumber(L, round(target));
    lua_setfield(L, -2, "target");
    lua_rawseti(L, -2, (int)lua_objlen(L, -2) + 1);
}

static int done(lua_State *L, double start)
{
    lua_pushnumber(L, round(start));
    return 2;
}

static int l_smoke(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    double target = num_field(L, "smoke", "target", 1);
    double d = dur_field(L, "smoke", "duration", 60000);
    lua_newtable(L);
    stage(L, d, target);
    return done(L, target);
}

static int l_soak(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    double target = num_field(L, "soak", "target", -1);
    double ramp = dur_field(L, "soak", "ramp", 300000);
    double hold = dur_field(L, "soak", "hold", -1);
    double down = dur_field(L, "soak", "down", 120000);
    lua_newtable(L);
    stage(L, ramp, target);
    stage(L, hold, target);
    stage(L, down, 0);
    return done(L, 0);
}

static int l_spike(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    double base = num_field(L, "spike", "baseline", -1);
    double peak = num_field(L, "spike", "peak", 0);
    double factor = num_field(L, "spike", "factor", 0);
    if ((peak > 0) == (factor > 0)) {
        return luaL_error(L, "tailgate.shapes.spike: give either peak or factor (peak = "
                             "baseline * factor)");
    }
    peak = peak > 0 ? peak : base * factor;
    double before = dur_field(L, "spike", "before", 60000);
    double rise = dur_field(L, "spike", "rise", -1);
    double hold = dur_field(L, "spike", "hold", -1);
    double recover = dur_field(L, "spike", "recover", 60000);
    double after = dur_field(L, "spike", "after", 60000);
    lua_newtable(L);
    stage(L, before, base);
    stage(L, rise, peak);
    stage(L, hold, peak);
    stage(L, recover, base);
    stage(L, after, base);
    return done(L, base);
}

static int l_stress(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    double from = num_field(L, "stress", "from", -1);
    double step = num_field(L, "stress", "step", -1);
    double steps = num_field(L, "stress", "steps", -1);
    double ramp = dur_field(L, "stress", "ramp", 60000);
    double hold = dur_field(L, "stress", "hold", 300000);
    double down = dur_field(L, "stress", "down", 120000);
    if (steps < 1 || steps > 100 || steps != floor(steps)) {
        return luaL_error(L, "tailgate.shapes.stress: steps must be a whole number from 1 to 100");
    }
    lua_newtable(L);
    for (int i = 0; i < (int)steps; i++) {
        stage(L, ramp, from + step * i);
        stage(L, hold, from + step * i);
    }
    stage(L, down, 0);
    return done(L, 0);
}

static int l_breakpoint(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    double target = num_field(L, "breakpoint", "target", -1);
    double d = dur_field(L, "breakpoint", "duration", -1);
    lua_newtable(L);
    stage(L, d, target);
    return done(L, 0);
}

void tg_lua_shapes_register(lua_State *L)
{
    static const luaL_Reg fns[] = {
        { "smoke", l_smoke },           { "soak", l_soak },
        { "spike", l_spike },           { "stress", l_stress },
        { "breakpoint", l_breakpoint }, { NULL, NULL },
    };
    lua_newtable(L);
    for (const luaL_Reg *f = fns; f->name; f++) {
        lua_pushcfunction(L, f->func);
        lua_setfield(L, -2, f->name);
    }
    lua_setfield(L, -2, "shapes");
}

/*
 * lua_random — between and weighted on a seeded per-state generator; see
 * lua_random.h. The generator is splitmix64, kept in a userdata in the
 * registry.
 */
#include "script/lua_random.h"

#include <lauxlib.h>

static const char key = 0; /* registry key of the generator's state */

static uint64_t *state_of(lua_State *L)
{
    lua_pushlightuserdata(L, (void *)(uintptr_t)&key);
    lua_rawget(L, LUA_REGISTRYINDEX);
    uint64_t *s = lua_touserdata(L, -1);
    lua_pop(L, 1);
    if (!s) {
        s = lua_newuserdata(L, sizeof(*s));
        *s = 0x9e3779b97f4a7c15ULL;
        lua_pushlightuserdata(L, (void *)(uintptr_t)&key);
        lua_insert(L, -2);
        lua_rawset(L, LUA_REGISTRYINDEX);
    }
    return s;
}

void tg_lua_random_seed(lua_State *L, uint64_t seed)
{
    *state_of(L) = seed;
}

double tg_lua_random_unit(lua_State *L)
{
    uint64_t *s = state_of(L);
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return (double)(z >> 11) * (1.0 / 9007199254740992.0);
}

static int l_between(lua_State *L)
{
    double lo = luaL_checknumber(L, 1);
    double hi = luaL_checknumber(L, 2);
    if (!(hi >= lo)) {
        return luaL_error(L, "between(%f, %f): the upper bound is below the lower", lo, hi);
    }
    lua_pushnumber(L, lo + (hi - lo) * tg_lua_random_unit(L));
    return 1;
}

/*
 * choose(): picks a task. upvalue 1: the tasks { v1, v2, ... }; upvalue 2:
 * cumulative weights { c1, c2, ... }. Calling the task happens in Lua (see
 * wrap_picker) so that a task may yield (an HTTP request) - a C function
 * cannot call into Lua code that yields.
 */
static int l_choose(lua_State *L)
{
    size_t n = lua_objlen(L, lua_upvalueindex(2));
    lua_rawgeti(L, lua_upvalueindex(2), (int)n);
    double total = lua_tonumber(L, -1);
    lua_pop(L, 1);
    double x = tg_lua_random_unit(L) * total;
    size_t lo = 1;
    size_t hi = n;
    while (lo < hi) { /* first entry whose cumulative weight exceeds x */
        size_t mid = (lo + hi) / 2;
        lua_rawgeti(L, lua_upvalueindex(2), (int)mid);
        double c = lua_tonumber(L, -1);
        lua_pop(L, 1);
        if (c > x) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    lua_rawgeti(L, lua_upvalueindex(1), (int)lo);
    return 1;
}

/* Turns the choose closure on top into the picker function a script calls. */
static void wrap_picker(lua_State *L)
{
    static const char src[] = "local choose = ...\n"
                              "return function(...)\n"
                              "  local task = choose()\n"
                              "  if type(task) == 'function' then return task(...) end\n"
                              "  return task\n"
                              "end\n";
    if (luaL_loadbuffer(L, src, sizeof(src) - 1, "=tailgate.weighted") != 0) {
        lua_error(L);
    }
    lua_insert(L, -2);
    lua_call(L, 1, 1);
}

static int l_weighted(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    size_t n = lua_objlen(L, 1);
    if (n == 0) {
        return luaL_error(L, "weighted: expected a list of { weight, task } entries");
    }
    lua_createtable(L, (int)n, 0); /* 2: the tasks, copied */
    lua_createtable(L, (int)n, 0); /* 3: cumulative weights */
    double total = 0;
    for (size_t i = 1; i <= n; i++) {
        lua_rawgeti(L, 1, (int)i);
        if (lua_type(L, -1) != LUA_TTABLE) {
            return luaL_error(L, "weighted: entry %d is not a { weight, task } table", (int)i);
        }
        lua_rawgeti(L, -1, 1);
        double w = lua_tonumber(L, -1);
        if (lua_type(L, -1) != LUA_TNUMBER || !(w >= 0)) {
            return luaL_error(L, "weighted: entry %d's weight is not a number >= 0", (int)i);
        }
        lua_pop(L, 1);
        lua_rawgeti(L, -1, 2);
        if (lua_isnil(L, -1)) {
            return luaL_error(L, "weighted: entry %d has no task (second item)", (int)i);
        }
        lua_rawseti(L, 2, (int)i);
        lua_pop(L, 1);
        total += w;
        lua_pushnumber(L, total);
        lua_rawseti(L, 3, (int)i);
    }
    if (!(total > 0)) {
        return luaL_error(L, "weighted: the weights add up to 0");
    }
    lua_pushcclosure(L, l_choose, 2);
    wrap_picker(L);
    return 1;
}

void tg_lua_random_register(lua_State *L)
{
    lua_pushcfunction(L, l_between);
    lua_setfield(L, -2, "between");
    lua_pushcfunction(L, l_weighted);
    lua_setfield(L, -2, "weighted");
}

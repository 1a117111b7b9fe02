/*
 * lua_shared — read-only data shared by every VU of a worker, k6's
 * SharedArray:
 *   local users = tg.shared("users", function() return tg.csv("users.csv") end)
 *   users[i].name, #users, tg.ipairs(users), tg.pairs(users[1])
 * In the init context only. The function runs once per Lua state (once per
 * worker thread); later calls with the same name return the same data
 * without calling it. It must return an array (a table with keys 1..n), of
 * tables, strings, numbers, booleans and json.null, nested at most 64 deep.
 *
 * The result is deep-copied into proxies: each table becomes a userdata
 * whose environment table holds the copy, with a metatable that reads it
 * (__index, __len) and refuses writes (__newindex raises "shared data is
 * read-only"). Proxies are built once, so reading is a metamethod and a raw
 * get, and allocates nothing. LuaJIT (Lua 5.1) honours __len on userdata but
 * not on tables, and has no __pairs/__ipairs: hence userdata proxies, and
 * tg.pairs / tg.ipairs, which iterate shared data and plain tables alike.
 * tg.json.encode writes shared data as the tables it copies.
 */
#include "script/internal.h"

#include <lauxlib.h>
#include <stdio.h>
#include <string.h>

#define MAX_DEPTH 64

static const char mt_shared[] = "tailgate.shared";
static const char names_key[] = "tailgate.shared.names";

bool tg_lua_shared__is(lua_State *L, int idx)
{
    if (lua_type(L, idx) != LUA_TUSERDATA || !lua_getmetatable(L, idx)) {
        return false;
    }
    luaL_getmetatable(L, mt_shared);
    bool is = lua_rawequal(L, -1, -2);
    lua_pop(L, 2);
    return is;
}

static int sh_index(lua_State *L)
{
    lua_getfenv(L, 1);
    lua_pushvalue(L, 2);
    lua_rawget(L, -2);
    return 1;
}

/* A write: an error naming the script line that tried it. */
static int sh_newindex(lua_State *L)
{
    if (lua_type(L, 2) == LUA_TSTRING) {
        lua_pushfstring(L, "\"%s\"", lua_tostring(L, 2));
    } else {
        lua_getglobal(L, "tostring");
        lua_pushvalue(L, 2);
        lua_call(L, 1, 1);
        lua_pushfstring(L, "[%s]", lua_tostring(L, -1));
    }
    luaL_where(L, 1);
    lua_pushfstring(L, "%sshared data is read-only: cannot set %s", lua_tostring(L, -1),
                    lua_tostring(L, -2));
    return lua_error(L);
}

static int sh_len(lua_State *L)
{
    lua_getfenv(L, 1);
    lua_pushinteger(L, (lua_Integer)lua_objlen(L, -1));
    return 1;
}

static int sh_tostring(lua_State *L)
{
    lua_getfenv(L, 1);
    lua_pushfstring(L, "tailgate.shared (%d items)", (int)lua_objlen(L, -1));
    return 1;
}

static void push_metatable(lua_State *L)
{
    if (luaL_newmetatable(L, mt_shared)) {
        static const luaL_Reg mm[] = { { "__index", sh_index },
                                       { "__newindex", sh_newindex },
                                       { "__len", sh_len },
                                       { "__tostring", sh_tostring },
                                       { NULL, NULL } };
        luaL_register(L, NULL, mm);
        lua_pushstring(L, mt_shared);
        lua_setfield(L, -2, "__metatable"); /* getmetatable() cannot reach the methods */
    }
}

struct freeze {
    const char *name;
    char path[256]; /* where in the value we are, for errors: [3].name */
};

static void freeze(lua_State *L, struct freeze *fz, int src, int depth);

/* Copies the value on top into the copy at dst, under the key below it. */
static void freeze_value(lua_State *L, struct freeze *fz, int dst, int depth)
{
    int t = lua_type(L, -1);
    if (t == LUA_TTABLE) {
        freeze(L, fz, lua_gettop(L), depth + 1);
        lua_replace(L, -2);
    } else if (!(t == LUA_TSTRING || t == LUA_TNUMBER || t == LUA_TBOOLEAN ||
                 t == LUA_TLIGHTUSERDATA || tg_lua_shared__is(L, -1))) {
        luaL_error(L,
                   "tailgate.shared(\"%s\"): %s is a %s; shared data holds tables, strings, "
                   "numbers and booleans",
                   fz->name, fz->path[0] ? fz->path : "the value", luaL_typename(L, -1));
    }
    lua_pushvalue(L, -2);
    lua_insert(L, -2);
    lua_rawset(L, dst);
}

/* Pushes a read-only proxy of a deep copy of the table at src. */
static void freeze(lua_State *L, struct freeze *fz, int src, int depth)
{
    if (depth > MAX_DEPTH) {
        luaL_error(L, "tailgate.shared(\"%s\"): nested deeper than %d levels (a cycle?)", fz->name,
                   MAX_DEPTH);
    }
    luaL_checkstack(L, 8, "tailgate.shared: nested too deeply");
    lua_createtable(L, (int)lua_objlen(L, src), 0);
    int dst = lua_gettop(L);
    size_t plen = strlen(fz->path);
    lua_pushnil(L);
    while (lua_next(L, src) != 0) {
        int kt = lua_type(L, -2);
        if (kt == LUA_TNUMBER) {
            snprintf(fz->path + plen, sizeof(fz->path) - plen, "[%g]", lua_tonumber(L, -2));
        } else if (kt == LUA_TSTRING) {
            snprintf(fz->path + plen, sizeof(fz->path) - plen, "%s%s", plen ? "." : "",
                     lua_tostring(L, -2));
        } else {
            luaL_error(L, "tailgate.shared(\"%s\"): %s has a %s key; keys are strings or numbers",
                       fz->name, plen ? fz->path : "the value", luaL_typename(L, -2));
        }
        freeze_value(L, fz, dst, depth);
    }
    fz->path[plen] = '\0';
    lua_newuserdata(L, 0);
    lua_pushvalue(L, dst);
    lua_setfenv(L, -2);
    push_metatable(L);
    lua_setmetatable(L, -2);
    lua_replace(L, dst);
}

/* shared(name, fn) -> the read-only copy of fn's array, made once per state and name */
static int l_shared(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    tg_lua_data__init_only(L, "tailgate.shared");
    lua_settop(L, 2);
    lua_getfield(L, LUA_REGISTRYINDEX, names_key);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_setfield(L, LUA_REGISTRYINDEX, names_key);
    }
    lua_getfield(L, 3, name);
    if (!lua_isnil(L, -1)) {
        return 1;
    }
    lua_pop(L, 1);
    lua_pushvalue(L, 2);
    lua_call(L, 0, 1); /* an error fails the init context, as in k6 */
    size_t n = lua_type(L, 4) == LUA_TTABLE ? lua_objlen(L, 4) : 0;
    size_t keys = 0;
    for (lua_pushnil(L); lua_type(L, 4) == LUA_TTABLE && lua_next(L, 4) != 0; lua_pop(L, 1)) {
        keys++;
    }
    if (lua_type(L, 4) != LUA_TTABLE || keys != n) {
        return luaL_error(
            L,
            "tailgate.shared(\"%s\"): the function must return an array (a table "
            "with keys 1..n), got %s",
            name, lua_type(L, 4) == LUA_TTABLE ? "a table with other keys" : luaL_typename(L, 4));
    }
    struct freeze fz = { name, "" };
    freeze(L, &fz, 4, 0);
    lua_pushvalue(L, -1);
    lua_setfield(L, 3, name);
    return 1;
}

/* The iterators: (state, control) as Lua's next and ipairs, over a proxy's copy or a table. */
static int sh_next(lua_State *L)
{
    lua_settop(L, 2);
    lua_getfenv(L, 1);
    lua_pushvalue(L, 2);
    if (lua_next(L, -2) != 0) {
        return 2;
    }
    lua_pushnil(L);
    return 1;
}

static int sh_inext(lua_State *L)
{
    lua_Integer i = luaL_checkinteger(L, 2) + 1;
    if (tg_lua_shared__is(L, 1)) {
        lua_getfenv(L, 1);
        lua_rawgeti(L, -1, (int)i);
    } else {
        lua_rawgeti(L, 1, (int)i);
    }
    if (lua_isnil(L, -1)) {
        return 0;
    }
    lua_pushinteger(L, i);
    lua_insert(L, -2);
    return 2;
}

static int l_pairs(lua_State *L)
{
    if (lua_type(L, 1) == LUA_TUSERDATA && luaL_getmetafield(L, 1, "__totable")) {
        lua_pushvalue(L, 1);
        lua_call(L, 1, 1); /* e.g. a response's timings: iterate a plain copy */
        lua_pushvalue(L, lua_upvalueindex(2));
        lua_insert(L, -2);
        lua_pushnil(L);
        return 3;
    }
    if (tg_lua_shared__is(L, 1)) {
        lua_pushcfunction(L, sh_next);
    } else {
        luaL_checktype(L, 1, LUA_TTABLE);
        lua_pushvalue(L, lua_upvalueindex(2)); /* Lua's own next */
    }
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

static int l_ipairs(lua_State *L)
{
    if (!tg_lua_shared__is(L, 1)) {
        luaL_checktype(L, 1, LUA_TTABLE);
    }
    lua_pushcfunction(L, sh_inext);
    lua_pushvalue(L, 1);
    lua_pushinteger(L, 0);
    return 3;
}

void tg_lua_shared__register(lua_State *L, struct tg_rt *rt)
{
    static const struct {
        const char *name;
        lua_CFunction fn;
    } fns[] = { { "shared", l_shared }, { "pairs", l_pairs }, { "ipairs", l_ipairs } };
    for (size_t i = 0; i < TG_ARRAY_LEN(fns); i++) {
        lua_pushlightuserdata(L, rt);
        lua_getglobal(L, "next");
        lua_pushcclosure(L, fns[i].fn, 2);
        lua_setfield(L, -2, fns[i].name);
    }
}

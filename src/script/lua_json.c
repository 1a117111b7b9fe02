/*
 * lua_json — JSON <-> Lua values on jansson; mapping in lua_json.h.
 */
#include "script/lua_json.h"

#include "script/internal.h"

#include <jansson.h>
#include <lauxlib.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_DEPTH 64

/* The json.null sentinel: a light userdata no other value can equal. */
static const char null_tag = 0;
#define JSON_NULL_PTR ((void *)(uintptr_t)&null_tag)

struct enc {
    lua_State *L;
    char err[256]; /* set when a value cannot be encoded */
};

static json_t *to_json(struct enc *e, int idx, int depth);

static json_t *fail(struct enc *e, json_t *partial, const char *msg)
{
    json_decref(partial);
    if (!e->err[0]) {
        snprintf(e->err, sizeof(e->err), "json.encode: %s", msg);
    }
    return NULL;
}

/* > 0: a sequence 1..n with no other keys; 0: empty; -1: has other keys. */
static int sequence_len(lua_State *L, int idx)
{
    size_t n = lua_objlen(L, idx);
    size_t count = 0;
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        lua_pop(L, 1);
        count++;
    }
    return count == 0 ? 0 : (count == n ? (int)n : -1);
}

static json_t *table_to_json(struct enc *e, int idx, int depth)
{
    lua_State *L = e->L;
    int n = sequence_len(L, idx);
    if (n > 0) {
        json_t *a = json_array();
        for (int i = 1; i <= n; i++) {
            lua_rawgeti(L, idx, i);
            json_t *v = to_json(e, lua_gettop(L), depth + 1);
            lua_pop(L, 1);
            if (!v || json_array_append_new(a, v) != 0) {
                return fail(e, a, "out of memory");
            }
        }
        return a;
    }
    json_t *o = json_object();
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        if (lua_type(L, -2) != LUA_TSTRING) {
            lua_pop(L, 2);
            return fail(e, o, "a table mixes array items and other keys (or has non-string keys)");
        }
        size_t klen;
        const char *k = lua_tolstring(L, -2, &klen);
        json_t *v = to_json(e, lua_gettop(L), depth + 1);
        lua_pop(L, 1);
        if (!v) {
            lua_pop(L, 1);
            return fail(e, o, "");
        }
        if (json_object_setn_new(o, k, klen, v) != 0) {
            lua_pop(L, 1);
            return fail(e, o, "a key is not valid UTF-8");
        }
    }
    return o;
}

static json_t *to_json(struct enc *e, int idx, int depth)
{
    lua_State *L = e->L;
    if (depth > MAX_DEPTH) {
        return fail(e, NULL, "nested deeper than 64 levels (a cycle?)");
    }
    switch (lua_type(L, idx)) {
    case LUA_TNIL:
        return json_null();
    case LUA_TBOOLEAN:
        return json_boolean(lua_toboolean(L, idx));
    case LUA_TNUMBER: {
        double v = lua_tonumber(L, idx);
        if (!isfinite(v)) {
            return fail(e, NULL, "NaN and infinity cannot be written as JSON");
        }
        if (v == floor(v) && fabs(v) <= 9007199254740992.0) {
            return json_integer((json_int_t)v);
        }
        return json_real(v);
    }
    case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, idx, &len);
        json_t *j = json_stringn(s, len);
        return j ? j : fail(e, NULL, "a string is not valid UTF-8");
    }
    case LUA_TTABLE:
        return table_to_json(e, idx, depth);
    case LUA_TLIGHTUSERDATA:
        if (lua_touserdata(L, idx) == JSON_NULL_PTR) {
            return json_null();
        }
        break;
    case LUA_TUSERDATA:
        if (luaL_getmetafield(L, idx, "__totable")) { /* e.g. a response's timings */
            lua_pushvalue(L, idx);
            lua_call(L, 1, 1);
            json_t *j = table_to_json(e, lua_gettop(L), depth);
            lua_pop(L, 1);
            return j;
        }
        if (tg_lua_shared__is(L, idx)) {
            lua_getfenv(L, idx); /* the copy the read-only proxy holds */
            json_t *j = table_to_json(e, lua_gettop(L), depth);
            lua_pop(L, 1);
            return j;
        }
        break;
    default:
        break;
    }
    char msg[64];
    snprintf(msg, sizeof(msg), "a %s cannot be written as JSON", luaL_typename(L, idx));
    return fail(e, NULL, msg);
}

void tg_lua_json_encode(lua_State *L, int idx)
{
    idx = idx < 0 ? lua_gettop(L) + idx + 1 : idx;
    struct enc e = { L, "" };
    json_t *j = to_json(&e, idx, 0);
    if (!j) {
        luaL_error(L, "%s", e.err);
    }
    char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(17));
    json_decref(j);
    if (!s) {
        luaL_error(L, "json.encode: out of memory");
    }
    lua_pushstring(L, s);
    free(s);
}

static void push_json(lua_State *L, const json_t *j, int depth)
{
    luaL_checkstack(L, 4, "json.decode: nested too deeply");
    switch (json_typeof(j)) {
    case JSON_OBJECT: {
        lua_createtable(L, 0, (int)json_object_size(j));
        const char *k;
        size_t klen;
        json_t *v;
        for (void *it = json_object_iter((json_t *)(uintptr_t)j); it;
             it = json_object_iter_next((json_t *)(uintptr_t)j, it)) {
            k = json_object_iter_key(it);
            klen = json_object_iter_key_len(it);
            v = json_object_iter_value(it);
            lua_pushlstring(L, k, klen);
            push_json(L, v, depth + 1);
            lua_rawset(L, -3);
        }
        break;
    }
    case JSON_ARRAY: {
        lua_createtable(L, (int)json_array_size(j), 0);
        for (size_t i = 0; i < json_array_size(j); i++) {
            push_json(L, json_array_get(j, i), depth + 1);
            lua_rawseti(L, -2, (int)i + 1);
        }
        break;
    }
    case JSON_STRING:
        lua_pushlstring(L, json_string_value(j), json_string_length(j));
        break;
    case JSON_INTEGER:
        lua_pushnumber(L, (lua_Number)json_integer_value(j));
        break;
    case JSON_REAL:
        lua_pushnumber(L, json_real_value(j));
        break;
    case JSON_TRUE:
    case JSON_FALSE:
        lua_pushboolean(L, json_is_true(j));
        break;
    case JSON_NULL:
        lua_pushlightuserdata(L, JSON_NULL_PTR);
        break;
    }
}

static int anchor_gc(lua_State *L)
{
    json_t **p = lua_touserdata(L, 1);
    json_decref(*p);
    *p = NULL;
    return 0;
}

void tg_lua_json_decode(lua_State *L, const char *text, size_t len)
{
    tg_lua_json_decode_named(L, text, len, NULL);
}

void tg_lua_json_decode_named(lua_State *L, const char *text, size_t len, const char *source)
{
    json_error_t err;
    json_t *j = json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    if (!j && source) {
        luaL_error(L, "%s:%d: invalid JSON (column %d): %s", source, err.line, err.column,
                   err.text);
    }
    if (!j) {
        luaL_error(L, "json.decode: line %d column %d: %s", err.line, err.column, err.text);
    }
    /* anchored in a collectable userdata so that a Lua error while pushing cannot leak it */
    json_t **anchor = lua_newuserdata(L, sizeof(*anchor));
    *anchor = j;
    if (luaL_newmetatable(L, "tailgate.json.anchor")) {
        lua_pushcfunction(L, anchor_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    push_json(L, j, 0);
    lua_remove(L, -2);
}

static int l_encode(lua_State *L)
{
    luaL_checkany(L, 1);
    tg_lua_json_encode(L, 1);
    return 1;
}

static int l_decode(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    tg_lua_json_decode(L, s, len);
    return 1;
}

int tg_lua_json_open(lua_State *L)
{
    lua_createtable(L, 0, 3);
    lua_pushcfunction(L, l_encode);
    lua_setfield(L, -2, "encode");
    lua_pushcfunction(L, l_decode);
    lua_setfield(L, -2, "decode");
    lua_pushlightuserdata(L, JSON_NULL_PTR);
    lua_setfield(L, -2, "null");
    return 1;
}

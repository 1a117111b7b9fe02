/*
 * lua_json — JSON for scripts (tailgate.json, response:json(), table
 * bodies), on jansson: encode(value) -> string, decode(string) -> value.
 *
 * Mapping: Lua tables that are sequences (keys 1..n) become arrays, tables
 * with string keys objects, the empty table {} an object (shared data,
 * tailgate.shared, as the tables it holds); json.null (a
 * sentinel) is JSON null both ways, since nil cannot sit in a Lua array.
 * Numbers that are whole and within 2^53 are written as integers. Errors
 * (cycles deeper than 64 levels, mixed or non-string keys, NaN/inf, invalid
 * UTF-8, malformed JSON with line and column) raise Lua errors.
 */
#ifndef TG_SCRIPT_LUA_JSON_H
#define TG_SCRIPT_LUA_JSON_H

#include <lua.h>
#include <stddef.h>

/* Pushes the module table { encode, decode, null }. Returns 1 (lua_CFunction). */
int tg_lua_json_open(lua_State *L);
/* Encodes the value at idx; pushes the string, or raises a Lua error. */
void tg_lua_json_encode(lua_State *L, int idx);
/* Decodes text[0..len) and pushes the value, or raises a Lua error. */
void tg_lua_json_decode(lua_State *L, const char *text, size_t len);
/* The same, with errors as "source:line: invalid JSON (column c): ..." (source: a file name). */
void tg_lua_json_decode_named(lua_State *L, const char *text, size_t len, const char *source);

#endif

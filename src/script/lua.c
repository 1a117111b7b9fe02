/*
 * lua — LuaJIT states and the protected-call wrapper; see lua.h.
 */
#include "script/lua.h"

#include "tg.h"

#include <lauxlib.h>
#include <lualib.h>
#include <string.h>

lua_State *tg_lua_new(void)
{
    lua_State *L = luaL_newstate();
    if (L) {
        luaL_openlibs(L);
    }
    return L;
}

void tg_lua_free(lua_State *L)
{
    if (L) {
        lua_close(L);
    }
}

/* Message handler: the error message with a traceback appended. */
static int traceback(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if (!msg) {
        msg = lua_isnoneornil(L, 1) ? "error (nil)" : "error (not a string)";
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

/* Keeps the message and at most the first few traceback lines. */
static void set_diag(struct tg_diag *d, const char *text)
{
    if (!d) {
        return;
    }
    const char *tb = strstr(text, "\nstack traceback:");
    if (!tb) {
        tg_diag_set(d, "%s", text);
        return;
    }
    /* the message, then up to 4 frames of the traceback */
    const char *end = tb + 1;
    for (int lines = 0; lines < 5 && end; lines++) {
        end = strchr(end + 1, '\n');
    }
    int len = end ? (int)(end - text) : (int)strlen(text);
    tg_diag_set(d, "%.*s", len, text);
}

int tg_lua_pcall(lua_State *L, int nargs, int nresults, struct tg_diag *d)
{
    int base = lua_gettop(L) - nargs;
    lua_pushcfunction(L, traceback);
    lua_insert(L, base);
    int rc = lua_pcall(L, nargs, nresults, base);
    lua_remove(L, base);
    if (rc != 0) {
        set_diag(d, lua_tostring(L, -1) ? lua_tostring(L, -1) : "error");
        lua_pop(L, 1);
        return TG_EINVAL;
    }
    return 0;
}

int tg_lua_run_file(lua_State *L, const char *path, struct tg_diag *d)
{
    int rc = luaL_loadfile(L, path);
    if (rc == LUA_ERRFILE) {
        tg_diag_set(d, "%s: cannot read the script", path);
        lua_pop(L, 1);
        return TG_ENOENT;
    }
    if (rc != 0) {
        /* syntax errors already read "path:line: message" */
        tg_diag_set(d, "%s", lua_tostring(L, -1));
        lua_pop(L, 1);
        return TG_EINVAL;
    }
    return tg_lua_pcall(L, 0, 0, d);
}

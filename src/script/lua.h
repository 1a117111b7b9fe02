/*
 * lua — LuaJIT states for scripts: creation, loading a script file, and the
 * one protected-call wrapper every call into Lua goes through (STYLE rule
 * 11). A Lua error never escapes as a longjmp into C and never kills the
 * process: it becomes a diag with the script's file:line and message, plus
 * a short traceback.
 *
 * One state per worker thread (and one for setup/teardown); a state is never
 * shared between threads.
 */
#ifndef TG_SCRIPT_LUA_H
#define TG_SCRIPT_LUA_H

#include "core/diag.h"
#include "tg.h"

#include <lua.h>

/* A new state with the standard libraries opened, or NULL (out of memory). */
lua_State *tg_lua_new(void);
/* Closes L (NULL is a no-op). */
void tg_lua_free(lua_State *L);
/*
 * Loads and runs the script at path as its main chunk (the init context).
 * 0, or TG_EINVAL with d = "file:line: message" for a syntax or runtime
 * error (exit 107), or TG_ENOENT when the file cannot be read.
 */
int tg_lua_run_file(lua_State *L, const char *path, struct tg_diag *d);
/*
 * Calls the function below its nargs arguments on the stack, as lua_pcall,
 * with a traceback handler. On error the stack holds nothing of the call and
 * d gets "file:line: message" (the first line of the traceback that names a
 * script location). 0 or TG_EINVAL.
 */
int tg_lua_pcall(lua_State *L, int nargs, int nresults, struct tg_diag *d);

#endif

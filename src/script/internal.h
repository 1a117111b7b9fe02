/*
 * internal — what the script module's files share: resuming a VU and the
 * registry keys of the modules.
 */
#ifndef TG_SCRIPT_INTERNAL_H
#define TG_SCRIPT_INTERNAL_H

#include "metrics/tags.h"
#include "script/runtime.h"

/*
 * Resumes vu's coroutine with the nargs values on its stack; runs until it
 * yields again or the iteration ends (then reports it through the hooks).
 */
void tg_runtime__resume(struct tg_vu *vu, int nargs);
/* The runtime of a C function called from Lua (its first upvalue). */
struct tg_rt *tg_runtime__of(lua_State *L);
/* The VU running now, or a Lua error when called outside an iteration. */
struct tg_vu *tg_runtime__vu(lua_State *L, const char *what);
/* Pushes the tailgate.http module table (functions with rt as upvalue). */
void tg_lua_http__push(lua_State *L, struct tg_rt *rt);
/* The completion callback of every VU's connection. */
void tg_lua_http__done(struct tg_conn *c, void *ctx);
/* Adds Trend, Rate, Counter, Gauge, check and group to the table on top. */
void tg_lua_metrics__register(lua_State *L, struct tg_rt *rt);
/*
 * Records value into metric for vu, tagged with its scenario and group plus
 * the tags table at tags_idx (0: none). Silently dropped without a registry.
 */
void tg_lua_metrics__record(lua_State *L, struct tg_vu *vu, uint32_t metric, int tags_idx,
                            double value);
/* The same from C (no Lua involved): tags are complete (scenario, group...). 0 or < 0. */
int tg_lua_metrics__record_c(struct tg_rt *rt, uint32_t metric, const struct tg_tag *tags, size_t n,
                             double value);
/* Takes vu off any origin's list of VUs waiting for a lookup. */
void tg_lua_http__forget(struct tg_vu *vu);
/* Interns a tag set once for several samples (< 0 on a bad tag). */
int tg_lua_metrics__tagset(struct tg_rt *rt, const struct tg_tag *tags, size_t n);
/* Records into metric under an interned tag set. 0 or < 0. */
int tg_lua_metrics__record_ts(struct tg_rt *rt, uint32_t metric, int tagset, double value);
/* Adds open, csv and json_file (the data-file readers) to the table on top. */
void tg_lua_data__register(lua_State *L, struct tg_rt *rt);
/* A Lua error naming what unless the init context is running (files are read only there). */
void tg_lua_data__init_only(lua_State *L, const char *what);
/* Adds shared, pairs and ipairs (k6's SharedArray) to the table on top. */
void tg_lua_shared__register(lua_State *L, struct tg_rt *rt);
/* Whether the value at idx is read-only shared data (a tailgate.shared proxy). */
bool tg_lua_shared__is(lua_State *L, int idx);
/* Pops the env table on top into the registry; gives the module below it tailgate.env. */
void tg_lua_scenario__env(lua_State *L, struct tg_rt *rt);
/* Frees the runtime's origins (lua_http.c owns their layout). */
void tg_lua_http__free_origins(struct tg_rt *rt);

#endif

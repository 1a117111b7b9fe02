/*
 * optval — typed readers for script options: each takes the Lua value at the
 * top of the stack and the option path of that value (such as
 * "options.scenarios.soak.stages[2].target"), and names the path in every
 * error, so a wrong option is reported where it is written (exit 104).
 * Durations are k6's: a string like "30s" or "1m30s", or milliseconds.
 */
#ifndef TG_SCRIPT_OPTVAL_H
#define TG_SCRIPT_OPTVAL_H

#include "core/diag.h"
#include "tg.h"

#include <lua.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tg_optval {
    lua_State *L;
    struct tg_diag *d;
};

struct tg_kv {
    char *key;   /* owned */
    char *value; /* owned */
};

struct tg_stage {
    tg_ns duration;
    double target; /* VUs, or iterations per timeUnit for arrival-rate executors */
};

/* Each returns 0, TG_EINVAL (d set, naming path) or TG_ENOMEM. */
int tg_optval_type_error(struct tg_optval *r, const char *path, const char *want);
int tg_optval_unknown(struct tg_optval *r, const char *path);
/* A string, copied into *out (freeing the old one). */
int tg_optval_string(struct tg_optval *r, const char *path, char **out);
/* A finite number >= min. */
int tg_optval_number(struct tg_optval *r, const char *path, double min, double *out);
/* A whole number in [min, max]. */
int tg_optval_count(struct tg_optval *r, const char *path, double min, double max, uint64_t *out);
int tg_optval_u32(struct tg_optval *r, const char *path, double min, uint32_t *out);
int tg_optval_duration(struct tg_optval *r, const char *path, tg_ns *out);
int tg_optval_bool(struct tg_optval *r, const char *path, bool *out);

/* Called for each string key of a table with the value on top of the stack. */
typedef int (*tg_optval_field_fn)(struct tg_optval *r, const char *key, const char *path,
                                  void *ctx);
/* Calls fn for every field of the table on top (any non-string key is an error). */
int tg_optval_each(struct tg_optval *r, const char *path, tg_optval_field_fn fn, void *ctx);
/* A table of string (or number) values, appended to *arr. */
int tg_optval_kv(struct tg_optval *r, const char *path, struct tg_kv **arr, size_t *n);
/* A list of { duration = ..., target = ... } into a new *stages array. */
int tg_optval_stages(struct tg_optval *r, const char *path, struct tg_stage **stages,
                     size_t *n_stages);

#endif

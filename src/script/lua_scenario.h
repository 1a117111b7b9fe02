/*
 * lua_scenario — what a scenario gives the VUs that run it on one worker, as
 * k6 does: its tags and the test-wide options.tags on every sample they
 * record, and its env on top of tailgate.env.
 *
 * Tags: options.tags, then the scenario's tags (the scenario's value wins on
 * a key both set), deduplicated once here. Recorders put them first, before
 * the built-in tags (scenario, group, method, url, name, status...), so a
 * built-in tag is never overwritten by them; per-call tags (params.tags,
 * metric:add(v, tags)) come last and win over both, as in k6. The tag set
 * {scenario = name} + tags is interned once, so iteration samples record by
 * id.
 *
 * Env: tailgate.env is read through the tailgate module's __index. Outside
 * an iteration, and for VUs of a scenario without env, it is the worker's
 * table (the process environment with -e values); for VUs of a scenario with
 * env it is that scenario's own table: a copy of the worker's with the
 * scenario's keys added or replaced (k6's precedence). The copy is made once
 * per scenario per worker, when its VUs are created.
 *
 * Threading: belongs to one worker's runtime.
 */
#ifndef TG_SCRIPT_LUA_SCENARIO_H
#define TG_SCRIPT_LUA_SCENARIO_H

#include "metrics/tags.h"
#include "script/options.h"
#include "script/runtime.h"

#include <stddef.h>
#include <stdint.h>

/* At most this many distinct keys in options.tags and a scenario's tags together. */
#define TG_LUA_SCENARIO_TAGS 8
/* At most this many bytes of keys and values in them. */
#define TG_LUA_SCENARIO_TAG_BYTES 512

struct tg_lua_scenario {
    const char *name;                         /* borrowed from the options */
    struct tg_tag tags[TG_LUA_SCENARIO_TAGS]; /* views into the options; each key once */
    size_t n_tags;
    int env_ref;    /* registry ref of this scenario's tailgate.env; LUA_NOREF: the worker's */
    int tagset;     /* {scenario = name} + tags in the runtime's registry; < 0: none */
    int32_t sid[2]; /* cached series of iterations and iteration_duration (-1: not yet) */
};

/*
 * Prepares s for scenario sc of options o in rt (after tg_rt_init). The
 * options must outlive s. 0, TG_EINVAL (more tags than the limits: options
 * reading refuses that first) or TG_ENOMEM.
 */
int tg_lua_scenario_init(struct tg_lua_scenario *s, struct tg_rt *rt, const struct tg_options *o,
                         const struct tg_scenario *sc);
void tg_lua_scenario_fini(struct tg_lua_scenario *s, struct tg_rt *rt);
/* Records value into metric under s's interned tag set. 0 or < 0. */
int tg_lua_scenario_record(struct tg_lua_scenario *s, struct tg_rt *rt, uint32_t metric,
                           double value);
/*
 * Checks the tags of options o (options.tags with each scenario's): counts,
 * sizes and reserved bytes. 0 or TG_EINVAL with d naming the option path.
 */
int tg_lua_scenario_check_tags(const struct tg_options *o, struct tg_diag *d);

#endif

/*
 * scriptfx.h — a script runtime in a temporary directory, for tests of
 * script modules that need no server: sfx_file / sfx_text write data files
 * next to the script, sfx_init runs the script's init context (0 or the error with
 * d), sfx_run runs one iteration of a global function on VU 1 and returns
 * its error ("" when it passed), sfx_global reads a global as a string.
 *
 * Header only, for tests; one fixture at a time per test.
 */
#ifndef TG_TESTS_UNIT_SCRIPTFX_H
#define TG_TESTS_UNIT_SCRIPTFX_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "script/runtime.h"

#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct sfx {
    char dir[64];
    char script[128];
    struct ev_loop *loop;
    struct tg_conn_env env;
    struct tg_rt rt;
    struct tg_vu vu;
    bool inited;
    int iterations;
    char err[1024];
};

static inline void sfx_file(struct sfx *f, const char *name, const char *text, size_t len)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", f->dir, name);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(text, 1, len, fp), len);
    fclose(fp);
}

static inline void sfx_text(struct sfx *f, const char *name, const char *text)
{
    sfx_file(f, name, text, strlen(text));
}

static inline void sfx_setup(struct sfx *f)
{
    memset(f, 0, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/tg-sfx-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->script, sizeof(f->script), "%s/script.lua", f->dir);
    f->loop = ev_loop_new(EVFLAG_AUTO);
    assert_int_equal(tg_conn_env_init(&f->env, f->loop, 16384, 1 << 20), 0);
}

static inline void sfx_on_iteration(void *owner, struct tg_vu *vu, const char *err)
{
    (void)vu;
    struct sfx *f = owner;
    f->iterations++;
    snprintf(f->err, sizeof(f->err), "%s", err ? err : "");
}

/* Writes the script and runs its init context. 0, or < 0 with d set. */
static inline int sfx_init(struct sfx *f, const char *script, struct tg_diag *d)
{
    sfx_file(f, "script.lua", script, strlen(script));
    struct tg_rt_opts o = { f->script, true, NULL, NULL, NULL };
    int rc = tg_rt_init(&f->rt, f->loop, &f->env, &o, d);
    f->inited = true;
    if (rc == 0) {
        f->rt.hooks = (struct tg_rt_hooks){ f, NULL, sfx_on_iteration, NULL, NULL };
        assert_int_equal(tg_vu_init(&f->vu, &f->rt, 1), 0);
    }
    return rc;
}

/* Runs fn once (it must not yield); its error, or "". */
static inline const char *sfx_run(struct sfx *f, const char *fn)
{
    int before = f->iterations;
    assert_int_equal(tg_vu_run(&f->vu, fn), 0);
    assert_int_equal(f->iterations, before + 1);
    return f->err;
}

static inline const char *sfx_global(struct sfx *f, const char *name)
{
    lua_getglobal(f->rt.L, name);
    const char *s = lua_tostring(f->rt.L, -1);
    lua_pop(f->rt.L, 1);
    return s ? s : "(nil)";
}

static inline void sfx_teardown(struct sfx *f)
{
    if (f->inited) {
        tg_vu_fini(&f->vu);
        tg_rt_fini(&f->rt);
    }
    tg_conn_env_fini(&f->env);
    ev_loop_destroy(f->loop);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
}

#endif

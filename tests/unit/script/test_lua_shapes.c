/*
 * test_lua_shapes — the stage builders: the exact stages and start value of
 * each, defaults, and argument errors naming the builder and the field.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "script/lua.h"
#include "script/lua_json.h"
#include "script/lua_shapes.h"
#include "tg.h"

#include <lauxlib.h>
#include <string.h>

static lua_State *state(void)
{
    lua_State *L = tg_lua_new();
    assert_non_null(L);
    lua_newtable(L);
    tg_lua_shapes_register(L);
    tg_lua_json_open(L);
    lua_setfield(L, -2, "json");
    lua_setglobal(L, "tg");
    return L;
}

/* Runs chunk (which returns a string) and compares, or expects an error containing err. */
static void expect(lua_State *L, const char *chunk, const char *want, const char *err)
{
    struct tg_diag d = { "" };
    assert_int_equal(luaL_loadstring(L, chunk), 0);
    int rc = tg_lua_pcall(L, 0, 1, &d);
    if (err) {
        assert_true(rc != 0);
        if (!strstr(d.msg, err)) {
            print_error("%s -> %s\n", chunk, d.msg);
            fail();
        }
        return;
    }
    if (rc != 0) {
        print_error("%s -> %s\n", chunk, d.msg);
        fail();
    }
    assert_string_equal(lua_tostring(L, -1), want);
    lua_pop(L, 1);
}

#define SHOW                                                                \
    "local s, v = %s local o = {} "                                         \
    "for i, st in ipairs(s) do o[i] = st.target .. '@' .. st.duration end " \
    "return v .. ' ' .. table.concat(o, ',')"

static void run(lua_State *L, const char *call, const char *want)
{
    char chunk[512];
    snprintf(chunk, sizeof(chunk), SHOW, call);
    expect(L, chunk, want, NULL);
}

static void test_lua_shapes_stages(void **s)
{
    (void)s;
    lua_State *L = state();
    run(L, "tg.shapes.smoke{ target = 3, duration = '30s' }", "3 3@30000");
    run(L, "tg.shapes.soak{ target = 800, ramp = '5m', hold = '30m', down = '2m' }",
        "0 800@300000,800@1800000,"
        "0@120000");
    run(L,
        "tg.shapes.spike{ baseline = 200, factor = 10, before = '1m', rise = '30s', hold = '10m', "
        "recover = '1m', after = '1m' }",
        "200 200@60000,2000@30000,"
        "2000@600000,200@60000,"
        "200@60000");
    run(L,
        "tg.shapes.spike{ baseline = 5, peak = 50, before = 0, rise = 100, hold = 200, after = 0 }",
        "5 50@100,50@200,"
        "5@60000");
    run(L,
        "tg.shapes.stress{ from = 100, step = 50, steps = 2, ramp = '10s', hold = '1m', down = "
        "'20s' }",
        "0 100@10000,100@60000,"
        "150@10000,150@60000,"
        "0@20000");
    run(L, "tg.shapes.breakpoint{ target = 5000, duration = '30m' }", "0 5000@1800000");
    tg_lua_free(L);
}

static void test_lua_shapes_errors(void **s)
{
    (void)s;
    lua_State *L = state();
    expect(L, "return tg.shapes.soak{ ramp = '1m', hold = '1m' }", NULL,
           "tailgate.shapes.soak: target must be a number");
    expect(L, "return tg.shapes.soak{ target = 10, hold = 'forever' }", NULL,
           "tailgate.shapes.soak: hold \"forever\" is not a duration");
    expect(L, "return tg.shapes.spike{ baseline = 1, factor = 2, peak = 3, rise = 1, hold = 1 }",
           NULL, "give either peak or factor");
    expect(L, "return tg.shapes.stress{ from = 1, step = 1, steps = 0.5 }", NULL,
           "steps must be a whole number");
    expect(L, "return tg.shapes.breakpoint{ target = -5, duration = '1m' }", NULL,
           "target must be a number >= 0");
    expect(L, "return tg.shapes.smoke('x')", NULL, "table expected");
    tg_lua_free(L);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lua_shapes_stages),
        cmocka_unit_test(test_lua_shapes_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

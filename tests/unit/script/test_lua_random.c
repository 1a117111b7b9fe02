/*
 * test_lua_random — between and weighted: ranges, the weighted mix against
 * its expected shares (a 8:1 task mix as in Locust's @task(8)/@task(1)),
 * calling function entries with the picker's arguments, reproducibility from
 * a seed, and argument errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "script/lua.h"
#include "script/lua_random.h"
#include "tg.h"

#include <lauxlib.h>
#include <string.h>

static lua_State *state(uint64_t seed)
{
    lua_State *L = tg_lua_new();
    assert_non_null(L);
    lua_newtable(L);
    tg_lua_random_register(L);
    lua_setglobal(L, "tg");
    tg_lua_random_seed(L, seed);
    return L;
}

static double run_number(lua_State *L, const char *chunk)
{
    struct tg_diag d = { "" };
    assert_int_equal(luaL_loadstring(L, chunk), 0);
    if (tg_lua_pcall(L, 0, 1, &d) != 0) {
        print_error("%s -> %s\n", chunk, d.msg);
        fail();
    }
    double v = lua_tonumber(L, -1);
    lua_pop(L, 1);
    return v;
}

static void test_lua_random_between_stays_in_range(void **state_)
{
    (void)state_;
    lua_State *L = state(1);
    double bad = run_number(L, "local bad = 0 for i = 1, 100000 do"
                               "  local x = tg.between(0.1, 0.4)"
                               "  if x < 0.1 or x >= 0.4 then bad = bad + 1 end end return bad");
    assert_true(bad == 0);
    double mean = run_number(L, "local s = 0 for i = 1, 100000 do s = s + tg.between(0, 1) end"
                                " return s / 100000");
    assert_true(mean > 0.49 && mean < 0.51);
    assert_true(run_number(L, "return tg.between(2, 2)") == 2);
    tg_lua_free(L);
}

static void test_lua_random_weighted_mix(void **state_)
{
    (void)state_;
    lua_State *L = state(42);
    double ratio =
        run_number(L, "local n = { feed = 0, post = 0 }"
                      " local pick = tg.weighted { { 8, function(c) c.feed = c.feed + 1 end },"
                      "                            { 1, function(c) c.post = c.post + 1 end } }"
                      " for i = 1, 90000 do pick(n) end return n.feed / n.post");
    assert_true(ratio > 7.6 && ratio < 8.4);
    /* non-function entries are returned; zero-weight entries never picked */
    double zero =
        run_number(L, "local pick = tg.weighted { { 1, 'a' }, { 0, 'never' } }"
                      " local z = 0 for i = 1, 10000 do if pick() ~= 'a' then z = z + 1 end end"
                      " return z");
    assert_true(zero == 0);
    /* results of the chosen function are returned */
    assert_true(
        run_number(L, "return tg.weighted { { 1, function(a, b) return a + b end } }(2, 3)") == 5);
    tg_lua_free(L);
}

static void test_lua_random_seed_reproduces(void **state_)
{
    (void)state_;
    lua_State *a = state(7);
    lua_State *b = state(7);
    lua_State *c = state(8);
    double xa = run_number(a, "return tg.between(0, 1e9)");
    double xb = run_number(b, "return tg.between(0, 1e9)");
    double xc = run_number(c, "return tg.between(0, 1e9)");
    assert_true(xa == xb);
    assert_true(xa != xc);
    tg_lua_free(a);
    tg_lua_free(b);
    tg_lua_free(c);
}

static void test_lua_random_errors(void **state_)
{
    (void)state_;
    static const struct {
        const char *chunk;
        const char *msg;
    } cases[] = {
        { "tg.between(2, 1)", "upper bound is below" },
        { "tg.weighted {}", "expected a list" },
        { "tg.weighted { 3 }", "entry 1 is not a" },
        { "tg.weighted { { 'x', print } }", "weight is not a number" },
        { "tg.weighted { { 0, print } }", "add up to 0" },
        { "tg.weighted { { 1 } }", "has no task" },
    };
    lua_State *L = state(1);
    for (size_t i = 0; i < TG_ARRAY_LEN(cases); i++) {
        struct tg_diag d = { "" };
        assert_int_equal(luaL_loadstring(L, cases[i].chunk), 0);
        assert_int_equal(tg_lua_pcall(L, 0, 0, &d), TG_EINVAL);
        if (!strstr(d.msg, cases[i].msg)) {
            print_error("%s -> %s\n", cases[i].chunk, d.msg);
        }
        assert_non_null(strstr(d.msg, cases[i].msg));
    }
    tg_lua_free(L);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lua_random_between_stays_in_range),
        cmocka_unit_test(test_lua_random_weighted_mix),
        cmocka_unit_test(test_lua_random_seed_reproduces),
        cmocka_unit_test(test_lua_random_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

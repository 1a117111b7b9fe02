/*
 * test_lua_shared — tailgate.shared (k6's SharedArray) in a real script
 * state: indexing and # on the read-only copy, nested tables, one call of the
 * function per name, tg.pairs / tg.ipairs over shared data and plain tables,
 * JSON encoding, writes failing the iteration with the documented message,
 * and the errors for values that cannot be shared.
 */
#include "unit/scriptfx.h"

static const char script[] =
    "local tg = require 'tailgate'\n"
    "calls = 0\n"
    "local function load() calls = calls + 1\n"
    "  return { { name = 'alice', tags = { 'a', 'b' } }, { name = 'bob', tags = {} }, 'three' }\n"
    "end\n"
    "local users = tg.shared('users', load)\n"
    "local again = tg.shared('users', load)\n"
    "same = tostring(rawequal(users, again))\n"
    "kind = type(users) .. ' ' .. tostring(users)\n"
    "got = #users .. ' ' .. users[1].name .. ' ' .. users[2].name .. ' ' .. users[3] ..\n"
    "      ' ' .. #users[1].tags .. users[1].tags[2] .. ' ' .. tostring(users[4])\n"
    "local seen = {}\n"
    "for i, u in tg.ipairs(users) do seen[#seen + 1] = i .. '=' .. type(u) end\n"
    "for k, v in tg.pairs(users[1]) do seen[#seen + 1] = k end\n"
    "for i, v in tg.ipairs({ 'x', 'y' }) do seen[#seen + 1] = v end\n"
    "table.sort(seen)\n"
    "iter = table.concat(seen, ',')\n"
    "json = tg.json.encode(users[1])\n"
    "function set_top() users[1] = 'x' end\n"
    "function set_field() users[2].name = 'eve' end\n"
    "function set_nested() users[1].tags[3] = 'c' end\n"
    "function read() return users[2].name end\n";

static void test_lua_shared_reads(void **state)
{
    (void)state;
    struct sfx f;
    sfx_setup(&f);
    struct tg_diag d = { "" };
    assert_int_equal(sfx_init(&f, script, &d), 0);
    assert_string_equal(sfx_global(&f, "calls"), "1");
    assert_string_equal(sfx_global(&f, "same"), "true");
    assert_string_equal(sfx_global(&f, "kind"), "userdata tailgate.shared (3 items)");
    assert_string_equal(sfx_global(&f, "got"), "3 alice bob three 2b nil");
    assert_string_equal(sfx_global(&f, "iter"), "1=userdata,2=userdata,3=string,name,tags,x,y");
    const char *json = sfx_global(&f, "json");
    assert_true(strcmp(json, "{\"name\":\"alice\",\"tags\":[\"a\",\"b\"]}") == 0 ||
                strcmp(json, "{\"tags\":[\"a\",\"b\"],\"name\":\"alice\"}") == 0);
    sfx_teardown(&f);
}

static void test_lua_shared_writes_fail_the_iteration(void **state)
{
    (void)state;
    struct sfx f;
    sfx_setup(&f);
    struct tg_diag d = { "" };
    assert_int_equal(sfx_init(&f, script, &d), 0);
    assert_non_null(
        strstr(sfx_run(&f, "set_top"), ":19: shared data is read-only: cannot set [1]"));
    assert_non_null(
        strstr(sfx_run(&f, "set_field"), ":20: shared data is read-only: cannot set \"name\""));
    assert_non_null(
        strstr(sfx_run(&f, "set_nested"), ":21: shared data is read-only: cannot set [3]"));
    assert_string_equal(sfx_run(&f, "read"), ""); /* unchanged, readable in iterations */
    lua_getglobal(f.rt.L, "calls");
    assert_int_equal(lua_tointeger(f.rt.L, -1), 1);
    lua_pop(f.rt.L, 1);
    sfx_teardown(&f);
}

static void expect_error(const char *src, const char *want)
{
    struct sfx f;
    sfx_setup(&f);
    struct tg_diag d = { "" };
    assert_int_equal(sfx_init(&f, src, &d), TG_EINVAL);
    if (!strstr(d.msg, want)) {
        print_error("got: %s\nwant: %s\n", d.msg, want);
    }
    assert_non_null(strstr(d.msg, want));
    sfx_teardown(&f);
}

static void test_lua_shared_errors(void **state)
{
    (void)state;
    expect_error("require('tailgate').shared('a', function() return { x = 1 } end)",
                 "tailgate.shared(\"a\"): the function must return an array (a table with keys "
                 "1..n), got a table with other keys");
    expect_error("require('tailgate').shared('a', function() return 'x' end)",
                 "must return an array (a table with keys 1..n), got string");
    expect_error("require('tailgate').shared('a', function() return { { f = print } } end)",
                 "tailgate.shared(\"a\"): [1].f is a function; shared data holds tables");
    expect_error("local t = {} t[1] = t\n"
                 "require('tailgate').shared('a', function() return t end)",
                 "tailgate.shared(\"a\"): nested deeper than 64 levels (a cycle?)");
    expect_error("require('tailgate').shared('a', function() error('no data') end)", "no data");
}

static void test_lua_shared_only_in_the_init_context(void **state)
{
    (void)state;
    struct sfx f;
    sfx_setup(&f);
    struct tg_diag d = { "" };
    assert_int_equal(sfx_init(&f,
                              "local tg = require 'tailgate'\n"
                              "function late() tg.shared('b', function() return {} end) end\n",
                              &d),
                     0);
    assert_non_null(strstr(sfx_run(&f, "late"), "tailgate.shared: only in the init context"));
    sfx_teardown(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lua_shared_reads),
        cmocka_unit_test(test_lua_shared_writes_fail_the_iteration),
        cmocka_unit_test(test_lua_shared_errors),
        cmocka_unit_test(test_lua_shared_only_in_the_init_context),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

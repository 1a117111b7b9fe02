/*
 * test_lua_json — JSON <-> Lua: round trips, the array/object/null mapping,
 * and errors raised as Lua errors (no leak: run under ASan/LSan).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "script/lua.h"
#include "script/lua_json.h"
#include "tg.h"

#include <lauxlib.h>
#include <stdbool.h>
#include <string.h>

static lua_State *state(void)
{
    lua_State *L = tg_lua_new();
    assert_non_null(L);
    tg_lua_json_open(L);
    lua_setglobal(L, "json");
    return L;
}

/* Runs chunk; returns its string result (or the error message when ok is false). */
static void expect(const char *chunk, bool ok, const char *want)
{
    lua_State *L = state();
    struct tg_diag d = { "" };
    assert_int_equal(luaL_loadstring(L, chunk), 0);
    int rc = tg_lua_pcall(L, 0, 1, &d);
    if (ok) {
        if (rc != 0) {
            print_error("%s\n-> %s\n", chunk, d.msg);
        }
        assert_int_equal(rc, 0);
        assert_string_equal(lua_tostring(L, -1), want);
    } else {
        assert_int_equal(rc, TG_EINVAL);
        if (!strstr(d.msg, want)) {
            print_error("%s\n-> %s (want %s)\n", chunk, d.msg, want);
        }
        assert_non_null(strstr(d.msg, want));
    }
    tg_lua_free(L);
}

static void test_lua_json_encode_values(void **state)
{
    (void)state;
    expect("return json.encode({ 1, 2, 'x', true })", true, "[1,2,\"x\",true]");
    expect("return json.encode({ a = 1 })", true, "{\"a\":1}");
    expect("return json.encode({})", true, "{}");
    expect("return json.encode(1.5)", true, "1.5");
    expect("return json.encode('caf\\195\\169 \"q\"')", true, "\"caf\xc3\xa9 \\\"q\\\"\"");
    expect("return json.encode({ json.null, 2 })", true, "[null,2]");
    expect("return json.encode({ a = { b = { 1 } } })", true, "{\"a\":{\"b\":[1]}}");
    expect("return json.encode(2^53)", true, "9007199254740992");
}

static void test_lua_json_encode_errors(void **state)
{
    (void)state;
    expect("local t = {} t.t = t return json.encode(t)", false, "nested deeper than 64");
    expect("return json.encode({ 1, a = 2 })", false, "mixes array items");
    expect("return json.encode(0/0)", false, "NaN and infinity");
    expect("return json.encode(print)", false, "a function cannot be written");
    expect("return json.encode('\\255')", false, "not valid UTF-8");
}

static void test_lua_json_decode_values(void **state)
{
    (void)state;
    expect("local v = json.decode('{\"posts\":[{\"id\":7},{\"id\":8}],\"n\":null}')"
           " return v.posts[2].id .. ',' .. tostring(v.n == json.null) .. ',' .. #v.posts",
           true, "8,true,2");
    expect("return json.encode(json.decode('[1,\"a\",{\"b\":false}]'))", true,
           "[1,\"a\",{\"b\":false}]");
    expect("return tostring(json.decode('3.25'))", true, "3.25");
}

static void test_lua_json_decode_errors(void **state)
{
    (void)state;
    expect("return json.decode('{\"a\":')", false, "json.decode: line 1 column");
    expect("return json.decode('')", false, "json.decode:");
    expect("return json.decode(nil)", false, "bad argument #1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lua_json_encode_values),
        cmocka_unit_test(test_lua_json_encode_errors),
        cmocka_unit_test(test_lua_json_decode_values),
        cmocka_unit_test(test_lua_json_decode_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_lua — LuaJIT states, loading scripts and the protected-call wrapper:
 * errors carry file:line and never escape into C.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "script/lua.h"
#include "tg.h"

#include <fcntl.h>
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void test_lua_run_file_reports_file_and_line(void **state)
{
    (void)state;
    char path[] = "/tmp/tg-test-lua-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char src[] = "local x = 1\nlocal y = nil\nreturn y.field\n";
    assert_int_equal(write(fd, src, sizeof(src) - 1), (ssize_t)(sizeof(src) - 1));
    close(fd);
    lua_State *L = tg_lua_new();
    struct tg_diag d = { "" };
    assert_int_equal(tg_lua_run_file(L, path, &d), TG_EINVAL);
    char want[128];
    snprintf(want, sizeof(want), "%s:3: attempt to index local 'y'", path);
    assert_non_null(strstr(d.msg, want));
    assert_int_equal(lua_gettop(L), 0);

    fd = open(path, O_WRONLY | O_TRUNC);
    const char bad[] = "local x = = 1\n";
    assert_int_equal(write(fd, bad, sizeof(bad) - 1), (ssize_t)(sizeof(bad) - 1));
    close(fd);
    assert_int_equal(tg_lua_run_file(L, path, &d), TG_EINVAL);
    snprintf(want, sizeof(want), "%s:1:", path);
    assert_non_null(strstr(d.msg, want));
    unlink(path);
    assert_int_equal(tg_lua_run_file(L, path, &d), TG_ENOENT);
    tg_lua_free(L);
}

static void test_lua_pcall_error_keeps_stack(void **state)
{
    (void)state;
    lua_State *L = tg_lua_new();
    assert_int_equal(luaL_loadstring(L, "local a = ... ; error('boom ' .. a)"), 0);
    lua_pushstring(L, "x");
    struct tg_diag d = { "" };
    assert_int_equal(tg_lua_pcall(L, 1, 0, &d), TG_EINVAL);
    assert_non_null(strstr(d.msg, "boom x"));
    assert_non_null(strstr(d.msg, "stack traceback"));
    assert_int_equal(lua_gettop(L), 0);
    assert_int_equal(luaL_loadstring(L, "return 1 + 1"), 0);
    assert_int_equal(tg_lua_pcall(L, 0, 1, &d), 0);
    assert_int_equal(lua_tointeger(L, -1), 2);
    tg_lua_free(L);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lua_run_file_reports_file_and_line),
        cmocka_unit_test(test_lua_pcall_error_keeps_stack),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

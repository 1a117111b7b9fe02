/*
 * test_lua_data — tailgate.open, tailgate.csv and tailgate.json_file in a
 * real script state: files relative to the script's directory or absolute,
 * binary content, errors naming the function, the file and the errno text or
 * file:line, the size limit, the CSV options, and the init-context-only rule.
 */
#include "unit/scriptfx.h"

#include <fcntl.h>

static void expect_init_error(const char *script, const char *want_a, const char *want_b)
{
    struct sfx f;
    sfx_setup(&f);
    sfx_text(&f, "bad.csv", "a,b\n1,2\n\"x\ny\"\n");
    sfx_text(&f, "dup.csv", "a,b,a\n1,2,3\n");
    sfx_text(&f, "bad.json", "{\n  \"a\": 1,\n}\n");
    struct tg_diag d = { "" };
    assert_int_equal(sfx_init(&f, script, &d), TG_EINVAL);
    /* "@" in want_a stands for the fixture's directory */
    char want[512];
    const char *at = strchr(want_a, '@');
    if (at) {
        snprintf(want, sizeof(want), "%.*s%s%s", (int)(at - want_a), want_a, f.dir, at + 1);
    } else {
        snprintf(want, sizeof(want), "%s", want_a);
    }
    if (!strstr(d.msg, want) || (want_b && !strstr(d.msg, want_b))) {
        print_error("got: %s\nwant: %s / %s\n", d.msg, want, want_b ? want_b : "");
    }
    assert_non_null(strstr(d.msg, want));
    if (want_b) {
        assert_non_null(strstr(d.msg, want_b));
    }
    sfx_teardown(&f);
}

static void test_lua_data_open_reads_whole_files(void **state)
{
    (void)state;
    struct sfx f;
    sfx_setup(&f);
    sfx_text(&f, "hello.txt", "hello\nworld\n");
    sfx_file(&f, "bin.dat", "a\0b\xff", 4);
    char script[512];
    snprintf(script, sizeof(script),
             "local tg = require 'tailgate'\n"
             "text = tg.open('hello.txt')\n"
             "local b = tg.open('bin.dat', 'b')\n"
             "bin = #b .. ':' .. b:byte(2) .. ':' .. b:byte(4)\n"
             "abs = tg.open('%s/hello.txt')\n"
             "empty = '[' .. tg.open('/dev/null') .. ']'\n",
             f.dir);
    struct tg_diag d = { "" };
    assert_int_equal(sfx_init(&f, script, &d), 0);
    assert_string_equal(sfx_global(&f, "text"), "hello\nworld\n");
    assert_string_equal(sfx_global(&f, "bin"), "4:0:255");
    assert_string_equal(sfx_global(&f, "abs"), "hello\nworld\n");
    assert_string_equal(sfx_global(&f, "empty"), "[]");
    sfx_teardown(&f);
}

static void test_lua_data_open_errors(void **state)
{
    (void)state;
    expect_init_error("require('tailgate').open('nope.txt')",
                      "tailgate.open: @/nope.txt: No such file or directory", NULL);
    expect_init_error("require('tailgate').open('.')", "tailgate.open: @/.: Is a directory", NULL);
    expect_init_error("require('tailgate').open('bad.csv', 'r')",
                      "tailgate.open: mode \"r\": the only mode is \"b\"", NULL);
    expect_init_error("require('tailgate').open('')",
                      "tailgate.open: the path must be a non-empty string", NULL);
}

static void test_lua_data_open_size_limit(void **state)
{
    (void)state;
    struct sfx f;
    sfx_setup(&f);
    char big[256];
    snprintf(big, sizeof(big), "%s/big.bin", f.dir);
    int fd = open(big, O_CREAT | O_WRONLY, 0600);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)300 << 20), 0); /* sparse: no disk used */
    close(fd);
    struct tg_diag d = { "" };
    assert_int_equal(sfx_init(&f, "require('tailgate').open('big.bin')", &d), TG_EINVAL);
    char want[512];
    snprintf(want, sizeof(want), "tailgate.open: %s: larger than 256 MiB", big);
    assert_non_null(strstr(d.msg, want));
    sfx_teardown(&f);
}

static void test_lua_data_only_in_the_init_context(void **state)
{
    (void)state;
    struct sfx f;
    sfx_setup(&f);
    sfx_text(&f, "x.txt", "x");
    struct tg_diag d = { "" };
    assert_int_equal(sfx_init(&f,
                              "local tg = require 'tailgate'\n"
                              "function o() tg.open('x.txt') end\n"
                              "function c() tg.csv('x.txt') end\n"
                              "function j() tg.json_file('x.txt') end\n",
                              &d),
                     0);
    assert_non_null(strstr(sfx_run(&f, "o"), "tailgate.open: only in the init context"));
    assert_non_null(strstr(sfx_run(&f, "c"), "tailgate.csv: only in the init context"));
    assert_non_null(strstr(sfx_run(&f, "j"), "tailgate.json_file: only in the init context"));
    sfx_teardown(&f);
}

static void test_lua_data_csv_header_rows(void **state)
{
    (void)state;
    struct sfx f;
    sfx_setup(&f);
    static const char csv[] = "\xef\xbb\xbfid,name,note\r\n"
                              "1,alice,\"likes \"\"tea\"\", and cake\"\r\n"
                              "\r\n"
                              "2,bob,\"two\nlines\"\r\n"
                              "3,,\r\n";
    sfx_file(&f, "users.csv", csv, sizeof(csv) - 1);
    struct tg_diag d = { "" };
    assert_int_equal(
        sfx_init(&f,
                 "local tg = require 'tailgate'\n"
                 "local u = tg.csv('users.csv')\n"
                 "n = #u\n"
                 "r1 = u[1].id .. '|' .. u[1].name .. '|' .. u[1].note\n"
                 "r2 = u[2].note\n"
                 "r3 = '[' .. u[3].name .. '][' .. u[3].note .. ']' .. type(u[3].id)\n",
                 &d),
        0);
    assert_string_equal(sfx_global(&f, "n"), "3");
    assert_string_equal(sfx_global(&f, "r1"), "1|alice|likes \"tea\", and cake");
    assert_string_equal(sfx_global(&f, "r2"), "two\nlines");
    assert_string_equal(sfx_global(&f, "r3"), "[][]string");
    sfx_teardown(&f);
}

static void test_lua_data_csv_options(void **state)
{
    (void)state;
    struct sfx f;
    sfx_setup(&f);
    sfx_text(&f, "a.csv", "x;y\n1;\"2;3\"\n");
    sfx_text(&f, "empty.csv", "");
    sfx_text(&f, "head.csv", "a,b\n");
    struct tg_diag d = { "" };
    assert_int_equal(sfx_init(&f,
                              "local tg = require 'tailgate'\n"
                              "local a = tg.csv('a.csv', { header = false, separator = ';' })\n"
                              "arr = #a .. ':' .. a[1][1] .. a[1][2] .. ':' .. a[2][2]\n"
                              "local h = tg.csv('a.csv', { separator = ';' })\n"
                              "hdr = #h .. ':' .. h[1].y\n"
                              "none = #tg.csv('empty.csv') .. ',' .. #tg.csv('head.csv')\n",
                              &d),
                     0);
    assert_string_equal(sfx_global(&f, "arr"), "2:xy:2;3");
    assert_string_equal(sfx_global(&f, "hdr"), "1:2;3");
    assert_string_equal(sfx_global(&f, "none"), "0,0");
    sfx_teardown(&f);
}

static void test_lua_data_csv_errors(void **state)
{
    (void)state;
    expect_init_error("require('tailgate').csv('bad.csv')",
                      "tailgate.csv: @/bad.csv:3: this record has fewer fields than the first one",
                      NULL);
    expect_init_error("require('tailgate').csv('dup.csv')",
                      "tailgate.csv: @/dup.csv:1: the header names column \"a\" twice", NULL);
    expect_init_error("require('tailgate').csv('bad.csv', { separator = ',,' })",
                      "tailgate.csv: opts.separator: expected one character", NULL);
    expect_init_error("require('tailgate').csv('bad.csv', { headers = true })",
                      "tailgate.csv: opts.headers: unknown option (header, separator)", NULL);
    expect_init_error("require('tailgate').csv('missing.csv')",
                      "tailgate.csv: @/missing.csv: No such file or directory", NULL);
}

static void test_lua_data_json_file(void **state)
{
    (void)state;
    struct sfx f;
    sfx_setup(&f);
    sfx_text(&f, "cfg.json", "{\"users\": [{\"name\": \"a\"}, {\"name\": \"b\"}], \"n\": 2}");
    struct tg_diag d = { "" };
    assert_int_equal(sfx_init(&f,
                              "local tg = require 'tailgate'\n"
                              "local c = tg.json_file('cfg.json')\n"
                              "got = c.n .. #c.users .. c.users[2].name\n",
                              &d),
                     0);
    assert_string_equal(sfx_global(&f, "got"), "22b");
    sfx_teardown(&f);
    expect_init_error("require('tailgate').json_file('bad.json')",
                      "tailgate.json_file: @/bad.json:3: invalid JSON", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lua_data_open_reads_whole_files),
        cmocka_unit_test(test_lua_data_open_errors),
        cmocka_unit_test(test_lua_data_open_size_limit),
        cmocka_unit_test(test_lua_data_only_in_the_init_context),
        cmocka_unit_test(test_lua_data_csv_header_rows),
        cmocka_unit_test(test_lua_data_csv_options),
        cmocka_unit_test(test_lua_data_csv_errors),
        cmocka_unit_test(test_lua_data_json_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

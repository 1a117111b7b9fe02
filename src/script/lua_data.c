/*
 * lua_data — data files for scripts, k6's open() and the loaders around it:
 *   tg.open(path [, "b"])   the whole file as a Lua string ("b" is accepted for
 *                           k6 ports: Lua strings hold bytes either way)
 *   tg.csv(path [, opts])   an array of rows; with the header row (default)
 *                           each row is { column = value }, with
 *                           opts.header = false an array of values;
 *                           opts.separator is one byte (default ",")
 *   tg.json_file(path)      the decoded JSON value (lua_json's mapping)
 * Like k6's open(), they work in the init context only (a Lua error
 * elsewhere): a file is read once per Lua state, never while VUs run. Paths
 * are relative to the script's directory unless absolute. A file larger than
 * TG_DATA_MAX_BYTES is refused. Errors name the function and the file, with
 * the errno text, or file:line for malformed CSV or JSON.
 *
 * Memory: the file is read into one buffer (freed by the GC, so a Lua error
 * cannot leak it); CSV values are unescaped in place there before becoming
 * Lua strings. CSV values are strings, never converted to numbers.
 */
#include "core/alloc.h"
#include "script/csv_parse.h"
#include "script/internal.h"
#include "script/lua_json.h"

#include <errno.h>
#include <fcntl.h>
#include <lauxlib.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TG_DATA_MAX_BYTES ((size_t)256 << 20)
#define PATH_CAP          4096

struct filebuf {
    char *p; /* owned (tg_alloc); freed by __gc */
    size_t len;
};

static int filebuf_gc(lua_State *L)
{
    struct filebuf *b = lua_touserdata(L, 1);
    tg_free(b->p);
    b->p = NULL;
    return 0;
}

void tg_lua_data__init_only(lua_State *L, const char *what)
{
    struct tg_rt *rt = tg_runtime__of(L);
    if (!rt->in_init) {
        luaL_error(L, "%s: only in the init context (the script's top level), as k6's open()",
                   what);
    }
}

static const char *check_path(lua_State *L, const char *what)
{
    size_t len;
    const char *p = luaL_checklstring(L, 1, &len);
    if (len == 0 || strlen(p) != len) {
        luaL_error(L, "%s: the path must be a non-empty string without NUL bytes", what);
    }
    return p;
}

/* The file's path: as given when absolute, else relative to the script's directory. */
static void resolve(lua_State *L, const char *what, const char *path, char *out)
{
    struct tg_rt *rt = tg_runtime__of(L);
    const char *slash = rt->path ? strrchr(rt->path, '/') : NULL;
    int n = path[0] == '/' || !slash
                ? snprintf(out, PATH_CAP, "%s", path)
                : snprintf(out, PATH_CAP, "%.*s/%s", (int)(slash - rt->path), rt->path, path);
    if (n < 0 || n >= PATH_CAP) {
        luaL_error(L, "%s: \"%s\": the path is too long", what, path);
    }
}

/* Reads the file at path whole into b: 0, EFBIG beyond the limit, or an errno. No Lua calls. */
static int slurp(const char *path, struct filebuf *b)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return errno;
    }
    struct stat st;
    int err = fstat(fd, &st) < 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;
    bool regular = err == 0 && S_ISREG(st.st_mode);
    if (regular && (uint64_t)st.st_size > TG_DATA_MAX_BYTES) {
        err = EFBIG;
    }
    /* a regular file's size plus one byte, to see its end without growing */
    size_t cap = regular ? (size_t)st.st_size + 1 : 65536;
    b->p = err ? NULL : tg_alloc(cap);
    err = err ? err : !b->p ? ENOMEM : 0;
    while (err == 0) {
        if (b->len == cap) {
            size_t grown = cap * 2 > TG_DATA_MAX_BYTES + 1 ? TG_DATA_MAX_BYTES + 1 : cap * 2;
            char *p = tg_realloc(b->p, grown, 1);
            if (!p) {
                err = ENOMEM;
                break;
            }
            b->p = p;
            cap = grown;
        }
        ssize_t r = read(fd, b->p + b->len, cap - b->len);
        if (r < 0 && errno != EINTR) {
            err = errno;
        } else if (r == 0) {
            break;
        } else if (r > 0) {
            b->len += (size_t)r;
            err = b->len > TG_DATA_MAX_BYTES ? EFBIG : 0;
        }
    }
    close(fd);
    return err;
}

/* Reads path whole; pushes its buffer (a userdata the GC frees). full gets the resolved path. */
static struct filebuf *read_file(lua_State *L, const char *what, const char *path, char *full)
{
    resolve(L, what, path, full);
    struct filebuf *b = lua_newuserdata(L, sizeof(*b));
    *b = (struct filebuf){ NULL, 0 };
    if (luaL_newmetatable(L, "tailgate.filebuf")) {
        lua_pushcfunction(L, filebuf_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    int err = slurp(full, b);
    if (err == EFBIG) {
        luaL_error(L, "%s: %s: larger than %d MiB", what, full, (int)(TG_DATA_MAX_BYTES >> 20));
    }
    if (err) {
        luaL_error(L, "%s: %s: %s", what, full, strerror(err));
    }
    return b;
}

static int l_open(lua_State *L)
{
    tg_lua_data__init_only(L, "tailgate.open");
    const char *path = check_path(L, "tailgate.open");
    const char *mode = luaL_optstring(L, 2, "");
    if (mode[0] != '\0' && strcmp(mode, "b") != 0) {
        return luaL_error(L, "tailgate.open: mode \"%s\": the only mode is \"b\" (binary)", mode);
    }
    char full[PATH_CAP];
    struct filebuf *b = read_file(L, "tailgate.open", path, full);
    lua_pushlstring(L, b->p ? b->p : "", b->len);
    return 1;
}

struct csv_opts {
    bool header;
    char sep;
};

static void read_csv_opts(lua_State *L, int idx, struct csv_opts *o)
{
    *o = (struct csv_opts){ true, ',' };
    if (lua_isnoneornil(L, idx)) {
        return;
    }
    luaL_checktype(L, idx, LUA_TTABLE);
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?";
        size_t len = 0;
        const char *v = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &len) : NULL;
        if (strcmp(k, "header") == 0) {
            if (lua_type(L, -1) != LUA_TBOOLEAN) {
                luaL_error(L, "tailgate.csv: opts.header: expected true or false");
            }
            o->header = lua_toboolean(L, -1);
        } else if (strcmp(k, "separator") == 0) {
            if (!v || len != 1 || *v == '"' || *v == '\r' || *v == '\n') {
                luaL_error(L, "tailgate.csv: opts.separator: expected one character, not a "
                              "quote, CR or LF");
            }
            o->sep = *v;
        } else {
            luaL_error(L, "tailgate.csv: opts.%s: unknown option (header, separator)", k);
        }
        lua_pop(L, 1);
    }
}

/* Pushes a field's value, unescaping it in place in the file's buffer. */
static void push_field(lua_State *L, struct filebuf *b, const struct tg_csv_field *f)
{
    if (!f->escaped) {
        lua_pushlstring(L, f->ptr, f->len);
        return;
    }
    char *at = b->p + (f->ptr - b->p); /* the same bytes, writable: the buffer is ours */
    lua_pushlstring(L, at, tg_csv_parse_unescape(f->ptr, f->len, at));
}

/* Stack: 1 path, 2 opts, 3 buffer, 4 header names, 5 names seen, 6 rows. */
static int l_csv(lua_State *L)
{
    tg_lua_data__init_only(L, "tailgate.csv");
    const char *path = check_path(L, "tailgate.csv");
    struct csv_opts o;
    read_csv_opts(L, 2, &o);
    lua_settop(L, 2);
    char full[PATH_CAP];
    struct filebuf *b = read_file(L, "tailgate.csv", path, full);
    lua_newtable(L);
    lua_newtable(L);
    lua_newtable(L);
    struct tg_csv_parse p;
    tg_csv_parse_init(&p, b->p ? b->p : "", b->len, o.sep);
    struct tg_csv_field f;
    bool in_header = o.header;
    int col = 0;
    int rows = 0;
    int rc;
    while ((rc = tg_csv_parse_next(&p, &f)) == 1) {
        if (in_header) {
            push_field(L, b, &f);
            lua_pushvalue(L, -1);
            lua_rawget(L, 5);
            if (!lua_isnil(L, -1)) {
                return luaL_error(L, "tailgate.csv: %s:%d: the header names column \"%s\" twice",
                                  full, (int)f.line, lua_tostring(L, -2));
            }
            lua_pop(L, 1);
            lua_pushvalue(L, -1);
            lua_pushboolean(L, 1);
            lua_rawset(L, 5);
            lua_rawseti(L, 4, ++col);
            in_header = !f.last;
            col = f.last ? 0 : col;
            continue;
        }
        if (col == 0) {
            lua_createtable(L, o.header ? 0 : (int)p.width, o.header ? (int)p.width : 0);
        }
        if (o.header) {
            lua_rawgeti(L, 4, col + 1);
            push_field(L, b, &f);
            lua_rawset(L, -3);
        } else {
            push_field(L, b, &f);
            lua_rawseti(L, -2, col + 1);
        }
        col++;
        if (f.last) {
            lua_rawseti(L, 6, ++rows);
            col = 0;
        }
    }
    if (rc < 0) {
        return luaL_error(L, "tailgate.csv: %s:%d: %s", full, (int)p.error_line, p.error);
    }
    lua_pushvalue(L, 6);
    return 1;
}

static int l_json_file(lua_State *L)
{
    tg_lua_data__init_only(L, "tailgate.json_file");
    const char *path = check_path(L, "tailgate.json_file");
    char full[PATH_CAP];
    struct filebuf *b = read_file(L, "tailgate.json_file", path, full);
    char source[PATH_CAP + 32];
    snprintf(source, sizeof(source), "tailgate.json_file: %s", full);
    tg_lua_json_decode_named(L, b->p ? b->p : "", b->len, source);
    return 1;
}

void tg_lua_data__register(lua_State *L, struct tg_rt *rt)
{
    static const struct {
        const char *name;
        lua_CFunction fn;
    } fns[] = { { "open", l_open }, { "csv", l_csv }, { "json_file", l_json_file } };
    for (size_t i = 0; i < TG_ARRAY_LEN(fns); i++) {
        lua_pushlightuserdata(L, rt);
        lua_pushcclosure(L, fns[i].fn, 1);
        lua_setfield(L, -2, fns[i].name);
    }
}

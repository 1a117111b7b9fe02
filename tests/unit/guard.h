/*
 * guard.h — the guard page that parser tests feed their input against
 * (STYLE rule 28, after picohttpparser's tests): one mapping of readable
 * bytes followed by a PROT_NONE page. guard_put copies an input so that its
 * last byte is the last readable byte, so a parser that reads past len
 * faults at once instead of reading stale bytes.
 *
 * Use: guard_init(largest input) once in main before the tests run,
 * guard_put(src, n) for every input or piece (each call reuses the same
 * bytes, so the previous copy is gone), guard_fini() at the end. One guard
 * per test binary (g_guard), used from the main thread only.
 *
 * Header only, for tests: each including file gets its own g_guard.
 */
#ifndef TG_TESTS_UNIT_GUARD_H
#define TG_TESTS_UNIT_GUARD_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct guard {
    char *map;      /* the mapping: cap bytes (page-rounded) then one PROT_NONE page */
    size_t map_len; /* bytes mapped */
    char *end;      /* first byte of the PROT_NONE page */
    size_t cap;     /* largest input that fits before end */
};

static struct guard g_guard;

/* Maps room for inputs of up to cap bytes (rounded up to pages) and the guard page. 0 or -1. */
static inline int guard_init(size_t cap)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t data = (cap + page - 1) / page * page;
    if (data == 0) {
        data = page;
    }
    g_guard.map_len = data + page;
    g_guard.map =
        mmap(NULL, g_guard.map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (g_guard.map == MAP_FAILED) {
        return -1;
    }
    g_guard.end = g_guard.map + data;
    g_guard.cap = data;
    return mprotect(g_guard.end, page, PROT_NONE);
}

/* Copies src[0..n) so that its last byte is the last readable byte. */
static inline char *guard_put(const char *src, size_t n)
{
    assert_true(n <= g_guard.cap);
    char *dst = g_guard.end - n;
    if (n > 0) {
        memmove(dst, src, n);
    }
    return dst;
}

/* Unmaps what guard_init mapped. */
static inline void guard_fini(void)
{
    munmap(g_guard.map, g_guard.map_len);
}

#endif

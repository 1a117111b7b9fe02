/*
 * alloc — counted allocation wrappers; see alloc.h.
 */
#include "core/alloc.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static atomic_uint_fast64_t alloc_count;
static atomic_uint_fast64_t fail_countdown;

static int should_fail(void)
{
    uint_fast64_t n = atomic_load_explicit(&fail_countdown, memory_order_relaxed);
    if (n == 0) {
        return 0;
    }
    return atomic_fetch_sub_explicit(&fail_countdown, 1, memory_order_relaxed) == 1;
}

void *tg_alloc(size_t size)
{
    if (should_fail()) {
        return NULL;
    }
    void *p = malloc(size ? size : 1);
    if (p) {
        atomic_fetch_add_explicit(&alloc_count, 1, memory_order_relaxed);
    }
    return p;
}

void *tg_calloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size) {
        return NULL;
    }
    if (should_fail()) {
        return NULL;
    }
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (p) {
        atomic_fetch_add_explicit(&alloc_count, 1, memory_order_relaxed);
    }
    return p;
}

void *tg_realloc(void *p, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size) {
        return NULL;
    }
    if (should_fail()) {
        return NULL;
    }
    size_t total = n * size;
    void *q = realloc(p, total ? total : 1);
    if (q) {
        atomic_fetch_add_explicit(&alloc_count, 1, memory_order_relaxed);
    }
    return q;
}

char *tg_strndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *d = tg_alloc(len + 1);
    if (d) {
        memcpy(d, s, len);
        d[len] = '\0';
    }
    return d;
}

char *tg_strdup(const char *s)
{
    return tg_strndup(s, strlen(s));
}

void tg_free(void *p)
{
    free(p);
}

uint64_t tg_alloc_count(void)
{
    return atomic_load_explicit(&alloc_count, memory_order_relaxed);
}

void tg_alloc_fail_after(uint64_t n)
{
    atomic_store_explicit(&fail_countdown, n, memory_order_relaxed);
}

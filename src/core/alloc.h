/*
 * alloc — the one allocation entry point. Every heap object in tailgate comes
 * from here so that counts can be checked (tests assert ~0 allocations per
 * request after warm-up) and failures can be injected.
 *
 * Thread-safe: counters are relaxed atomics, touched only on allocation,
 * which never happens on the per-request path after warm-up.
 */
#ifndef TG_CORE_ALLOC_H
#define TG_CORE_ALLOC_H

#include <stddef.h>
#include <stdint.h>

/* malloc(size); NULL on failure. */
void *tg_alloc(size_t size);
/* calloc(n, size) with overflow check; NULL on failure or overflow. */
void *tg_calloc(size_t n, size_t size);
/* realloc(p, n * size) with overflow check; on failure p is untouched, NULL returned. */
void *tg_realloc(void *p, size_t n, size_t size);
/* strdup; NULL on failure. s must not be NULL. */
char *tg_strdup(const char *s);
/* strndup; NULL on failure. */
char *tg_strndup(const char *s, size_t n);
/* free(p); p may be NULL. */
void tg_free(void *p);

/* Number of successful allocations since start (all threads). */
uint64_t tg_alloc_count(void);
/* Make the n-th allocation from now fail (0 disables). For tests. */
void tg_alloc_fail_after(uint64_t n);

#endif

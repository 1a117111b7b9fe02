/*
 * srv_bufpool — the free list of serve's connection buffers. Every buffer is
 * TG_SRV_BUF_SIZE bytes; a connection takes one for input and one for output
 * while it has a request in progress and gives both back when it goes idle,
 * so memory follows the number of busy connections, not open ones, and the
 * request path allocates nothing once the pool has warmed up.
 *
 * Invariants: at most TG_SRV_BUFPOOL_KEEP free buffers are kept (more are
 * returned to the allocator, so a burst does not pin memory for ever).
 * Owned by the server context; loop thread only. Cost: a pointer push/pop.
 */
#ifndef TG_SERVE_SRV_BUFPOOL_H
#define TG_SERVE_SRV_BUFPOOL_H

#include <stdint.h>

#define TG_SRV_BUF_SIZE     32768 /* bytes per buffer */
#define TG_SRV_BUFPOOL_KEEP 4096  /* free buffers kept at most (128 MiB) */

struct tg_srv_bufpool {
    void *free;      /* singly linked through each free buffer's first bytes */
    uint32_t nfree;  /* buffers on the free list */
    uint64_t nalloc; /* buffers obtained from tg_alloc since init */
};

/* Prepares p (caller's storage), empty. */
void tg_srv_bufpool_init(struct tg_srv_bufpool *p);

/* Frees the free list. Buffers still out are the caller's to return first. */
void tg_srv_bufpool_fini(struct tg_srv_bufpool *p);

/* A buffer of TG_SRV_BUF_SIZE bytes, owned by the caller until put; NULL when out of memory. */
char *tg_srv_bufpool_get(struct tg_srv_bufpool *p);

/* Takes back b (from get). b may be NULL. */
void tg_srv_bufpool_put(struct tg_srv_bufpool *p, char *b);

#endif

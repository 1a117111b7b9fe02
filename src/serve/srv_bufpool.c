/*
 * srv_bufpool — fixed-size buffer free list; contract in srv_bufpool.h.
 */
#include "serve/srv_bufpool.h"

#include "core/alloc.h"

#include <stddef.h>

struct free_buf {
    struct free_buf *next;
};

void tg_srv_bufpool_init(struct tg_srv_bufpool *p)
{
    *p = (struct tg_srv_bufpool){ 0 };
}

void tg_srv_bufpool_fini(struct tg_srv_bufpool *p)
{
    struct free_buf *b = p->free;
    while (b) {
        struct free_buf *next = b->next;
        tg_free(b);
        b = next;
    }
    p->free = NULL;
    p->nfree = 0;
}

char *tg_srv_bufpool_get(struct tg_srv_bufpool *p)
{
    struct free_buf *b = p->free;
    if (b) {
        p->free = b->next;
        p->nfree--;
        return (char *)b;
    }
    char *fresh = tg_alloc(TG_SRV_BUF_SIZE);
    if (fresh) {
        p->nalloc++;
    }
    return fresh;
}

void tg_srv_bufpool_put(struct tg_srv_bufpool *p, char *b)
{
    if (!b) {
        return;
    }
    if (p->nfree >= TG_SRV_BUFPOOL_KEEP) {
        tg_free(b);
        return;
    }
    struct free_buf *f = (struct free_buf *)(void *)b;
    f->next = p->free;
    p->free = f;
    p->nfree++;
}

/*
 * srv_burn — the handshake CPU cost: a SHA-256 chain run until the thread's
 * CPU clock has advanced by the budget; contract in srv_burn.h.
 */
#include "serve/srv_burn.h"

#include <string.h>
#include <time.h>

#define BATCH 64 /* digests between clock reads (the thread CPU clock is a system call) */

static tg_ns thread_cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (tg_ns)ts.tv_sec * TG_NS_PER_S + ts.tv_nsec;
}

int tg_srv_burn_init(struct tg_srv_burn *b)
{
    memset(b, 0, sizeof(*b));
    b->ctx = EVP_MD_CTX_new();
    b->md = EVP_MD_fetch(NULL, "SHA256", NULL);
    if (!b->ctx || !b->md) {
        tg_srv_burn_fini(b);
        return TG_ENOMEM;
    }
    memcpy(b->state, "tailgate handshake cost 00000000", sizeof(b->state));
    return 0;
}

void tg_srv_burn_fini(struct tg_srv_burn *b)
{
    EVP_MD_CTX_free(b->ctx);
    EVP_MD_free(b->md);
    b->ctx = NULL;
    b->md = NULL;
}

tg_ns tg_srv_burn_run(struct tg_srv_burn *b, tg_ns cpu_ns)
{
    if (cpu_ns <= 0) {
        return 0;
    }
    tg_ns start = thread_cpu_now();
    tg_ns now = start;
    while (now - start < cpu_ns) {
        for (int i = 0; i < BATCH; i++) {
            unsigned int n = 0;
            if (!EVP_DigestInit_ex(b->ctx, b->md, NULL) ||
                !EVP_DigestUpdate(b->ctx, b->state, sizeof(b->state)) ||
                !EVP_DigestFinal_ex(b->ctx, b->state, &n)) {
                b->state[0]++; /* keep burning even if OpenSSL refuses: the clock decides */
            }
        }
        now = thread_cpu_now();
    }
    return now - start;
}

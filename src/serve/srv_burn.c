/*
 * srv_burn — the handshake CPU cost: SHA-256 over a changing block until the
 * thread's CPU clock has advanced by the budget; contract in srv_burn.h.
 */
#include "serve/srv_burn.h"

#include <stdbool.h>
#include <string.h>
#include <time.h>

#define BATCH_MAX 1024 /* blocks between clock reads, at most */

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
    memset(b->block, 0x5a, sizeof(b->block));
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
    /* One digest per run, fed its own previous output block after block; the clock is
     * read after batches sized from the measured cost of a block to cover half of what
     * is left, so it is read a few dozen times and the overshoot is about one block. */
    bool ok = EVP_DigestInit_ex(b->ctx, b->md, NULL) == 1;
    tg_ns start = thread_cpu_now();
    tg_ns now = start;
    int batch = 1;
    while (now - start < cpu_ns) {
        for (int i = 0; i < batch; i++) {
            ok = ok && EVP_DigestUpdate(b->ctx, b->block, sizeof(b->block)) == 1;
            b->block[i % sizeof(b->block)]++; /* keep the input changing, OpenSSL or not */
        }
        tg_ns t = thread_cpu_now();
        tg_ns per = TG_MAX((t - now) / batch, (tg_ns)1);
        now = t;
        tg_ns half_left = (cpu_ns - (now - start)) / 2;
        batch = (int)TG_MIN(TG_MAX(half_left / per, (tg_ns)1), (tg_ns)BATCH_MAX);
    }
    unsigned int n = 0;
    if (ok && EVP_DigestFinal_ex(b->ctx, b->block, &n) != 1) {
        b->block[0]++;
    }
    return now - start;
}

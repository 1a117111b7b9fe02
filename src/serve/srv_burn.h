/*
 * srv_burn — real CPU work on serve's loop thread, standing in for what a
 * production gateway spends accepting a connection (TLS handshake, token
 * check, session set-up). serve/srv_stream charges one --handshake-cost
 * draw per accepted WebSocket or SSE (re)connection, before the handshake
 * answer is written; since serve has one thread, every other client —
 * and the tick fan-out — waits meanwhile, so a reconnect storm delays
 * ticks for everyone, as it does in production.
 *
 * The work is SHA-256 over a 256-byte block, fed again and again into one
 * digest per handshake (OpenSSL's EVP interface, with one digest context
 * kept for the server's life, so nothing is allocated per block), not a
 * sleep: it shows up as CPU in top and in /proc, and the kernel cannot give
 * the time to anyone else in the process. The budget is measured in CPU
 * time of the calling thread (CLOCK_THREAD_CPUTIME_ID), so on a busy
 * machine the wall-clock stall is longer than the cost, never shorter.
 *
 * Owned by the server context; loop thread only. Cost: the budget, plus
 * about one block (~1 µs) of overshoot: the clock is read after batches
 * sized to cover half of the remaining budget.
 */
#ifndef TG_SERVE_SRV_BURN_H
#define TG_SERVE_SRV_BURN_H

#include "tg.h"

#include <openssl/evp.h>

struct tg_srv_burn {
    EVP_MD_CTX *ctx;          /* owned */
    EVP_MD *md;               /* SHA-256, fetched once; owned */
    unsigned char block[256]; /* what is hashed; changes every round */
};

/* Prepares b (caller's storage). 0 or TG_ENOMEM (OpenSSL could not set up SHA-256). */
int tg_srv_burn_init(struct tg_srv_burn *b);

/* Frees what init made. Safe on a zeroed or already finished b. */
void tg_srv_burn_fini(struct tg_srv_burn *b);

/*
 * Spends at least cpu_ns of this thread's CPU time hashing. Returns the CPU
 * time actually spent in nanoseconds (0 when cpu_ns <= 0).
 */
tg_ns tg_srv_burn_run(struct tg_srv_burn *b, tg_ns cpu_ns);

#endif

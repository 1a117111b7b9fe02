/*
 * resolve — asynchronous name resolution for a worker's event loop, so that
 * a script's request to a host not seen before never blocks the loop. The
 * lookups run on glibc's getaddrinfo_a threads; each finished lookup is
 * pushed onto the worker's lock-free completion stack and the loop is woken
 * with an ev_async, where the callback runs on the worker's own thread.
 * Answers are cached per worker for ttl (k6's dns.ttl, default 5 minutes);
 * concurrent lookups of the same name share one query.
 *
 * Cost: a cache hit is a hash-free scan of a small array (a test touches a
 * handful of hosts); a miss costs one getaddrinfo_a and one wake-up.
 * Threading: one struct tg_resolve per worker; every function but the glibc
 * notification runs on that worker's thread.
 */
#ifndef TG_NET_RESOLVE_H
#define TG_NET_RESOLVE_H

#include "net/addr.h"
#include "tg.h"

#include <ev.h>
#include <stdatomic.h>
#include <stdbool.h>

#define TG_RESOLVE_MAX_ADDRS 8

struct tg_resolve_entry; /* one host:port, cached or in flight */

/* Called on the worker's thread: n > 0 addresses, or n = 0 and err an error code. */
typedef void (*tg_resolve_cb)(void *ctx, const struct tg_addr *addrs, int n, int err);

struct tg_resolve_waiter {
    tg_resolve_cb cb;
    void *ctx;
    struct tg_resolve_waiter *next; /* intrusive list of an entry's waiters */
};

struct tg_resolve {
    struct ev_loop *loop;
    ev_async done;                               /* woken by glibc's notification threads */
    _Atomic(struct tg_resolve_entry *) finished; /* lock-free stack of finished lookups */
    struct tg_resolve_entry *entries;            /* cache and in-flight lookups, owned */
    tg_ns ttl_ns;
    int started;         /* queries handed to getaddrinfo_a */
    atomic_int notified; /* notifications that have finished with this struct */
};

int tg_resolve_init(struct tg_resolve *r, struct ev_loop *loop, tg_ns ttl_ns);
/* Frees the cache; waits for lookups still in flight (without calling back). */
void tg_resolve_fini(struct tg_resolve *r);
/*
 * Resolves host:port. Numeric addresses and fresh cache entries answer at
 * once (the callback runs before this returns); otherwise w (borrowed until
 * its callback) waits for the lookup. 0, or TG_ENOMEM / TG_EINVAL.
 */
int tg_resolve_lookup(struct tg_resolve *r, const char *host, int port, struct tg_resolve_waiter *w,
                      tg_ns now);

#endif

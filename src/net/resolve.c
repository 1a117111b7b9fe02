/*
 * resolve — asynchronous lookups on getaddrinfo_a; see resolve.h.
 */
#include "net/resolve.h"

#include "core/alloc.h"
#include "net/errcode.h"

#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

struct tg_resolve_entry {
    char host[256];
    int port;
    struct tg_addr addrs[TG_RESOLVE_MAX_ADDRS];
    int n;         /* addresses, once resolved */
    int err;       /* error code when n == 0 */
    tg_ns expires; /* monotonic; 0 while in flight */
    bool in_flight;
    struct tg_resolve_waiter *waiters;
    struct tg_resolve *owner;
    /* getaddrinfo_a's request */
    struct gaicb cb;
    struct addrinfo hints;
    char service[8];
    struct tg_resolve_entry *next;     /* owner's list */
    struct tg_resolve_entry *finished; /* completion stack link */
};

/* glibc's notification thread: hand the entry to the worker. */
static void notify(union sigval sv)
{
    struct tg_resolve_entry *e = sv.sival_ptr;
    struct tg_resolve *r = e->owner;
    struct tg_resolve_entry *head = atomic_load_explicit(&r->finished, memory_order_relaxed);
    do {
        e->finished = head;
    } while (!atomic_compare_exchange_weak_explicit(&r->finished, &head, e, memory_order_release,
                                                    memory_order_relaxed));
    ev_async_send(r->loop, &r->done);
    /* last touch of r by this thread: tg_resolve_fini waits for it */
    atomic_fetch_add_explicit(&r->notified, 1, memory_order_release);
}

static void complete(struct tg_resolve *r, struct tg_resolve_entry *e, tg_ns now)
{
    int rc = gai_error(&e->cb);
    e->n = 0;
    if (rc == 0) {
        for (struct addrinfo *ai = e->cb.ar_result; ai && e->n < TG_RESOLVE_MAX_ADDRS;
             ai = ai->ai_next) {
            if (ai->ai_addrlen <= sizeof(e->addrs[0].sa)) {
                memcpy(&e->addrs[e->n].sa, ai->ai_addr, ai->ai_addrlen);
                e->addrs[e->n].len = ai->ai_addrlen;
                e->n++;
            }
        }
        freeaddrinfo(e->cb.ar_result);
        e->cb.ar_result = NULL;
    }
    e->err = e->n                                                ? 0
             : (rc == EAI_NONAME || rc == EAI_NODATA || rc == 0) ? TG_ERR_DNS_NO_SUCH_HOST
                                                                 : TG_ERR_DNS;
    e->in_flight = false;
    /* failures are not cached for long: the name may come back */
    e->expires = now + (e->n ? r->ttl_ns : TG_NS_PER_S);
    struct tg_resolve_waiter *w = e->waiters;
    e->waiters = NULL;
    while (w) {
        struct tg_resolve_waiter *next = w->next;
        w->cb(w->ctx, e->addrs, e->n, e->err);
        w = next;
    }
}

static void done_cb(struct ev_loop *loop, ev_async *a, int revents)
{
    (void)loop;
    (void)revents;
    struct tg_resolve *r = a->data;
    struct tg_resolve_entry *e = atomic_exchange_explicit(&r->finished, NULL, memory_order_acquire);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    tg_ns now = (tg_ns)ts.tv_sec * TG_NS_PER_S + ts.tv_nsec;
    while (e) {
        struct tg_resolve_entry *next = e->finished;
        complete(r, e, now);
        e = next;
    }
}

int tg_resolve_init(struct tg_resolve *r, struct ev_loop *loop, tg_ns ttl_ns)
{
    memset(r, 0, sizeof(*r));
    r->loop = loop;
    r->ttl_ns = ttl_ns;
    atomic_init(&r->finished, NULL);
    ev_async_init(&r->done, done_cb);
    r->done.data = r;
    ev_async_start(loop, &r->done);
    return 0;
}

void tg_resolve_fini(struct tg_resolve *r)
{
    for (struct tg_resolve_entry *e = r->entries; e; e = e->next) {
        if (e->in_flight) {
            const struct gaicb *list[1] = { &e->cb };
            while (gai_error(&e->cb) == EAI_INPROGRESS) {
                gai_suspend(list, 1, NULL);
            }
        }
    }
    /* every notification thread must be done with r before it goes away */
    while (atomic_load_explicit(&r->notified, memory_order_acquire) < r->started) {
        struct timespec ms = { 0, TG_NS_PER_MS };
        nanosleep(&ms, NULL);
    }
    struct tg_resolve_entry *f = atomic_exchange_explicit(&r->finished, NULL, memory_order_acquire);
    for (; f; f = f->finished) {
        if (f->cb.ar_result) {
            freeaddrinfo(f->cb.ar_result);
            f->cb.ar_result = NULL;
        }
    }
    ev_async_stop(r->loop, &r->done);
    struct tg_resolve_entry *e = r->entries;
    while (e) {
        struct tg_resolve_entry *next = e->next;
        tg_free(e);
        e = next;
    }
    r->entries = NULL;
}

static struct tg_resolve_entry *find(struct tg_resolve *r, const char *host, int port)
{
    for (struct tg_resolve_entry *e = r->entries; e; e = e->next) {
        if (e->port == port && strcmp(e->host, host) == 0) {
            return e;
        }
    }
    return NULL;
}

static int start_query(struct tg_resolve *r, struct tg_resolve_entry *e)
{
    memset(&e->cb, 0, sizeof(e->cb));
    memset(&e->hints, 0, sizeof(e->hints));
    e->hints.ai_family = AF_UNSPEC;
    e->hints.ai_socktype = SOCK_STREAM;
    e->hints.ai_flags = AI_ADDRCONFIG;
    snprintf(e->service, sizeof(e->service), "%d", e->port);
    e->cb.ar_name = e->host;
    e->cb.ar_service = e->service;
    e->cb.ar_request = &e->hints;
    struct gaicb *list[1] = { &e->cb };
    struct sigevent sev;
    memset(&sev, 0, sizeof(sev));
    sev.sigev_notify = SIGEV_THREAD;
    sev.sigev_notify_function = notify;
    sev.sigev_value.sival_ptr = e;
    e->in_flight = true;
    e->expires = 0;
    if (getaddrinfo_a(GAI_NOWAIT, list, 1, &sev) != 0) {
        e->in_flight = false;
        return TG_ENOMEM;
    }
    r->started++;
    return 0;
}

int tg_resolve_lookup(struct tg_resolve *r, const char *host, int port, struct tg_resolve_waiter *w,
                      tg_ns now)
{
    if (strlen(host) >= sizeof(((struct tg_resolve_entry *)0)->host) || port < 1 || port > 65535) {
        return TG_EINVAL;
    }
    struct tg_addr numeric;
    if (tg_addr_parse_list(host, port, &numeric, 1) == 1) {
        w->cb(w->ctx, &numeric, 1, 0);
        return 0;
    }
    struct tg_resolve_entry *e = find(r, host, port);
    if (e && !e->in_flight && now < e->expires) {
        w->cb(w->ctx, e->addrs, e->n, e->err);
        return 0;
    }
    if (!e) {
        e = tg_calloc(1, sizeof(*e));
        if (!e) {
            return TG_ENOMEM;
        }
        snprintf(e->host, sizeof(e->host), "%s", host);
        e->port = port;
        e->owner = r;
        e->next = r->entries;
        r->entries = e;
    }
    w->next = e->waiters;
    e->waiters = w;
    if (!e->in_flight && start_query(r, e) < 0) {
        e->waiters = w->next;
        return TG_ENOMEM;
    }
    return 0;
}

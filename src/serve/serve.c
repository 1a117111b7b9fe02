/*
 * serve — process-level part of `tailgate serve`: listening socket, accept
 * loop, signals, start and stop lines; see serve.h. Everything runs on one
 * libev loop created here.
 */
#include "serve/serve.h"

#include "core/alloc.h"
#include "core/clock.h"
#include "core/fdlimit.h"
#include "serve/internal.h"
#include "serve/srv_conn.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define ACCEPT_BATCH   64  /* connections accepted per readiness callback */
#define ACCEPT_PAUSE_S 0.1 /* back-off when out of file descriptors */
#define LISTEN_BACKLOG 4096

struct listener {
    struct tg_serve *srv;
    int fd;
    ev_io io;
    ev_timer pause; /* re-enables io after EMFILE */
    ev_signal sigint;
    ev_signal sigterm;
};

size_t tg_serve__stats_json(const struct tg_serve *srv, char *dst)
{
    struct tg_srv_stats_gauges g = {
        .connections_open = srv->connections_open,
        .queue_max = srv->cap.queue_max,
        .queue_len = srv->cap.queue_len,
        .in_service = srv->cap.busy,
        .ws_open = srv->ws_open,
        .sse_open = srv->sse_open,
        .tick_seq = srv->ticker.seq,
        .degraded = srv->degrade.degraded,
    };
    return tg_srv_stats_json(&srv->stats, &g, dst);
}

static int listen_on(const struct tg_addr *a, struct tg_diag *d)
{
    char where[80];
    tg_addr_fmt(a, where, sizeof(where));
    int fd = socket(a->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        tg_diag_set(d, "--listen %s: socket: %s", where, strerror(errno));
        return TG_EIO;
    }
    int one = 1;
    (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (a->sa.ss_family == AF_INET6) {
        (void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    }
    if (bind(fd, (const struct sockaddr *)&a->sa, a->len) < 0 || listen(fd, LISTEN_BACKLOG) < 0) {
        tg_diag_set(d, "--listen %s: %s", where, strerror(errno));
        close(fd);
        return TG_EIO;
    }
    return fd;
}

static void on_accept(struct ev_loop *loop, ev_io *w, int revents)
{
    (void)revents;
    struct listener *l = w->data;
    for (int i = 0; i < ACCEPT_BATCH; i++) {
        int fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                ev_io_stop(loop, &l->io); /* retry later instead of spinning on a full table */
                ev_timer_start(loop, &l->pause);
                return;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                return;
            }
            continue; /* ECONNABORTED, EINTR, EPROTO...: that connection is gone */
        }
        int one = 1;
        (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        (void)tg_srv_conn_open(l->srv, fd);
    }
}

static void on_accept_pause_end(struct ev_loop *loop, ev_timer *t, int revents)
{
    (void)revents;
    struct listener *l = t->data;
    ev_io_start(loop, &l->io);
}

static void on_signal(struct ev_loop *loop, ev_signal *s, int revents)
{
    (void)revents;
    struct listener *l = s->data;
    char line[TG_SRV_STATS_JSON_MAX + 1];
    size_t n = tg_serve__stats_json(l->srv, line);
    line[n++] = '\n';
    (void)fwrite(line, 1, n, stderr);
    (void)fflush(stderr);
    ev_break(loop, EVBREAK_ALL);
}

static void print_start_line(const struct tg_serve_config *cfg, int fd)
{
    struct tg_addr bound = { .len = sizeof(bound.sa) };
    if (getsockname(fd, (struct sockaddr *)&bound.sa, &bound.len) < 0) {
        bound = cfg->listen;
    }
    char where[80];
    char workers[24];
    tg_addr_fmt(&bound, where, sizeof(where));
    if (cfg->workers) {
        (void)snprintf(workers, sizeof(workers), "%u", cfg->workers);
    } else {
        (void)snprintf(workers, sizeof(workers), "unlimited");
    }
    (void)fprintf(stderr,
                  "tailgate serve: listening on %s (workers=%s, service-time=%s, error-rate=%g, "
                  "stall=%s, seed=%llu, tick-rate=%g, handshake-cost=%s)\n",
                  where, workers, cfg->service_time_text ? cfg->service_time_text : "0",
                  cfg->error_rate, cfg->stall_text ? cfg->stall_text : "off",
                  (unsigned long long)cfg->seed, cfg->tick_rate_per_s,
                  cfg->handshake_cost_text ? cfg->handshake_cost_text : "0");
    if (cfg->degrade_after_ns > 0) {
        (void)fprintf(stderr, "tailgate serve: degrading after %s\n", cfg->degrade_after_text);
    }
}

static void listener_start(struct listener *l, struct tg_serve *srv, int fd)
{
    l->srv = srv;
    l->fd = fd;
    ev_io_init(&l->io, on_accept, fd, EV_READ);
    ev_timer_init(&l->pause, on_accept_pause_end, ACCEPT_PAUSE_S, 0);
    ev_signal_init(&l->sigint, on_signal, SIGINT);
    ev_signal_init(&l->sigterm, on_signal, SIGTERM);
    l->io.data = l->pause.data = l->sigint.data = l->sigterm.data = l;
    ev_io_start(srv->loop, &l->io);
    ev_signal_start(srv->loop, &l->sigint);
    ev_signal_start(srv->loop, &l->sigterm);
}

static void listener_stop(struct listener *l)
{
    struct ev_loop *loop = l->srv->loop;
    ev_io_stop(loop, &l->io);
    ev_timer_stop(loop, &l->pause);
    ev_signal_stop(loop, &l->sigint);
    ev_signal_stop(loop, &l->sigterm);
    close(l->fd);
}

/* Sets up everything but the listener. 0 or a TG_E* with d set. */
static int server_init(struct tg_serve *srv, const struct tg_serve_config *cfg, struct tg_diag *d)
{
    srv->cfg = cfg;
    srv->loop = ev_loop_new(EVFLAG_AUTO);
    if (!srv->loop) {
        tg_diag_set(d, "cannot create the event loop");
        return TG_EIO;
    }
    if (tg_srv_timer_heap_init(&srv->timers, srv->loop) < 0 ||
        tg_srv_timer_reserve(&srv->timers, 64) < 0) {
        tg_diag_set(d, "cannot create the timer: %s", strerror(errno));
        return TG_EIO;
    }
    tg_srv_rng_seed(&srv->rng, cfg->seed);
    tg_srv_resp_canned_init(&srv->canned);
    tg_srv_stats_reset(&srv->stats);
    tg_srv_bufpool_init(&srv->bufs);
    tg_capacity_init(&srv->cap, cfg->workers, &cfg->service_time, &srv->rng, &srv->timers);
    tg_ns start_ns = tg_clock_now();
    tg_srv_stall_init(&srv->stall, cfg->stall_ns, cfg->stall_period_ns, start_ns, &srv->timers);
    srv->error_rate = cfg->error_rate;
    tg_srv_degrade_start(&srv->degrade, srv, start_ns);
    if (tg_srv_stream__init(srv) < 0) {
        tg_diag_set(d, "cannot set up the handshake cost (OpenSSL SHA-256)");
        return TG_ENOMEM;
    }
    return 0;
}

static void server_fini(struct tg_serve *srv)
{
    if (!srv->loop) {
        return;
    }
    tg_srv_conn_close_all(srv);
    tg_srv_conn_free_all(srv);
    tg_srv_stream__fini(srv);
    tg_srv_degrade_stop(&srv->degrade);
    tg_srv_stall_fini(&srv->stall);
    tg_srv_bufpool_fini(&srv->bufs);
    tg_srv_timer_heap_fini(&srv->timers);
    ev_loop_destroy(srv->loop);
}

int tg_serve_run(const struct tg_serve_config *cfg, struct tg_diag *d)
{
    struct tg_serve *srv = tg_calloc(1, sizeof(*srv));
    if (!srv) {
        tg_diag_set(d, "out of memory");
        return TG_ENOMEM;
    }
    tg_fdlimit_raise(); /* load tests open many connections */
    int rc = TG_EIO;
    int fd = listen_on(&cfg->listen, d);
    if (fd < 0) {
        goto out_free;
    }
    rc = server_init(srv, cfg, d);
    if (rc < 0) {
        close(fd);
        goto out_fini;
    }
    struct listener l;
    listener_start(&l, srv, fd);
    print_start_line(cfg, fd);
    ev_run(srv->loop, 0);
    listener_stop(&l);
    rc = 0;
out_fini:
    server_fini(srv);
out_free:
    tg_free(srv);
    return rc;
}
